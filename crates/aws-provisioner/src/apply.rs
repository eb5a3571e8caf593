//! Observing, applying and verifying: the only code that calls the [`Cloud`]. Independent
//! resources go concurrently; each resource's own changes go in their safe order.

use futures::future::join_all;
use naming::{BucketName, TableName};
use serde::Serialize;

use crate::api::Cloud;
use crate::error::{AwsError, Problem, ProvisionError};
use crate::model::{
    BucketPresence, BucketWrite, Caller, Created, Reads, TableCreated, TableFacts, TableSpec,
    TableStatus, TableWrite,
};
use crate::plan::{
    Action, BucketPlan, Observed, ObservedBucket, Plan, TableOwnership, TablePlan, plan,
    table_writes,
};
use crate::replication::RolePlan;
use crate::spec::{BucketRole, EncryptionSpec, Spec};
use aws_client::wait::Patience;

/// Reads everything the plan needs, concurrently: every managed bucket, the candidate
/// access-log targets, the lock table and the alarms.
pub async fn observe<C: Cloud>(
    cloud: &C,
    spec: &Spec,
    caller: &Caller,
) -> Result<Observed, ProvisionError> {
    // Every managed bucket by its role; the candidate access-log targets as such.
    let mut roles: Vec<(BucketName, BucketRole)> = spec.managed_buckets();
    if spec.state_bucket.is_some() {
        for candidate in spec.access_log_bucket.iter().chain(spec.logs_bucket.iter()) {
            if !roles.iter().any(|(bucket, _)| bucket == candidate) {
                roles.push((candidate.clone(), BucketRole::LogTarget));
            }
        }
    }
    let buckets = join_all(roles.iter().map(|(bucket, role)| {
        let mut reads = Reads::for_role(*role);
        reads.replication = *role == BucketRole::State && spec.replication.is_some();
        observe_bucket(cloud, bucket, reads, &caller.account)
    }));
    let table = async {
        match &spec.lock_table {
            Some(table) => cloud.describe_table(table).await,
            None => Ok(None),
        }
    };
    let key_arn = async {
        let needed = spec.lock_table.is_some() || spec.replication.is_some();
        match &spec.encryption {
            EncryptionSpec::Kms(key) if needed => key_arn(cloud, key).await,
            _ => Ok(None),
        }
    };
    let role = async {
        match &spec.replication {
            Some(replica) => cloud
                .role(&replica.role, crate::replication::ROLE_POLICY)
                .await
                .map_err(ProvisionError::from),
            None => Ok(None),
        }
    };
    let alarm_names: Vec<String> = spec.alarms().into_iter().map(|alarm| alarm.name).collect();
    let alarms = async {
        if alarm_names.is_empty() {
            Ok(Vec::new())
        } else {
            cloud.describe_alarms(&alarm_names).await
        }
    };
    let (buckets, table, alarms, key_arn, role) =
        futures::join!(buckets, table, alarms, key_arn, role);
    let mut observed = Observed {
        table: table?,
        alarms: alarms?,
        key_arn: key_arn?,
        role: role?,
        ..Observed::default()
    };
    for ((name, _), found) in roles.into_iter().zip(buckets) {
        observed.buckets.insert(name, found?);
    }
    Ok(observed)
}

/// The ARN AWS reports for `key`. A caller not allowed kms:DescribeKey gets `None`: the
/// key is then compared as given, and a shared table's other key is left alone anyway.
async fn key_arn<C: Cloud>(cloud: &C, key: &str) -> Result<Option<String>, ProvisionError> {
    match cloud.key_arn(key).await {
        Err(error) if error.kind() == aws_client::AwsErrorKind::AccessDenied => {
            tracing::warn!(
                key,
                "kms:DescribeKey is denied; the lock table's key is compared as given"
            );
            Ok(None)
        }
        result => Ok(result?),
    }
}

async fn observe_bucket<C: Cloud>(
    cloud: &C,
    bucket: &BucketName,
    reads: Reads,
    owner: &str,
) -> Result<ObservedBucket, ProvisionError> {
    let presence = cloud.bucket_presence(bucket, owner).await?;
    let settings = match presence {
        BucketPresence::Owned { .. } => cloud.bucket_settings(bucket, reads).await?,
        _ => Default::default(),
    };
    Ok(ObservedBucket { presence, settings })
}

/// Carries out a plan: buckets, table and alarms concurrently, each in its safe order; then
/// the state bucket's access logging, once its target accepts delivery.
pub async fn apply<C: Cloud>(cloud: &C, spec: &Spec, plan: &Plan) -> Result<(), ProvisionError> {
    if !plan.problems.is_empty() {
        return Err(ProvisionError::Blocked(plan.problems.clone()));
    }
    let pending = |action: Action| action != Action::Unchanged;
    let buckets = join_all(
        plan.buckets
            .iter()
            .filter(|bucket| pending(bucket.action))
            .map(|bucket| apply_bucket(cloud, spec, bucket)),
    );
    let table = async {
        match &plan.table {
            Some(table) if pending(table.action) => apply_table(cloud, spec, table).await,
            _ => Ok(()),
        }
    };
    let alarms = join_all(
        plan.alarms
            .iter()
            .filter(|alarm| pending(alarm.action))
            .map(|alarm| async {
                cloud
                    .put_alarm(&alarm.alarm)
                    .await
                    .map_err(ProvisionError::from)
            }),
    );
    let role = async {
        match &plan.role {
            Some(role) if pending(role.action) => apply_role(cloud, spec, role).await,
            _ => Ok(()),
        }
    };
    let (buckets, table, alarms, role) = futures::join!(buckets, table, alarms, role);
    buckets
        .into_iter()
        .chain(alarms)
        .chain([table, role])
        .collect::<Result<(), _>>()?;

    // Last, what needs another resource ready: access logging (its target's grant) and
    // replication (the role, and versioning on both buckets).
    let last = plan.buckets.iter().flat_map(|bucket| {
        bucket
            .writes
            .iter()
            .filter(|write| matches!(write, BucketWrite::Logging(_) | BucketWrite::Replication(_)))
            .map(move |write| async move {
                match write {
                    BucketWrite::Replication(_) => {
                        replicate_when_role_ready(cloud, spec, &bucket.bucket, write).await
                    }
                    _ => cloud
                        .write_bucket(&bucket.bucket, write)
                        .await
                        .map_err(ProvisionError::from),
                }
            })
    });
    join_all(last).await.into_iter().collect()
}

/// The replication role: created with its trust policy, then its permissions set.
async fn apply_role<C: Cloud>(
    cloud: &C,
    spec: &Spec,
    plan: &RolePlan,
) -> Result<(), ProvisionError> {
    if let Some(trust) = &plan.trust_policy {
        match plan.action {
            Action::Create => {
                let mut tags = spec.bucket_tags();
                tags.insert(
                    "Purpose".to_owned(),
                    "terraform-state-replication".to_owned(),
                );
                cloud.create_role(&plan.name, trust, &tags).await?
            }
            _ => cloud.set_trust_policy(&plan.name, trust).await?,
        }
    }
    if let Some(policy) = &plan.policy {
        cloud
            .put_role_policy(&plan.name, crate::replication::ROLE_POLICY, policy)
            .await?;
    }
    Ok(())
}

/// PutBucketReplication right after the role was made or changed: IAM is eventually
/// consistent, and until S3 sees the role it answers `InvalidRequest` or `AccessDenied`
/// (the S3 user guide's replication troubleshooting); the write is tried again within the
/// spec's bounded wait.
async fn replicate_when_role_ready<C: Cloud>(
    cloud: &C,
    spec: &Spec,
    bucket: &BucketName,
    write: &BucketWrite,
) -> Result<(), ProvisionError> {
    let role_unseen = |error: &AwsError| {
        matches!(error.code(), Some("InvalidRequest" | "NoSuchBucket"))
            || error.kind() == aws_client::AwsErrorKind::AccessDenied
    };
    let waiting = "S3 does not accept the replication role yet; waiting";
    write_retrying(cloud, spec, bucket, write, role_unseen, waiting)
        .await
        .map_err(ProvisionError::from)
}

/// One bucket write, tried again within the spec's bounded wait while `retryable` says the
/// failure is one that passes.
async fn write_retrying<C: Cloud>(
    cloud: &C,
    spec: &Spec,
    bucket: &BucketName,
    write: &BucketWrite,
    retryable: impl Fn(&AwsError) -> bool,
    waiting: &str,
) -> Result<(), AwsError> {
    patience(spec)
        .retry(
            || cloud.write_bucket(bucket, write),
            retryable,
            |error, _| tracing::info!(bucket = %bucket, %error, "{waiting}"),
        )
        .await
}

async fn apply_bucket<C: Cloud>(
    cloud: &C,
    spec: &Spec,
    plan: &BucketPlan,
) -> Result<(), ProvisionError> {
    if plan.action == Action::Create {
        match cloud
            .create_bucket(&plan.bucket, spec.deployment.region)
            .await?
        {
            Created::Created | Created::AlreadyOwned => {}
            Created::Taken => {
                return Err(ProvisionError::Blocked(vec![Problem {
                    resource: plan.bucket.to_string(),
                    message: "the bucket name belongs to another AWS account".to_owned(),
                    hint: Some("bucket names are global across all AWS accounts: choose another --project-name".to_owned()),
                    input: false,
                }]));
            }
        }
    }
    let mut ownership_refused = false;
    for write in plan
        .writes
        .iter()
        .filter(|write| !matches!(write, BucketWrite::Logging(_) | BucketWrite::Replication(_)))
    {
        match write_bucket_when_ready(cloud, spec, &plan.bucket, write).await {
            Err(ProvisionError::Aws(error))
                if *write == BucketWrite::OwnershipEnforced
                    && error.code() == Some("InvalidBucketAclWithObjectOwnership") =>
            {
                ownership_refused = true;
            }
            result => result?,
        }
    }
    if ownership_refused {
        // P4: S3 refuses BucketOwnerEnforced while the ACL grants anyone but the owner (a
        // log bucket the old scripts made with log-delivery-write, say). With every other
        // setting in place, the policy's log-delivery statement included, the ACL is reset
        // to private and ownership enforced: delivery never depends on the ACL meanwhile.
        tracing::info!(bucket = %plan.bucket, "the ACL grants others; resetting it before enforcing ownership");
        write_bucket_when_ready(cloud, spec, &plan.bucket, &BucketWrite::PrivateAcl).await?;
        write_bucket_when_ready(cloud, spec, &plan.bucket, &BucketWrite::OwnershipEnforced).await?;
    }
    Ok(())
}

/// One change to a bucket. Right after CreateBucket, S3 can answer `NoSuchBucket` for a
/// while (P3: bucket configuration is eventually consistent): the write is tried again
/// within the spec's bounded wait, with a back-off that starts short.
async fn write_bucket_when_ready<C: Cloud>(
    cloud: &C,
    spec: &Spec,
    bucket: &BucketName,
    write: &BucketWrite,
) -> Result<(), ProvisionError> {
    let unseen = |error: &AwsError| error.code() == Some("NoSuchBucket");
    let waiting = "the new bucket is not visible yet; waiting";
    write_retrying(cloud, spec, bucket, write, unseen, waiting)
        .await
        .map_err(|error| not_set(bucket, write, error))
}

/// A write the store lacks (`NotImplemented`) or the caller may not make is named with the
/// setting group that leaves it out; any other failure is the call's.
fn not_set(bucket: &BucketName, write: &BucketWrite, error: AwsError) -> ProvisionError {
    let refused = error.kind() == aws_client::AwsErrorKind::AccessDenied
        || error.code() == Some("NotImplemented");
    match crate::plan::group_of_write(write) {
        Some(group) if refused => ProvisionError::NotSet {
            bucket: bucket.to_string(),
            group,
            error,
        },
        _ => ProvisionError::Aws(error),
    }
}

/// The spec's bounded wait as a back-off: as many tries, from 100 ms up to its interval.
fn patience(spec: &Spec) -> Patience {
    Patience {
        attempts: spec.wait.attempts,
        first: std::time::Duration::from_millis(100),
        cap: spec.wait.interval,
    }
}

async fn apply_table<C: Cloud>(
    cloud: &C,
    spec: &Spec,
    plan: &TablePlan,
) -> Result<(), ProvisionError> {
    let table_spec = TableSpec {
        kms_key_id: match &spec.encryption {
            EncryptionSpec::Kms(key) => Some(key.clone()),
            EncryptionSpec::Default => None,
        },
        tags: spec.table_tags(),
    };
    let ownership = match plan.action {
        // Created now, the table is this run's; created a moment ago by a concurrent run,
        // it is shared like any other: either way, converge below.
        Action::Create => match cloud.create_table(&plan.table, &table_spec).await? {
            TableCreated::Created => TableOwnership::Ours,
            TableCreated::AlreadyExists => spec.table_ownership(),
        },
        _ => spec.table_ownership(),
    };
    // Changes are computed again from fresh facts: the table may have been created with
    // other settings by another run, or have changed while it was busy.
    let mut facts = wait_until_active(cloud, spec, &plan.table).await?;
    let judgement = table_writes(spec, &facts, plan.key_arn.as_deref(), ownership);
    for (_, write) in judgement.writes {
        write_table_when_ready(cloud, spec, &plan.table, &facts.arn, &write).await?;
        if matches!(
            write,
            TableWrite::OnDemand | TableWrite::Encryption(_) | TableWrite::DeletionProtection
        ) {
            facts = wait_until_active(cloud, spec, &plan.table).await?;
        }
    }
    Ok(())
}

/// One change to the table. Point-in-time recovery cannot be turned on for a while after a
/// table is created (P2: `ContinuousBackupsUnavailableException`): that write is tried again
/// within the spec's bounded wait.
async fn write_table_when_ready<C: Cloud>(
    cloud: &C,
    spec: &Spec,
    table: &TableName,
    arn: &str,
    write: &TableWrite,
) -> Result<(), ProvisionError> {
    patience(spec)
        .retry(
            || cloud.write_table(table, arn, write),
            |error| error.code() == Some("ContinuousBackupsUnavailableException"),
            |_, _| tracing::info!(table = %table, "point-in-time recovery is not available yet; waiting"),
        )
        .await
        .map_err(ProvisionError::from)
}

/// Looks at the table until it is ACTIVE, within the spec's bounded wait.
pub async fn wait_until_active<C: Cloud>(
    cloud: &C,
    spec: &Spec,
    table: &TableName,
) -> Result<TableFacts, ProvisionError> {
    let mut last = String::from("absent");
    for attempt in 0..spec.wait.attempts.max(1) {
        if attempt > 0 {
            tokio::time::sleep(spec.wait.interval).await;
        }
        match cloud.describe_table(table).await? {
            Some(facts) if facts.status == TableStatus::Active => return Ok(facts),
            Some(facts) => {
                tracing::info!(table = %table, status = %facts.status, "waiting for the lock table");
                last = facts.status.to_string();
            }
            None => last = "absent".to_owned(),
        }
    }
    Err(ProvisionError::TableNotReady {
        table: table.to_string(),
        status: last,
        waited_seconds: spec.wait.interval.as_secs()
            * u64::from(spec.wait.attempts.saturating_sub(1)),
    })
}

/// Observes again until every setting reads back as planned. A read right after a write
/// can return the previous configuration (P3: S3's bucket configuration, lifecycle rules
/// for minutes; DynamoDB's tags): what has not converged is looked at again, with a
/// back-off from 250 ms up to 8 s, eight looks in all (about half a minute), before the run
/// ends "did not converge".
async fn verify<C: Cloud>(cloud: &C, spec: &Spec, caller: &Caller) -> Result<(), ProvisionError> {
    let patience = Patience {
        attempts: spec.wait.attempts.min(8),
        first: std::time::Duration::from_millis(125),
        cap: std::time::Duration::from_secs(8),
    };
    let verified = patience
        .retry(
            || async {
                let observed = observe(cloud, spec, caller)
                    .await
                    .map_err(Unverified::Failed)?;
                let after = plan(spec, caller, &observed);
                match after.is_noop() {
                    true => Ok(()),
                    false => Err(Unverified::Pending(after.pending())),
                }
            },
            |error| matches!(error, Unverified::Pending(_)),
            |error, _| {
                if let Unverified::Pending(pending) = error {
                    tracing::info!(?pending, "not every setting reads back yet; looking again");
                }
            },
        )
        .await;
    verified.map_err(|error| match error {
        Unverified::Pending(pending) => ProvisionError::NotConverged(pending),
        Unverified::Failed(error) => error,
    })
}

/// Why a verification look failed: settings still pending, or a failed read.
enum Unverified {
    Pending(Vec<String>),
    Failed(ProvisionError),
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// `--dry-run`: the plan was shown, nothing changed.
    DryRun,
    /// Everything was already right; no change was made.
    Unchanged,
    /// The user declined; nothing changed.
    Declined,
    /// The plan was applied and every setting verified.
    Applied,
}

/// What a run did: who ran it, the plan, how it ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The caller's identity.
    pub caller: Caller,
    /// The project, environment and region.
    pub project: String,
    /// The environment.
    pub environment: String,
    /// The region.
    pub region: String,
    /// The plan (before any change).
    pub plan: Plan,
    /// How the run ended.
    pub outcome: Outcome,
    /// The replica's run (`--replicate-to`), which goes first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replica: Option<Box<Report>>,
}

/// What a run shows and asks along the way.
pub trait Ui {
    /// The caller's identity is known (credentials are checked first).
    fn caller(&mut self, caller: &Caller);
    /// The plan is known.
    fn plan(&mut self, plan: &Plan, dry_run: bool);
    /// Whether to apply the plan; called only when it changes something.
    fn approve(&mut self, plan: &Plan) -> bool;
}

/// A whole run: check credentials, observe, plan, (unless a dry run) ask, apply, and
/// observe again to verify that every setting reads back as planned.
pub async fn provision<C: Cloud>(
    cloud: &C,
    spec: &Spec,
    dry_run: bool,
    ui: &mut impl Ui,
) -> Result<Report, ProvisionError> {
    let caller = cloud.caller().await?;
    ui.caller(&caller);
    let observed = observe(cloud, spec, &caller).await?;
    let planned = plan(spec, &caller, &observed);
    ui.plan(&planned, dry_run);
    if !planned.problems.is_empty() {
        return Err(ProvisionError::Blocked(planned.problems));
    }
    let outcome = if dry_run {
        Outcome::DryRun
    } else if planned.is_noop() {
        Outcome::Unchanged
    } else if !ui.approve(&planned) {
        Outcome::Declined
    } else {
        apply(cloud, spec, &planned).await?;
        verify(cloud, spec, &caller).await?;
        Outcome::Applied
    };
    Ok(Report {
        caller,
        project: spec.deployment.project.to_string(),
        environment: spec.deployment.environment.to_string(),
        region: spec.deployment.region.to_string(),
        plan: planned,
        outcome,
        replica: None,
    })
}
