//! `provision-s3-client-centric`: the Terraform state bucket, the lock table and the four
//! observability buckets, hardened, idempotently (seed 003's script, `.sh` dropped).

use std::process::ExitCode;

use crate::provision::ProvisionArgs;
use aws_provisioner::Scope;
use clap::Parser;
use cli_support::CommonArgs;
use cli_support::project::ProjectArgs;

const EXAMPLES: &str = "\
Examples:
  # Create all infrastructure: 5 buckets + 1 table
  provision-s3-client-centric --region us-east-2 --environment production \\
    --project-name ohio-01

  # Dry-run mode (preview only)
  provision-s3-client-centric --region us-east-2 --environment production \\
    --project-name ohio-01 --dry-run

  # Backend only (state bucket and lock table)
  provision-s3-client-centric --region us-east-2 --environment production \\
    --project-name ohio-01 --backend-only

  # Observability buckets only
  provision-s3-client-centric --region us-east-2 --environment production \\
    --project-name ohio-01 --observability-only

Creates ohio-01-terraform-state-production, ohio-01-us-east-2-{logs,traces,metrics,
audit-logs}-production and terraform-locks-us-east. Running it again changes nothing that
is already right and repairs what drifted.";

/// Create the Terraform state bucket, the DynamoDB lock table and the four observability
/// buckets (logs, traces, metrics, audit-logs), hardened, with retention per kind.
#[derive(Debug, Parser)]
#[command(name = "provision-s3-client-centric", version, after_help = EXAMPLES)]
pub struct Cli {
    #[command(flatten)]
    project: ProjectArgs,

    /// Only the backend: the state bucket and the lock table
    #[arg(long, conflicts_with = "observability_only")]
    backend_only: bool,

    /// Only the four observability buckets
    #[arg(long)]
    observability_only: bool,

    #[command(flatten)]
    provision: ProvisionArgs,

    #[command(flatten)]
    common: CommonArgs,
}

/// `provision-s3-client-centric` with its flags parsed: the binary's whole `main`.
pub fn main(cli: &Cli) -> ExitCode {
    let scope = match (cli.backend_only, cli.observability_only) {
        (true, _) => Scope::BackendOnly,
        (_, true) => Scope::ObservabilityOnly,
        _ => Scope::Full,
    };
    cli_support::runner::run(&cli.common, |reporter| async move {
        crate::provision::run(&reporter, &cli.common, &cli.project, &cli.provision, scope).await
    })
}

cli_support::docs_page_test!(Cli, "provision-s3-client-centric");
