//! `manage-tenant-backends`: per-tenant backend `.hcl` files that name the bucket, key and
//! table provisioning created; checks that they and AWS agree (seed 000's script, `.sh`
//! dropped).

use std::process::ExitCode;

use crate::backends::{self, BackendArgs};
use clap::{ArgGroup, Parser};
use cli_support::project::ProjectArgs;
use cli_support::{CommonArgs, Exit, Failure, Reporter};
use naming::{Client, KeyScheme};

const EXAMPLES: &str = "\
Examples:
  # Create a tenant's backend files (foundation, platform, observability,
  # shared-services, backend)
  manage-tenant-backends --region us-west-2 --environment production \\
    --project-name myproject --tenant mtn-ghana --create-tenant

  # Check that the files and AWS agree (exit 1 while anything is out of sync)
  manage-tenant-backends --region us-west-2 --environment production \\
    --project-name myproject --check-sync

  # View all backend paths
  manage-tenant-backends --show-all-paths

Files go to backends/aws/{env}/{region}/tenants/{tenant}/ (--backends-dir, --key-scheme
for the other layouts). A file that holds something else is left alone, with the
difference shown, unless --force.";

/// Write per-tenant Terraform backend files that name the state bucket, key and lock
/// table, list them, remove them, and check that they match what exists in AWS.
#[derive(Debug, Parser)]
#[command(name = "manage-tenant-backends", version, after_help = EXAMPLES)]
#[command(group(ArgGroup::new("action").required(true).args([
    "create_tenant", "remove_tenant", "list_tenants", "check_sync", "show_all_paths", "create_shared",
])))]
pub struct Cli {
    #[command(flatten)]
    project: ProjectArgs,

    /// Tenant name (repeat the flag, or separate names with commas, for several)
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    tenant: Vec<String>,

    /// Create the tenant's backend files (and the scheme's shared layer files)
    #[arg(long, requires = "tenant")]
    create_tenant: bool,

    /// Remove the tenant's backend files; its state in S3 is not touched
    #[arg(long, requires = "tenant")]
    remove_tenant: bool,

    /// List the tenants that have backend files
    #[arg(long)]
    list_tenants: bool,

    /// Check that the state bucket and lock table exist and every file names them
    #[arg(long)]
    check_sync: bool,

    /// List every backend file with its bucket, key and lock table
    #[arg(long)]
    show_all_paths: bool,

    /// Create only the scheme's shared layer files (the layer scheme has no tenants)
    #[arg(long)]
    create_shared: bool,

    #[command(flatten)]
    backend: BackendArgs,

    #[command(flatten)]
    common: CommonArgs,
}

/// The tenants named, each valid and named once (`--tenant a,a` would act on one tenant's
/// files twice).
fn tenants(names: &[String]) -> Result<Vec<Client>, Failure> {
    let mut tenants: Vec<Client> = Vec::with_capacity(names.len());
    for name in names {
        let tenant = Client::tenant(name.as_str())?;
        if tenants.contains(&tenant) {
            return Err(Failure::usage(format!("--tenant names `{tenant}` twice"))
                .with_hint("name each tenant once"));
        }
        tenants.push(tenant);
    }
    Ok(tenants)
}

async fn run(cli: &Cli, reporter: &Reporter) -> Result<Exit, Failure> {
    let (common, backend) = (&cli.common, &cli.backend);
    if cli.show_all_paths || cli.list_tenants {
        let settings = backends::settings(common, &cli.project, backend, KeyScheme::Tenant)?;
        let layout = backends::layout(&settings, backend);
        let place = backends::place(&settings);
        let place = place
            .as_ref()
            .map(|(environment, region)| backend_hcl::Place {
                environment,
                region: *region,
            });
        return if cli.show_all_paths {
            backends::show_all_paths(reporter, common, &layout, place)
        } else {
            backends::list_tenants(reporter, common, &layout, place)
        };
    }
    let tenants = tenants(&cli.tenant)?;
    let context = backends::context(common, &cli.project, backend, KeyScheme::Tenant).await?;
    if cli.check_sync {
        backends::check_sync(reporter, common, &context, backend.offline).await
    } else if cli.remove_tenant {
        backends::remove_tenants(reporter, common, &context, &tenants, backend.force)
    } else if cli.create_shared {
        let slots = context.layout.shared_slots(&context.deployment)?;
        backends::write_slots(reporter, common, &context, slots, backend.force, None)
    } else {
        if context.layout.scheme() == KeyScheme::Layer {
            return Err(Failure::usage("the layer key scheme has no per-tenant state")
                .with_hint("use --create-shared for its layer files, or --key-scheme tenant, client-centric or environment"));
        }
        backends::create_tenants(reporter, common, &context, &tenants, None, backend).await
    }
}

/// `manage-tenant-backends` with its flags parsed: the binary's whole `main`.
pub fn main(cli: &Cli) -> ExitCode {
    cli_support::runner::run(
        &cli.common,
        |reporter| async move { run(cli, &reporter).await },
    )
}

cli_support::docs_page_test!(Cli, "manage-tenant-backends");
