//! The command both provisioning binaries run (`provision-s3-infrastructure`,
//! `provision-s3-client-centric`); they differ only in which resources they provision.

use aws_provisioner::report::{Line, caller_lines, outcome_lines, plan_lines};
use aws_provisioner::{
    Options, Plan, ProvisionError, Report, Scope, Spec, Ui, WaitPolicy, model::Caller,
};
use naming::config::{Defaults, Flags};

use cli_support::args::CommonArgs;
use cli_support::confirm::{Prompter, Terminal, confirm};
use cli_support::exit::{Exit, Failure};
use cli_support::output::{Level, OutputFormat, Reporter, print_json};
use cli_support::project::{ProjectArgs, deployment};
use naming::SettingGroup;

/// The provisioning flags of the seeds' scripts, and the toolkit's additions.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ProvisionArgs {
    /// Company name, the value of the Company tag [env: TFSTATE_COMPANY]
    #[arg(long, value_name = "NAME")]
    pub company_name: Option<String>,

    /// Show the plan (text, or JSON with --output json) and change nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Apply the plan without asking (needed when there is no terminal to ask on)
    #[arg(long)]
    pub force: bool,

    /// State locking: dynamodb (a lock table, as the scripts), s3 (Terraform >= 1.10 lock
    /// files, no table) or both [env: TFSTATE_LOCK; default: dynamodb]
    #[arg(long, value_name = "MODE")]
    pub lock: Option<String>,

    /// Encrypt buckets and the lock table with this KMS key (aws:kms with a bucket key)
    /// instead of AES256
    #[arg(long, value_name = "KEY")]
    pub kms_key_id: Option<String>,

    /// Deliver the state bucket's access logs to this existing bucket instead of the
    /// project's logs bucket
    #[arg(long, value_name = "BUCKET")]
    pub access_log_bucket: Option<String>,

    /// Create CloudWatch alarms (lock-table throttling, state-bucket 4xx and 5xx errors)
    /// that notify this SNS topic
    #[arg(long, value_name = "ARN")]
    pub alarm_topic_arn: Option<String>,

    /// Replicate the state bucket to a replica in this region, for disaster recovery: a
    /// hardened replica bucket and that region's lock table, the IAM role S3 assumes, and a
    /// replication rule with delete markers (see docs/runbook-failover.md)
    #[arg(long, value_name = "REGION")]
    pub replicate_to: Option<String>,

    /// With --kms-key-id and --replicate-to: the key ARN, in the replica's region, that
    /// replicas are encrypted with (KMS keys are regional)
    #[arg(long, value_name = "KEY_ARN")]
    pub replica_kms_key_id: Option<String>,

    /// Give the region's shared lock table this run's KMS key and tags even when another
    /// project chose others (every project using the table is affected)
    #[arg(long)]
    pub take_over_lock_table: bool,

    /// Leave out bucket versioning: neither set nor checked (for a store or an organisation that
    /// forbids it; also `skip = ["versioning"]` in shared-config.toml)
    #[arg(long, help_heading = "Leaving settings out")]
    pub skip_versioning: bool,

    /// Leave out default encryption: neither set nor checked (for a store or an organisation that
    /// forbids it; also `skip = ["encryption"]` in shared-config.toml)
    #[arg(long, help_heading = "Leaving settings out")]
    pub skip_encryption: bool,

    /// Leave out the four public-access-block settings: neither set nor checked (for a store or an organisation that
    /// forbids it; also `skip = ["public-access-block"]` in shared-config.toml)
    #[arg(long, help_heading = "Leaving settings out")]
    pub skip_public_access_block: bool,

    /// Leave out object ownership (BucketOwnerEnforced): neither set nor checked (for a store or an organisation that
    /// forbids it; also `skip = ["object-ownership"]` in shared-config.toml)
    #[arg(long, help_heading = "Leaving settings out")]
    pub skip_object_ownership: bool,

    /// Leave out the TLS-only statement of the bucket policy: neither set nor checked (for a store or an organisation that
    /// forbids it; also `skip = ["tls-policy"]` in shared-config.toml)
    #[arg(long, help_heading = "Leaving settings out")]
    pub skip_tls_policy: bool,

    /// Leave out server access logging and the log target's delivery grant: neither set nor checked (for a store or an organisation that
    /// forbids it; also `skip = ["access-logging"]` in shared-config.toml)
    #[arg(long, help_heading = "Leaving settings out")]
    pub skip_access_logging: bool,

    /// Leave out the EntireBucket request-metrics configuration: neither set nor checked (for a store or an organisation that
    /// forbids it; also `skip = ["request-metrics"]` in shared-config.toml)
    #[arg(long, help_heading = "Leaving settings out")]
    pub skip_request_metrics: bool,

    /// Leave out the retention lifecycle rules: neither set nor checked (for a store or an organisation that
    /// forbids it; also `skip = ["lifecycle"]` in shared-config.toml)
    #[arg(long, help_heading = "Leaving settings out")]
    pub skip_lifecycle: bool,

    /// Leave out bucket tags: neither set nor checked (for a store or an organisation that
    /// forbids it; also `skip = ["tags"]` in shared-config.toml)
    #[arg(long, help_heading = "Leaving settings out")]
    pub skip_tags: bool,
}

impl ProvisionArgs {
    /// The setting groups the `--skip-*` flags leave out.
    pub fn skipped(&self) -> Vec<SettingGroup> {
        let flags = [
            (self.skip_versioning, SettingGroup::Versioning),
            (self.skip_encryption, SettingGroup::Encryption),
            (
                self.skip_public_access_block,
                SettingGroup::PublicAccessBlock,
            ),
            (self.skip_object_ownership, SettingGroup::ObjectOwnership),
            (self.skip_tls_policy, SettingGroup::TlsPolicy),
            (self.skip_access_logging, SettingGroup::AccessLogging),
            (self.skip_request_metrics, SettingGroup::RequestMetrics),
            (self.skip_lifecycle, SettingGroup::Lifecycle),
            (self.skip_tags, SettingGroup::Tags),
        ];
        flags
            .into_iter()
            .filter_map(|(on, group)| on.then_some(group))
            .collect()
    }
}

/// Turns a provisioning error into the binary's failure: bad input exits 2, AWS 3.
pub fn failure(error: ProvisionError) -> Failure {
    if let ProvisionError::Aws(error) = error {
        return Failure::from(error);
    }
    let hint = error.hint();
    let failure = if error.is_input() {
        Failure::usage(error.to_string())
    } else {
        Failure::external(error.to_string())
    };
    match hint {
        Some(hint) => failure.with_hint(hint),
        None => failure,
    }
}

/// Prints library lines with the reporter.
pub fn print_lines(reporter: &Reporter, lines: Vec<Line>) {
    for line in lines {
        match line {
            Line::Heading(text) => reporter.heading(text),
            Line::Detail(text) => reporter.raw(&text),
            Line::Report(level, text) => reporter.report(
                match level {
                    aws_provisioner::report::Level::Info => Level::Info,
                    aws_provisioner::report::Level::Success => Level::Success,
                    aws_provisioner::report::Level::Warning => Level::Warning,
                    aws_provisioner::report::Level::Error => Level::Error,
                },
                text,
            ),
        }
    }
}

struct TextUi<'a> {
    reporter: &'a Reporter,
    heading: String,
    force: bool,
    refusal: Option<Failure>,
}

impl Ui for TextUi<'_> {
    fn caller(&mut self, caller: &Caller) {
        print_lines(self.reporter, caller_lines(caller));
    }

    fn plan(&mut self, plan: &Plan, dry_run: bool) {
        print_lines(self.reporter, plan_lines(&self.heading, plan, dry_run));
    }

    fn approve(&mut self, plan: &Plan) -> bool {
        // As the scripts were used: from CI or cron, a run that only creates what is missing
        // changes nothing anyone has, so it needs no answer.
        if !self.force && plan.only_creates() && !Terminal.is_interactive() {
            self.reporter.info(
                "No terminal to ask on: the plan only creates what is missing and changes \
                 nothing that exists, so it goes ahead (a plan that changes existing resources \
                 needs --force)",
            );
            return true;
        }
        let counts = aws_provisioner::report::Counts::of(plan);
        let action = format!(
            "apply this plan ({} to create, {} to repair)",
            counts.created, counts.repaired
        );
        match confirm(&mut Terminal, &action, self.force) {
            Ok(()) => true,
            Err(refusal) => {
                self.refusal = Some(refusal);
                false
            }
        }
    }
}

/// Resolves the flags, provisions `scope`, and reports: the plan, what was created and
/// repaired, a summary; with `--output json` the whole report on stdout.
pub async fn run(
    reporter: &Reporter,
    common: &CommonArgs,
    project: &ProjectArgs,
    args: &ProvisionArgs,
    scope: Scope,
) -> Result<Exit, Failure> {
    let extra = Flags {
        company: args.company_name.as_deref(),
        lock: args.lock.as_deref(),
        ..Flags::default()
    };
    let settings = project.settings(common, extra, Defaults::default())?;
    let deployment = deployment(&settings, common).await?;
    let replicate_to = args
        .replicate_to
        .as_deref()
        .map(|region| {
            naming::Region::new(region).map_err(|error| {
                Failure::usage(format!("--replicate-to: {error}"))
                    .with_hint("name an AWS region, for example us-west-2")
            })
        })
        .transpose()?;
    let spec = Spec::new(Options {
        deployment,
        rules: settings.naming.clone(),
        scope,
        lock: settings.lock.value,
        company: settings.company.map(|company| company.value),
        kms_key_id: args.kms_key_id.clone(),
        access_log_bucket: args.access_log_bucket.clone(),
        alarm_topic_arn: args.alarm_topic_arn.clone(),
        wait: WaitPolicy::default(),
        take_over_table: args.take_over_lock_table,
        skip: settings
            .skip
            .iter()
            .copied()
            .chain(args.skipped())
            .collect(),
        replicate_to,
        replica_kms_key_id: args.replica_kms_key_id.clone(),
    })
    .map_err(failure)?;
    // The replica goes first: S3 replicates only into a bucket that exists and is
    // versioned, and failover needs that region's lock table.
    let replica = match spec.replica() {
        Some(replica) => {
            let report = provision_one(reporter, common, args, &replica, Some("replica")).await?;
            if report.outcome == aws_provisioner::Outcome::Declined {
                return Ok(Exit::Success);
            }
            Some(Box::new(report))
        }
        None => None,
    };
    let mut report = provision_one(reporter, common, args, &spec, None).await?;
    report.replica = replica;
    if common.base.output == OutputFormat::Json {
        print_json(&report)?;
    }
    Ok(Exit::Success)
}

/// One provisioning run, in the spec's region, with its plan and outcome printed; `what`
/// names the run in its heading when there are two.
async fn provision_one(
    reporter: &Reporter,
    common: &CommonArgs,
    args: &ProvisionArgs,
    spec: &Spec,
    what: Option<&str>,
) -> Result<Report, Failure> {
    let cloud = cli_support::aws::connect(common, spec.deployment.region).await?;
    let what = what.map_or_else(String::new, |what| format!(" ({what})"));
    let heading = format!(
        "Provisioning plan{what}: {} / {} / {}",
        spec.deployment.project, spec.deployment.environment, spec.deployment.region
    );
    let mut ui = TextUi {
        reporter,
        heading,
        force: args.force,
        refusal: None,
    };
    let report: Report = aws_provisioner::provision(&cloud, spec, args.dry_run, &mut ui)
        .await
        .map_err(failure)?;
    if let Some(refusal) = ui.refusal {
        return Err(refusal);
    }
    print_lines(reporter, outcome_lines(&report));
    Ok(report)
}
