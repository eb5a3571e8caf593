//! What the two backend-file binaries share (`manage-tenant-backends`,
//! `generate-client-backend`): the flags, the infrastructure readiness check with its offer to
//! provision, and reporting written files.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use aws_client::dynamodb::lock_key;
use aws_client::s3::BucketPresence;
use backend_hcl::sync::{BucketState, InfraFacts, InfraProbe, ProbeError, TableState};
use backend_hcl::{Layout, Place, Status, Target, Written};
use naming::config::{Defaults, Flags, Settings};
use naming::{BucketName, Deployment, KeyScheme, TableName};
use serde::Serialize;

use cli_support::args::CommonArgs;
use cli_support::confirm::{Prompter, Terminal};
use cli_support::exit::{Exit, Failure};
use cli_support::output::Reporter;
use cli_support::project::{ProjectArgs, deployment};

/// The flags of the backend-file binaries beyond the deployment's.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct BackendArgs {
    /// State-key layout: tenant (seed 000), client-centric (seed 001), layer (seed 003) or
    /// environment (seed 002) [env: TFSTATE_KEY_SCHEME]
    #[arg(long, value_name = "SCHEME")]
    pub key_scheme: Option<String>,

    /// State locking: dynamodb (dynamodb_table, as the scripts), s3 (use_lockfile = true,
    /// Terraform >= 1.10) or both [env: TFSTATE_LOCK; default: dynamodb]
    #[arg(long, value_name = "MODE")]
    pub lock: Option<String>,

    /// Where backend files live [default: backends/, or the repository root for --key-scheme
    /// layer]
    #[arg(long, value_name = "DIR")]
    pub backends_dir: Option<PathBuf>,

    /// Name this KMS key in the files (kms_key_id), for state encrypted with it
    #[arg(long, value_name = "KEY")]
    pub kms_key_id: Option<String>,

    /// Overwrite files that hold something else (the difference is shown either way)
    #[arg(long)]
    pub force: bool,

    /// Do not contact AWS: no infrastructure check
    #[arg(long)]
    pub offline: bool,
}

/// Everything a command needs once the flags are resolved.
#[derive(Debug, Clone)]
pub struct Context {
    /// Project, environment, region.
    pub deployment: Deployment,
    /// The bucket, table and lock mode every file names.
    pub target: Target,
    /// The folder layout.
    pub layout: Layout,
    /// The settings, with their sources.
    pub settings: Settings,
}

/// The settings of `project` and `args` (flag > environment > shared-config.toml > default).
pub fn settings(
    common: &CommonArgs,
    project: &ProjectArgs,
    args: &BackendArgs,
    default_scheme: KeyScheme,
) -> Result<Settings, Failure> {
    let extra = Flags {
        key_scheme: args.key_scheme.as_deref(),
        lock: args.lock.as_deref(),
        ..Flags::default()
    };
    let defaults = Defaults {
        key_scheme: Some(default_scheme),
        ..Defaults::default()
    };
    project.settings(common, extra, defaults)
}

/// The layout of the resolved key scheme under `--backends-dir`.
pub fn layout(settings: &Settings, args: &BackendArgs) -> Layout {
    let scheme = settings
        .key_scheme
        .as_ref()
        .map_or(KeyScheme::Tenant, |s| s.value);
    Layout::in_repository(scheme, args.backends_dir.as_deref())
}

/// Resolves the deployment and the names every file carries.
pub async fn context(
    common: &CommonArgs,
    project: &ProjectArgs,
    args: &BackendArgs,
    default_scheme: KeyScheme,
) -> Result<Context, Failure> {
    let settings = settings(common, project, args, default_scheme)?;
    let deployment = deployment(&settings, common).await?;
    let lock = settings.lock.value;
    let rules = &settings.naming;
    let target = Target {
        bucket: rules.state_bucket(&deployment)?,
        region: deployment.region,
        table: lock
            .uses_table()
            .then(|| rules.lock_table(&deployment))
            .transpose()?,
        lock,
        kms_key_id: args
            .kms_key_id
            .as_deref()
            .map(|key| naming::KmsKeyId::new(key, deployment.region))
            .transpose()?
            .map(|key| key.to_string()),
    };
    Ok(Context {
        layout: layout(&settings, args),
        deployment,
        target,
        settings,
    })
}

/// The command that provisions what the files need, as a user would type it.
pub fn provisioning_command(context: &Context, common: &CommonArgs) -> Vec<String> {
    let d = &context.deployment;
    let mut command = vec![
        "provision-s3-infrastructure".to_owned(),
        "--region".to_owned(),
        d.region.to_string(),
        "--environment".to_owned(),
        d.environment.to_string(),
        "--project-name".to_owned(),
        d.project.to_string(),
    ];
    if context.target.lock != naming::LockMode::default() {
        command.extend(["--lock".to_owned(), context.target.lock.to_string()]);
    }
    if let Some(profile) = &common.profile {
        command.extend(["--profile".to_owned(), profile.clone()]);
    }
    if let Some(config) = &common.base.config {
        command.extend(["--config".to_owned(), config.display().to_string()]);
    }
    command
}

/// Probes the bucket and the table through AWS.
pub async fn probe(context: &Context, common: &CommonArgs) -> Result<InfraFacts, Failure> {
    let aws = cli_support::aws::connect(common, context.deployment.region).await?;
    Probe(aws)
        .probe(&context.target.bucket, context.target.table.as_ref())
        .await
        .map_err(|error| Failure::external(error.message).with_optional_hint(error.hint.as_deref()))
}

/// `--check-sync`'s existence probe, answered with the calls provisioning observes with:
/// HEAD Bucket with the caller's account as the expected owner, DescribeTable.
struct Probe(aws_client::Aws);

fn probe_error(error: aws_client::AwsError) -> ProbeError {
    ProbeError {
        hint: error.hint(),
        message: error.to_string(),
    }
}

impl InfraProbe for Probe {
    async fn probe(
        &self,
        bucket: &BucketName,
        table: Option<&TableName>,
    ) -> Result<InfraFacts, ProbeError> {
        let aws = &self.0;
        let caller = aws.caller().await.map_err(probe_error)?;
        let presence = aws.bucket_presence(bucket.as_str(), &caller.account);
        let described = async {
            match table {
                Some(table) => aws.describe_table(table.as_str()).await.map(Some),
                None => Ok(None),
            }
        };
        let (presence, described) = futures::join!(presence, described);
        let bucket = match presence.map_err(probe_error)? {
            BucketPresence::Absent => BucketState::Missing,
            // A bucket of the name exists, in another region (S3 said so before checking
            // who owns it): as before, the name is taken.
            BucketPresence::Owned { .. } | BucketPresence::Elsewhere { .. } => {
                BucketState::Reachable
            }
            BucketPresence::Forbidden => BucketState::Forbidden,
        };
        let table = table.map(|_| match described {
            Ok(Some(Some(facts))) if facts.key_schema == [lock_key()] => Ok(TableState::Present),
            Ok(Some(Some(facts))) => Ok(TableState::WrongKeySchema {
                found: facts
                    .key_schema
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
            Ok(_) => Ok(TableState::Missing),
            Err(error) => Err(probe_error(error)),
        });
        Ok(InfraFacts {
            bucket,
            table: table.transpose()?,
        })
    }
}

/// Whether the facts say everything the files need exists.
pub fn provisioned(facts: &InfraFacts) -> bool {
    facts.bucket == BucketState::Reachable
        && facts
            .table
            .as_ref()
            .is_none_or(|table| *table == TableState::Present)
}

/// The seed's "Infrastructure Readiness Check": probes AWS, says what exists, and when
/// something is missing prints the exact provisioning command and, on a terminal only,
/// offers to run it. Returns what AWS answered (after provisioning, if it ran).
pub async fn readiness(
    reporter: &Reporter,
    common: &CommonArgs,
    context: &Context,
) -> Result<InfraFacts, Failure> {
    let target = &context.target;
    reporter.heading("Infrastructure Readiness Check");
    reporter.info("🔍 Validating AWS infrastructure exists...");
    let mut facts = probe(context, common).await?;
    if !provisioned(&facts) {
        reporter.warning("⚠️  Required AWS infrastructure is missing!");
        if facts.bucket != BucketState::Reachable {
            reporter.error(format!("S3 bucket not found: {}", target.bucket));
        }
        if let (Some(table), Some(state)) = (&target.table, &facts.table)
            && *state != TableState::Present
        {
            reporter.error(format!("DynamoDB table not usable: {table}"));
        }
        reporter.raw("");
        reporter.info("🚀 To fix this, run:");
        let command = provisioning_command(context, common);
        reporter.raw(&format_command(&command));
        if offer(&mut Terminal, &command)? {
            facts = probe(context, common).await?;
        }
        return Ok(facts);
    }
    reporter.success("✅ AWS infrastructure validated");
    reporter.info(format!("   🪣 S3 Bucket: {}", target.bucket));
    if let Some(table) = &target.table {
        reporter.info(format!("   🗃️  DynamoDB Table: {table}"));
    }
    reporter.raw("");
    reporter.info("📋 Infrastructure Configuration:");
    let d = &context.deployment;
    reporter.raw(&format!("   🏷️  Project Name:    {}", d.project));
    reporter.raw(&format!("   🌍 Region:          {}", d.region));
    reporter.raw(&format!("   🏗️  Environment:     {}", d.environment));
    reporter.raw(&format!("   🪣 S3 Bucket:       {}", target.bucket));
    if let Some(table) = &target.table {
        reporter.raw(&format!("   🗃️  DynamoDB Table:  {table}"));
    }
    reporter.raw("");
    reporter.success("✅ AWS infrastructure is provisioned");
    Ok(facts)
}

/// A command as the seed prints it: one flag per continuation line.
pub fn format_command(command: &[String]) -> String {
    let mut lines = vec![format!("   {}", command[0])];
    for pair in command[1..].chunks(2) {
        lines.push(format!("     {}", pair.join(" ")));
    }
    lines.join(" \\\n")
}

/// On a terminal, asks whether to run the provisioning now and runs it; off a terminal,
/// asks nothing. Returns whether it ran and succeeded.
pub fn offer(prompter: &mut dyn Prompter, command: &[String]) -> Result<bool, Failure> {
    if !prompter.is_interactive() || !std::io::stdin().is_terminal() {
        return Ok(false);
    }
    let answer = prompter.ask("Would you like to run the provisioning now? (y/N)")?;
    if !matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        return Ok(false);
    }
    let program = sibling(&command[0]);
    let status = std::process::Command::new(&program)
        .args(&command[1..])
        .status()
        .map_err(|error| Failure::external(format!("cannot run {}: {error}", program.display())))?;
    Ok(status.success())
}

/// A binary installed next to this one, or the name to find on PATH.
fn sibling(name: &str) -> PathBuf {
    std::env::current_exe()
        .ok()
        .map(|exe| exe.with_file_name(name))
        .filter(|path| path.exists())
        .unwrap_or_else(|| PathBuf::from(name))
}

/// The environment and region of the settings, when both are known: what scopes listing
/// and showing files to one place (without them, every file counts).
pub fn place(settings: &Settings) -> Option<(naming::Environment, naming::Region)> {
    Some((
        settings.environment.as_ref()?.value.clone(),
        settings.region.as_ref()?.value,
    ))
}

/// Written files, as JSON.
#[derive(Debug, Serialize)]
pub struct WriteReport<'a> {
    /// The backends directory.
    pub root: &'a Path,
    /// The files, and what happened to each.
    pub files: &'a [Written],
}

/// Prints what happened to each file and returns the exit code: 1 when a file with other
/// content was left alone.
pub fn report_written(reporter: &Reporter, root: &Path, written: &[Written]) -> Exit {
    let mut differs = 0;
    for file in written {
        let path = root.join(&file.path);
        let path = path.display();
        match &file.status {
            Status::Created => reporter.success(format!("✅ Created {path}")),
            Status::Unchanged => reporter.info(format!("✓ Unchanged: {path}")),
            Status::Updated { kept } if kept.is_empty() => {
                reporter.success(format!("🔧 Updated {path}"))
            }
            Status::Updated { kept } => {
                reporter.success(format!("🔧 Updated {path} (kept: {})", kept.join(", ")));
            }
            Status::Differs { diff } => {
                differs += 1;
                reporter.warning(format!(
                    "⚠️  {path} holds something else; left alone (--force overwrites it)"
                ));
                for line in diff.lines() {
                    reporter.raw(&format!("     {line}"));
                }
            }
        }
    }
    let count =
        |wanted: fn(&Status) -> bool| written.iter().filter(|file| wanted(&file.status)).count();
    let created = count(|s| matches!(s, Status::Created));
    let updated = count(|s| matches!(s, Status::Updated { .. }));
    let unchanged = count(|s| matches!(s, Status::Unchanged));
    let summary = format!(
        "{created} created, {updated} updated, {unchanged} unchanged, {differs} left alone"
    );
    if differs > 0 {
        reporter.warning(format!("⚠️  Backend files: {summary}"));
        Exit::Findings
    } else {
        reporter.success(format!("✅ Backend files: {summary}"));
        Exit::Success
    }
}

/// Turns a backend-file error into the binary's failure (a bad file is bad input: exit 2).
pub fn file_failure(error: backend_hcl::FileError) -> Failure {
    Failure::usage(error.to_string())
        .with_hint("fix or remove the file; backend files hold `key = value` settings")
}

/// Turns a scan error into the binary's failure.
pub fn scan_failure(error: backend_hcl::files::ScanError) -> Failure {
    match error {
        backend_hcl::files::ScanError::File(error) => file_failure(error),
        other => Failure::external(other.to_string()),
    }
}

/// Turns a write error into the binary's failure.
pub fn write_failure(error: backend_hcl::files::WriteError) -> Failure {
    match error {
        backend_hcl::files::WriteError::Unreadable(error) => {
            file_failure(error).with_hint("fix or remove it, or pass --force to replace it")
        }
        other => Failure::external(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_provisioning_command_prints_as_the_seed_shows_it() {
        let command: Vec<String> = [
            "provision-s3-infrastructure",
            "--region",
            "us-west-2",
            "--environment",
            "production",
            "--project-name",
            "myproject",
        ]
        .map(str::to_owned)
        .into();
        assert_eq!(
            format_command(&command),
            "   provision-s3-infrastructure \\\n     --region us-west-2 \\\n     --environment production \\\n     --project-name myproject"
        );
    }

    #[test]
    fn without_a_terminal_nothing_is_offered() {
        struct NoTerminal;
        impl Prompter for NoTerminal {
            fn is_interactive(&self) -> bool {
                false
            }
            fn ask(&mut self, _: &str) -> std::io::Result<String> {
                panic!("asked without a terminal")
            }
        }
        assert!(!offer(&mut NoTerminal, &["provision-s3-infrastructure".to_owned()]).unwrap());
    }
}

/// `--create-tenant`: the scheme's shared layer files (if it has any) and each tenant's
/// files, written safely; the readiness check first unless `--offline`.
pub async fn create_tenants(
    reporter: &Reporter,
    common: &CommonArgs,
    context: &Context,
    tenants: &[naming::Client],
    layer: Option<&naming::Layer>,
    args: &BackendArgs,
) -> Result<Exit, Failure> {
    let infrastructure = if args.offline {
        None
    } else {
        Some(readiness(reporter, common, context).await?)
    };
    let layout = &context.layout;
    let mut slots = layout.shared_slots(&context.deployment)?;
    for tenant in tenants {
        slots.extend(layout.client_slots(&context.deployment, tenant, layer)?);
    }
    write_slots(reporter, common, context, slots, args.force, infrastructure)
}

/// Writes the files of `slots` and reports them (text, or JSON with `--output json`).
pub fn write_slots(
    reporter: &Reporter,
    common: &CommonArgs,
    context: &Context,
    slots: Vec<backend_hcl::Slot>,
    force: bool,
    infrastructure: Option<InfraFacts>,
) -> Result<Exit, Failure> {
    let planned = backend_hcl::files::plan_files(&context.target, slots);
    let root = context.layout.root();
    let written = backend_hcl::files::write_all(root, context.layout.style(), &planned, force)
        .map_err(write_failure)?;
    reporter.heading(format!(
        "Backend files ({}, --key-scheme {})",
        root.display(),
        context.layout.scheme()
    ));
    let exit = report_written(reporter, root, &written);
    if common.base.output == cli_support::OutputFormat::Json {
        #[derive(Serialize)]
        struct Document<'a> {
            root: &'a Path,
            key_scheme: String,
            infrastructure: Option<InfraFacts>,
            files: &'a [Written],
        }
        cli_support::print_json(&Document {
            root,
            key_scheme: context.layout.scheme().to_string(),
            infrastructure,
            files: &written,
        })?;
    }
    Ok(exit)
}

/// `--remove-tenant`: deletes the tenant's backend files (never its state in S3), after
/// confirmation.
pub fn remove_tenants(
    reporter: &Reporter,
    common: &CommonArgs,
    context: &Context,
    tenants: &[naming::Client],
    force: bool,
) -> Result<Exit, Failure> {
    let root = context.layout.root();
    let mut doomed = Vec::new();
    for tenant in tenants {
        let slots = context
            .layout
            .client_slots(&context.deployment, tenant, None)?;
        let mut existing: Vec<PathBuf> = Vec::new();
        for slot in slots {
            // Links and non-regular files are refused, as every read and write refuses them.
            if backend_hcl::files::existing(root, &slot.path)
                .map_err(write_failure)?
                .is_some()
            {
                existing.push(slot.path);
            }
        }
        if existing.is_empty() {
            return Err(Failure::usage(format!(
                "tenant `{tenant}` has no backend files under {}",
                root.join(context.layout.scope(Place::of(&context.deployment))[0].as_path())
                    .display()
            ))
            .with_hint("see them with --list-tenants"));
        }
        doomed.extend(existing);
    }
    reporter.heading("Backend files to remove (the state in S3 is not touched)");
    for path in &doomed {
        reporter.raw(&format!("   {}", root.join(path).display()));
    }
    let names: Vec<&str> = tenants.iter().map(naming::Client::as_str).collect();
    cli_support::confirm(
        &mut Terminal,
        &format!("remove the backend files of {}", names.join(", ")),
        force,
    )?;
    for path in &doomed {
        let full = root.join(path);
        std::fs::remove_file(&full).map_err(|error| {
            Failure::external(format!("cannot remove {}: {error}", full.display()))
        })?;
        if let Some(parent) = full.parent() {
            // Removes the tenant's folder once it is empty; a folder with other files stays.
            let _ = std::fs::remove_dir(parent);
        }
        reporter.success(format!("🗑️  Removed {}", full.display()));
    }
    if common.base.output == cli_support::OutputFormat::Json {
        cli_support::print_json(&serde_json::json!({"removed": doomed}))?;
    }
    Ok(Exit::Success)
}

/// One backend file, for `--show-all-paths`.
#[derive(Debug, Serialize)]
struct PathEntry {
    path: PathBuf,
    bucket: Option<String>,
    key: Option<String>,
    region: Option<String>,
    dynamodb_table: Option<String>,
    use_lockfile: Option<bool>,
    owner: Option<String>,
}

/// The backend files under the layout's root, of one deployment when all its flags are
/// given.
fn scan(layout: &Layout, place: Option<Place<'_>>) -> Result<Vec<backend_hcl::Found>, Failure> {
    backend_hcl::files::scan(layout, place).map_err(scan_failure)
}

/// `--show-all-paths`: every backend file with its bucket, key and table.
pub fn show_all_paths(
    reporter: &Reporter,
    common: &CommonArgs,
    layout: &Layout,
    place: Option<Place<'_>>,
) -> Result<Exit, Failure> {
    let found = scan(layout, place)?;
    let entries: Vec<PathEntry> = found
        .iter()
        .map(|file| PathEntry {
            path: layout.root().join(&file.path),
            bucket: file.config.bucket.clone(),
            key: file.config.key.clone(),
            region: file.config.region.clone(),
            dynamodb_table: file.config.dynamodb_table.clone(),
            use_lockfile: file.config.use_lockfile,
            owner: layout.owner_of(&file.path),
        })
        .collect();
    reporter.heading(format!(
        "All backend paths ({}, --key-scheme {})",
        layout.root().display(),
        layout.scheme()
    ));
    let none = || "-".to_owned();
    for entry in &entries {
        reporter.raw(&format!("📋 {}", entry.path.display()));
        reporter.raw(&format!(
            "     bucket: {}",
            entry.bucket.clone().unwrap_or_else(none)
        ));
        reporter.raw(&format!(
            "     key:    {}",
            entry.key.clone().unwrap_or_else(none)
        ));
        let lock = match (&entry.dynamodb_table, entry.use_lockfile) {
            (Some(table), Some(true)) => format!("{table} + use_lockfile"),
            (Some(table), _) => table.clone(),
            (None, Some(true)) => "use_lockfile".to_owned(),
            _ => "none".to_owned(),
        };
        reporter.raw(&format!("     lock:   {lock}"));
    }
    reporter.success(format!("✅ Found {} backend file(s)", entries.len()));
    if common.base.output == cli_support::OutputFormat::Json {
        cli_support::print_json(&serde_json::json!({"root": layout.root(), "files": entries}))?;
    }
    Ok(Exit::Success)
}

/// `--list-tenants`: the tenants (or clients) that have backend files.
pub fn list_tenants(
    reporter: &Reporter,
    common: &CommonArgs,
    layout: &Layout,
    place: Option<Place<'_>>,
) -> Result<Exit, Failure> {
    if layout.scheme() == KeyScheme::Layer {
        return Err(Failure::usage("the layer key scheme has no tenants")
            .with_hint("use --key-scheme tenant, client-centric or environment"));
    }
    let found = scan(layout, place)?;
    let mut tenants: std::collections::BTreeMap<String, Vec<PathBuf>> = Default::default();
    for file in &found {
        if let Some(owner) = layout.owner_of(&file.path) {
            tenants
                .entry(owner)
                .or_default()
                .push(layout.root().join(&file.path));
        }
    }
    reporter.heading(format!(
        "Tenants ({}, --key-scheme {})",
        layout.root().display(),
        layout.scheme()
    ));
    for (tenant, files) in &tenants {
        reporter.raw(&format!("   👥 {tenant} ({} file(s))", files.len()));
    }
    reporter.success(format!("✅ Found {} tenant(s)", tenants.len()));
    if common.base.output == cli_support::OutputFormat::Json {
        let list: Vec<_> = tenants
            .iter()
            .map(|(name, files)| serde_json::json!({"tenant": name, "files": files}))
            .collect();
        cli_support::print_json(&serde_json::json!({"tenants": list}))?;
    }
    Ok(Exit::Success)
}

/// `--check-sync`: AWS has the bucket and table, every file names them and the region, and
/// no two files share a state key. Exit 1 while anything is out of sync.
pub async fn check_sync(
    reporter: &Reporter,
    common: &CommonArgs,
    context: &Context,
    offline: bool,
) -> Result<Exit, Failure> {
    let found = scan(&context.layout, Some(Place::of(&context.deployment)))?;
    let infra = if offline {
        InfraFacts {
            bucket: BucketState::Reachable,
            table: context.target.table.as_ref().map(|_| TableState::Present),
        }
    } else {
        readiness(reporter, common, context).await?
    };
    let report = backend_hcl::sync::check(&context.target, &context.layout, &infra, &found);
    let root = context.layout.root();
    for finding in &report.findings {
        let paths: Vec<String> = finding
            .paths
            .iter()
            .map(|p| root.join(p).display().to_string())
            .collect();
        match paths.as_slice() {
            [] => reporter.error(format!("❌ {}", finding.message)),
            [one] => reporter.error(format!("❌ {one}: {}", finding.message)),
            many => {
                reporter.error(format!("❌ {}", finding.message));
                for path in many {
                    reporter.raw(&format!("     {path}"));
                }
            }
        }
    }
    if report.in_sync() {
        reporter.success(format!(
            "✅ Found {} tenant backend(s) configured",
            report.tenants.len()
        ));
        reporter.success(format!(
            "✅ All {} backend file(s) are in sync",
            report.files
        ));
    } else {
        reporter.error(format!(
            "Out of sync: {} problem(s) in {} backend file(s)",
            report.findings.len(),
            report.files
        ));
    }
    if common.base.output == cli_support::OutputFormat::Json {
        cli_support::print_json(&serde_json::json!({
            "in_sync": report.in_sync(),
            "bucket": context.target.bucket,
            "table": context.target.table,
            "region": context.deployment.region,
            "report": report,
        }))?;
    }
    Ok(if report.in_sync() {
        Exit::Success
    } else {
        Exit::Findings
    })
}
