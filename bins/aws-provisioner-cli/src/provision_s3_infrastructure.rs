//! `provision-s3-infrastructure`: the Terraform state bucket and the DynamoDB lock table,
//! hardened, idempotently (seed 000's script, `.sh` dropped).

use std::process::ExitCode;

use crate::provision::ProvisionArgs;
use aws_provisioner::Scope;
use clap::Parser;
use cli_support::CommonArgs;
use cli_support::project::ProjectArgs;

const EXAMPLES: &str = "\
Examples:
  # Create (or repair) the state bucket and lock table
  provision-s3-infrastructure --region us-west-2 --environment production \\
    --project-name myproject --company-name \"My Company\"

  # See what would change, as JSON, without changing anything
  provision-s3-infrastructure --region us-west-2 --environment production \\
    --project-name myproject --dry-run --output json

Creates myproject-terraform-state-production and terraform-locks-us-west. Running it again
changes nothing that is already right and repairs what drifted.";

/// Create the Terraform state bucket and the DynamoDB lock table, hardened: versioning,
/// encryption, public access blocked, TLS-only policy, tags, request metrics, access logging;
/// the lock table on demand, encrypted, with point-in-time recovery and deletion protection.
#[derive(Debug, Parser)]
#[command(name = "provision-s3-infrastructure", version, after_help = EXAMPLES)]
pub struct Cli {
    #[command(flatten)]
    project: ProjectArgs,

    #[command(flatten)]
    provision: ProvisionArgs,

    #[command(flatten)]
    common: CommonArgs,
}

/// `provision-s3-infrastructure` with its flags parsed: the binary's whole `main`.
pub fn main(cli: &Cli) -> ExitCode {
    cli_support::runner::run(&cli.common, |reporter| async move {
        crate::provision::run(
            &reporter,
            &cli.common,
            &cli.project,
            &cli.provision,
            Scope::BackendOnly,
        )
        .await
    })
}

cli_support::docs_page_test!(Cli, "provision-s3-infrastructure");
