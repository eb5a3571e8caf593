//! `validate-cidr [REGISTRY]`: validates the client VPC CIDR registry (seed 003's script,
//! `.sh` dropped), and allocates blocks, plans subnets and checks `clients.auto.tfvars`.
//!
//! Exit codes: 0 valid, 1 problems found (so it works as a pre-commit hook), 2 unreadable or
//! malformed input or bad flags, 3 a write failed.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use cidr_registry::allocate::{self, AllocateError};
use cidr_registry::subnets::{self, Plan, PlanRequest};
use cidr_registry::tfvars::{self, TfvarsError};
use cidr_registry::{Finding, LoadError, ReadError, Registry, Scope, validate};
use clap::{Parser, ValueEnum};
use cli_support::project::resolve_settings;
use cli_support::{BaseArgs, Exit, Failure, Reporter};
use naming::config::{Defaults, Flags};
use naming::{AvailabilityZone, Client, Environment, Region};

use crate::report::Report;

const EXAMPLES: &str = "\
Examples:
  # Validate ./cidr-registry.yaml (or $CIDR_REGISTRY); exit 1 on any problem
  validate-cidr

  # As a pre-commit hook
  printf '#!/bin/sh\\nvalidate-cidr --quiet || exit 1\\n' > .git/hooks/pre-commit

  # Give a new client the next free /16 of 10.0.0.0/8 and add it to the registry
  validate-cidr --allocate newco --prefix-length 16 --pool 10.0.0.0/8 \\
      --region us-east-2 --environment production --notes \"New client onboarding\"

  # Its subnets in three zones, as Terraform's cidrsubnet computes them
  validate-cidr --subnets newco --azs a,b,c

  # Compare with every layer's clients.auto.tfvars
  validate-cidr --tfvars";

/// Which clients must not overlap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ScopeArg {
    /// Every client (the registry's rule: each client's range is unique)
    Global,
    /// Clients in the same region
    Region,
    /// Clients in the same environment
    Environment,
}

/// Validate the client VPC CIDR registry: strict format, VPC sizes, private and reserved
/// ranges, duplicates and every overlapping pair; allocate the next free block; plan a
/// client's subnets; compare with Terraform's clients.auto.tfvars.
#[derive(Debug, Parser)]
#[command(name = "validate-cidr", version, after_help = EXAMPLES)]
pub struct Cli {
    /// The registry [env: CIDR_REGISTRY] [default: ./cidr-registry.yaml]
    #[arg(value_name = "REGISTRY")]
    registry: Option<PathBuf>,

    /// Which clients must not overlap one another
    #[arg(long, value_enum, default_value_t = ScopeArg::Global)]
    scope: ScopeArg,

    /// Report only problems and the verdict, not a ✓ line per client
    #[arg(short, long)]
    quiet: bool,

    /// Allocate the next free block to this new client and add it to the registry
    #[arg(long, value_name = "CLIENT", help_heading = "Allocation")]
    allocate: Option<String>,

    /// The prefix length of the block to allocate (a VPC size, 16 to 28)
    #[arg(
        long,
        value_name = "BITS",
        default_value_t = 16,
        requires = "allocate",
        help_heading = "Allocation"
    )]
    prefix_length: u8,

    /// The range to allocate from
    #[arg(
        long,
        value_name = "CIDR",
        default_value = "10.0.0.0/8",
        requires = "allocate",
        help_heading = "Allocation"
    )]
    pool: String,

    /// The new client's region [env: TFSTATE_REGION, AWS_REGION]
    #[arg(
        long,
        value_name = "REGION",
        requires = "allocate",
        help_heading = "Allocation"
    )]
    region: Option<String>,

    /// The new client's environment [env: TFSTATE_ENVIRONMENT, TF_VAR_environment]
    #[arg(
        long,
        value_name = "ENV",
        requires = "allocate",
        help_heading = "Allocation"
    )]
    environment: Option<String>,

    /// The new client's notes
    #[arg(
        long,
        value_name = "TEXT",
        requires = "allocate",
        help_heading = "Allocation"
    )]
    notes: Option<String>,

    /// The allocation date, YYYY-MM-DD [default: today, UTC]
    #[arg(
        long,
        value_name = "DATE",
        requires = "allocate",
        help_heading = "Allocation"
    )]
    date: Option<String>,

    /// Show the allocation and the lines it adds without writing the registry
    #[arg(long, requires = "allocate", help_heading = "Allocation")]
    dry_run: bool,

    /// Plan this client's public, private and EKS subnets
    #[arg(long, value_name = "CLIENT", help_heading = "Subnet plans")]
    subnets: Option<String>,

    /// Availability zones, as letters (a,b,c) or names [default: a,b]
    #[arg(
        long,
        value_name = "ZONES",
        value_delimiter = ',',
        requires = "subnets",
        help_heading = "Subnet plans"
    )]
    azs: Vec<String>,

    /// Bits added to the VPC prefix for each subnet [default: 8, fewer for VPCs under /20]
    #[arg(
        long,
        value_name = "BITS",
        requires = "subnets",
        help_heading = "Subnet plans"
    )]
    subnet_bits: Option<u8>,

    /// The first subnet number [default: the client's cidr_offset, else 0]
    #[arg(
        long,
        value_name = "N",
        requires = "subnets",
        help_heading = "Subnet plans"
    )]
    cidr_offset: Option<u32>,

    /// Compare with clients.auto.tfvars files (a glob; repeatable) [default:
    /// providers/aws/regions/*/layers/*/*/clients.auto.tfvars next to the registry]
    #[arg(long, value_name = "GLOB", num_args = 0..=1, action = clap::ArgAction::Append, help_heading = "Drift")]
    tfvars: Option<Vec<String>>,

    #[command(flatten)]
    base: BaseArgs,
}

/// The registry path: the argument, `$CIDR_REGISTRY`, or `./cidr-registry.yaml`.
fn registry_path(cli: &Cli) -> PathBuf {
    cli.registry
        .clone()
        .or_else(|| {
            std::env::var_os("CIDR_REGISTRY")
                .filter(|value| !value.is_empty())
                .map(PathBuf::from)
        })
        .unwrap_or_else(|| PathBuf::from("cidr-registry.yaml"))
}

fn load_failure(path: &Path, error: &LoadError) -> Failure {
    Failure::usage(format!("{}: {error}", path.display()))
        .with_optional_hint(error.hint().as_deref())
}

fn read_registry(path: &Path) -> Result<(Registry, String), Failure> {
    Registry::read(path).map_err(|error| {
        let error = match error {
            ReadError::Load(error) => return load_failure(path, &error),
            ReadError::Io(error) => error,
        };
        // No registry where the run looks is bad input, as the docs say; a registry that
        // exists but cannot be read is an I/O failure.
        let what = match error.kind() {
            std::io::ErrorKind::NotFound => "does not exist",
            std::io::ErrorKind::IsADirectory => "is a folder, not a file",
            _ => {
                return Failure::external(format!(
                    "cannot read the registry {}: {error}",
                    path.display()
                ));
            }
        };
        Failure::usage(format!("the registry {} {what}", path.display())).with_hint(
            "pass its path, set CIDR_REGISTRY, or create cidr-registry.yaml with `clients: {}`",
        )
    })
}

fn today() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    cidr_registry::check::date_of_unix_day((seconds / 86_400) as i64)
}

fn scope(cli: &Cli) -> Scope {
    match cli.scope {
        ScopeArg::Global => Scope::Global,
        ScopeArg::Region => Scope::Region,
        ScopeArg::Environment => Scope::Environment,
    }
}

fn allocation_request(cli: &Cli, name: &str) -> Result<allocate::Request, Failure> {
    let flags = Flags {
        region: cli.region.as_deref(),
        environment: cli.environment.as_deref(),
        ..Flags::default()
    };
    let settings = resolve_settings(&cli.base, &flags, Defaults::default())?;
    let region = settings.region.map(|region| region.value).ok_or_else(|| {
        Failure::usage("missing --region for the new client")
            .with_hint("pass --region, set TFSTATE_REGION or AWS_REGION, or add `region = ...` to shared-config.toml")
    })?;
    let environment = settings.environment.map(|environment| environment.value).ok_or_else(|| {
        Failure::usage("missing --environment for the new client")
            .with_hint("pass --environment, set TFSTATE_ENVIRONMENT, or add `environment = ...` to shared-config.toml")
    })?;
    let pool = cidr_registry::cidr::parse_strict(&cli.pool).map_err(|error| {
        Failure::usage(format!("invalid --pool `{}`: {error}", cli.pool))
            .with_optional_hint(error.hint().as_deref())
    })?;
    // A block outside the private ranges would make the registry fail its own check.
    if !cidr_registry::cidr::is_private(pool) {
        return Err(Failure::usage(format!(
            "invalid --pool `{pool}`: VPC blocks must be private, and this pool is not inside 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 (RFC 1918) or 100.64.0.0/10 (RFC 6598)"
        ))
        .with_hint("use a private pool such as --pool 10.0.0.0/8"));
    }
    let date = match &cli.date {
        Some(date) => {
            cidr_registry::check::check_date(date).map_err(|problem| {
                Failure::usage(format!("invalid --date `{date}`: {problem}"))
                    .with_hint("write YYYY-MM-DD")
            })?;
            date.clone()
        }
        None => today(),
    };
    Ok(allocate::Request {
        name: Client::new(name)?,
        prefix_len: cli.prefix_length,
        pool,
        region,
        environment,
        date,
        notes: cli
            .notes
            .clone()
            .unwrap_or_else(|| "Allocated by validate-cidr".to_owned()),
        scope: scope(cli),
    })
}

fn allocation_failure(error: AllocateError) -> Failure {
    let hint = error.hint();
    let exit = match &error {
        AllocateError::PoolFull { .. } => Exit::Findings,
        AllocateError::Io { .. }
        | AllocateError::Changed(_)
        | AllocateError::ReadBack(_)
        | AllocateError::Locked { .. } => Exit::Failure,
        _ => Exit::Usage,
    };
    Failure::new(exit, error.to_string()).with_optional_hint(hint.as_deref())
}

fn zones(cli: &Cli, region: Region) -> Result<Vec<AvailabilityZone>, Failure> {
    let names: Vec<String> = if cli.azs.is_empty() {
        vec!["a".into(), "b".into()]
    } else {
        cli.azs.clone()
    };
    names
        .iter()
        .map(|name| {
            let zone = match name.trim() {
                letter if letter.len() == 1 => region.zone(letter.chars().next().unwrap_or('a')),
                full => AvailabilityZone::new(full),
            };
            zone.map_err(Failure::from)
        })
        .collect()
}

fn plan_subnets(cli: &Cli, name: &str, registry: &Registry) -> Result<Plan, Failure> {
    let Some(entry) = registry.entry(name) else {
        return Err(
            Failure::usage(format!("client `{name}` is not in the registry"))
                .with_hint("allocate it first: validate-cidr --allocate NAME"),
        );
    };
    let vpc = cidr_registry::cidr::parse_strict(&entry.vpc_cidr.value).map_err(|_| {
        Failure::usage(format!(
            "client `{name}` has an invalid vpc_cidr `{}` (line {})",
            entry.vpc_cidr.value, entry.vpc_cidr.line
        ))
        .with_hint("fix the registry first")
    })?;
    let field = |value: &Option<cidr_registry::Located<String>>, what: &str| {
        value
            .as_ref()
            .map(|value| value.value.clone())
            .ok_or_else(|| {
                Failure::usage(format!(
                    "client `{name}` has no {what} in the registry (line {})",
                    entry.line
                ))
                .with_hint(format!("add `{what}:` to its entry"))
            })
    };
    let region = Region::new(&field(&entry.region, "region")?)?;
    let request = PlanRequest {
        client: Client::new(name)?,
        environment: Environment::new(field(&entry.environment, "environment")?)?,
        region,
        vpc,
        zones: zones(cli, region)?,
        newbits: cli.subnet_bits,
        cidr_offset: cli
            .cidr_offset
            .or(entry.cidr_offset.as_ref().map(|offset| offset.value))
            .unwrap_or(0),
    };
    subnets::plan(&request).map_err(|error| {
        let hint = error.hint();
        Failure::usage(error.to_string()).with_optional_hint(hint.as_deref())
    })
}

fn drift(
    path: &Path,
    registry: &Registry,
    patterns: &[String],
) -> Result<(usize, Vec<Finding>), Failure> {
    let tfvars_failure = |error: TfvarsError| Failure::usage(error.to_string());
    let (patterns, base, explicit) = if patterns.is_empty() {
        let base = path
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        (
            vec![tfvars::DEFAULT_PATTERN.to_owned()],
            base.to_owned(),
            false,
        )
    } else {
        (patterns.to_vec(), PathBuf::from("."), true)
    };
    let files = tfvars::find(&patterns, &base, explicit).map_err(tfvars_failure)?;
    let files = files
        .iter()
        .map(|path| tfvars::read(path))
        .collect::<Result<Vec<_>, _>>()
        .map_err(tfvars_failure)?;
    Ok((files.len(), tfvars::drift(registry, &files)))
}

fn run(cli: &Cli, reporter: &Reporter) -> Result<Exit, Failure> {
    let path = registry_path(cli);
    let shown = std::path::absolute(&path).unwrap_or_else(|_| path.clone());
    // An allocation holds the registry's lock from the read to the rename, so two at once
    // never hand out one block twice or lose a client.
    let _lock = match (&cli.allocate, cli.dry_run) {
        (Some(_), false) => match allocate::lock(&path, allocate::LOCK_WAIT) {
            Ok(lock) => Some(lock),
            // A missing registry is reported by the read below.
            Err(AllocateError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                None
            }
            Err(error) => return Err(allocation_failure(error)),
        },
        _ => None,
    };
    let (registry, text) = read_registry(&path)?;
    let validation = validate(&registry, scope(cli));
    let mut report = Report::new(&shown, &registry, &validation);
    // After an allocation, plans and drift see the registry with the new client.
    let mut after = None;
    if let Some(name) = &cli.allocate {
        let request = allocation_request(cli, name)?;
        let (allocation, edited) = allocate::allocate(&registry, &validation, &text, &request)
            .map_err(allocation_failure)?;
        if !cli.dry_run {
            allocate::write(&path, &text, &edited).map_err(allocation_failure)?;
        }
        after = Some(Registry::parse(&edited).map_err(|error| load_failure(&path, &error))?);
        report.allocation = Some((allocation, !cli.dry_run));
    }
    let current = after.as_ref().unwrap_or(&registry);
    if let Some(name) = &cli.subnets {
        report.plan = Some((name.clone(), plan_subnets(cli, name, current)?));
    }
    if let Some(patterns) = &cli.tfvars {
        report.drift = Some(drift(&path, current, patterns)?);
    }
    report.render(reporter, cli.base.output, cli.quiet)
}

/// `validate-cidr` with its flags parsed: the binary's whole `main`.
pub fn main(cli: &Cli) -> ExitCode {
    cli_support::runner::run_local(&cli.base, |reporter| run(cli, reporter))
}

cli_support::docs_page_test!(Cli, "validate-cidr");
