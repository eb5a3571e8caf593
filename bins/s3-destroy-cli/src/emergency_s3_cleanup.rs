//! `emergency-s3-cleanup`: empties and deletes one stuck bucket when `destroy-s3-buckets`
//! cannot (seed 003's script, `.sh` dropped). Beyond the ordinary teardown it removes a
//! bucket policy that denies deletion, lifecycle rules and event notifications, retries
//! harder, and with `--expire-via-lifecycle` hands the emptying of a bucket too large for
//! one machine to S3.
//!
//! Exit codes: 0 destroyed (or rules set, or a dry run), 2 bad flags, 3 AWS or disk
//! failure (run again to carry on), 4 refused for safety.

use std::process::ExitCode;

use crate::destroy::{DestroyArgs, Invocation};
use clap::Parser;
use cli_support::project::ProjectArgs;
use cli_support::{CommonArgs, Exit, Failure, Reporter};

const EXAMPLES: &str = "\
Examples:
  # Only when the normal destroy fails
  emergency-s3-cleanup --bucket ohio-01-us-east-2-logs-production

  # A bucket too large to empty from here: S3 deletes everything within about two days
  emergency-s3-cleanup --bucket ohio-01-us-east-2-logs-production --expire-via-lifecycle";

/// Emergency cleanup of a stuck bucket: removes a policy that denies deletion, lifecycle and
/// notification configuration and replication, aborts uploads, deletes every version and
/// delete marker retrying harder, then the bucket; or sets lifecycle rules that let S3 do it.
#[derive(Debug, Parser)]
#[command(name = "emergency-s3-cleanup", version, after_help = EXAMPLES)]
pub struct Cli {
    /// The stuck bucket
    #[arg(long, value_name = "NAME")]
    bucket: String,

    /// Put lifecycle rules that expire every version and upload after a day and remove the
    /// expired delete markers, and leave the emptying to S3 (come back in two days)
    #[arg(long)]
    expire_via_lifecycle: bool,

    #[command(flatten)]
    project: ProjectArgs,

    #[command(flatten)]
    destroy: DestroyArgs,

    #[command(flatten)]
    common: CommonArgs,
}

async fn run(cli: &Cli, reporter: &Reporter) -> Result<Exit, Failure> {
    let invocation = Invocation {
        project: &cli.project,
        destroy: &cli.destroy,
        common: &cli.common,
    };
    let (settings, region) = invocation.settings().await?;
    let targets =
        crate::destroy::named_targets(std::slice::from_ref(&cli.bucket), &settings, &cli.common)
            .await?;
    let options = s3_destroy::Options {
        emergency: true,
        expire_via_lifecycle: cli.expire_via_lifecycle,
        ..s3_destroy::Options::default()
    };
    let tuning = s3_destroy::Tuning::persistent();
    invocation
        .run(targets, (&settings, region), (options, tuning), reporter)
        .await
}

/// `emergency-s3-cleanup` with its flags parsed: the binary's whole `main`.
pub fn main(cli: &Cli) -> ExitCode {
    cli_support::runner::run(
        &cli.common,
        |reporter| async move { run(cli, &reporter).await },
    )
}

cli_support::docs_page_test!(Cli, "emergency-s3-cleanup");
