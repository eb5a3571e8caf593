//! `manage-remote-state failover`: what a team needs to run Terraform from the replica in
//! another region: the replica region's lock table given digest rows for the replica
//! bucket's name (the MD5 of the replica's own bytes, each written under that state's
//! lock), and backend files pointing at the replica bucket, that region and its table.
//! `--dry-run` shows it all first; how far the replica lags the source is said when the
//! source region still answers.

use std::path::{Path, PathBuf};

use backend_hcl::{Planned, Slot};
use cli_support::confirm::{Terminal, confirm};
use cli_support::output::print_json;
use cli_support::{Exit, Failure, Reporter};
use futures::StreamExt;
use remote_state::api::Condition;
use remote_state::failover::{self, FailoverPlan};
use remote_state::{Depth, Target, ops};
use serde_json::json;

use super::{BackendFile, Change, Place, backend_files_of, op_failure};

/// What `failover` was asked.
pub(super) struct Failover<'a> {
    pub to_region: &'a str,
    pub to_bucket: Option<&'a str>,
    pub to_table: Option<&'a str>,
    pub backends_dir: Option<&'a Path>,
    pub out_dir: Option<&'a Path>,
    pub change: Change,
}

/// The replica: its bucket and table, and the clients of its region.
struct Replica {
    target: Target,
    region: naming::Region,
    aws: aws_client::Aws,
}

async fn replica(
    cli: &super::Cli,
    place: &Place,
    asked: &Failover<'_>,
) -> Result<Replica, Failure> {
    let region: naming::Region = asked.to_region.parse().map_err(|error| {
        Failure::usage(format!("--to-region: {error}"))
            .with_hint("give the replica's region, such as us-west-2")
    })?;
    if region == place.region {
        return Err(Failure::usage(format!(
            "--to-region {region} is the state bucket's own region; failover goes to the replica's"
        ))
        .with_hint("give the region provision-s3-* --replicate-to named"));
    }
    let derived = |what: &str| {
        Failure::usage(format!(
            "the replica's {what} cannot be derived without the project's deployment"
        ))
        .with_hint("give --to-bucket and --to-table, or --project-name and --environment")
    };
    let bucket = match asked.to_bucket {
        Some(bucket) => naming::BucketName::new(bucket)?,
        None => {
            let deployment = place.deployment.as_ref().ok_or_else(|| derived("bucket"))?;
            place.rules.replica_bucket(deployment, region)?
        }
    };
    let table = match (asked.to_table, &place.target.table) {
        (Some(table), _) => Some(naming::TableName::new(table)?.to_string()),
        (None, None) => None,
        (None, Some(_)) => {
            let deployment = place
                .deployment
                .as_ref()
                .ok_or_else(|| derived("lock table"))?;
            let deployment = naming::Deployment {
                region,
                ..deployment.clone()
            };
            Some(place.rules.lock_table(&deployment)?.to_string())
        }
    };
    let config = cli_support::aws::config(&cli.common, region)?;
    let aws = aws_client::Aws::connect(&config).await;
    aws.caller().await?;
    Ok(Replica {
        target: Target {
            bucket: bucket.to_string(),
            table,
            lockfiles: place.target.lockfiles,
        },
        region,
        aws,
    })
}

/// The failover files: each backend file that names a state of the source bucket the
/// replica holds, with the replica's bucket, region and lock table, at the same place
/// under the output folder. A `kms_key_id` names a key of the source's region, which the
/// replica's cannot use: it is dropped, and the replica bucket's default encryption (its
/// region's key) applies.
fn failover_files(
    place: &Place,
    replica: &Replica,
    plan: &FailoverPlan,
    files: &[BackendFile],
    root: &Path,
) -> (Vec<Planned>, Vec<String>) {
    let mut planned = Vec::new();
    let mut dropped_keys = Vec::new();
    for file in files {
        if file.bucket.as_deref() != Some(place.target.bucket.as_str()) {
            continue;
        }
        let Some(key) = file.key.as_deref() else {
            continue;
        };
        let held = plan.states.iter().any(|state| {
            remote_state::state::StateId::new(&replica.target.bucket, state).backend_key == key
        });
        if !held {
            continue;
        }
        let mut config = file.config.clone();
        config.bucket = Some(replica.target.bucket.clone());
        config.region = Some(replica.region.to_string());
        if config.dynamodb_table.is_some() {
            config.dynamodb_table = replica.target.table.clone();
        }
        if config.kms_key_id.take().is_some() {
            dropped_keys.push(file.path.display().to_string());
        }
        let path = file
            .path
            .strip_prefix(root)
            .unwrap_or(&file.path)
            .to_owned();
        planned.push(Planned {
            slot: Slot {
                path,
                key: naming::StateKey::new(key).ok(),
                owner: None,
            },
            config,
        });
    }
    (planned, dropped_keys)
}

pub(super) async fn run(
    cli: &super::Cli,
    place: &Place,
    asked: Failover<'_>,
    reporter: &Reporter,
) -> Result<Exit, Failure> {
    let replica = replica(cli, place, &asked).await?;
    let states = remote_state::survey(&replica.aws, &replica.target, "", Depth::Current)
        .await
        .map_err(op_failure)?
        .states;
    // The source may be the region that is down: its states only say how far the replica
    // lags, and failover goes on without them.
    let source = match place.survey("", Depth::Current).await {
        Ok(survey) => Some(survey.states),
        Err(error) => {
            reporter.warning(format!(
                "the source s3://{} cannot be read, so the replica's lag is unknown: {}",
                place.target.bucket, error
            ));
            None
        }
    };
    let plan = failover::plan(&states, source.as_deref());
    let (root, files) = backend_files_of(place.scheme, asked.backends_dir)?;
    let (planned, dropped_keys) = failover_files(place, &replica, &plan, &files, &root);
    let out: PathBuf = asked.out_dir.map_or_else(
        || PathBuf::from(format!("failover-{}", replica.region)),
        Path::to_owned,
    );
    let style = backend_hcl::Layout::in_repository(place.scheme, asked.backends_dir).style();
    let digests = match replica.target.table {
        Some(_) => plan.digests.clone(),
        None => Vec::new(),
    };
    if !place.json {
        reporter.heading(format!(
            "Fail over to s3://{} in {} ({} state(s))",
            replica.target.bucket,
            replica.region,
            plan.states.len()
        ));
        if let Some(table) = &replica.target.table {
            reporter.raw(&format!("  lock table: {table} ({})", replica.region));
        }
        for fix in &digests {
            reporter.raw(&format!("  {}", fix.describe()));
        }
        for file in &planned {
            reporter.raw(&format!(
                "  backend file: {}",
                out.join(&file.slot.path).display()
            ));
        }
        for lag in &plan.lag {
            reporter.warning(lag.describe());
        }
        for path in &dropped_keys {
            reporter.warning(format!(
                "{path} names a KMS key of {}; its failover file leaves kms_key_id out, so the \
                 replica bucket's default encryption applies",
                place.region
            ));
        }
        if plan.states.is_empty() {
            reporter.warning(format!(
                "s3://{} holds no state: has replication run?",
                replica.target.bucket
            ));
        }
    }
    // The JSON document: where failover goes and what it takes, then what it did.
    let document = |extra: serde_json::Value| {
        let mut document = json!({
            "bucket": replica.target.bucket,
            "region": replica.region,
            "table": replica.target.table,
            "plan": plan,
        });
        if let (Some(document), Some(extra)) = (document.as_object_mut(), extra.as_object()) {
            document.extend(extra.clone());
        }
        document
    };
    if asked.change.dry_run {
        if place.json {
            let files: Vec<PathBuf> = planned.iter().map(|f| out.join(&f.slot.path)).collect();
            print_json(&document(json!({"files": files, "dry_run": true})))?;
        } else {
            reporter.info("Dry run: no digest row written, no file written");
        }
        return Ok(Exit::Success);
    }
    if !digests.is_empty() || !planned.is_empty() {
        confirm(
            &mut Terminal,
            &format!(
                "write {} digest row(s) in {} and {} failover file(s)",
                digests.len(),
                replica.region,
                planned.len()
            ),
            asked.change.force,
        )?;
    }
    // Each row under its state's lock in the replica's table, after checking the replica's
    // bytes still have that MD5.
    let results: Vec<_> = futures::stream::iter(&digests)
        .map(|fix| {
            let replica = &replica;
            async move {
                (
                    fix,
                    ops::apply_fix(&replica.aws, &replica.target, fix).await,
                )
            }
        })
        .buffer_unordered(ops::CONCURRENCY)
        .collect()
        .await;
    let mut failed = Vec::new();
    for (fix, result) in results {
        match result {
            Ok(Condition::Held) if !place.json => reporter.success(fix.describe()),
            Ok(Condition::Held) => {}
            Ok(Condition::Failed) => failed.push(format!(
                "{}: the replica changed since it was read",
                fix.describe()
            )),
            Err(error) => failed.push(format!("{}: {error}", fix.describe())),
        }
    }
    let written = backend_hcl::files::write_all(&out, style, &planned, false)
        .map_err(|error| Failure::external(error.to_string()))?;
    if place.json {
        print_json(&document(json!({"files": written, "failed": failed})))?;
    } else {
        super::report_written(reporter, &out, &written, "for the replica");
        for failure in &failed {
            reporter.error(failure);
        }
        if failed.is_empty() {
            reporter.hint(format!(
                "run Terraform from the replica with `terraform init -reconfigure -backend-config={}/<file>`",
                out.display()
            ));
        }
    }
    if failed.is_empty() {
        Ok(Exit::Success)
    } else {
        Err(
            Failure::external(format!("{} digest row(s) were not written", failed.len()))
                .with_hint("run failover again: rows already right are left as they are"),
        )
    }
}
