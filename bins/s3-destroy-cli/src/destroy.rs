//! The command of `destroy-s3-buckets` and `emergency-s3-cleanup`, which differ in how they
//! choose buckets and how hard they work: inventory, plan, the report, the confirmations of
//! the contract's "Destruction safety", the verified backup, then the teardown with progress.

use std::path::PathBuf;
use std::sync::Arc;

use aws_client::Aws;
use chrono::Utc;
use futures::future::join_all;
use indicatif::HumanBytes;
use s3_destroy::backup::{self, Manifest};
use s3_destroy::signals::{ContentScan, Signals, StateSignal};
use s3_destroy::{Blocker, ExecuteError, Inventory, Options, Plan, Step, Tally, Tuning};
use serde_json::json;

use cli_support::args::CommonArgs;
use cli_support::confirm::{Prompter, confirm_typed};
use cli_support::exit::{Exit, Failure};
use cli_support::output::{OutputFormat, Reporter};

/// The flags both teardown binaries share.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct DestroyArgs {
    /// Print the inventory and the plan; delete nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Do not ask (needed without a terminal); the state bucket also needs --confirm-bucket
    #[arg(long)]
    pub force: bool,

    /// Confirm destroying the Terraform state bucket NAME without a terminal (repeatable)
    #[arg(long = "confirm-bucket", value_name = "NAME")]
    pub confirm_buckets: Vec<String>,

    /// Copy every current object to local disk first, with a verified manifest
    #[arg(long)]
    pub backup: bool,

    /// Where backups go, as DIR/{bucket}-{timestamp}/ [default: ./s3-backups] (implies --backup)
    #[arg(long, value_name = "DIR")]
    pub backup_dir: Option<PathBuf>,

    /// With --backup: copy every version, not only the current objects
    #[arg(long)]
    pub all_versions: bool,

    /// Delete versions under governance-mode Object Lock retention
    #[arg(long)]
    pub bypass_governance: bool,

    /// Read only keys ending in .tfstate to rule out Terraform state, not every version (a
    /// GET each); the name, tag, .tflock and lock-table signs are still checked
    #[arg(long)]
    pub no_content_scan: bool,

    /// DeleteObjects requests (of up to 1,000 keys) in flight at once
    #[arg(long, default_value_t = 8, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
}

impl DestroyArgs {
    /// Where backups go, when there is to be one.
    pub fn backup_root(&self) -> Option<PathBuf> {
        match (&self.backup_dir, self.backup) {
            (Some(dir), _) => Some(dir.clone()),
            (None, true) => Some(PathBuf::from("s3-backups")),
            (None, false) => None,
        }
    }
}

/// A bucket to tear down, with what the project's names say it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The bucket.
    pub bucket: String,
    /// Its role by name.
    pub role: Role,
}

/// What a bucket is to the project.
pub use naming::BucketRole as Role;

/// How the binary runs the teardown.
#[derive(Debug, Clone, Copy)]
pub struct Mode {
    /// The plan's options.
    pub options: Options,
    /// The executor's tuning (the emergency cleanup retries harder).
    pub tuning: Tuning,
}

/// Buckets named on the command line, checked against AWS's rules and without repeats; each
/// takes its role from the project's names when the settings give project and environment
/// (a bucket holding state is protected whatever its name).
pub async fn named_targets(
    buckets: &[String],
    settings: &naming::config::Settings,
    common: &CommonArgs,
) -> Result<Vec<Target>, Failure> {
    let names = match (&settings.project, &settings.environment) {
        (Some(_), Some(_)) => {
            let deployment = cli_support::project::deployment(settings, common).await?;
            Some(settings.naming.names(&deployment)?)
        }
        _ => None,
    };
    let mut targets: Vec<Target> = Vec::new();
    for bucket in buckets {
        naming::BucketName::new(bucket)?;
        if targets.iter().any(|target| &target.bucket == bucket) {
            continue;
        }
        let role = names
            .as_ref()
            .map_or(Role::Other, |names| names.role_of(bucket));
        targets.push(Target {
            bucket: bucket.clone(),
            role,
        });
    }
    Ok(targets)
}

impl DestroyArgs {
    /// Which versions are read to tell a state by its content.
    pub fn content_scan(&self) -> ContentScan {
        if self.no_content_scan {
            ContentScan::StateKeys
        } else {
            ContentScan::Every
        }
    }

    /// The mode these flags ask for, from `options` (the bypass added) and `tuning` (the
    /// concurrency set).
    pub fn mode(&self, options: Options, tuning: Tuning) -> Mode {
        Mode {
            options: Options {
                bypass_governance: self.bypass_governance,
                only_listed: self.backup_root().is_some(),
                ..options
            },
            tuning: Tuning {
                batches_in_flight: usize::from(self.concurrency),
                ..tuning
            },
        }
    }
}

/// Where a teardown runs, and what tells a state bucket apart there: the naming patterns
/// (and the project, when the run has one) and the region's lock table, whose rows name
/// the buckets they lock.
#[derive(Debug, Clone)]
pub struct Context {
    region: naming::Region,
    naming: naming::NamingRules,
    project: Option<naming::Project>,
    lock_table: Option<String>,
}

impl Context {
    /// The context the run's settings give in `region`.
    pub fn new(settings: &naming::config::Settings, region: naming::Region) -> Context {
        let project = settings
            .project
            .as_ref()
            .map(|project| project.value.clone());
        let lock_table = match (&project, &settings.environment) {
            (Some(project), Some(environment)) => settings
                .naming
                .lock_table(&naming::Deployment {
                    project: project.clone(),
                    environment: environment.value.clone(),
                    region,
                })
                .ok(),
            _ => settings.naming.lock_table_in(region),
        };
        Context {
            region,
            naming: settings.naming.clone(),
            project,
            lock_table: lock_table.map(|table| table.to_string()),
        }
    }

    /// The signs only the names give: a role of State, or a name that fits the pattern.
    fn by_name(&self, target: &Target) -> Vec<StateSignal> {
        let fits = self
            .naming
            .fits_state_bucket(&target.bucket, self.project.as_ref());
        if target.role == Role::State || fits {
            vec![StateSignal::Name {
                pattern: self.naming.state_bucket_pattern().to_string(),
            }]
        } else {
            Vec::new()
        }
    }
}

/// One bucket through the run, for the report.
struct Bucket {
    target: Target,
    inventory: Inventory,
    signals: Signals,
    plan: Result<Plan, Vec<Blocker>>,
}

impl Bucket {
    /// Protected as the state bucket: by its name or any sign of Terraform state in it.
    fn is_protected(&self) -> bool {
        self.inventory.state.holds_state() || self.signals.holds_state()
    }
}

/// What a teardown script was given: its project, safety and common flags.
#[derive(Debug, Clone, Copy)]
pub struct Invocation<'a> {
    /// `--region`, `--environment`, `--project-name`.
    pub project: &'a cli_support::project::ProjectArgs,
    /// The safety flags.
    pub destroy: &'a DestroyArgs,
    /// `--profile`, `--endpoint-url`, `--output` and the rest.
    pub common: &'a CommonArgs,
}

impl Invocation<'_> {
    /// The run's settings (flags, environment, `shared-config.toml`) and its region.
    pub async fn settings(&self) -> Result<(naming::config::Settings, naming::Region), Failure> {
        let settings = self.project.settings(
            self.common,
            naming::config::Flags::default(),
            naming::config::Defaults::default(),
        )?;
        let region = cli_support::project::region(&settings, self.common).await?;
        Ok((settings, region))
    }

    /// Tears `targets` down, asking on this terminal, with `options` and `tuning`.
    pub async fn run(
        &self,
        targets: Vec<Target>,
        (settings, region): (&naming::config::Settings, naming::Region),
        (options, tuning): (Options, Tuning),
        reporter: &Reporter,
    ) -> Result<Exit, Failure> {
        run(
            targets,
            self.destroy,
            self.destroy.mode(options, tuning),
            &Context::new(settings, region),
            self.common,
            reporter,
            &mut cli_support::Terminal,
        )
        .await
    }
}

/// Tears `targets` down: inventory and plan every bucket, report, ask, back up, execute.
pub async fn run(
    targets: Vec<Target>,
    args: &DestroyArgs,
    mode: Mode,
    context: &Context,
    common: &CommonArgs,
    reporter: &Reporter,
    prompter: &mut dyn Prompter,
) -> Result<Exit, Failure> {
    let text = common.base.output == OutputFormat::Text;
    if args.all_versions && args.backup_root().is_none() {
        return Err(Failure::usage(
            "--all-versions only says what --backup copies; without --backup nothing would be copied",
        )
        .with_hint("add --backup (or --backup-dir DIR) to keep every version before deleting"));
    }
    for name in &args.confirm_buckets {
        if !targets.iter().any(|target| &target.bucket == name) {
            return Err(Failure::usage(format!(
                "--confirm-bucket {name} names a bucket this run does not destroy"
            ))
            .with_hint("it must be exactly the name of the state bucket being destroyed"));
        }
    }
    let store = Arc::new(cli_support::aws::connect(common, context.region).await?);
    // The caller's account first: from then on every bucket request expects it to own
    // the bucket, so a bucket of another account is refused, never emptied (P11).
    let caller = store.caller().await?;
    if text {
        reporter.info(format!(
            "Caller: {} (account {})",
            caller.arn, caller.account
        ));
    }
    if text {
        reporter.info(format!(
            "Taking inventory of {} bucket(s)...",
            targets.len()
        ));
    }
    let inventories = join_all(
        targets
            .iter()
            .map(|target| s3_destroy::inventory(&*store, &target.bucket)),
    )
    .await;
    let inventories = inventories.into_iter().collect::<Result<Vec<_>, _>>()?;
    // Every bucket's signs of state at once, as their inventories were taken.
    let signals = join_all(targets.iter().zip(&inventories).map(|(target, inventory)| {
        s3_destroy::signals::state_signals(
            &*store,
            inventory,
            context.lock_table.as_deref(),
            context.by_name(target),
            args.content_scan(),
        )
    }))
    .await;
    let now = Utc::now();
    let buckets: Vec<Bucket> = targets
        .into_iter()
        .zip(inventories)
        .zip(signals)
        .map(|((target, inventory), signals)| {
            let plan = s3_destroy::plan(&inventory, mode.options, now);
            Bucket {
                target,
                inventory,
                signals,
                plan,
            }
        })
        .collect();
    if text {
        for bucket in &buckets {
            report_bucket(reporter, bucket);
        }
    }
    let blocked: Vec<&Bucket> = buckets.iter().filter(|b| b.plan.is_err()).collect();
    if !blocked.is_empty() {
        let count = blocked.len();
        return Err(Failure::refused(format!(
            "refusing to destroy: {count} bucket(s) cannot be emptied as asked (see above); nothing was deleted"
        ))
        .with_document(document(&buckets, args, &[], &[])));
    }
    let work: Vec<&Bucket> = buckets
        .iter()
        .filter(|bucket| bucket.inventory.exists())
        .collect();
    if args.dry_run || work.is_empty() {
        if text {
            if work.is_empty() {
                reporter.success("Nothing to destroy: no bucket exists");
            } else {
                reporter.success(format!(
                    "Dry run: {} bucket(s) would be destroyed as planned above; nothing was deleted",
                    work.len()
                ));
            }
        } else {
            cli_support::print_json(&document(&buckets, args, &[], &[]))?;
        }
        return Ok(Exit::Success);
    }
    confirm(&work, args, prompter)
        .map_err(|failure| failure.with_document(document(&buckets, args, &[], &[])))?;
    let mut backups = Vec::new();
    if let Some(root) = args.backup_root() {
        for bucket in &work {
            match back_up(&store, bucket, &root, args.all_versions, reporter, text).await {
                Ok(backup) => backups.push(backup),
                Err(failure) => {
                    return Err(failure.with_document(document(&buckets, args, &backups, &[])));
                }
            }
        }
    }
    let mut tallies = Vec::new();
    for bucket in &work {
        let plan = bucket.plan.as_ref().expect("blocked plans stopped the run");
        match tear_down(&store, bucket, plan, mode.tuning, reporter, text).await {
            Ok(tally) => tallies.push(tally),
            Err(failure) => {
                return Err(failure.with_document(document(&buckets, args, &backups, &tallies)));
            }
        }
    }
    if !text {
        cli_support::print_json(&document(&buckets, args, &backups, &tallies))?;
    }
    Ok(Exit::Success)
}

/// The inventory and the plan of one bucket, in the scripts' style.
fn report_bucket(reporter: &Reporter, bucket: &Bucket) {
    let name = &bucket.target.bucket;
    reporter.heading(format!("Bucket: {name}{}", role_label(bucket.target.role)));
    let Some(settings) = &bucket.inventory.settings else {
        reporter.info(format!("{name} does not exist (nothing to do)"));
        return;
    };
    let counts = bucket.inventory.counts();
    let versioning = settings
        .versioning
        .map_or("unknown".to_owned(), |v| format!("{v:?}").to_lowercase());
    let on = |flag: bool| if flag { "on" } else { "off" };
    reporter.info(format!(
        "versioning {versioning}, MFA delete {}, Object Lock {}, replication {}",
        on(settings.mfa_delete),
        on(settings.object_lock),
        on(settings.replication)
    ));
    if counts.versions + counts.delete_markers + counts.uploads == 0 {
        reporter.info("empty: no object versions, delete markers or uploads");
    } else {
        reporter.info(format!(
            "{} object version(s) ({}), {} delete marker(s), {} current object(s), {} key(s) ending in /, {} open multipart upload(s)",
            counts.versions,
            HumanBytes(counts.bytes),
            counts.delete_markers,
            counts.current_objects,
            counts.folder_keys,
            counts.uploads
        ));
    }
    let state = bucket.inventory.state;
    if state.holds_state() {
        let unreadable = if state.unreadable > 0 {
            format!(" ({} unreadable, counted as in use)", state.unreadable)
        } else {
            String::new()
        };
        reporter.warning(format!(
            "{name} holds Terraform state: {} state file(s) still tracking {} resource(s){unreadable}",
            state.files, state.resources
        ));
    } else if bucket.is_protected() {
        reporter.warning(format!(
            "{name} is treated as a Terraform state bucket (no current *.tfstate file in it)"
        ));
    }
    for signal in &bucket.signals.signals {
        reporter.info(format!("state-bucket sign: {}", signal.describe()));
    }
    for warning in &bucket.signals.warnings {
        reporter.warning(format!(
            "{name}: cannot read {warning}; it was not counted as a sign of state"
        ));
    }
    if bucket.signals.unreadable > 0 {
        reporter.warning(format!(
            "{name}: {} version(s) could not be read to rule out Terraform state",
            bucket.signals.unreadable
        ));
    }
    if bucket.signals.unscanned > 0 {
        reporter.warning(format!(
            "{name}: {} version(s) of keys not ending in .tfstate were not read to rule out Terraform state (--no-content-scan)",
            bucket.signals.unscanned
        ));
    }
    match &bucket.plan {
        Ok(plan) => reporter.info(format!("plan: {}", describe(plan))),
        Err(blockers) => {
            for blocker in blockers {
                reporter.error(blocker.message(name));
                reporter.hint(blocker.hint(name));
            }
        }
    }
}

fn role_label(role: Role) -> String {
    match role {
        Role::State => " (Terraform state: EXTRA PROTECTION)".to_owned(),
        Role::Observability(kind) => format!(" ({kind})"),
        Role::LogTarget | Role::Other => String::new(),
    }
}

/// The plan's steps in one line.
pub fn describe(plan: &Plan) -> String {
    plan.steps
        .iter()
        .map(|step| match step {
            Step::Remove { config, reason } => {
                format!("remove {} ({reason})", config.as_str())
            }
            Step::AbortUploads { uploads: 0 } => String::new(),
            Step::AbortUploads { uploads } => format!("abort {uploads} upload(s)"),
            Step::DeleteEntries {
                versions: 0,
                delete_markers: 0,
                ..
            } => String::new(),
            Step::DeleteEntries {
                versions,
                delete_markers,
                bytes,
                bypass_governance,
                ..
            } => format!(
                "delete {versions} version(s) and {delete_markers} marker(s), {}{}",
                HumanBytes(*bytes),
                if *bypass_governance {
                    ", bypassing governance retention"
                } else {
                    ""
                }
            ),
            Step::ExpireViaLifecycle => {
                "put the two expiry lifecycle rules and let S3 empty it".to_owned()
            }
            Step::DeleteBucket => "delete the bucket".to_owned(),
        })
        .filter(|step| !step.is_empty())
        .collect::<Vec<_>>()
        .join(" -> ")
}

/// The confirmations: a typed name for each bucket that holds state (or `--confirm-bucket`);
/// for the others `--force`, or on a terminal the typed name (one bucket) or phrase (several).
fn confirm(
    work: &[&Bucket],
    args: &DestroyArgs,
    prompter: &mut dyn Prompter,
) -> Result<(), Failure> {
    for bucket in work.iter().filter(|bucket| bucket.is_protected()) {
        let name = &bucket.target.bucket;
        let state = bucket.inventory.state;
        let action = if state.holds_state() {
            format!(
                "destroy {name}, which holds {} state file(s) tracking {} resource(s),",
                state.files, state.resources
            )
        } else {
            format!("destroy the Terraform state bucket {name}")
        };
        confirm_typed(
            prompter,
            &action,
            name,
            args.confirm_buckets.contains(name),
            &format!(
                "a bucket holding Terraform state needs --force and --confirm-bucket {name} without a terminal"
            ),
        )?;
        if !prompter.is_interactive() && !args.force {
            return Err(
                Failure::refused(format!("refusing to destroy {name} without --force"))
                    .with_hint(format!("pass --force --confirm-bucket {name}")),
            );
        }
    }
    let ordinary: Vec<&&Bucket> = work
        .iter()
        .filter(|bucket| !bucket.is_protected())
        .collect();
    if ordinary.is_empty() || args.force {
        return Ok(());
    }
    let (expected, action) = match ordinary[..] {
        [only] => (
            only.target.bucket.clone(),
            format!("destroy {}", only.target.bucket),
        ),
        _ => {
            let phrase = format!("destroy {} buckets", ordinary.len());
            (phrase.clone(), phrase)
        }
    };
    confirm_typed(
        prompter,
        &action,
        &expected,
        false,
        "pass --force to destroy without asking, or --dry-run to see what would be deleted",
    )
}

/// Backs one bucket up; any failure stops the run before anything is deleted.
async fn back_up(
    store: &Aws,
    bucket: &Bucket,
    root: &std::path::Path,
    all_versions: bool,
    reporter: &Reporter,
    text: bool,
) -> Result<(String, PathBuf, Manifest), Failure> {
    let name = &bucket.target.bucket;
    let dir = backup::directory(root, name, Utc::now());
    let selection = backup::selection(&bucket.inventory.entries, all_versions);
    let total: u64 = selection.iter().map(|entry| entry.size).sum();
    if text {
        reporter.info(format!(
            "Backing up {} object(s) ({}) of {name} to {}...",
            selection.len(),
            HumanBytes(total),
            dir.display()
        ));
    }
    let progress = cli_support::progress::counter(total, "backing up (bytes)");
    let copied = |bytes: u64| progress.inc(bytes);
    let manifest = backup::backup(store, name, &selection, all_versions, &dir, &copied)
        .await
        .map_err(|error| {
            let hint = match &error {
                backup::BackupError::Write { .. } => {
                    "free disk space or choose another --backup-dir, then run again".to_owned()
                }
                backup::BackupError::Read { .. } => {
                    "restore or fix the object (archived objects need a restore first), or leave out --backup"
                        .to_owned()
                }
                backup::BackupError::Archived { key, version_id, .. } => format!(
                    "restore them first (aws s3api restore-object --bucket {name} --key {key} --version-id {version_id} --restore-request Days=1, for each), then run again; or leave out --backup"
                ),
                _ => "run again; an incomplete backup is removed".to_owned(),
            };
            Failure::external(format!("backup of {name} failed: {error}; nothing was deleted"))
                .with_hint(hint)
        })?;
    progress.finish_and_clear();
    if text {
        reporter.success(format!(
            "Backed up {} object(s) ({}) of {name} to {} and verified every checksum",
            manifest.objects.len(),
            HumanBytes(manifest.bytes),
            dir.display()
        ));
    }
    Ok((name.clone(), dir, manifest))
}

/// Executes one bucket's plan with progress.
async fn tear_down(
    store: &Arc<Aws>,
    bucket: &Bucket,
    plan: &Plan,
    tuning: Tuning,
    reporter: &Reporter,
    text: bool,
) -> Result<Tally, Failure> {
    let name = bucket.target.bucket.clone();
    let counts = bucket.inventory.counts();
    let progress = cli_support::progress::deletion(counts.versions + counts.delete_markers, &name);
    let bar = progress.clone();
    let bytes = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let label = name.clone();
    let observed = Arc::new(move |entries: u64, deleted: u64| {
        let total = bytes.fetch_add(deleted, std::sync::atomic::Ordering::Relaxed) + deleted;
        bar.inc(entries);
        bar.set_message(format!("{label}: {}", HumanBytes(total)));
    });
    let result =
        s3_destroy::execute(Arc::clone(store), plan, &bucket.inventory, tuning, observed).await;
    progress.finish_and_clear();
    match result {
        Ok(tally) => {
            if text {
                report_tally(reporter, &tally);
            }
            Ok(tally)
        }
        Err(ExecuteError::Keys { failed, tally, .. }) => {
            if text {
                report_tally(reporter, &tally);
                for key in failed.iter().take(5) {
                    reporter.error(format!(
                        "{name}: {} (version {}): {}: {}",
                        key.key, key.version_id, key.code, key.message
                    ));
                }
            }
            Err(Failure::external(format!(
                "{name}: {} key(s) could not be deleted; the bucket was kept",
                failed.len()
            ))
            .with_hint("run again to retry; AccessDenied needs s3:DeleteObjectVersion (or --bypass-governance for governance retention)"))
        }
        Err(ExecuteError::Aws(error)) => Err(Failure::from(error)
            .with_hint("run the same command again: it carries on where this run stopped")),
        Err(error) => {
            if let (ExecuteError::Written { tally, .. }, true) = (&error, text) {
                report_tally(reporter, tally);
            }
            Err(Failure::external(error.to_string()))
        }
    }
}

fn report_tally(reporter: &Reporter, tally: &Tally) {
    let name = &tally.bucket;
    for config in &tally.removed {
        reporter.success(format!(
            "{name}: removed the {} configuration",
            config.as_str()
        ));
    }
    let retried = if tally.keys_retried > 0 {
        format!(", {} key(s) retried", tally.keys_retried)
    } else {
        String::new()
    };
    reporter.success(format!(
        "{name}: deleted {} version(s), {} delete marker(s) ({}), aborted {} upload(s){retried}",
        tally.versions_deleted,
        tally.delete_markers_deleted,
        HumanBytes(tally.bytes_deleted),
        tally.uploads_aborted
    ));
    if tally.expiry_rules_put {
        let back = Utc::now() + chrono::TimeDelta::days(2);
        reporter.success(format!(
            "{name}: lifecycle rules set; S3 expires every version and aborts uploads after 1 day, then removes the expired delete markers"
        ));
        reporter.info(format!(
            "Come back after {}: run emergency-s3-cleanup --bucket {name} again to delete what is left and the bucket",
            back.format("%Y-%m-%d %H:%M UTC")
        ));
    }
    if tally.bucket_deleted {
        reporter.success(format!("{name}: bucket deleted"));
    }
}

/// The `--output json` document.
fn document(
    buckets: &[Bucket],
    args: &DestroyArgs,
    backups: &[(String, PathBuf, Manifest)],
    tallies: &[Tally],
) -> serde_json::Value {
    json!({
        "dry_run": args.dry_run,
        "backup": args.backup_root(),
        "buckets": buckets.iter().map(|bucket| {
            let name = &bucket.target.bucket;
            let backup = backups.iter().find(|(b, _, _)| b == name).map(|(_, dir, manifest)| json!({
                "directory": dir,
                "objects": manifest.objects.len(),
                "bytes": manifest.bytes,
                "verified": manifest.verified,
            }));
            json!({
                "bucket": name,
                "role": bucket.target.role,
                "exists": bucket.inventory.exists(),
                "settings": bucket.inventory.settings,
                "counts": bucket.inventory.counts(),
                "state": bucket.inventory.state,
                "protected": bucket.is_protected(),
                "state_signals": bucket.signals,
                "locks": bucket.inventory.locks.len(),
                "plan": bucket.plan.as_ref().ok().map(|plan| &plan.steps),
                "blockers": bucket.plan.as_ref().err().map(|blockers| blockers.iter().map(|b| json!({
                    "kind": b, "message": b.message(name), "hint": b.hint(name),
                })).collect::<Vec<_>>()),
                "backup": backup,
                "result": tallies.iter().find(|tally| &tally.bucket == name),
            })
        }).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use s3_destroy::signals::Signals;

    /// A person (or none) at a terminal, answering from a script.
    struct Scripted {
        interactive: bool,
        answers: Vec<&'static str>,
        asked: Vec<String>,
    }

    impl Prompter for Scripted {
        fn is_interactive(&self) -> bool {
            self.interactive
        }

        fn ask(&mut self, prompt: &str) -> std::io::Result<String> {
            self.asked.push(prompt.to_owned());
            Ok(self.answers.remove(0).to_owned())
        }
    }

    fn at(interactive: bool, answers: &[&'static str]) -> Scripted {
        Scripted {
            interactive,
            answers: answers.to_vec(),
            asked: Vec::new(),
        }
    }

    fn bucket(name: &str, state_signal: bool) -> Bucket {
        Bucket {
            target: Target {
                bucket: name.to_owned(),
                role: Role::Other,
            },
            inventory: Inventory {
                bucket: name.to_owned(),
                settings: None,
                entries: Vec::new(),
                uploads: Vec::new(),
                locks: Vec::new(),
                state: Default::default(),
            },
            signals: Signals {
                signals: match state_signal {
                    true => vec![StateSignal::LockFile {
                        key: "env/terraform.tfstate.tflock".to_owned(),
                    }],
                    false => Vec::new(),
                },
                ..Signals::default()
            },
            plan: Err(Vec::new()),
        }
    }

    fn flags(force: bool, confirmed: &[&str]) -> DestroyArgs {
        DestroyArgs {
            force,
            confirm_buckets: confirmed.iter().map(|name| (*name).to_owned()).collect(),
            ..DestroyArgs::default()
        }
    }

    #[test]
    fn a_state_bucket_needs_its_name_typed_or_force_with_confirm_bucket() {
        let state = bucket("acme-terraform-state", true);
        let work = [&state];
        // No terminal: --force alone is not enough, --confirm-bucket alone is not either.
        for args in [flags(true, &[]), flags(false, &["acme-terraform-state"])] {
            let refused = confirm(&work, &args, &mut at(false, &[])).unwrap_err();
            assert_eq!(refused.exit(), Exit::Refused, "{refused}");
        }
        assert!(
            confirm(
                &work,
                &flags(true, &["acme-terraform-state"]),
                &mut at(false, &[])
            )
            .is_ok()
        );
        // On a terminal the name must be typed exactly, --force or not.
        let mut person = at(true, &["acme-terraform-state"]);
        assert!(confirm(&work, &flags(true, &[]), &mut person).is_ok());
        assert!(
            person.asked[0].contains("Type `acme-terraform-state`"),
            "{:?}",
            person.asked
        );
        let declined = confirm(&work, &flags(true, &[]), &mut at(true, &["yes"])).unwrap_err();
        assert_eq!(declined.exit(), Exit::Refused);
    }

    #[test]
    fn ordinary_buckets_need_force_or_the_name_or_phrase_typed() {
        let (one, two) = (bucket("acme-logs", false), bucket("acme-traces", false));
        let refused = confirm(&[&one], &flags(false, &[]), &mut at(false, &[])).unwrap_err();
        assert_eq!(refused.exit(), Exit::Refused);
        let mut nobody = at(false, &[]);
        assert!(confirm(&[&one, &two], &flags(true, &[]), &mut nobody).is_ok());
        assert!(nobody.asked.is_empty(), "--force asks nothing");
        let mut person = at(true, &["destroy 2 buckets"]);
        assert!(confirm(&[&one, &two], &flags(false, &[]), &mut person).is_ok());
        assert!(
            person.asked[0].contains("Type `destroy 2 buckets`"),
            "{:?}",
            person.asked
        );
        let mut person = at(true, &["acme-logs"]);
        assert!(confirm(&[&one], &flags(false, &[]), &mut person).is_ok());
    }
}
