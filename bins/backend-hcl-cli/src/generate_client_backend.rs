//! `generate-client-backend CLIENT REGION ENVIRONMENT`: a client's backend file in the
//! client-centric layout, or the IAM policy that limits the client to its own state (seed
//! 001's script, `.sh` dropped).

use std::process::ExitCode;

use crate::backends::{self, BackendArgs};
use backend_hcl::DEFAULT_CLIENT_LAYER;
use backend_hcl::policy::{PolicyRequest, client_policy};
use clap::Parser;
use cli_support::project::ProjectArgs;
use cli_support::{CommonArgs, Exit, Failure, Reporter};
use naming::{Client, KeyScheme, Layer};

const EXAMPLES: &str = "\
Examples:
  # Create backends/aws/production/us-east-2/clients/est-test-c.hcl
  generate-client-backend est-test-c us-east-2 production --project-name ohio-01

  # Another layer: backends/aws/production/us-east-2/clients/est-test-c/03-database-layer.hcl
  generate-client-backend est-test-c us-east-2 production --layer 03-database-layer

  # The IAM policy that limits the client to its own state and lock rows
  generate-client-backend est-test-c us-east-2 production --iam-policy

Then: terraform init -backend-config=backends/aws/production/us-east-2/clients/est-test-c.hcl";

/// Write a client's Terraform backend file (client-centric layout: state under
/// providers/aws/regions/{region}/clients/{client}/layers/{layer}/), or print the IAM policy
/// that isolates the client's state.
#[derive(Debug, Parser)]
#[command(name = "generate-client-backend", version, after_help = EXAMPLES)]
pub struct Cli {
    /// The client, such as est-test-c
    client: String,

    /// AWS region, such as us-east-2
    region: String,

    /// Environment, such as production
    environment: String,

    /// Project name, the prefix of every bucket [env: TFSTATE_PROJECT]
    #[arg(long, value_name = "NAME")]
    project_name: Option<String>,

    /// The layer whose state the file is for [default: 04-standalone-compute]
    #[arg(long, value_name = "LAYER")]
    layer: Option<String>,

    /// Print the client-isolation IAM policy (JSON on stdout) instead of writing the file
    #[arg(long)]
    iam_policy: bool,

    /// The account id in the lock table's ARN of --iam-policy [default: *]
    #[arg(long, value_name = "ID", requires = "iam_policy")]
    account_id: Option<String>,

    #[command(flatten)]
    backend: BackendArgs,

    #[command(flatten)]
    common: CommonArgs,
}

fn account(id: Option<&str>) -> Result<Option<&str>, Failure> {
    match id {
        Some(id) if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) => {
            Err(Failure::usage(format!(
                "invalid --account-id `{id}`: must be the 12 digits of an AWS account id"
            )))
        }
        other => Ok(other),
    }
}

async fn run(cli: &Cli, reporter: &Reporter) -> Result<Exit, Failure> {
    let client = Client::new(cli.client.as_str())?;
    let project = ProjectArgs {
        region: Some(cli.region.clone()),
        environment: Some(cli.environment.clone()),
        project_name: cli.project_name.clone(),
    };
    let context = backends::context(
        &cli.common,
        &project,
        &cli.backend,
        KeyScheme::ClientCentric,
    )
    .await?;
    let scheme = context.layout.scheme();
    let layer = match (scheme, &cli.layer) {
        (KeyScheme::Layer, _) => {
            return Err(
                Failure::usage("the layer key scheme has no per-client state")
                    .with_hint("use --key-scheme client-centric, environment or tenant"),
            );
        }
        (KeyScheme::ClientCentric, layer) => Some(Layer::new(
            layer.as_deref().unwrap_or(DEFAULT_CLIENT_LAYER),
        )?),
        (_, Some(_)) => {
            return Err(Failure::usage(format!("--layer applies to --key-scheme client-centric, not {scheme}"))
                .with_hint("the tenant scheme writes every layer's file; the environment scheme has one state per client"));
        }
        (_, None) => None,
    };
    if cli.iam_policy {
        let policy = client_policy(&PolicyRequest {
            scheme,
            deployment: &context.deployment,
            bucket: &context.target.bucket,
            table: context.target.table.as_ref(),
            lock: context.target.lock,
            client: &client,
            account: account(cli.account_id.as_deref())?,
        })?;
        let prefix = scheme.client_prefix(&context.deployment, &client)?;
        reporter.info(format!(
            "🔐 IAM policy for {client}: state under {}/{prefix}",
            context.target.bucket
        ));
        cli_support::print_raw_json(&policy)?;
        return Ok(Exit::Success);
    }
    let infrastructure = if cli.backend.offline {
        None
    } else {
        Some(backends::readiness(reporter, &cli.common, &context).await?)
    };
    let slots = context
        .layout
        .client_slots(&context.deployment, &client, layer.as_ref())?;
    backends::write_slots(
        reporter,
        &cli.common,
        &context,
        slots,
        cli.backend.force,
        infrastructure,
    )
}

/// `generate-client-backend` with its flags parsed: the binary's whole `main`.
pub fn main(cli: &Cli) -> ExitCode {
    cli_support::runner::run(
        &cli.common,
        |reporter| async move { run(cli, &reporter).await },
    )
}

cli_support::docs_page_test!(Cli, "generate-client-backend");
