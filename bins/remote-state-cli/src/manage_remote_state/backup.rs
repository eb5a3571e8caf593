//! `manage-remote-state backup`: every state's current version (or every version) copied to
//! another bucket, possibly in another account (`--to-profile`) or region (`--to-region`),
//! with a manifest; a re-run copies only what changed; `--verify` proves a backup complete
//! and fresh.

use chrono::{TimeDelta, Utc};
use cli_support::output::print_json;
use cli_support::{Exit, Failure, Reporter};
use remote_state::Depth;
use remote_state::backup;
use serde_json::json;

use super::{Place, op_failure};

/// What `backup` was asked.
pub(super) struct Backup<'a> {
    pub to_bucket: &'a str,
    pub to_region: Option<&'a str>,
    pub to_profile: Option<&'a str>,
    pub all_versions: bool,
    pub verify: bool,
    pub max_age: Option<TimeDelta>,
    pub dry_run: bool,
}

/// The clients of the backup bucket: the run's, or another region's or profile's.
async fn backup_clients(
    cli: &super::Cli,
    place: &Place,
    asked: &Backup<'_>,
) -> Result<aws_client::Aws, Failure> {
    if asked.to_region.is_none() && asked.to_profile.is_none() {
        return Ok(place.aws.clone());
    }
    let region = match asked.to_region {
        Some(region) => region.parse::<naming::Region>().map_err(|error| {
            Failure::usage(format!("--to-region: {error}"))
                .with_hint("give an AWS region, such as us-west-2")
        })?,
        None => place.region,
    };
    let mut config = cli_support::aws::config(&cli.common, region)?;
    if let Some(profile) = asked.to_profile {
        config.profile = Some(profile.to_owned());
    }
    let aws = aws_client::Aws::connect(&config).await;
    // The backup bucket's owner is the account these credentials are (P11).
    aws.caller().await?;
    Ok(aws)
}

pub(super) async fn run(
    cli: &super::Cli,
    place: &Place,
    asked: Backup<'_>,
    reporter: &Reporter,
) -> Result<Exit, Failure> {
    naming::BucketName::new(asked.to_bucket)?;
    if asked.to_bucket == place.target.bucket {
        return Err(Failure::usage(
            "--to-bucket is the state bucket itself: a backup goes to another bucket",
        ));
    }
    let target = backup_clients(cli, place, &asked).await?;
    let source_bucket = place.target.bucket.as_str();
    let depth = if asked.all_versions {
        Depth::Every
    } else {
        Depth::Current
    };
    let survey = place.survey("", depth).await?;
    let manifest = remote_state::ops::read_manifest(&target, asked.to_bucket, source_bucket)
        .await
        .map_err(op_failure)?;
    if asked.verify {
        return verify(place, &target, &asked, &survey.states, manifest, reporter).await;
    }
    let copies = backup::plan(&survey.states, manifest.as_ref(), asked.all_versions);
    if !place.json {
        reporter.heading(format!(
            "Back up {} state(s) of s3://{source_bucket} to s3://{}/{}",
            survey
                .states
                .iter()
                .filter(|s| s.current().is_some())
                .count(),
            asked.to_bucket,
            backup::prefix(source_bucket)
        ));
        for copy in &copies {
            reporter.raw(&format!("  {} version {}", copy.key, copy.version_id));
        }
        if copies.is_empty() {
            reporter.info("Nothing changed since the last backup");
        }
    }
    if asked.dry_run {
        if place.json {
            print_json(&json!({"copies": copies, "dry_run": true}))?;
        } else {
            reporter.info("Dry run: nothing copied");
        }
        return Ok(Exit::Success);
    }
    let results =
        remote_state::ops::back_up(&place.aws, source_bucket, &target, asked.to_bucket, &copies)
            .await;
    let (mut copied, mut failed) = (Vec::new(), Vec::new());
    for result in results {
        match result {
            Ok(entry) => copied.push(entry),
            Err(error) => failed.push(error.to_string()),
        }
    }
    // The manifest records what was copied, even when some copies failed: the next run
    // copies only the rest.
    let count = copied.len();
    let written = backup::updated(source_bucket, manifest, copied, &survey.states, Utc::now());
    remote_state::ops::write_manifest(&target, asked.to_bucket, &written)
        .await
        .map_err(op_failure)?;
    if place.json {
        print_json(&json!({
            "copied": count,
            "manifest": backup::manifest_key(source_bucket),
            "entries": written.entries.len(),
            "failed": failed,
        }))?;
    } else {
        for failure in &failed {
            reporter.error(failure);
        }
        reporter.success(format!(
            "Copied {count} version(s); the manifest s3://{}/{} lists {}",
            asked.to_bucket,
            backup::manifest_key(source_bucket),
            written.entries.len()
        ));
    }
    if failed.is_empty() {
        Ok(Exit::Success)
    } else {
        Err(
            Failure::external(format!("{} version(s) were not copied", failed.len()))
                .with_hint("run backup again: it copies only what is not in the manifest yet"),
        )
    }
}

async fn verify(
    place: &Place,
    target: &aws_client::Aws,
    asked: &Backup<'_>,
    states: &[remote_state::model::Observed],
    manifest: Option<backup::Manifest>,
    reporter: &Reporter,
) -> Result<Exit, Failure> {
    let mut gaps = backup::gaps(states, manifest.as_ref(), Utc::now(), asked.max_age);
    if let Some(manifest) = &manifest {
        // The copies of every current version, read back.
        let current: Vec<&backup::Entry> = manifest.entries.iter().filter(|e| e.current).collect();
        gaps.extend(
            remote_state::ops::check_copies(target, asked.to_bucket, &current)
                .await
                .map_err(op_failure)?,
        );
    }
    if place.json {
        print_json(&json!({
            "bucket": place.target.bucket,
            "backup": asked.to_bucket,
            "taken_at": manifest.as_ref().map(|m| m.taken_at),
            "gaps": gaps,
        }))?;
    } else {
        reporter.heading(format!(
            "Verify the backup of s3://{} in s3://{}",
            place.target.bucket, asked.to_bucket
        ));
        for gap in &gaps {
            reporter.error(gap.describe());
        }
        if gaps.is_empty() {
            let taken = manifest.as_ref().map(|m| m.taken_at);
            reporter.success(format!(
                "Complete and fresh: every state's current version is backed up and reads back{}",
                taken.map_or_else(String::new, |taken| format!(
                    " (last run {} ago)",
                    remote_state::unlock::human(Utc::now() - taken)
                ))
            ));
        }
    }
    Ok(if gaps.is_empty() {
        Exit::Success
    } else {
        Exit::Findings
    })
}
