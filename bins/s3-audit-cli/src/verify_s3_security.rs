//! `verify-s3-security`: audits the project's buckets, the account and the lock table (seed
//! 003's script, `.sh` dropped), or the buckets named with `--bucket`.
//!
//! Exit codes: 0 every check at or above `--severity` passes, 1 one fails (or no bucket of
//! the project exists), 2 bad flags, 3 AWS failure, 4 a fix refused for safety.

use std::process::ExitCode;

use aws_client::Aws;
use chrono::{TimeDelta, Utc};
use clap::{Parser, ValueEnum};
use cli_support::output::OutputFormat;
use cli_support::project::{ProjectArgs, deployment, region};
use cli_support::{CommonArgs, Exit, Failure, OutputChoice, Reporter, Terminal, confirm};
use futures::future::join_all;
use naming::LockMode;
use naming::config::{Defaults, Flags};
use s3_audit::facts::Role;
use s3_audit::fix;
use s3_audit::{Audit, Context, Request, Severity};

const EXAMPLES: &str = "\
Examples:
  # The project's buckets and lock table, as the seed's script does
  verify-s3-security --region us-east-2 --environment production --project-name ohio-01

  # Named buckets, failing only on high and critical findings, as SARIF for code scanning
  verify-s3-security --bucket my-bucket --bucket other-bucket --severity high --output sarif

  # Apply the safe fixes (asks first; --force to skip the question), then audit again
  verify-s3-security --region us-east-2 --environment production --project-name ohio-01 --fix";

/// What `--output` can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
enum AuditOutput {
    /// The script's per-bucket blocks, on stderr
    #[default]
    Text,
    /// One JSON document on stdout (docs/schemas/verify-s3-security.schema.json)
    Json,
    /// SARIF 2.1.0 on stdout, for code-scanning dashboards
    Sarif,
    /// JUnit XML on stdout, for CI test reports
    Junit,
}

impl OutputChoice for AuditOutput {
    fn format(self) -> OutputFormat {
        if self == AuditOutput::Json {
            OutputFormat::Json
        } else {
            OutputFormat::Text
        }
    }
}

/// `--severity`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SeverityArg {
    /// Every failed check fails the audit
    Informational,
    /// Low and above
    Low,
    /// Medium and above
    Medium,
    /// High and critical
    High,
    /// Critical only
    Critical,
}

impl From<SeverityArg> for Severity {
    fn from(severity: SeverityArg) -> Severity {
        match severity {
            SeverityArg::Informational => Severity::Informational,
            SeverityArg::Low => Severity::Low,
            SeverityArg::Medium => Severity::Medium,
            SeverityArg::High => Severity::High,
            SeverityArg::Critical => Severity::Critical,
        }
    }
}

/// Audit the S3 buckets and the DynamoDB lock table behind Terraform remote state: the
/// seed's eight checks (public access block, encryption, versioning, public policy, object
/// ownership, access logging, public ACL grants, request metrics), TLS-only and cross-account
/// policies, KMS, MFA delete, Object Lock, lifecycle, notifications, replication, the lock
/// table (key, encryption, point-in-time recovery, deletion protection, stale locks, orphaned
/// digests), the state bucket's log target and the observability buckets' retention.
#[derive(Debug, Parser)]
#[command(name = "verify-s3-security", version, after_help = EXAMPLES)]
pub struct Cli {
    #[command(flatten)]
    project: ProjectArgs,

    /// Audit this bucket instead of the project's (repeatable)
    #[arg(long = "bucket", value_name = "NAME")]
    buckets: Vec<String>,

    /// The lock table to audit [default: the project's, unless --bucket names the buckets]
    #[arg(long, value_name = "NAME")]
    table: Option<String>,

    /// Leave out the account-level public access block (S3 Control)
    #[arg(long)]
    no_account: bool,

    /// Fail (exit 1) on failed checks of this severity and above
    #[arg(long, value_enum, default_value = "low", value_name = "LEVEL")]
    severity: SeverityArg,

    /// A lock held longer than this is stale: 90m, 6h, 2d
    #[arg(long, default_value = "6h", value_parser = cli_support::args::duration, value_name = "DURATION")]
    stale_lock_after: TimeDelta,

    /// How many buckets are read at once (1 to 256)
    #[arg(long, default_value_t = 16, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    concurrency: u16,

    /// Apply the fixes that are safe (public access blocks, encryption, versioning, ACLs,
    /// ownership, request metrics, TLS-only statement, lock-table protection), then audit again
    #[arg(long)]
    fix: bool,

    /// With --fix: do not ask
    #[arg(long, requires = "fix")]
    force: bool,

    /// With --fix: show the fixes, change nothing
    #[arg(long, requires = "fix")]
    dry_run: bool,

    #[command(flatten)]
    common: CommonArgs<AuditOutput>,
}

/// The buckets and table the project's names give, for the project's mode.
struct Project {
    buckets: Vec<(String, Role)>,
    table: Option<String>,
    label: String,
}

async fn project(cli: &Cli, settings: &naming::config::Settings) -> Result<Project, Failure> {
    let deployment = deployment(settings, &cli.common).await?;
    let names = settings.naming.names(&deployment)?;
    let buckets = names
        .buckets()
        .map(|(bucket, role)| (bucket.to_string(), role))
        .collect();
    let table = match settings.lock.value {
        LockMode::S3 => None,
        _ => Some(names.lock_table.to_string()),
    };
    Ok(Project {
        buckets,
        table,
        label: format!(
            "{} ({}, {})",
            deployment.project, deployment.environment, deployment.region
        ),
    })
}

/// The role the project's names give a bucket named on the command line.
fn role_of(bucket: &str, project: Option<&Project>) -> Role {
    project
        .and_then(|project| project.buckets.iter().find(|(name, _)| name == bucket))
        .map_or(Role::Other, |(_, role)| *role)
}

async fn run(cli: &Cli, reporter: &Reporter) -> Result<Exit, Failure> {
    // Names are checked before anything is read: a bad one is bad input (exit 2), not a
    // failing check or an AWS error.
    for bucket in &cli.buckets {
        naming::BucketName::new(bucket)?;
    }
    if let Some(table) = &cli.table {
        naming::TableName::new(table.as_str())?;
    }
    let settings = cli
        .project
        .settings(&cli.common, Flags::default(), Defaults::default())?;
    let region = region(&settings, &cli.common).await?;
    let api = cli_support::aws::connect(&cli.common, region).await?;
    let text = cli.common.base.output == AuditOutput::Text;
    let (buckets, table) = if cli.buckets.is_empty() {
        let project = project(cli, &settings).await?;
        if text {
            reporter.info("Finding S3 buckets related to our infrastructure...");
        }
        let found = join_all(
            project
                .buckets
                .iter()
                .map(|(name, _)| api.bucket_exists(name)),
        )
        .await;
        let mut buckets = Vec::new();
        for ((name, role), exists) in project.buckets.iter().zip(found) {
            match exists? {
                true => buckets.push((name.clone(), *role)),
                false if text => reporter.info(format!("Not provisioned: {name}")),
                false => {}
            }
        }
        if buckets.is_empty() {
            return Err(Failure::new(Exit::Findings, format!("no bucket of {} exists", project.label)).with_hint(
                "check --project-name, --environment and --region, or provision: provision-s3-client-centric",
            ));
        }
        if text {
            reporter.success(format!("Found {} bucket(s) to verify", buckets.len()));
        }
        (buckets, cli.table.clone().or(project.table))
    } else {
        let project = match (&settings.project, &settings.environment, &settings.region) {
            (Some(_), Some(_), Some(_)) => Some(project(cli, &settings).await?),
            _ => None,
        };
        let buckets = cli
            .buckets
            .iter()
            .map(|name| (name.clone(), role_of(name, project.as_ref())))
            .collect();
        (buckets, cli.table.clone())
    };
    let request = Request {
        buckets,
        account: !cli.no_account,
        table,
        concurrency: usize::from(cli.concurrency),
        partition: region.partition(),
    };
    let threshold = Severity::from(cli.severity);
    let (facts, mut audit) = audit(&api, &request, cli, threshold).await?;
    let mut fixes = Vec::new();
    if cli.fix {
        let planned = fix::plan(&audit, &facts);
        if text {
            crate::text::fixes(reporter, &planned, cli.dry_run);
        }
        if !planned.is_empty() && !cli.dry_run {
            confirm(
                &mut Terminal,
                &format!("apply {} safe fix(es)", planned.len()),
                cli.force,
            )?;
            fixes = fix::apply(&api, &planned, &facts).await;
            if text {
                crate::text::applied(reporter, &fixes);
            }
            audit = self::audit(&api, &request, cli, threshold).await?.1;
        }
    }
    let version = env!("CARGO_PKG_VERSION");
    match cli.common.base.output {
        AuditOutput::Text => crate::text::report(reporter, &audit),
        AuditOutput::Json => {
            let mut document = audit.to_json(version);
            if cli.fix {
                document["fixes"] = serde_json::json!(
                    fixes
                        .iter()
                        .map(|(fix, result)| {
                            let mut entry = serde_json::to_value(fix).unwrap_or_default();
                            entry["applied"] = serde_json::json!(result.is_ok());
                            if let Err(error) = result {
                                entry["error"] = serde_json::json!(error.to_string());
                            }
                            entry
                        })
                        .collect::<Vec<_>>()
                );
            }
            cli_support::print_json(&document)?;
        }
        AuditOutput::Sarif => cli_support::print_raw_json(&audit.to_sarif(version))?,
        AuditOutput::Junit => crate::text::print_stdout(&audit.to_junit())?,
    }
    if fixes.iter().any(|(_, result)| result.is_err()) {
        return Err(Failure::external(
            "some fixes could not be applied (see above)",
        ));
    }
    Ok(if audit.passed() {
        Exit::Success
    } else {
        Exit::Findings
    })
}

/// Gathers (with progress on a terminal) and evaluates.
async fn audit(
    api: &Aws,
    request: &Request,
    cli: &Cli,
    threshold: Severity,
) -> Result<(s3_audit::Facts, Audit), Failure> {
    let progress = cli_support::progress::counter(request.buckets.len() as u64, "auditing buckets");
    let (facts, account) = s3_audit::gather_observed(api, request, &|_| progress.inc(1)).await?;
    progress.finish_and_clear();
    let context = Context {
        account_id: account,
        now: Utc::now(),
        stale_after: cli.stale_lock_after,
    };
    let audit = s3_audit::evaluate(&facts, &context, threshold);
    Ok((facts, audit))
}

/// `verify-s3-security` with its flags parsed: the binary's whole `main`.
pub fn main(cli: &Cli) -> ExitCode {
    cli_support::runner::run(
        &cli.common,
        |reporter| async move { run(cli, &reporter).await },
    )
}

cli_support::docs_page_test!(Cli, "verify-s3-security");

#[cfg(test)]
mod tests {
    use naming::ObservabilityKind;

    use super::*;

    #[test]
    fn a_bucket_named_on_the_command_line_takes_its_role_from_the_project() {
        let project = Project {
            buckets: vec![
                ("p-terraform-state-production".to_owned(), Role::State),
                (
                    "p-us-east-2-logs-production".to_owned(),
                    Role::Observability(ObservabilityKind::Logs),
                ),
            ],
            table: None,
            label: String::new(),
        };
        assert_eq!(
            role_of("p-us-east-2-logs-production", Some(&project)),
            Role::Observability(ObservabilityKind::Logs)
        );
        assert_eq!(role_of("elsewhere", Some(&project)), Role::Other);
        assert_eq!(role_of("p-terraform-state-production", None), Role::Other);
    }
}
