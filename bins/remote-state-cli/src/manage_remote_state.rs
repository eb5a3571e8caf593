//! `manage-remote-state`: Terraform's remote state in the project's bucket once it exists:
//! every state, its versions and what changed between them, a version restored (with the
//! digest Terraform checks), locks listed and released, integrity verified and repaired,
//! old versions pruned, states migrated between key layouts (`migrate`), backed up to
//! another bucket (`backup`), and run from the replica in another region (`failover`). This
//! tool has no original script; it follows the others'
//! conventions: `--region --environment --project-name`, `shared-config.toml`,
//! `--output json`, `--dry-run`, `--force`.
//!
//! Exit codes: 0 done (or a dry run, or nothing wrong), 1 `verify` found an error (or
//! `migrate --finish` left an old state alone, or `backup --verify` found a gap), 2 bad flags or input (an unknown state or
//! version, a bad map), 3 AWS failure, 4 refused for safety (declined, no terminal to ask
//! on, locked, another lineage, an older serial, a young lock, a migration's collision).

use std::process::ExitCode;

use chrono::{TimeDelta, Utc};
use clap::{Parser, Subcommand};
use cli_support::confirm::{Terminal, confirm};
use cli_support::output::{OutputFormat, print_json};
use cli_support::project::{ProjectArgs, deployment, region};
use cli_support::{CommonArgs, Exit, Failure, Reporter};
use naming::LockMode;
use naming::config::{Defaults, Flags};
use remote_state::api::Condition;
use remote_state::model::{Lock, Observed};
use remote_state::state::is_state_key;
use remote_state::verify::{self, Finding, Severity};
use remote_state::{Depth, Survey, Target, ops, prune, restore, unlock};
use serde_json::json;

mod backup;
mod failover;
mod migrate;

const EXAMPLES: &str = "\
Examples:
  # Every state of the project, with its serial, lock and digest
  manage-remote-state --region us-east-2 --environment production list

  # The versions of one state, and what changed between two of them
  manage-remote-state versions tenants/acme/terraform.tfstate
  manage-remote-state diff tenants/acme/terraform.tfstate --from 3HL4kqtJ

  # Make an earlier version current again (under Terraform's lock, digest updated)
  manage-remote-state restore tenants/acme/terraform.tfstate --version 3HL4kqtJ

  # Who holds which lock, and release a dead one
  manage-remote-state locks
  manage-remote-state unlock tenants/acme/terraform.tfstate

  # Prove every state's integrity, then fix what can be fixed safely
  manage-remote-state verify
  manage-remote-state repair --dry-run

  # Keep the five newest noncurrent versions of each state
  manage-remote-state prune --keep 5 --dry-run

  # Move seed 000's tenant states to the client-centric layout, history included
  manage-remote-state migrate --from-scheme tenant --to-scheme client-centric --all-versions --dry-run
  manage-remote-state migrate --from-scheme tenant --to-scheme client-centric --finish

  # Back every state up to another account's bucket, then prove the backup fresh
  manage-remote-state backup --to-bucket ohio-01-state-backup --to-profile backup
  manage-remote-state backup --to-bucket ohio-01-state-backup --to-profile backup --verify --max-age 25h

  # Run from the replica (provision-s3-* --replicate-to us-west-2): digest rows, backend files
  manage-remote-state failover --to-region us-west-2 --dry-run
  manage-remote-state failover --to-region us-west-2";

/// Terraform's remote state in S3 and its lock table: list every state, its versions and
/// diffs, restore a version, list and release locks, verify and repair integrity, prune old
/// versions.
#[derive(Debug, Parser)]
#[command(name = "manage-remote-state", version, after_help = EXAMPLES)]
pub struct Cli {
    #[command(flatten)]
    project: ProjectArgs,

    /// The state bucket [default: the project's]
    #[arg(long, value_name = "NAME", global = true)]
    bucket: Option<String>,

    /// The lock table [default: the project's, unless --lock s3]
    #[arg(long, value_name = "NAME", global = true)]
    table: Option<String>,

    /// How the states are locked: dynamodb, s3 (lock files) or both [env: TFSTATE_LOCK]
    #[arg(long, value_name = "MODE", global = true)]
    lock: Option<String>,

    #[command(subcommand)]
    command: Command,

    #[command(flatten)]
    common: CommonArgs,
}

/// `--prefix`, for the commands that read every state.
#[derive(Debug, clap::Args)]
struct Scope {
    /// Only the states under this prefix
    #[arg(long, value_name = "PREFIX", default_value = "")]
    prefix: String,
}

/// `--dry-run` and `--force`, for the commands that change something.
#[derive(Debug, Clone, Copy, clap::Args)]
struct Change {
    /// Show what would change, change nothing
    #[arg(long)]
    dry_run: bool,
    /// Do not ask (restore: also another lineage or an older serial; unlock: also a young
    /// lock)
    #[arg(long)]
    force: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Every state in the bucket (every workspace), with size, last change, serial,
    /// lineage, Terraform version, resources, versions, lock and digest; orphaned rows
    List {
        #[command(flatten)]
        scope: Scope,
        /// Where the backend files are [default: backends/ at the repository root, or the
        /// repository root for the layer key scheme]
        #[arg(long, value_name = "DIR")]
        backends_dir: Option<std::path::PathBuf>,
    },
    /// The versions of one state, newest first
    Versions {
        /// The state's object path, such as tenants/acme/terraform.tfstate
        key: String,
    },
    /// One version's header and the names of its resources and outputs (never values)
    Show {
        /// The state's object path
        key: String,
        /// The version [default: the current one]
        #[arg(long, value_name = "ID")]
        version: Option<String>,
    },
    /// Resources and outputs added, removed or changed between two versions (names only)
    Diff {
        /// The state's object path
        key: String,
        /// The older version
        #[arg(long, value_name = "ID")]
        from: String,
        /// The newer version [default: the current one]
        #[arg(long, value_name = "ID")]
        to: Option<String>,
    },
    /// Make a version current again, under the state's lock, with its digest
    Restore {
        /// The state's object path
        key: String,
        /// The version to make current
        #[arg(long, value_name = "ID")]
        version: String,
        #[command(flatten)]
        change: Change,
    },
    /// Every lock: holder, operation, Terraform version, age
    Locks,
    /// Release a state's lock, only if it is still the lock shown
    Unlock {
        /// The state's object path
        key: String,
        /// Release only the lock with this id (Terraform's `force-unlock` id)
        #[arg(long, value_name = "ID")]
        lock_id: Option<String>,
        /// A younger lock is refused without --force
        #[arg(long, default_value = "15m", value_parser = cli_support::args::duration, value_name = "DURATION")]
        min_age: TimeDelta,
        #[command(flatten)]
        change: Change,
    },
    /// Every state's digest, JSON, serials and lineage across versions; orphaned rows
    Verify {
        #[command(flatten)]
        scope: Scope,
        /// Check only each state's current version (its digest row and its JSON), not its
        /// history: what Terraform reads now, one read a state
        #[arg(long)]
        current: bool,
    },
    /// Fix what verify finds that can be fixed safely: digests of valid, unlocked states,
    /// orphaned digest rows
    Repair {
        #[command(flatten)]
        scope: Scope,
        #[command(flatten)]
        change: Change,
    },
    /// Move states to new keys (another key scheme, or a map of old and new keys): every
    /// move planned, and refused on a collision, first; each state copied under both keys'
    /// locks with its digest; the new layout's backend files written; the old states kept
    /// until --finish
    Migrate {
        /// The key scheme the states are in: tenant, client-centric, layer, environment
        #[arg(
            long,
            value_name = "SCHEME",
            requires = "to_scheme",
            conflicts_with = "map"
        )]
        from_scheme: Option<String>,
        /// The key scheme they go to
        #[arg(long, value_name = "SCHEME", requires = "from_scheme")]
        to_scheme: Option<String>,
        /// A file of `OLD-KEY NEW-KEY` lines, instead of two schemes
        #[arg(long, value_name = "FILE", required_unless_present = "from_scheme")]
        map: Option<std::path::PathBuf>,
        /// Rename layers on the way: old=new,old=new (layers keep their names otherwise)
        #[arg(long, value_name = "OLD=NEW,...", requires = "from_scheme")]
        layer_map: Option<String>,
        /// Copy every version, oldest first, so the history moves too [default: the current
        /// version]
        #[arg(long)]
        all_versions: bool,
        /// Retire the old states the migration moved (a delete marker each, their versions
        /// kept), after checking nothing wrote to them since
        #[arg(long)]
        finish: bool,
        /// With --finish and --force: the state bucket's name, to retire without a terminal
        #[arg(long, value_name = "NAME", requires = "finish")]
        confirm_bucket: Option<String>,
        /// Where the backend files are [default: the scheme's folder at the repository root]
        #[arg(long, value_name = "DIR")]
        backends_dir: Option<std::path::PathBuf>,
        #[command(flatten)]
        change: Change,
    },
    /// Copy every state's current version (or every version) to another bucket, possibly
    /// in another account or region, with a manifest; a re-run copies only what changed;
    /// --verify proves a backup complete and fresh
    Backup {
        /// The backup bucket
        #[arg(long, value_name = "NAME")]
        to_bucket: String,
        /// The backup bucket's region [default: the state bucket's]
        #[arg(long, value_name = "REGION")]
        to_region: Option<String>,
        /// The AWS profile that writes the backup (another account's) [default: the run's]
        #[arg(long, value_name = "NAME")]
        to_profile: Option<String>,
        /// Copy every version, not only each state's current one
        #[arg(long)]
        all_versions: bool,
        /// Check the backup instead: every state's current version in it, each copy read
        /// back; exit 1 when it is not complete and fresh
        #[arg(long)]
        verify: bool,
        /// With --verify: a backup whose last run is older than this is stale: 25h, 7d
        #[arg(long, value_parser = cli_support::args::duration, value_name = "DURATION", requires = "verify")]
        max_age: Option<TimeDelta>,
        /// Show what would be copied, copy nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Prepare to run Terraform from the replica in another region: digest rows for the
    /// replica bucket in that region's lock table, and backend files pointing at the replica
    Failover {
        /// The replica's region
        #[arg(long, value_name = "REGION")]
        to_region: String,
        /// The replica bucket [default: the project's, `{state bucket}-replica-{region}`]
        #[arg(long, value_name = "NAME")]
        to_bucket: Option<String>,
        /// The replica region's lock table [default: the project's in that region]
        #[arg(long, value_name = "NAME")]
        to_table: Option<String>,
        /// Where the backend files are [default: the scheme's folder at the repository root]
        #[arg(long, value_name = "DIR")]
        backends_dir: Option<std::path::PathBuf>,
        /// Where the failover backend files go, each at its file's place in the layout
        /// [default: failover-REGION]
        #[arg(long, value_name = "DIR")]
        out_dir: Option<std::path::PathBuf>,
        #[command(flatten)]
        change: Change,
    },
    /// Delete noncurrent versions beyond what is kept (never the current version, never a
    /// locked state)
    Prune {
        /// Keep this many noncurrent versions of each state
        #[arg(long, value_name = "N", required_unless_present = "older_than")]
        keep: Option<usize>,
        /// Delete only noncurrent versions older than this: 90d, 12h
        #[arg(long, value_parser = cli_support::args::duration, value_name = "DURATION")]
        older_than: Option<TimeDelta>,
        #[command(flatten)]
        scope: Scope,
        #[command(flatten)]
        change: Change,
    },
}

/// Where the states are, and the clients to reach them.
struct Place {
    target: Target,
    aws: aws_client::Aws,
    json: bool,
    scheme: naming::KeyScheme,
    region: naming::Region,
    /// The project's deployment, when it was needed (or given).
    deployment: Option<naming::Deployment>,
    /// The naming patterns.
    rules: naming::NamingRules,
}

async fn place(cli: &Cli) -> Result<Place, Failure> {
    if let Some(bucket) = &cli.bucket {
        naming::BucketName::new(bucket)?;
    }
    if let Some(table) = &cli.table {
        naming::TableName::new(table.as_str())?;
    }
    let flags = Flags {
        lock: cli.lock.as_deref(),
        ..Flags::default()
    };
    let settings = cli
        .project
        .settings(&cli.common, flags, Defaults::default())?;
    let region = region(&settings, &cli.common).await?;
    let lock = settings.lock.value;
    let named = cli.bucket.is_some() && (cli.table.is_some() || lock == LockMode::S3);
    let needs_deployment = matches!(
        cli.command,
        Command::Migrate {
            from_scheme: Some(_),
            ..
        } | Command::Failover {
            to_bucket: None,
            ..
        }
    );
    let deployment = match named && !needs_deployment {
        true => None,
        false => Some(deployment(&settings, &cli.common).await?),
    };
    let names = match (&deployment, named) {
        (Some(deployment), false) => Some(settings.naming.names(deployment)?),
        _ => None,
    };
    let bucket = match (&cli.bucket, &names) {
        (Some(bucket), _) => bucket.clone(),
        (None, Some(names)) => names.state_bucket.to_string(),
        (None, None) => unreachable!("names are resolved without --bucket"),
    };
    let table = match lock {
        LockMode::S3 => None,
        _ => cli
            .table
            .clone()
            .or_else(|| names.as_ref().map(|names| names.lock_table.to_string())),
    };
    let aws = cli_support::aws::connect(&cli.common, region).await?;
    // Who is calling, first: from then on every bucket request carries the caller's account
    // as the expected bucket owner (aws-behaviour.md P11).
    aws.caller().await?;
    Ok(Place {
        target: Target {
            bucket,
            table,
            lockfiles: matches!(lock, LockMode::S3 | LockMode::Both),
        },
        aws,
        json: cli.common.base.output == OutputFormat::Json,
        scheme: settings
            .key_scheme
            .as_ref()
            .map_or(naming::KeyScheme::Tenant, |scheme| scheme.value),
        region,
        deployment,
        rules: settings.naming.clone(),
    })
}

impl Place {
    async fn survey(&self, prefix: &str, depth: Depth) -> Result<Survey, Failure> {
        remote_state::survey(&self.aws, &self.target, prefix, depth)
            .await
            .map_err(op_failure)
    }

    /// The one state at `key`, which must exist (have versions).
    async fn state(&self, key: &str, depth: Depth) -> Result<Observed, Failure> {
        if !is_state_key(key) {
            return Err(Failure::usage(format!("`{key}` is not a state's object path")).with_hint(
                "give the path of a .tfstate object, such as tenants/acme/terraform.tfstate; `manage-remote-state list` shows them",
            ));
        }
        let survey = self.survey(key, depth).await?;
        survey
            .states
            .into_iter()
            .find(|state| state.id.key == key)
            .ok_or_else(|| {
                Failure::usage(format!("no state at s3://{}/{key}", self.target.bucket))
                    .with_hint("`manage-remote-state list` shows every state of the bucket")
            })
    }
}

fn op_failure(error: ops::OpError) -> Failure {
    match error {
        ops::OpError::Aws(error) => error.into(),
        other @ (ops::OpError::Locked { .. }
        | ops::OpError::Changed { .. }
        | ops::OpError::LockLost { .. }) => Failure::refused(other.to_string()),
        other => Failure::external(other.to_string()),
    }
}

fn size(bytes: u64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0)),
    }
}

fn when(time: Option<chrono::DateTime<Utc>>) -> String {
    time.map_or_else(
        || "-".to_owned(),
        |time| time.format("%Y-%m-%d %H:%M").to_string(),
    )
}

fn digest_status(state: &Observed) -> &'static str {
    match (state.current_read(), &state.digest) {
        (None, _) => "-",
        (Some(_), None) => "missing",
        (Some(read), Some(digest)) if *digest == read.md5 => "ok",
        (Some(_), Some(_)) => "MISMATCH",
    }
}

fn lock_line(lock: &Lock) -> String {
    let age = lock
        .age(Utc::now())
        .map_or_else(|| "unknown age".to_owned(), unlock::human);
    format!("{} for {age}", lock.holder())
}

/// What became of each backend file written under `root`: created, up to date, rewritten
/// (`why`), or left as it is because it holds other settings (with the diff).
fn report_written(
    reporter: &Reporter,
    root: &std::path::Path,
    written: &[backend_hcl::Written],
    why: &str,
) {
    for file in written {
        let path = root.join(&file.path);
        match &file.status {
            backend_hcl::Status::Created => reporter.success(format!("Wrote {}", path.display())),
            backend_hcl::Status::Unchanged => {
                reporter.info(format!("{} is up to date", path.display()))
            }
            backend_hcl::Status::Differs { diff } => {
                reporter.warning(format!(
                    "{} holds other settings; left as it is:",
                    path.display()
                ));
                reporter.raw(diff);
            }
            backend_hcl::Status::Updated { .. } => {
                reporter.success(format!("Rewrote {} {why}", path.display()))
            }
        }
    }
}

/// The backend files of the layout, with the state each names (bucket and key).
struct BackendFile {
    path: std::path::PathBuf,
    bucket: Option<String>,
    key: Option<String>,
    config: backend_hcl::BackendConfig,
}

fn backend_files(
    place: &Place,
    dir: Option<&std::path::Path>,
) -> Result<(std::path::PathBuf, Vec<BackendFile>), Failure> {
    backend_files_of(place.scheme, dir)
}

/// The backend files of `scheme`'s layout (under `dir`, or its default folder).
fn backend_files_of(
    scheme: naming::KeyScheme,
    dir: Option<&std::path::Path>,
) -> Result<(std::path::PathBuf, Vec<BackendFile>), Failure> {
    let layout = backend_hcl::Layout::in_repository(scheme, dir);
    let found = backend_hcl::files::scan(&layout, None).map_err(|error| {
        Failure::usage(error.to_string())
            .with_hint("fix or move the file, or point --backends-dir elsewhere")
    })?;
    Ok((
        layout.root().to_owned(),
        found
            .into_iter()
            .map(|file| BackendFile {
                path: layout.root().join(&file.path),
                bucket: file.config.bucket.clone(),
                key: file.config.key.clone(),
                config: file.config,
            })
            .collect(),
    ))
}

/// Which backend files name which state of `bucket`, and the orphans both ways: states no
/// file names, and files of this bucket whose state does not exist (in any workspace).
#[derive(Debug, Default, PartialEq, Eq)]
struct Pointers {
    /// State key → the files that name it (its backend key, any workspace).
    files: std::collections::BTreeMap<String, Vec<String>>,
    /// Existing states no file names.
    unnamed: Vec<String>,
    /// Files of this bucket whose key has no existing state: (file, key).
    dangling: Vec<(String, String)>,
}

fn pointers(bucket: &str, states: &[Observed], files: &[BackendFile]) -> Pointers {
    let mut found = Pointers::default();
    let ours: Vec<(&BackendFile, &str)> = files
        .iter()
        .filter(|file| file.bucket.as_deref() == Some(bucket))
        .filter_map(|file| Some((file, file.key.as_deref()?)))
        .collect();
    for state in states.iter().filter(|state| state.current().is_some()) {
        let naming: Vec<String> = ours
            .iter()
            .filter(|(_, key)| *key == state.id.backend_key)
            .map(|(file, _)| file.path.display().to_string())
            .collect();
        if naming.is_empty() {
            found.unnamed.push(state.id.key.clone());
        }
        found.files.insert(state.id.key.clone(), naming);
    }
    for (file, key) in ours {
        let exists = states
            .iter()
            .any(|state| state.current().is_some() && state.id.backend_key == key);
        if !exists {
            found
                .dangling
                .push((file.path.display().to_string(), key.to_owned()));
        }
    }
    found
}

async fn list(
    place: &Place,
    prefix: &str,
    (backends, files): &(std::path::PathBuf, Vec<BackendFile>),
    reporter: &Reporter,
) -> Result<Exit, Failure> {
    let survey = place.survey(prefix, Depth::Current).await?;
    let orphans = survey.orphans();
    let pointers = pointers(&place.target.bucket, &survey.states, files);
    if place.json {
        let states: Vec<_> = survey
            .states
            .iter()
            .map(|state| {
                let summary = state
                    .current_read()
                    .and_then(|read| read.content.as_ref().ok())
                    .and_then(|content| content.summary());
                let encrypted = state.current_read().is_some_and(|read| {
                    matches!(
                        read.content,
                        Ok(remote_state::state::Content::Encrypted { .. })
                    )
                });
                json!({
                    "key": state.id.key,
                    "workspace": state.id.workspace.to_string(),
                    "deleted": state.current().is_none(),
                    "size": state.current().map(|v| v.size),
                    "last_modified": state.current().and_then(|v| v.last_modified),
                    "serial": summary.map(|s| s.serial),
                    "lineage": summary.map(|s| s.lineage.clone()),
                    "terraform_version": summary.map(|s| s.terraform_version.clone()),
                    "resources": summary.map(|s| s.resources.len()),
                    "encrypted": encrypted,
                    "versions": state.object_versions().count(),
                    "locks": state.locks,
                    "digest": digest_status(state),
                    "backend_files": pointers.files.get(&state.id.key),
                })
            })
            .collect();
        let dangling: Vec<_> = pointers
            .dangling
            .iter()
            .map(|(file, key)| json!({"file": file, "key": key}))
            .collect();
        print_json(&json!({
            "bucket": place.target.bucket,
            "backends_dir": backends.display().to_string(),
            "states": states,
            "orphaned_rows": orphans,
            "states_without_backend_file": pointers.unnamed,
            "backend_files_without_state": dangling,
        }))?;
        return Ok(Exit::Success);
    }
    reporter.heading(format!("States in s3://{}", place.target.bucket));
    if survey.states.is_empty() {
        reporter.info("No state under this prefix");
    }
    for state in &survey.states {
        let Some(current) = state.current() else {
            reporter.raw(&format!(
                "  {}  (deleted; {} versions kept)",
                state.id.key,
                state.object_versions().count()
            ));
            continue;
        };
        let header = match state.current_read().map(|read| &read.content) {
            Some(Ok(remote_state::state::Content::Plain(summary))) => format!(
                "serial {}, {} resources, Terraform {}, lineage {}",
                summary.serial,
                summary.resources.len(),
                summary.terraform_version,
                summary.lineage
            ),
            Some(Ok(remote_state::state::Content::Encrypted { .. })) => {
                "encrypted (OpenTofu)".to_owned()
            }
            Some(Err(error)) => format!("INVALID: {error}"),
            None => "unread".to_owned(),
        };
        reporter.raw(&format!("  {} [{}]", state.id.key, state.id.workspace));
        reporter.raw(&format!(
            "      {header}; {}, changed {}, {} versions, digest {}",
            size(current.size),
            when(current.last_modified),
            state.object_versions().count(),
            digest_status(state)
        ));
        for lock in &state.locks {
            reporter.raw(&format!("      locked by {}", lock_line(lock)));
        }
        for file in pointers.files.get(&state.id.key).into_iter().flatten() {
            reporter.raw(&format!("      backend file {file}"));
        }
    }
    for orphan in &orphans {
        reporter.warning(orphan.describe());
    }
    if files.is_empty() {
        reporter.info(format!(
            "No backend file under {}: --backends-dir names another folder",
            backends.display()
        ));
    } else {
        for key in &pointers.unnamed {
            reporter.warning(format!(
                "{key}: no backend file under {} names this state",
                backends.display()
            ));
        }
        for (file, key) in &pointers.dangling {
            reporter.warning(format!(
                "{file}: its state {key} does not exist in s3://{}",
                place.target.bucket
            ));
        }
    }
    Ok(Exit::Success)
}

async fn versions(place: &Place, key: &str, reporter: &Reporter) -> Result<Exit, Failure> {
    let state = place.state(key, Depth::Every).await?;
    if place.json {
        print_json(&json!({"state": state.id, "versions": state.versions, "reads": state.reads}))?;
        return Ok(Exit::Success);
    }
    reporter.heading(format!("Versions of {}", state.id));
    for version in &state.versions {
        let what = match state
            .reads
            .iter()
            .find(|read| read.version_id == version.id)
        {
            _ if version.delete_marker => "delete marker".to_owned(),
            Some(read) => match &read.content {
                Ok(remote_state::state::Content::Plain(summary)) => format!(
                    "serial {}, {} resources, Terraform {}",
                    summary.serial,
                    summary.resources.len(),
                    summary.terraform_version
                ),
                Ok(remote_state::state::Content::Encrypted { .. }) => "encrypted".to_owned(),
                Err(error) => format!("INVALID: {error}"),
            },
            None => "unread".to_owned(),
        };
        reporter.raw(&format!(
            "  {}{}  {}  {}  {what}",
            version.id,
            if version.is_latest { " (current)" } else { "" },
            when(version.last_modified),
            size(version.size)
        ));
    }
    Ok(Exit::Success)
}

fn read_of<'a>(
    state: &'a Observed,
    version: Option<&str>,
) -> Result<&'a remote_state::model::Read, Failure> {
    let found = match version {
        Some(version) => state.reads.iter().find(|read| read.version_id == version),
        None => state.current_read(),
    };
    found.ok_or_else(|| {
        let what = version.map_or_else(
            || "no current version (it is deleted)".to_owned(),
            |v| format!("no version {v}"),
        );
        Failure::usage(format!("{} has {what}", state.id)).with_hint(format!(
            "`manage-remote-state versions {}` lists them",
            state.id.key
        ))
    })
}

async fn show(
    place: &Place,
    key: &str,
    version: Option<&str>,
    reporter: &Reporter,
) -> Result<Exit, Failure> {
    let state = place.state(key, Depth::Every).await?;
    let read = read_of(&state, version)?;
    if place.json {
        print_json(&json!({"state": state.id, "version": read}))?;
        return Ok(Exit::Success);
    }
    reporter.heading(format!("{} version {}", state.id, read.version_id));
    match &read.content {
        Ok(remote_state::state::Content::Plain(summary)) => {
            reporter.raw(&format!("  format {}, Terraform {}, serial {}, lineage {}", summary.format, summary.terraform_version, summary.serial, summary.lineage));
            reporter.raw(&format!("  {} resources:", summary.resources.len()));
            for address in summary.resources.keys() {
                reporter.raw(&format!("    {address}"));
            }
            reporter.raw(&format!("  {} outputs:", summary.outputs.len()));
            for (name, output) in &summary.outputs {
                reporter.raw(&format!("    {name}{}", if output.sensitive { " (sensitive)" } else { "" }));
            }
        }
        Ok(remote_state::state::Content::Encrypted { encryption_version }) => reporter.raw(&format!(
            "  encrypted by OpenTofu (envelope {encryption_version}): readable only with its key"
        )),
        Err(error) => reporter.warning(format!("not a valid state: {error}")),
    }
    reporter.raw(&format!("  md5 {}", read.md5));
    Ok(Exit::Success)
}

fn summary_of<'a>(
    state: &Observed,
    read: &'a remote_state::model::Read,
) -> Result<&'a remote_state::state::Summary, Failure> {
    match &read.content {
        Ok(remote_state::state::Content::Plain(summary)) => Ok(summary),
        Ok(_) => Err(Failure::usage(format!(
            "version {} of {} is encrypted: it cannot be compared without its key",
            read.version_id, state.id
        ))),
        Err(error) => Err(Failure::usage(format!(
            "version {} of {} is not a valid state: {error}",
            read.version_id, state.id
        ))),
    }
}

fn print_changes(reporter: &Reporter, what: &str, changes: &remote_state::diff::Changes) {
    for (mark, names) in [
        ("+", &changes.added),
        ("-", &changes.removed),
        ("~", &changes.changed),
    ] {
        for name in names {
            reporter.raw(&format!("  {mark} {what} {name}"));
        }
    }
}

async fn diff(
    place: &Place,
    key: &str,
    from: &str,
    to: Option<&str>,
    reporter: &Reporter,
) -> Result<Exit, Failure> {
    let state = place.state(key, Depth::Every).await?;
    let (older, newer) = (read_of(&state, Some(from))?, read_of(&state, to)?);
    let found = remote_state::diff::diff(summary_of(&state, older)?, summary_of(&state, newer)?);
    if place.json {
        print_json(
            &json!({"state": state.id, "from": older.version_id, "to": newer.version_id, "diff": found}),
        )?;
        return Ok(Exit::Success);
    }
    reporter.heading(format!(
        "{}: {} → {} (serial {} → {})",
        state.id, older.version_id, newer.version_id, found.serial.0, found.serial.1
    ));
    if found.lineage_differs {
        reporter.warning("the lineages differ: these are two states, not two versions of one");
    }
    print_changes(reporter, "resource", &found.resources);
    print_changes(reporter, "output", &found.outputs);
    if found.resources.is_empty() && found.outputs.is_empty() {
        reporter.info("No resource or output changed");
    }
    Ok(Exit::Success)
}

fn refused(refusals: &[restore::Refusal]) -> Failure {
    let message = refusals
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ");
    match refusals {
        [
            restore::Refusal::UnknownVersion { .. }
            | restore::Refusal::AlreadyCurrent { .. }
            | restore::Refusal::Invalid { .. },
        ] => Failure::usage(message),
        _ => Failure::refused(message),
    }
}

async fn restore_version(
    place: &Place,
    key: &str,
    version: &str,
    change: Change,
    reporter: &Reporter,
) -> Result<Exit, Failure> {
    let Change { dry_run, force } = change;
    let state = place.state(key, Depth::Every).await?;
    let plan = restore::plan(&state, version, force).map_err(|refusals| refused(&refusals))?;
    if !place.json {
        reporter.heading(format!(
            "Restore {} to version {}",
            state.id, plan.version_id
        ));
        if let Some(diff) = &plan.diff {
            reporter.raw(&format!("  serial {} → {}", diff.serial.0, diff.serial.1));
            print_changes(reporter, "resource", &diff.resources);
            print_changes(reporter, "output", &diff.outputs);
        }
        if place.target.table.is_some() {
            reporter.raw(&format!("  digest row set to {}", plan.md5));
        }
    }
    if dry_run {
        if place.json {
            print_json(&json!({"state": state.id, "plan": plan, "dry_run": true}))?;
        } else {
            reporter.info("Dry run: nothing changed");
        }
        return Ok(Exit::Success);
    }
    confirm(
        &mut Terminal,
        &format!("restore {} to version {}", state.id, plan.version_id),
        force,
    )?;
    let new = ops::restore(&place.aws, &place.target, &state.id, &plan)
        .await
        .map_err(op_failure)?;
    if place.json {
        print_json(&json!({"state": state.id, "plan": plan, "new_version": new}))?;
    } else {
        reporter.success(format!(
            "Restored: version {} is current again as version {new}",
            plan.version_id
        ));
    }
    Ok(Exit::Success)
}

async fn locks(place: &Place, reporter: &Reporter) -> Result<Exit, Failure> {
    let survey = place.survey("", Depth::Current).await?;
    let locked: Vec<(&Observed, &Lock)> = survey
        .states
        .iter()
        .flat_map(|state| state.locks.iter().map(move |lock| (state, lock)))
        .collect();
    let orphans: Vec<_> = survey
        .orphans()
        .into_iter()
        .filter(|finding| matches!(finding, Finding::OrphanLock { .. }))
        .collect();
    if place.json {
        let locks: Vec<_> = locked.iter().map(|(state, lock)| json!({"key": state.id.key, "lock": lock, "age_seconds": lock.age(Utc::now()).map(|age| age.num_seconds())})).collect();
        print_json(&json!({"bucket": place.target.bucket, "locks": locks, "orphans": orphans}))?;
        return Ok(Exit::Success);
    }
    reporter.heading(format!("Locks in s3://{}", place.target.bucket));
    if locked.is_empty() {
        reporter.info("No state is locked");
    }
    for (state, lock) in &locked {
        let id = lock.info.as_ref().map_or("?", |info| info.id.as_str());
        reporter.raw(&format!("  {} ({:?}, id {id})", state.id.key, lock.kind));
        reporter.raw(&format!("      {}", lock_line(lock)));
    }
    for orphan in &orphans {
        reporter.warning(orphan.describe());
    }
    Ok(Exit::Success)
}

struct Release<'a> {
    key: &'a str,
    lock_id: Option<&'a str>,
    min_age: TimeDelta,
    change: Change,
}

async fn release(place: &Place, asked: Release<'_>, reporter: &Reporter) -> Result<Exit, Failure> {
    let state = place.state(asked.key, Depth::Current).await?;
    let name = state.id.to_string();
    let Some(first) = state.locks.first() else {
        return Err(Failure::usage(
            unlock::Refusal::NotLocked { state: name }.to_string(),
        ));
    };
    for lock in &state.locks {
        unlock::judge(
            &name,
            lock,
            asked.lock_id,
            Utc::now(),
            asked.min_age,
            asked.change.force,
        )
        .map_err(|refusal| Failure::refused(refusal.to_string()))?;
    }
    if !place.json {
        reporter.heading(format!("Unlock {name}"));
        for lock in &state.locks {
            reporter.raw(&format!("  held by {}", lock_line(lock)));
        }
    }
    if asked.change.dry_run {
        if place.json {
            print_json(&json!({"state": state.id, "locks": state.locks, "dry_run": true}))?;
        } else {
            reporter.info("Dry run: nothing released");
        }
        return Ok(Exit::Success);
    }
    confirm(
        &mut Terminal,
        &format!("release the lock {} holds on {name}", first.holder()),
        asked.change.force,
    )?;
    for lock in &state.locks {
        let released = ops::unlock(&place.aws, &place.target, &state.id, lock)
            .await
            .map_err(op_failure)?;
        if released == Condition::Failed {
            return Err(Failure::refused(format!(
                "the lock on {name} changed since it was shown: nothing released"
            ))
            .with_hint("run `manage-remote-state locks` to see who holds it now"));
        }
    }
    if place.json {
        print_json(&json!({"state": state.id, "released": state.locks}))?;
    } else {
        reporter.success(format!("Released the lock on {name}"));
    }
    Ok(Exit::Success)
}

/// Every finding of a survey: each state's, then the orphaned rows.
fn findings(survey: &Survey) -> Vec<(Option<&Observed>, Finding)> {
    let mut all: Vec<(Option<&Observed>, Finding)> = survey
        .states
        .iter()
        .flat_map(|state| {
            verify::check(state)
                .into_iter()
                .map(move |finding| (Some(state), finding))
        })
        .collect();
    all.extend(survey.orphans().into_iter().map(|finding| (None, finding)));
    all
}

async fn check(
    place: &Place,
    prefix: &str,
    depth: Depth,
    reporter: &Reporter,
) -> Result<Exit, Failure> {
    let survey = place.survey(prefix, depth).await?;
    let found = findings(&survey);
    let errors = found
        .iter()
        .filter(|(_, finding)| finding.severity() == Severity::Error)
        .count();
    if place.json {
        let items: Vec<_> = found.iter().map(|(_, finding)| json!({"severity": finding.severity(), "finding": finding, "message": finding.describe()})).collect();
        print_json(
            &json!({"bucket": place.target.bucket, "states": survey.states.len(), "findings": items, "errors": errors}),
        )?;
    } else {
        reporter.heading(format!(
            "Verify {} states in s3://{}",
            survey.states.len(),
            place.target.bucket
        ));
        for (_, finding) in &found {
            match finding.severity() {
                Severity::Error => reporter.error(finding.describe()),
                Severity::Warning => reporter.warning(finding.describe()),
            }
        }
        match errors {
            0 => reporter.success(format!("No error ({} warnings)", found.len())),
            n => reporter.hint(format!(
                "{n} error(s): `manage-remote-state repair` fixes what can be fixed safely"
            )),
        }
    }
    Ok(if errors > 0 {
        Exit::Findings
    } else {
        Exit::Success
    })
}

async fn repair(
    place: &Place,
    prefix: &str,
    change: Change,
    reporter: &Reporter,
) -> Result<Exit, Failure> {
    let Change { dry_run, force } = change;
    let survey = place.survey(prefix, Depth::Every).await?;
    let (mut fixes, mut left) = (Vec::new(), Vec::new());
    for state in &survey.states {
        let (state_fixes, state_left) = verify::repairs(state, &verify::check(state));
        fixes.extend(state_fixes);
        left.extend(state_left);
    }
    let (orphan_fixes, orphan_left) = verify::repair_orphans(&survey.orphans());
    fixes.extend(orphan_fixes);
    left.extend(orphan_left);
    if !place.json {
        reporter.heading(format!("Repair states in s3://{}", place.target.bucket));
        for fix in &fixes {
            reporter.raw(&format!("  {}", fix.describe()));
        }
        for item in &left {
            reporter.warning(format!(
                "left alone: {} ({})",
                item.finding.describe(),
                item.reason
            ));
        }
    }
    if fixes.is_empty() || dry_run {
        if place.json {
            print_json(&json!({"fixes": fixes, "left": left, "dry_run": dry_run}))?;
        } else if fixes.is_empty() {
            reporter.info("Nothing to repair");
        } else {
            reporter.info("Dry run: nothing changed");
        }
        return Ok(Exit::Success);
    }
    confirm(
        &mut Terminal,
        &format!("make {} fix(es)", fixes.len()),
        force,
    )?;
    let mut changed = Vec::new();
    for fix in &fixes {
        match ops::apply_fix(&place.aws, &place.target, fix)
            .await
            .map_err(op_failure)?
        {
            Condition::Held => {
                changed.push(fix.describe());
                if !place.json {
                    reporter.success(fix.describe());
                }
            }
            Condition::Failed if !place.json => reporter.warning(format!(
                "skipped, it changed since it was read: {}",
                fix.describe()
            )),
            Condition::Failed => {}
        }
    }
    if place.json {
        print_json(&json!({"fixes": fixes, "made": changed, "left": left}))?;
    }
    Ok(Exit::Success)
}

struct Pruning {
    keep: prune::Keep,
    prefix: String,
    change: Change,
}

async fn prune_versions(
    place: &Place,
    asked: Pruning,
    reporter: &Reporter,
) -> Result<Exit, Failure> {
    let survey = place.survey(&asked.prefix, Depth::Current).await?;
    let now = Utc::now();
    let plans: Vec<(&Observed, prune::Pruning)> = survey
        .states
        .iter()
        .map(|state| (state, prune::plan(state, asked.keep, now)))
        .collect();
    let (count, bytes) = plans.iter().fold((0, 0), |(count, bytes), (_, plan)| {
        (count + plan.versions.len(), bytes + plan.bytes)
    });
    if !place.json {
        reporter.heading(format!(
            "Prune noncurrent versions in s3://{}",
            place.target.bucket
        ));
        for (state, plan) in &plans {
            match &plan.skipped {
                Some(reason) => reporter.raw(&format!("  {}: kept whole ({reason})", state.id.key)),
                None if !plan.versions.is_empty() => reporter.raw(&format!(
                    "  {}: {} version(s), {}",
                    state.id.key,
                    plan.versions.len(),
                    size(plan.bytes)
                )),
                None => {}
            }
        }
        reporter.raw(&format!("  {count} version(s), {} in all", size(bytes)));
    }
    let plans_json: Vec<&prune::Pruning> = plans.iter().map(|(_, plan)| plan).collect();
    if count == 0 || asked.change.dry_run {
        if place.json {
            print_json(
                &json!({"prune": plans_json, "versions": count, "bytes": bytes, "dry_run": asked.change.dry_run}),
            )?;
        } else {
            reporter.info(if count == 0 {
                "Nothing to prune"
            } else {
                "Dry run: nothing deleted"
            });
        }
        return Ok(Exit::Success);
    }
    confirm(
        &mut Terminal,
        &format!("delete {count} noncurrent version(s) for good"),
        asked.change.force,
    )?;
    let mut deleted = 0;
    for (state, plan) in &plans {
        let Some(current) = state.current() else {
            continue;
        };
        if plan.versions.is_empty() {
            continue;
        }
        deleted += ops::prune(
            &place.aws,
            &place.target,
            &state.id,
            &current.id,
            &plan.versions,
        )
        .await
        .map_err(op_failure)?;
    }
    if place.json {
        print_json(&json!({"prune": plans_json, "deleted": deleted, "bytes": bytes}))?;
    } else {
        reporter.success(format!("Deleted {deleted} noncurrent version(s)"));
    }
    Ok(Exit::Success)
}

async fn run(cli: &Cli, reporter: &Reporter) -> Result<Exit, Failure> {
    let place = place(cli).await?;
    match &cli.command {
        Command::List {
            scope,
            backends_dir,
        } => {
            let files = backend_files(&place, backends_dir.as_deref())?;
            list(&place, &scope.prefix, &files, reporter).await
        }
        Command::Versions { key } => versions(&place, key, reporter).await,
        Command::Show { key, version } => show(&place, key, version.as_deref(), reporter).await,
        Command::Diff { key, from, to } => diff(&place, key, from, to.as_deref(), reporter).await,
        Command::Restore {
            key,
            version,
            change,
        } => restore_version(&place, key, version, *change, reporter).await,
        Command::Locks => locks(&place, reporter).await,
        Command::Unlock {
            key,
            lock_id,
            min_age,
            change,
        } => {
            let asked = Release {
                key,
                lock_id: lock_id.as_deref(),
                min_age: *min_age,
                change: *change,
            };
            release(&place, asked, reporter).await
        }
        Command::Verify { scope, current } => {
            let depth = if *current {
                Depth::Current
            } else {
                Depth::Every
            };
            check(&place, &scope.prefix, depth, reporter).await
        }
        Command::Migrate {
            from_scheme,
            to_scheme,
            map,
            layer_map,
            all_versions,
            finish,
            confirm_bucket,
            backends_dir,
            change,
        } => {
            let asked = migrate::Migration {
                from_scheme: from_scheme.as_deref(),
                to_scheme: to_scheme.as_deref(),
                map: map.as_deref(),
                layer_map: layer_map.as_deref(),
                all_versions: *all_versions,
                finish: *finish,
                backends_dir: backends_dir.as_deref(),
                confirm_bucket: confirm_bucket.as_deref(),
                change: *change,
            };
            migrate::run(&place, asked, reporter).await
        }
        Command::Backup {
            to_bucket,
            to_region,
            to_profile,
            all_versions,
            verify,
            max_age,
            dry_run,
        } => {
            let asked = backup::Backup {
                to_bucket,
                to_region: to_region.as_deref(),
                to_profile: to_profile.as_deref(),
                all_versions: *all_versions,
                verify: *verify,
                max_age: *max_age,
                dry_run: *dry_run,
            };
            backup::run(cli, &place, asked, reporter).await
        }
        Command::Failover {
            to_region,
            to_bucket,
            to_table,
            backends_dir,
            out_dir,
            change,
        } => {
            let asked = failover::Failover {
                to_region,
                to_bucket: to_bucket.as_deref(),
                to_table: to_table.as_deref(),
                backends_dir: backends_dir.as_deref(),
                out_dir: out_dir.as_deref(),
                change: *change,
            };
            failover::run(cli, &place, asked, reporter).await
        }
        Command::Repair { scope, change } => repair(&place, &scope.prefix, *change, reporter).await,
        Command::Prune {
            keep,
            older_than,
            scope,
            change,
        } => {
            let asked = Pruning {
                keep: prune::Keep {
                    newest: *keep,
                    younger_than: *older_than,
                },
                prefix: scope.prefix.clone(),
                change: *change,
            };
            prune_versions(&place, asked, reporter).await
        }
    }
}

/// `manage-remote-state` with its flags parsed: the binary's whole `main`.
pub fn main(cli: &Cli) -> ExitCode {
    cli_support::runner::run(
        &cli.common,
        |reporter| async move { run(cli, &reporter).await },
    )
}

cli_support::docs_page_test!(Cli, "manage-remote-state");

#[cfg(test)]
mod tests {
    use super::*;
    use remote_state::model::Version;
    use remote_state::state::StateId;

    fn fixture_state(bucket: &str, key: &str) -> Observed {
        Observed {
            id: StateId::new(bucket, key),
            versions: vec![Version {
                id: "v1".to_owned(),
                is_latest: true,
                delete_marker: false,
                size: 2,
                last_modified: None,
            }],
            reads: Vec::new(),
            digest: None,
            locks: Vec::new(),
        }
    }

    #[test]
    fn backend_files_and_states_point_at_each_other_or_are_orphans() {
        let file = |path: &str, bucket: &str, key: &str| BackendFile {
            path: path.into(),
            bucket: Some(bucket.to_owned()),
            key: Some(key.to_owned()),
            config: backend_hcl::BackendConfig::default(),
        };
        let states = [
            fixture_state("b", "acme/terraform.tfstate"),
            fixture_state("b", "env:/staging/acme/terraform.tfstate"),
            fixture_state("b", "lost/terraform.tfstate"),
        ];
        let files = [
            file("backends/acme.hcl", "b", "acme/terraform.tfstate"),
            file("backends/gone.hcl", "b", "gone/terraform.tfstate"),
            file("backends/other.hcl", "other-bucket", "x/terraform.tfstate"),
        ];
        let found = pointers("b", &states, &files);
        assert_eq!(found.files["acme/terraform.tfstate"], ["backends/acme.hcl"]);
        assert_eq!(
            found.files["env:/staging/acme/terraform.tfstate"],
            ["backends/acme.hcl"],
            "a workspace's state is named by its backend key"
        );
        assert_eq!(found.unnamed, ["lost/terraform.tfstate"]);
        assert_eq!(
            found.dangling,
            [(
                "backends/gone.hcl".to_owned(),
                "gone/terraform.tfstate".to_owned()
            )]
        );
    }
}
