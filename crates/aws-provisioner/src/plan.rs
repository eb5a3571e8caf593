//! The plan: what AWS has against what the contract wants, per resource and setting. A pure
//! function of values; nothing here talks to AWS.

use std::collections::BTreeMap;
use std::fmt;

use naming::{BucketName, SettingGroup, TableName};
use serde::Serialize;

use crate::error::{AwsError, Problem};
use crate::lifecycle::{retention_for, retention_in, to_rules, with_retention};
use crate::model::{
    AlarmSpec, BucketPresence, BucketSettings, BucketWrite, Caller, Encryption, Logging,
    ObjectOwnership, PublicAccessBlock, TableFacts, TableStatus, TableWrite, Tags, Versioning,
    lock_key,
};
use crate::policy::{Policy, log_delivery_sid, log_delivery_statement, tls_statement};
use crate::replication::{self, ObservedRole, RolePlan};
use crate::spec::{BucketRole, EncryptionSpec, Spec};

/// What was found in AWS, for every resource the plan looks at.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Observed {
    /// The managed buckets and the candidate access-log targets.
    pub buckets: BTreeMap<BucketName, ObservedBucket>,
    /// The lock table: `None` if absent (or not looked at).
    pub table: Option<TableFacts>,
    /// The alarms that exist, of those the spec wants.
    pub alarms: Vec<AlarmSpec>,
    /// The ARN AWS reports for `--kms-key-id` (KMS DescribeKey), when the lock table is
    /// looked at or the replication role's policy names the key, and the key could be
    /// looked up.
    pub key_arn: Option<String>,
    /// The replication role, when `--replicate-to` asks for one and it exists.
    pub role: Option<ObservedRole>,
}

/// One bucket as found.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservedBucket {
    /// Whether it exists and whose it is.
    pub presence: BucketPresence,
    /// Its settings (all defaults when it does not exist or is not ours).
    pub settings: BucketSettings,
}

impl ObservedBucket {
    /// A bucket that does not exist.
    pub fn absent() -> ObservedBucket {
        ObservedBucket {
            presence: BucketPresence::Absent,
            settings: BucketSettings::default(),
        }
    }
}

/// One setting of a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Setting {
    /// Bucket versioning.
    Versioning,
    /// Bucket default encryption.
    Encryption,
    /// The four public-access-block settings.
    PublicAccessBlock,
    /// Object ownership (BucketOwnerEnforced).
    ObjectOwnership,
    /// The TLS-only statement of the bucket policy.
    TlsPolicy,
    /// The log-delivery statement of the access-log target's policy.
    LogDeliveryPolicy,
    /// Tags.
    Tags,
    /// The `EntireBucket` request-metrics configuration.
    RequestMetrics,
    /// Server access logging of the state bucket.
    AccessLogging,
    /// The retention lifecycle rule.
    Lifecycle,
    /// The lock table's key schema (set when it is created).
    KeySchema,
    /// The lock table's billing mode.
    BillingMode,
    /// The lock table's server-side encryption.
    TableEncryption,
    /// The lock table's point-in-time recovery.
    PointInTimeRecovery,
    /// The lock table's deletion protection.
    DeletionProtection,
    /// A CloudWatch alarm's definition.
    Alarm,
    /// The state bucket's replication to its replica (`--replicate-to`).
    Replication,
    /// The replication role's trust policy.
    TrustPolicy,
    /// The replication role's permissions.
    RolePolicy,
}

impl Setting {
    /// The setting's name in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Setting::Versioning => "versioning",
            Setting::Encryption => "encryption",
            Setting::PublicAccessBlock => "public-access-block",
            Setting::ObjectOwnership => "object-ownership",
            Setting::TlsPolicy => "tls-policy",
            Setting::LogDeliveryPolicy => "log-delivery-policy",
            Setting::Tags => "tags",
            Setting::RequestMetrics => "request-metrics",
            Setting::AccessLogging => "access-logging",
            Setting::Lifecycle => "lifecycle",
            Setting::KeySchema => "key-schema",
            Setting::BillingMode => "billing-mode",
            Setting::TableEncryption => "encryption",
            Setting::PointInTimeRecovery => "point-in-time-recovery",
            Setting::DeletionProtection => "deletion-protection",
            Setting::Alarm => "alarm",
            Setting::Replication => "replication",
            Setting::TrustPolicy => "trust-policy",
            Setting::RolePolicy => "role-policy",
        }
    }
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One setting that differs: from what is there to what the contract wants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The setting.
    pub setting: Setting,
    /// What is there now.
    pub from: String,
    /// What it becomes.
    pub to: String,
}

/// What happens to a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// It does not exist and is created with every setting.
    Create,
    /// It exists; the settings listed are repaired.
    Update,
    /// It exists and every setting is right.
    Unchanged,
}

/// The plan for one bucket.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BucketPlan {
    /// The bucket.
    pub bucket: BucketName,
    /// Its role.
    pub role: BucketRole,
    /// What happens to it.
    pub action: Action,
    /// The settings that change.
    pub changes: Vec<Change>,
    /// The calls that make the changes, in a safe order.
    #[serde(skip)]
    pub writes: Vec<BucketWrite>,
}

/// The plan for the lock table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TablePlan {
    /// The table.
    pub table: TableName,
    /// What happens to it.
    pub action: Action,
    /// The settings that change.
    pub changes: Vec<Change>,
    /// The status it must leave before it can be changed, if not ACTIVE.
    pub waits_for: Option<String>,
    /// The ARN AWS reports for `--kms-key-id`, when it could be looked up.
    #[serde(skip)]
    pub key_arn: Option<String>,
}

/// The plan for one alarm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlarmPlan {
    /// The alarm as it should be.
    pub alarm: AlarmSpec,
    /// What happens to it.
    pub action: Action,
}

/// Everything a run would do, resource by resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// The buckets, managed ones first.
    pub buckets: Vec<BucketPlan>,
    /// The lock table, unless `--lock s3` or observability only.
    pub table: Option<TablePlan>,
    /// The alarms of `--alarm-topic-arn`.
    pub alarms: Vec<AlarmPlan>,
    /// The replication role of `--replicate-to`.
    pub role: Option<RolePlan>,
    /// Why the plan cannot be carried out, if it cannot.
    pub problems: Vec<Problem>,
    /// Things to know that do not stop the run.
    pub warnings: Vec<String>,
}

impl Plan {
    /// Whether the plan changes nothing.
    pub fn is_noop(&self) -> bool {
        self.buckets.iter().all(|b| b.action == Action::Unchanged)
            && self
                .table
                .as_ref()
                .is_none_or(|t| t.action == Action::Unchanged)
            && self.alarms.iter().all(|a| a.action == Action::Unchanged)
            && self.role.iter().all(|r| r.action == Action::Unchanged)
    }

    /// Whether the plan only creates what is missing: it changes nothing that exists, so
    /// it may go ahead without a terminal to ask on.
    pub fn only_creates(&self) -> bool {
        let creates_or_keeps = |action: Action| action != Action::Update;
        self.buckets.iter().all(|b| creates_or_keeps(b.action))
            && self.table.iter().all(|t| creates_or_keeps(t.action))
            && self.alarms.iter().all(|a| creates_or_keeps(a.action))
            && self.role.iter().all(|r| creates_or_keeps(r.action))
    }

    /// Every pending change as `resource: setting` text, for reports and errors.
    pub fn pending(&self) -> Vec<String> {
        let buckets = self.buckets.iter().flat_map(|plan| {
            plan.changes
                .iter()
                .map(move |change| format!("{}: {}", plan.bucket, change.setting))
        });
        let table = self.table.iter().flat_map(|plan| {
            plan.changes
                .iter()
                .map(move |change| format!("{}: {}", plan.table, change.setting))
        });
        let alarms = self
            .alarms
            .iter()
            .filter(|plan| plan.action != Action::Unchanged)
            .map(|plan| format!("{}: alarm", plan.alarm.name));
        let role = self.role.iter().flat_map(|plan| {
            plan.changes
                .iter()
                .map(move |change| format!("{}: {}", plan.name, change.setting))
        });
        buckets.chain(table).chain(alarms).chain(role).collect()
    }
}

pub(crate) fn change(setting: Setting, from: impl fmt::Display, to: impl fmt::Display) -> Change {
    Change {
        setting,
        from: from.to_string(),
        to: to.to_string(),
    }
}

fn describe_block(block: Option<&PublicAccessBlock>) -> String {
    match block {
        None => "not configured".to_owned(),
        Some(block) => format!("{} of 4 on", block.count_on()),
    }
}

/// Where the state bucket's access logs go, decided from the spec and what exists.
fn log_target(
    spec: &Spec,
    observed: &Observed,
    problems: &mut Vec<Problem>,
    warnings: &mut Vec<String>,
) -> Option<BucketName> {
    spec.state_bucket.as_ref()?;
    if let Some(bucket) = &spec.access_log_bucket {
        let presence = observed.buckets.get(bucket).map(|b| &b.presence);
        let managed = spec
            .managed_buckets()
            .iter()
            .any(|(name, _)| name == bucket);
        match presence {
            _ if managed => {}
            Some(BucketPresence::Owned { .. }) => {}
            Some(BucketPresence::Forbidden) => problems.push(Problem {
                resource: bucket.to_string(),
                message: "the --access-log-bucket is not yours or may not be read".to_owned(),
                hint: Some("name a bucket of this account, or omit the flag".to_owned()),
                input: true,
            }),
            Some(BucketPresence::Elsewhere { region }) => problems.push(Problem {
                resource: bucket.to_string(),
                message: format!(
                    "the --access-log-bucket is in {}; S3 delivers access logs only to a bucket \
                     in the source bucket's region",
                    region.as_deref().unwrap_or("another region")
                ),
                hint: Some(format!(
                    "name a bucket in {}, or omit the flag to use the project's logs bucket",
                    spec.deployment.region
                )),
                input: true,
            }),
            _ => problems.push(Problem {
                resource: bucket.to_string(),
                message: "the --access-log-bucket does not exist".to_owned(),
                hint: Some(
                    "create it first, or omit the flag to use the project's logs bucket".to_owned(),
                ),
                input: true,
            }),
        }
        return Some(bucket.clone());
    }
    let not_set = "server access logging of the state bucket is not set";
    let Some(logs) = spec.logs_bucket.as_ref() else {
        warnings.push(format!(
            "{not_set}: the project has no logs bucket name; pass --access-log-bucket"
        ));
        return None;
    };
    let logs_managed = spec.observability.iter().any(|(_, bucket)| bucket == logs);
    let logs_exists = matches!(
        observed.buckets.get(logs).map(|b| &b.presence),
        Some(BucketPresence::Owned { .. })
    );
    if logs_managed || logs_exists {
        return Some(logs.clone());
    }
    warnings.push(format!(
        "{not_set}: the logs bucket {logs} does not exist; provision the observability buckets \
         or pass --access-log-bucket"
    ));
    None
}

/// Computes the plan. Pure: the same spec and observations always give the same plan.
pub fn plan(spec: &Spec, caller: &Caller, observed: &Observed) -> Plan {
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let target = match spec.skips(SettingGroup::AccessLogging) {
        true => None,
        false => log_target(spec, observed, &mut problems, &mut warnings),
    };
    if !spec.skip.is_empty() {
        let groups: Vec<&str> = spec.skip.iter().map(|group| group.as_str()).collect();
        warnings.push(format!(
            "left out by --skip-* or shared-config.toml's skip: {}; these are neither set nor \
             checked, and the audit still reports them",
            groups.join(", ")
        ));
    }
    let mut roles = spec.managed_buckets();
    if let Some(target) = &target
        && !roles.iter().any(|(bucket, _)| bucket == target)
    {
        roles.push((target.clone(), BucketRole::LogTarget));
    }
    let mut buckets = Vec::new();
    for (bucket, role) in roles {
        let found = observed
            .buckets
            .get(&bucket)
            .cloned()
            .unwrap_or_else(ObservedBucket::absent);
        match (&found.presence, role) {
            (BucketPresence::Forbidden, BucketRole::LogTarget)
            | (BucketPresence::Absent, BucketRole::LogTarget) => continue,
            (BucketPresence::Forbidden, _) => {
                problems.push(Problem {
                    resource: bucket.to_string(),
                    message: "the bucket name belongs to another AWS account (or this account may not read it)".to_owned(),
                    hint: Some("bucket names are global across all AWS accounts: choose another --project-name".to_owned()),
                    input: false,
                });
                continue;
            }
            (BucketPresence::Elsewhere { region }, _) => {
                let region = region.as_deref().unwrap_or("another region");
                problems.push(Problem {
                    resource: bucket.to_string(),
                    message: format!(
                        "a bucket of this name is in {region}, not in {}; S3 says so before it \
                         checks who owns a bucket, so it may be another account's",
                        spec.deployment.region
                    ),
                    hint: Some(format!(
                        "if it is yours, run with --region {region}; if not, choose another \
                         --project-name"
                    )),
                    input: false,
                });
                continue;
            }
            (
                BucketPresence::Owned {
                    region: Some(region),
                },
                _,
            ) if region != spec.deployment.region.name() => {
                problems.push(Problem {
                    resource: bucket.to_string(),
                    message: format!(
                        "the bucket exists in {region}, not in {}",
                        spec.deployment.region
                    ),
                    hint: Some(format!(
                        "run with --region {region}, or choose another --project-name"
                    )),
                    input: false,
                });
                continue;
            }
            _ => {}
        }
        let source = spec
            .state_bucket
            .as_ref()
            .filter(|_| target.as_ref() == Some(&bucket));
        if source.is_some()
            && let EncryptionSpec::Kms(_) = &spec.encryption
        {
            warnings.push(match &found.settings.encryption {
                Some(Encryption::Kms { .. }) => format!(
                    "{bucket} receives the state bucket's access logs but is encrypted with \
                     SSE-KMS: S3 delivers no logs to it unless its key policy lets \
                     logging.s3.amazonaws.com use the key; set it to SSE-S3 (AES256)"
                ),
                _ => format!(
                    "{bucket} stays on SSE-S3 (AES256), not --kms-key-id: S3 delivers no \
                     server access logs to a bucket encrypted with SSE-KMS"
                ),
            });
        }
        let mut planned = bucket_plan(spec, caller, &bucket, role, &found, source, target.as_ref());
        problems.extend(public_policy_refused(&planned, role, &found));
        if role == BucketRole::State
            && let Some(replica) = &spec.replication
        {
            let partition = spec.deployment.region.partition();
            let want = replication::desired(partition, &caller.account, replica);
            match replication::judge(&bucket, found.settings.replication.as_ref(), &want) {
                Ok(None) => {}
                Ok(Some(change)) => {
                    planned.changes.push(change);
                    planned.writes.push(BucketWrite::Replication(want));
                    if planned.action == Action::Unchanged {
                        planned.action = Action::Update;
                    }
                }
                Err(problem) => problems.push(problem),
            }
        }
        buckets.push(planned);
    }
    let role = role_plan(spec, caller, observed, &mut problems);
    let table = spec
        .lock_table
        .as_ref()
        .and_then(|table| table_plan(spec, table, observed, &mut problems, &mut warnings));
    let alarms = spec
        .alarms()
        .into_iter()
        .map(|alarm| {
            let action = match observed
                .alarms
                .iter()
                .find(|found| found.name == alarm.name)
            {
                None => Action::Create,
                Some(found) if *found == alarm => Action::Unchanged,
                Some(_) => Action::Update,
            };
            AlarmPlan { alarm, action }
        })
        .collect();
    Plan {
        buckets,
        table,
        alarms,
        role,
        problems,
        warnings,
    }
}

/// The replication role of `--replicate-to`: S3 may assume it for this account, and it may
/// read the state bucket and write the replica (with KMS, through the source key and the
/// replica's, whose ARN KMS reported).
fn role_plan(
    spec: &Spec,
    caller: &Caller,
    observed: &Observed,
    problems: &mut Vec<Problem>,
) -> Option<RolePlan> {
    let (Some(replica), Some(source)) = (&spec.replication, &spec.state_bucket) else {
        return None;
    };
    let source_key = match &spec.encryption {
        EncryptionSpec::Default => None,
        EncryptionSpec::Kms(key) => match &observed.key_arn {
            Some(arn) => Some(arn.as_str()),
            None => {
                problems.push(Problem {
                    resource: replica.role.clone(),
                    message: format!(
                        "KMS has no key `{key}` that this account may describe; the \
                         replication role's policy names the state bucket's key by its ARN"
                    ),
                    hint: Some(
                        "give --kms-key-id as the key's ARN, or allow kms:DescribeKey".to_owned(),
                    ),
                    input: false,
                });
                return None;
            }
        },
    };
    let trust = replication::trust_policy(&caller.account);
    let policy = replication::role_policy(
        spec.deployment.region.partition(),
        source,
        spec.deployment.region,
        replica,
        source_key,
    );
    Some(replication::role_plan(
        &replica.role,
        &trust,
        &policy,
        observed.role.as_ref(),
    ))
}

/// P8: with Block Public Access's BlockPublicPolicy on (every managed bucket gets it, before
/// its policy is written), S3 refuses with 403 AccessDenied any policy write that keeps a
/// public statement. A public statement already in the policy would make the run fail
/// halfway with what reads as a permissions problem: it is named before anything changes.
fn public_policy_refused(
    planned: &BucketPlan,
    role: BucketRole,
    found: &ObservedBucket,
) -> Option<Problem> {
    let blocks = role != BucketRole::LogTarget
        || found
            .settings
            .public_access_block
            .as_ref()
            .is_some_and(|block| block.block_public_policy);
    let public = planned.writes.iter().find_map(|write| match write {
        BucketWrite::Policy(policy) => Some(policy.public_statements()),
        _ => None,
    })?;
    (blocks && !public.is_empty()).then(|| Problem {
        resource: planned.bucket.to_string(),
        message: format!(
            "the bucket policy's statement {} makes the bucket public; with Block Public \
             Access on, S3 refuses every policy write that keeps it (403 AccessDenied), so \
             the policy cannot be updated",
            public.join(", ")
        ),
        hint: Some(format!(
            "remove that statement, or pin it with a fixed-value condition (aws:SourceVpce, \
             aws:PrincipalOrgID, ...), then run again (`aws s3api get-bucket-policy --bucket \
             {}` shows it)",
            planned.bucket
        )),
        input: false,
    })
}

/// The group a bucket setting belongs to, for `--skip-<group>`.
fn group_of_setting(setting: Setting) -> Option<SettingGroup> {
    Some(match setting {
        Setting::Versioning => SettingGroup::Versioning,
        Setting::Encryption => SettingGroup::Encryption,
        Setting::PublicAccessBlock => SettingGroup::PublicAccessBlock,
        Setting::ObjectOwnership => SettingGroup::ObjectOwnership,
        Setting::TlsPolicy => SettingGroup::TlsPolicy,
        Setting::LogDeliveryPolicy | Setting::AccessLogging => SettingGroup::AccessLogging,
        Setting::RequestMetrics => SettingGroup::RequestMetrics,
        Setting::Lifecycle => SettingGroup::Lifecycle,
        Setting::Tags => SettingGroup::Tags,
        _ => return None,
    })
}

/// The group a bucket write belongs to (a policy write carries two groups' statements, and
/// each is left out where it is made).
pub(crate) fn group_of_write(write: &BucketWrite) -> Option<SettingGroup> {
    Some(match write {
        BucketWrite::OwnershipEnforced | BucketWrite::PrivateAcl => SettingGroup::ObjectOwnership,
        BucketWrite::BlockPublicAccess => SettingGroup::PublicAccessBlock,
        BucketWrite::Encryption(_) => SettingGroup::Encryption,
        BucketWrite::EnableVersioning => SettingGroup::Versioning,
        BucketWrite::Tags(_) => SettingGroup::Tags,
        BucketWrite::RequestMetrics => SettingGroup::RequestMetrics,
        BucketWrite::Lifecycle(_) => SettingGroup::Lifecycle,
        BucketWrite::Logging(_) => SettingGroup::AccessLogging,
        _ => return None,
    })
}

fn bucket_plan(
    spec: &Spec,
    caller: &Caller,
    bucket: &BucketName,
    role: BucketRole,
    found: &ObservedBucket,
    log_source: Option<&BucketName>,
    log_target: Option<&BucketName>,
) -> BucketPlan {
    let have = &found.settings;
    let partition = spec.deployment.region.partition();
    let arn = bucket.arn(partition);
    let mut changes = Vec::new();
    let mut writes = Vec::new();
    let managed = role != BucketRole::LogTarget;

    if managed {
        if have.ownership != Some(ObjectOwnership::BucketOwnerEnforced) {
            let from = have
                .ownership
                .as_ref()
                .map_or("not configured".to_owned(), ToString::to_string);
            changes.push(change(
                Setting::ObjectOwnership,
                from,
                ObjectOwnership::BucketOwnerEnforced,
            ));
            writes.push(BucketWrite::OwnershipEnforced);
        }
        if have.public_access_block != Some(PublicAccessBlock::ALL_ON) {
            changes.push(change(
                Setting::PublicAccessBlock,
                describe_block(have.public_access_block.as_ref()),
                "4 of 4 on",
            ));
            writes.push(BucketWrite::BlockPublicAccess);
        }
        let wanted = match &spec.encryption {
            EncryptionSpec::Default if have.encryption.is_some() => None,
            EncryptionSpec::Default => Some(Encryption::Aes256),
            // P5: S3 delivers no server access logs to a bucket encrypted with SSE-KMS, so
            // the state bucket's log target stays on SSE-S3 (a warning says so).
            EncryptionSpec::Kms(_) if log_source.is_some() => {
                have.encryption.is_none().then_some(Encryption::Aes256)
            }
            EncryptionSpec::Kms(key) => {
                let kms = Encryption::Kms {
                    key_id: Some(key.clone()),
                    bucket_key: true,
                };
                (have.encryption.as_ref() != Some(&kms)).then_some(kms)
            }
        };
        if let Some(encryption) = wanted {
            let from = have
                .encryption
                .as_ref()
                .map_or("not configured".to_owned(), ToString::to_string);
            changes.push(change(Setting::Encryption, from, &encryption));
            writes.push(BucketWrite::Encryption(encryption));
        }
        if have.versioning != Versioning::Enabled {
            changes.push(change(
                Setting::Versioning,
                have.versioning,
                Versioning::Enabled,
            ));
            writes.push(BucketWrite::EnableVersioning);
        }
        let wanted = spec.bucket_tags_for(role);
        let missing: Tags = wanted
            .iter()
            .filter(|(key, value)| have.tags.get(*key) != Some(*value))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        if !missing.is_empty() {
            let from = missing
                .keys()
                .map(|key| match have.tags.get(key) {
                    Some(value) => format!("{key}={value}"),
                    None => format!("no {key}"),
                })
                .collect::<Vec<_>>()
                .join(", ");
            let to = missing
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(", ");
            changes.push(change(Setting::Tags, from, to));
            let mut merged = have.tags.clone();
            merged.extend(missing);
            writes.push(BucketWrite::Tags(merged));
        }
        if !have.request_metrics {
            changes.push(change(Setting::RequestMetrics, "off", "on (EntireBucket)"));
            writes.push(BucketWrite::RequestMetrics);
        }
        if let BucketRole::Observability(kind) = role {
            let desired = retention_for(kind);
            let current = retention_in(&have.lifecycle);
            if current != Some(&desired) {
                let from = current.map_or_else(
                    || {
                        if have.lifecycle.is_empty() {
                            "no rules".to_owned()
                        } else {
                            "no retention rule".to_owned()
                        }
                    },
                    ToString::to_string,
                );
                changes.push(change(Setting::Lifecycle, from, &desired));
                writes.push(BucketWrite::Lifecycle(to_rules(&with_retention(
                    &have.lifecycle,
                    &desired,
                ))));
            }
        }
    }

    // The policy: the TLS-only statement on managed buckets, the log-delivery grant on the
    // access-log target. One write carries both, keeping every other statement.
    let mut policy = have.policy.clone().unwrap_or_else(Policy::empty);
    let mut policy_changed = false;
    if managed && !spec.skips(SettingGroup::TlsPolicy) && !policy.denies_insecure_transport(&arn) {
        let from = if have.policy.is_none() {
            "no policy"
        } else {
            "no TLS-only statement"
        };
        changes.push(change(
            Setting::TlsPolicy,
            from,
            "deny requests without TLS",
        ));
        policy = policy.with_statement(tls_statement(&arn));
        policy_changed = true;
    }
    if let Some(source) = log_source.filter(|_| !spec.skips(SettingGroup::AccessLogging)) {
        let prefix = naming::access_log_prefix(source);
        let statement = log_delivery_statement(
            &arn,
            &prefix,
            source.as_str(),
            &source.arn(partition),
            &caller.account,
        );
        if policy.statement(&log_delivery_sid(source.as_str())) != Some(&statement) {
            changes.push(change(
                Setting::LogDeliveryPolicy,
                "no grant",
                format!("logging.s3.amazonaws.com may write {prefix}"),
            ));
            policy = policy.with_statement(statement);
            policy_changed = true;
        }
    }
    if policy_changed {
        writes.push(BucketWrite::Policy(policy));
    }

    if role == BucketRole::State
        && !spec.skips(SettingGroup::AccessLogging)
        && let Some(target) = log_target
    {
        let desired = Logging {
            target_bucket: target.to_string(),
            prefix: naming::access_log_prefix(bucket),
        };
        if have.logging.as_ref() != Some(&desired) {
            let from = have
                .logging
                .as_ref()
                .map_or("off".to_owned(), ToString::to_string);
            changes.push(change(Setting::AccessLogging, from, &desired));
            writes.push(BucketWrite::Logging(desired));
        }
    }

    // What the run leaves out is neither written nor expected.
    changes.retain(|change| group_of_setting(change.setting).is_none_or(|g| !spec.skips(g)));
    writes.retain(|write| group_of_write(write).is_none_or(|g| !spec.skips(g)));

    let action = match (&found.presence, changes.is_empty()) {
        (BucketPresence::Absent, _) => Action::Create,
        (_, true) => Action::Unchanged,
        (_, false) => Action::Update,
    };
    BucketPlan {
        bucket: bucket.clone(),
        role,
        action,
        changes,
        writes,
    }
}

/// The lock table's settings as the plan judges them: what is written, and the settings
/// another project chose that are left as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableJudgement {
    /// The changes, each with its call.
    pub writes: Vec<(Change, TableWrite)>,
    /// Settings that differ from this run's but are left alone, each as a sentence.
    pub kept: Vec<String>,
}

/// Whose settings a lock-table judgement may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableOwnership {
    /// The table exists and is shared by every project of the region (its name has no
    /// project in it): a setting another project chose (its KMS key, a tag's value) is
    /// reported and left alone. Point-in-time recovery, deletion protection, on-demand
    /// billing and encryption with the AWS-managed key are the baseline of every project,
    /// so they are set.
    Shared,
    /// This run created the table, or `--take-over-lock-table`: its settings are this
    /// run's.
    Ours,
}

/// The changes a table needs, from its facts. Used by the plan and again by apply, after a
/// wait or a create, on fresh facts. `key_arn` is the ARN AWS reports for `--kms-key-id`
/// (DynamoDB reports a table's key only so: aws-behaviour.md P1), when it could be looked up.
pub fn table_writes(
    spec: &Spec,
    facts: &TableFacts,
    key_arn: Option<&str>,
    ownership: TableOwnership,
) -> TableJudgement {
    let mut judgement = TableJudgement::default();
    let TableJudgement { writes, kept } = &mut judgement;
    let table = spec
        .lock_table
        .as_ref()
        .map_or("the lock table", TableName::as_str);
    let takeover_hint = "pass --take-over-lock-table to change it for every project";
    if !facts.on_demand {
        writes.push((
            change(Setting::BillingMode, "PROVISIONED", "PAY_PER_REQUEST"),
            TableWrite::OnDemand,
        ));
    }
    let kms = match &spec.encryption {
        EncryptionSpec::Kms(key) => Some(key.clone()),
        EncryptionSpec::Default => None,
    };
    let encrypted_right = match (&facts.sse, &kms) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(found), Some(key)) => {
            found.as_ref() == Some(key) || (found.is_some() && found.as_deref() == key_arn)
        }
    };
    if !encrypted_right {
        let from = match &facts.sse {
            None => "AWS owned key".to_owned(),
            Some(key) => format!("KMS ({})", key.as_deref().unwrap_or("aws/dynamodb")),
        };
        let to = format!("KMS ({})", kms.as_deref().unwrap_or("aws/dynamodb"));
        // A customer key is a choice every caller of the table must be allowed to use:
        // it is this run's to make only for a table that is its own.
        if kms.is_some() && ownership == TableOwnership::Shared {
            kept.push(format!(
                "{table} is shared by every project in {region} and is encrypted with {from}, \
                 not {to}; it is left so ({takeover_hint})",
                region = spec.deployment.region,
            ));
        } else {
            writes.push((
                change(Setting::TableEncryption, from, to),
                TableWrite::Encryption(kms),
            ));
        }
    }
    // A fact the caller may not read (P10) is not written blind: it is named instead.
    let unreadable = |what: &str, error: &AwsError, permission: &str| {
        format!(
            "{what} of {table} cannot be read ({}: {}); it is left as it is (allow \
             {permission} to check and set it)",
            error.operation(),
            error.code().unwrap_or("AccessDenied"),
        )
    };
    match &facts.point_in_time_recovery {
        Ok(true) => {}
        Ok(false) => writes.push((
            change(Setting::PointInTimeRecovery, "off", "on"),
            TableWrite::PointInTimeRecovery,
        )),
        Err(error) => kept.push(unreadable(
            "point-in-time recovery",
            error,
            "dynamodb:DescribeContinuousBackups",
        )),
    }
    if !facts.deletion_protection {
        writes.push((
            change(Setting::DeletionProtection, "off", "on"),
            TableWrite::DeletionProtection,
        ));
    }
    let found_tags = match &facts.tags {
        Ok(tags) => tags,
        Err(error) => {
            kept.push(unreadable("the tags", error, "dynamodb:ListTagsOfResource"));
            return judgement;
        }
    };
    let mut missing = Tags::new();
    for (key, value) in spec.table_tags() {
        match found_tags.get(&key) {
            Some(found) if *found == value => {}
            Some(found) if ownership == TableOwnership::Shared => kept.push(format!(
                "{table} is shared by every project in {region} and has tag {key}={found}, \
                 not {key}={value}; it is left so ({takeover_hint})",
                region = spec.deployment.region,
            )),
            _ => {
                missing.insert(key, value);
            }
        }
    }
    if !missing.is_empty() {
        let to = missing
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ");
        let from = missing
            .keys()
            .map(|key| match found_tags.get(key) {
                Some(found) => format!("{key}={found}"),
                None => format!("no {key}"),
            })
            .collect::<Vec<_>>()
            .join(", ");
        writes.push((change(Setting::Tags, from, to), TableWrite::Tags(missing)));
    }
    judgement
}

fn table_plan(
    spec: &Spec,
    table: &TableName,
    observed: &Observed,
    problems: &mut Vec<Problem>,
    warnings: &mut Vec<String>,
) -> Option<TablePlan> {
    let key_arn = observed.key_arn.clone();
    let Some(facts) = observed.table.as_ref() else {
        let kms = match &spec.encryption {
            EncryptionSpec::Kms(key) => key.as_str(),
            EncryptionSpec::Default => "aws/dynamodb",
        };
        let tags = spec
            .table_tags()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ");
        let changes = vec![
            change(Setting::KeySchema, "absent", lock_key()),
            change(Setting::BillingMode, "absent", "PAY_PER_REQUEST"),
            change(Setting::TableEncryption, "absent", format!("KMS ({kms})")),
            change(Setting::PointInTimeRecovery, "absent", "on"),
            change(Setting::DeletionProtection, "absent", "on"),
            change(Setting::Tags, "absent", tags),
        ];
        return Some(TablePlan {
            table: table.clone(),
            action: Action::Create,
            changes,
            waits_for: None,
            key_arn,
        });
    };
    if facts.key_schema != [lock_key()] {
        let found = facts
            .key_schema
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        problems.push(Problem {
            resource: table.to_string(),
            message: format!("the table's key schema is {found}; Terraform needs LockID (S, HASH)"),
            hint: Some("use another lock table name (shared-config.toml [naming] lock_table), or --lock s3".to_owned()),
            input: false,
        });
        return None;
    }
    if facts.status == TableStatus::Deleting {
        problems.push(Problem {
            resource: table.to_string(),
            message: "the table is being deleted".to_owned(),
            hint: Some("run again once it is gone; it will be created anew".to_owned()),
            input: false,
        });
        return None;
    }
    let judgement = table_writes(spec, facts, key_arn.as_deref(), spec.table_ownership());
    warnings.extend(judgement.kept);
    let changes: Vec<Change> = judgement
        .writes
        .into_iter()
        .map(|(change, _)| change)
        .collect();
    let waits_for = (facts.status != TableStatus::Active).then(|| facts.status.to_string());
    Some(TablePlan {
        table: table.clone(),
        action: if changes.is_empty() {
            Action::Unchanged
        } else {
            Action::Update
        },
        changes,
        waits_for,
        key_arn,
    })
}
