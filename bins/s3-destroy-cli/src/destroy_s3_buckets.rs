//! `destroy-s3-buckets`: empties and deletes the project's buckets chosen by type, or buckets
//! named with `--bucket` (seed 003's script, `.sh` dropped).
//!
//! Exit codes: 0 destroyed (or nothing to do, or a dry run), 2 bad flags, 3 AWS or disk
//! failure (run again to carry on), 4 refused for safety (declined, confirmation missing,
//! Object Lock or MFA delete).

use std::process::ExitCode;

use crate::destroy::{DestroyArgs, Invocation, Role, Target};
use clap::{Parser, ValueEnum};
use cli_support::project::{ProjectArgs, deployment};
use cli_support::{CommonArgs, Exit, Failure, Reporter};
use naming::ObservabilityKind;

const EXAMPLES: &str = "\
Examples:
  # Destroy all buckets of the deployment but the state bucket (asks first)
  destroy-s3-buckets --region us-east-2 --environment production --type all

  # Only the logs bucket
  destroy-s3-buckets --region us-east-2 --type logs

  # A bucket by name
  destroy-s3-buckets --bucket ohio-01-us-east-2-logs-production

  # See what would be deleted
  destroy-s3-buckets --type all --dry-run

  # Without a terminal, backing every object up first
  destroy-s3-buckets --type all --force --backup

  # The state bucket: named explicitly and confirmed by name
  destroy-s3-buckets --type backend-state --force --confirm-bucket ohio-01-terraform-state-production";

/// `--type`: the seed's bucket types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum BucketType {
    /// Application and system logs
    Logs,
    /// Distributed traces
    Traces,
    /// Prometheus metrics
    Metrics,
    /// Kubernetes audit logs
    #[value(name = "audit_logs", alias = "audit-logs")]
    AuditLogs,
    /// Terraform state (EXTRA PROTECTION: typed confirmation or --confirm-bucket)
    BackendState,
    /// Every observability bucket; never the state bucket
    All,
}

/// Empty and delete S3 buckets: every version, delete marker and multipart upload, in
/// concurrent batches, with a dry run, typed confirmation, verified backups, Object Lock
/// handling and extra protection for the Terraform state bucket.
#[derive(Debug, Parser)]
#[command(name = "destroy-s3-buckets", version, after_help = EXAMPLES)]
pub struct Cli {
    #[command(flatten)]
    project: ProjectArgs,

    /// Which of the deployment's buckets to destroy
    #[arg(
        long = "type",
        value_enum,
        value_name = "TYPE",
        conflicts_with = "buckets"
    )]
    kind: Option<BucketType>,

    /// Destroy this bucket (repeatable)
    #[arg(long = "bucket", value_name = "NAME")]
    buckets: Vec<String>,

    #[command(flatten)]
    destroy: DestroyArgs,

    #[command(flatten)]
    common: CommonArgs,
}

/// The buckets a type selects, from the project's names: `all` never includes the state bucket.
fn select(
    kind: BucketType,
    state: &str,
    observability: &[(ObservabilityKind, String)],
) -> Vec<Target> {
    let wanted = |candidate: ObservabilityKind| match kind {
        BucketType::All => true,
        BucketType::Logs => candidate == ObservabilityKind::Logs,
        BucketType::Traces => candidate == ObservabilityKind::Traces,
        BucketType::Metrics => candidate == ObservabilityKind::Metrics,
        BucketType::AuditLogs => candidate == ObservabilityKind::AuditLogs,
        BucketType::BackendState => false,
    };
    let mut targets: Vec<Target> = observability
        .iter()
        .filter(|(candidate, _)| wanted(*candidate))
        .map(|(candidate, bucket)| Target {
            bucket: bucket.clone(),
            role: Role::Observability(*candidate),
        })
        .collect();
    if kind == BucketType::BackendState {
        targets.push(Target {
            bucket: state.to_owned(),
            role: Role::State,
        });
    }
    targets
}

async fn run(cli: &Cli, reporter: &Reporter) -> Result<Exit, Failure> {
    let invocation = Invocation {
        project: &cli.project,
        destroy: &cli.destroy,
        common: &cli.common,
    };
    let (settings, region) = invocation.settings().await?;
    let targets = match cli.kind {
        Some(kind) => {
            let deployment = deployment(&settings, &cli.common).await?;
            let names = settings.naming.names(&deployment)?;
            let observability: Vec<(ObservabilityKind, String)> = names
                .observability
                .iter()
                .map(|(kind, bucket)| (*kind, bucket.to_string()))
                .collect();
            select(kind, names.state_bucket.as_str(), &observability)
        }
        None if cli.buckets.is_empty() => {
            return Err(
                Failure::usage("nothing to destroy: pass --type or --bucket").with_hint(
                    "destroy-s3-buckets --type all --dry-run shows what --type all would delete",
                ),
            );
        }
        None => crate::destroy::named_targets(&cli.buckets, &settings, &cli.common).await?,
    };
    let defaults = (
        s3_destroy::Options::default(),
        s3_destroy::Tuning::default(),
    );
    invocation
        .run(targets, (&settings, region), defaults, reporter)
        .await
}

/// `destroy-s3-buckets` with its flags parsed: the binary's whole `main`.
pub fn main(cli: &Cli) -> ExitCode {
    cli_support::runner::run(
        &cli.common,
        |reporter| async move { run(cli, &reporter).await },
    )
}

cli_support::docs_page_test!(Cli, "destroy-s3-buckets");

#[cfg(test)]
mod tests {
    use super::*;

    fn project() -> Vec<(ObservabilityKind, String)> {
        ObservabilityKind::ALL
            .iter()
            .map(|kind| (*kind, format!("p-us-east-2-{kind}-production")))
            .collect()
    }

    #[test]
    fn type_all_never_selects_the_state_bucket() {
        let all = select(BucketType::All, "p-terraform-state-production", &project());
        assert_eq!(all.len(), 4);
        assert!(
            all.iter()
                .all(|target| target.role != Role::State && !target.bucket.contains("state"))
        );
    }

    #[test]
    fn each_type_selects_its_bucket_and_backend_state_only_the_state_bucket() {
        let logs = select(BucketType::Logs, "s", &project());
        assert_eq!(
            logs,
            [Target {
                bucket: "p-us-east-2-logs-production".to_owned(),
                role: Role::Observability(ObservabilityKind::Logs)
            }]
        );
        let audit = select(BucketType::AuditLogs, "s", &project());
        assert_eq!(audit[0].bucket, "p-us-east-2-audit-logs-production");
        let state = select(BucketType::BackendState, "s", &project());
        assert_eq!(
            state,
            [Target {
                bucket: "s".to_owned(),
                role: Role::State
            }]
        );
    }

    #[test]
    fn the_seed_spelling_of_audit_logs_and_the_dashed_one_parse() {
        for spelling in ["audit_logs", "audit-logs"] {
            let cli = Cli::try_parse_from(["destroy-s3-buckets", "--type", spelling]).unwrap();
            assert_eq!(cli.kind, Some(BucketType::AuditLogs));
        }
        assert!(
            Cli::try_parse_from(["destroy-s3-buckets", "--type", "all", "--bucket", "b"]).is_err()
        );
    }
}
