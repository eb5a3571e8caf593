//! What the user asked for, validated: which buckets, which table, which encryption, where
//! access logs go, which alarms. Everything here is checked before any request is sent.

use std::time::Duration;

use naming::{
    BucketName, Company, Deployment, LockMode, NamingRules, ObservabilityKind, Region, TableName,
};
use serde::Serialize;

use crate::error::ProvisionError;
use crate::model::{AlarmSpec, Tags};
use crate::replication::ReplicaSpec;

/// Which resources a run provisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// The state bucket, the lock table and the four observability buckets
    /// (`provision-s3-client-centric`).
    Full,
    /// The state bucket and the lock table (`provision-s3-infrastructure`, `--backend-only`).
    BackendOnly,
    /// The four observability buckets (`--observability-only`).
    ObservabilityOnly,
}

/// Default encryption for buckets (and the lock table).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EncryptionSpec {
    /// SSE-S3 (AES256); a bucket that already has any default encryption keeps it.
    Default,
    /// SSE-KMS with this key and S3 Bucket Keys (`--kms-key-id`).
    Kms(String),
}

/// How long to wait for a table that is not ACTIVE yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitPolicy {
    /// How many times to look.
    pub attempts: u32,
    /// How long between looks.
    pub interval: Duration,
}

impl Default for WaitPolicy {
    /// Two minutes: 60 looks, 2 seconds apart.
    fn default() -> Self {
        WaitPolicy {
            attempts: 60,
            interval: Duration::from_secs(2),
        }
    }
}

/// The value of the `ManagedBy` tag.
pub const MANAGED_BY: &str = "tfstate-toolkit";

/// The flags of a provisioning run, before validation.
#[derive(Debug, Clone)]
pub struct Options {
    /// Project, environment and region.
    pub deployment: Deployment,
    /// The naming patterns (shared-config.toml's, or the contract's).
    pub rules: NamingRules,
    /// Which resources.
    pub scope: Scope,
    /// `--lock`: with `s3` there is no table.
    pub lock: LockMode,
    /// `--company-name`
    pub company: Option<Company>,
    /// `--kms-key-id`
    pub kms_key_id: Option<String>,
    /// `--access-log-bucket`
    pub access_log_bucket: Option<String>,
    /// `--alarm-topic-arn`
    pub alarm_topic_arn: Option<String>,
    /// How long to wait for the table.
    pub wait: WaitPolicy,
    /// `--take-over-lock-table`: the shared lock table gets this run's settings.
    pub take_over_table: bool,
    /// `--skip-<group>` and shared-config.toml's `skip`: bucket settings left out.
    pub skip: std::collections::BTreeSet<naming::SettingGroup>,
    /// `--replicate-to`: the region of the state bucket's replica.
    pub replicate_to: Option<Region>,
    /// `--replica-kms-key-id`: the replica region's KMS key, when the buckets use KMS.
    pub replica_kms_key_id: Option<String>,
}

/// A validated request: the names of everything to provision and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    /// Project, environment and region.
    pub deployment: Deployment,
    /// Which resources.
    pub scope: Scope,
    /// The state bucket, unless observability only.
    pub state_bucket: Option<BucketName>,
    /// The observability buckets, unless backend only.
    pub observability: Vec<(ObservabilityKind, BucketName)>,
    /// The project's logs bucket: where the state bucket's access logs go by default (`None`
    /// when the naming pattern cannot make one and it is not in the run's scope).
    pub logs_bucket: Option<BucketName>,
    /// The lock table, unless `--lock s3` or observability only.
    pub lock_table: Option<TableName>,
    /// Default encryption.
    pub encryption: EncryptionSpec,
    /// `--company-name`
    pub company: Option<Company>,
    /// `--access-log-bucket`
    pub access_log_bucket: Option<BucketName>,
    /// `--alarm-topic-arn`
    pub alarm_topic: Option<String>,
    /// How long to wait for the table.
    pub wait: WaitPolicy,
    /// `--take-over-lock-table`: the shared lock table gets this run's settings.
    pub take_over_table: bool,
    /// Bucket settings left out: neither written nor expected.
    pub skip: std::collections::BTreeSet<naming::SettingGroup>,
    /// `--replicate-to`: where the state bucket is replicated.
    pub replication: Option<ReplicaSpec>,
}

/// The role a bucket plays: naming's, of which provisioning manages `State`,
/// `Observability` and `LogTarget`.
pub use naming::BucketRole;

impl Spec {
    /// Validates the options and computes every name; nothing is sent to AWS.
    pub fn new(options: Options) -> Result<Spec, ProvisionError> {
        let Options {
            deployment,
            rules,
            scope,
            lock,
            company,
            kms_key_id,
            access_log_bucket,
            alarm_topic_arn,
            wait,
            take_over_table,
            skip,
            replicate_to,
            replica_kms_key_id,
        } = options;
        let backend = scope != Scope::ObservabilityOnly;
        let state_bucket = backend
            .then(|| rules.state_bucket(&deployment))
            .transpose()?;
        let lock_table = (backend && lock.uses_table())
            .then(|| rules.lock_table(&deployment))
            .transpose()?;
        let observability = if scope == Scope::BackendOnly {
            Vec::new()
        } else {
            ObservabilityKind::ALL
                .into_iter()
                .map(|kind| Ok((kind, rules.observability_bucket(&deployment, kind)?)))
                .collect::<Result<Vec<_>, ProvisionError>>()?
        };
        // Outside the run's scope, a logs bucket whose name cannot exist is simply absent.
        let logs_bucket = rules
            .observability_bucket(&deployment, ObservabilityKind::Logs)
            .ok();
        let encryption = match kms_key_id {
            Some(key) => EncryptionSpec::Kms(check_kms_key(&key, deployment.region)?),
            None => EncryptionSpec::Default,
        };
        let access_log_bucket = access_log_bucket
            .map(|bucket| {
                BucketName::new(bucket.as_str()).map_err(|error| ProvisionError::Input {
                    field: "--access-log-bucket",
                    value: bucket.clone(),
                    rule: match &error {
                        naming::NamingError::Invalid { rule, .. } => rule.to_string(),
                        other => other.to_string(),
                    },
                    hint: error.hint().map(str::to_owned),
                })
            })
            .transpose()?;
        if let Some(state) = state_bucket
            .as_ref()
            .filter(|state| access_log_bucket.as_ref() == Some(*state))
        {
            return Err(ProvisionError::Input {
                field: "--access-log-bucket",
                value: state.to_string(),
                rule: "is the state bucket itself; a bucket that logs into itself logs forever"
                    .to_owned(),
                hint: Some(
                    "name another bucket, or omit the flag to use the project's logs bucket"
                        .to_owned(),
                ),
            });
        }
        let alarm_topic = alarm_topic_arn
            .map(|arn| check_topic_arn(&arn, deployment.region))
            .transpose()?;
        if let Some(region) =
            replicate_to.filter(|_| skip.contains(&naming::SettingGroup::Versioning))
        {
            return Err(input(
                "--replicate-to",
                region.name(),
                "needs versioning, which --skip-versioning leaves out: S3 replicates only versioned buckets",
                "drop --skip-versioning (or `versioning` from shared-config.toml's skip), or --replicate-to",
            ));
        }
        let replication = replica(
            &rules,
            &deployment,
            state_bucket.is_some(),
            lock_table.is_some(),
            &encryption,
            replicate_to,
            replica_kms_key_id,
        )?;
        Ok(Spec {
            state_bucket,
            lock_table,
            deployment,
            scope,
            observability,
            logs_bucket,
            encryption,
            company,
            access_log_bucket,
            alarm_topic,
            wait,
            take_over_table,
            skip,
            replication,
        })
    }

    /// The replica's own run, in the replica's region: the replica bucket hardened as a
    /// state bucket and that region's lock table, which failover points Terraform at. Its
    /// access logs are left out: S3 delivers them only to a bucket in the same region.
    pub fn replica(&self) -> Option<Spec> {
        let replica = self.replication.as_ref()?;
        let mut skip = self.skip.clone();
        skip.insert(naming::SettingGroup::AccessLogging);
        Some(Spec {
            deployment: Deployment {
                region: replica.region,
                ..self.deployment.clone()
            },
            scope: Scope::BackendOnly,
            state_bucket: Some(replica.bucket.clone()),
            observability: Vec::new(),
            logs_bucket: None,
            lock_table: replica.lock_table.clone(),
            encryption: match &replica.kms_key {
                Some(key) => EncryptionSpec::Kms(key.clone()),
                None => EncryptionSpec::Default,
            },
            company: self.company.clone(),
            access_log_bucket: None,
            alarm_topic: None,
            wait: self.wait,
            take_over_table: self.take_over_table,
            skip,
            replication: None,
        })
    }

    /// Whether the run leaves `group` out.
    pub fn skips(&self, group: naming::SettingGroup) -> bool {
        self.skip.contains(&group)
    }

    /// Whose settings the existing lock table's are: shared, unless
    /// `--take-over-lock-table`.
    pub fn table_ownership(&self) -> crate::plan::TableOwnership {
        match self.take_over_table {
            true => crate::plan::TableOwnership::Ours,
            false => crate::plan::TableOwnership::Shared,
        }
    }

    /// The buckets the run manages in full, with their roles.
    pub fn managed_buckets(&self) -> Vec<(BucketName, BucketRole)> {
        let state = self
            .state_bucket
            .iter()
            .map(|b| (b.clone(), BucketRole::State));
        let observability = self
            .observability
            .iter()
            .map(|(kind, bucket)| (bucket.clone(), BucketRole::Observability(*kind)));
        state.chain(observability).collect()
    }

    /// The tags every bucket gets: Project, Environment, ManagedBy and, when given, Company.
    pub fn bucket_tags(&self) -> Tags {
        let mut tags = Tags::new();
        tags.insert("Project".to_owned(), self.deployment.project.to_string());
        tags.insert(
            "Environment".to_owned(),
            self.deployment.environment.to_string(),
        );
        tags.insert("ManagedBy".to_owned(), MANAGED_BY.to_owned());
        if let Some(company) = &self.company {
            tags.insert("Company".to_owned(), company.to_string());
        }
        tags
    }

    /// The tags of one bucket: [`Spec::bucket_tags`], and on the state bucket
    /// `Purpose = terraform-state` too, which teardown reads as a sign of Terraform state.
    pub fn bucket_tags_for(&self, role: BucketRole) -> Tags {
        let mut tags = self.bucket_tags();
        if role == BucketRole::State {
            tags.insert("Purpose".to_owned(), naming::STATE_PURPOSE.to_owned());
        }
        tags
    }

    /// The tags of the lock table. The table is per region and shared by every project and
    /// environment there, so it carries no Project or Environment tag.
    pub fn table_tags(&self) -> Tags {
        let mut tags = Tags::new();
        tags.insert("ManagedBy".to_owned(), MANAGED_BY.to_owned());
        tags.insert("Purpose".to_owned(), "terraform-state-locking".to_owned());
        if let Some(company) = &self.company {
            tags.insert("Company".to_owned(), company.to_string());
        }
        tags
    }

    /// The alarms of `--alarm-topic-arn`: lock-table write throttling, and state-bucket
    /// 4xx and 5xx errors (from the `EntireBucket` request metrics).
    pub fn alarms(&self) -> Vec<AlarmSpec> {
        let Some(topic) = &self.alarm_topic else {
            return Vec::new();
        };
        let alarm = |name: String,
                     description: String,
                     namespace: &str,
                     metric: &str,
                     dimensions: Vec<(&str, String)>,
                     threshold: i64| {
            let mut dimensions: Vec<(String, String)> = dimensions
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect();
            dimensions.sort();
            AlarmSpec {
                name,
                description,
                namespace: namespace.to_owned(),
                metric: metric.to_owned(),
                dimensions,
                statistic: "Sum".to_owned(),
                period: 300,
                evaluation_periods: 1,
                threshold,
                comparison: "GreaterThanOrEqualToThreshold".to_owned(),
                actions: vec![topic.clone()],
            }
        };
        let mut alarms = Vec::new();
        if let Some(table) = &self.lock_table {
            alarms.push(alarm(
                format!("{table}-write-throttles"),
                format!("Writes to the Terraform lock table {table} are throttled"),
                "AWS/DynamoDB",
                "WriteThrottleEvents",
                vec![("TableName", table.to_string())],
                1,
            ));
        }
        if let Some(bucket) = &self.state_bucket {
            for (metric, threshold) in [("4xxErrors", 10), ("5xxErrors", 1)] {
                alarms.push(alarm(
                    format!(
                        "{bucket}-{}",
                        metric.to_ascii_lowercase().replace("errors", "-errors")
                    ),
                    format!("{metric} on the Terraform state bucket {bucket}"),
                    "AWS/S3",
                    metric,
                    vec![
                        ("BucketName", bucket.to_string()),
                        ("FilterId", crate::METRICS_ID.to_owned()),
                    ],
                    threshold,
                ));
            }
        }
        alarms
    }
}

/// `--replicate-to` and `--replica-kms-key-id`, validated: another region, a state bucket
/// in the run, and with KMS a key ARN of the replica's region (KMS keys are regional, and
/// S3 takes the replica's key as an ARN).
fn replica(
    rules: &NamingRules,
    deployment: &Deployment,
    has_state_bucket: bool,
    has_table: bool,
    encryption: &EncryptionSpec,
    region: Option<Region>,
    kms_key: Option<String>,
) -> Result<Option<ReplicaSpec>, ProvisionError> {
    let Some(region) = region else {
        return match kms_key {
            Some(key) => Err(input(
                "--replica-kms-key-id",
                &key,
                "is given without --replicate-to",
                "add --replicate-to REGION, or drop --replica-kms-key-id",
            )),
            None => Ok(None),
        };
    };
    if region == deployment.region {
        return Err(input(
            "--replicate-to",
            region.name(),
            "is the state bucket's own region; a replica for disaster recovery is in another",
            "name a second region, for example us-west-2 for us-east-2",
        ));
    }
    if region.partition() != deployment.region.partition() {
        return Err(input(
            "--replicate-to",
            region.name(),
            &format!("is in another partition than {}", deployment.region),
            "S3 replicates only within a partition: name a region of the same one",
        ));
    }
    if !has_state_bucket {
        return Err(input(
            "--replicate-to",
            region.name(),
            "replicates the state bucket, which --observability-only leaves out",
            "drop --observability-only, or --replicate-to",
        ));
    }
    let kms_key = match (encryption, kms_key) {
        (EncryptionSpec::Kms(_), None) => {
            return Err(input(
                "--replica-kms-key-id",
                "(missing)",
                &format!(
                    "is needed with --kms-key-id: KMS keys are regional, so the replica in                      {region} is encrypted with a key of {region}"
                ),
                &format!("add --replica-kms-key-id arn:aws:kms:{region}:ACCOUNT:key/KEY-ID"),
            ));
        }
        (EncryptionSpec::Default, Some(key)) => {
            return Err(input(
                "--replica-kms-key-id",
                &key,
                "is given without --kms-key-id; the replica is encrypted as the state bucket is",
                "add --kms-key-id for the state bucket, or drop --replica-kms-key-id",
            ));
        }
        (_, Some(key)) => {
            let key = check_kms_key(&key, region).map_err(|error| match error {
                ProvisionError::Input {
                    value, rule, hint, ..
                } => ProvisionError::Input {
                    field: "--replica-kms-key-id",
                    value,
                    rule,
                    hint,
                },
                other => other,
            })?;
            if !aws_client::kms::is_key_arn(&key) {
                return Err(input(
                    "--replica-kms-key-id",
                    &key,
                    "is not a key ARN; S3 replication and the role's policy need the key's ARN",
                    &format!(
                        "give arn:aws:kms:{region}:ACCOUNT:key/KEY-ID (`aws kms describe-key --key-id {key} --region {region}` shows it)"
                    ),
                ));
            }
            Some(key)
        }
        (EncryptionSpec::Default, None) => None,
    };
    let replica_deployment = Deployment {
        region,
        ..deployment.clone()
    };
    Ok(Some(ReplicaSpec {
        region,
        bucket: rules.replica_bucket(deployment, region)?,
        lock_table: has_table
            .then(|| rules.lock_table(&replica_deployment))
            .transpose()?,
        role: rules.replication_role(deployment)?,
        kms_key,
    }))
}

fn input(field: &'static str, value: &str, rule: &str, hint: &str) -> ProvisionError {
    ProvisionError::Input {
        field,
        value: value.to_owned(),
        rule: rule.to_owned(),
        hint: Some(hint.to_owned()),
    }
}

/// A KMS key id, key ARN, alias name (`alias/...`) or alias ARN, of the bucket's region.
fn check_kms_key(key: &str, region: naming::Region) -> Result<String, ProvisionError> {
    naming::KmsKeyId::new(key, region)
        .map(|key| key.to_string())
        .map_err(|error| {
            let (rule, hint) = match &error {
                naming::NamingError::Invalid { rule, hint, .. } => {
                    (rule.to_string(), hint.clone().unwrap_or_default())
                }
                other => (other.to_string(), String::new()),
            };
            input("--kms-key-id", key, &rule, &hint)
        })
}

/// An SNS topic ARN: `arn:{partition}:sns:{region}:{account}:{name}`.
/// An SNS topic ARN in the deployment's region and partition: CloudWatch refuses an alarm
/// action in another region (P9), and it is refused here, before anything is changed.
fn check_topic_arn(arn: &str, region: naming::Region) -> Result<String, ProvisionError> {
    let parts: Vec<&str> = arn.split(':').collect();
    let ok = parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "sns"
        && naming::Region::new(parts[3]).is_ok()
        && parts[4].len() == 12
        && parts[4].bytes().all(|b| b.is_ascii_digit())
        && !parts[5].is_empty()
        && parts[5].len() <= 256
        && parts[5]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
    if !ok {
        return Err(input(
            "--alarm-topic-arn",
            arn,
            "is not an SNS topic ARN",
            "for example arn:aws:sns:us-east-2:123456789012:terraform-alerts",
        ));
    }
    let partition = region.partition().id();
    if parts[3] != region.name() || parts[1] != partition {
        return Err(input(
            "--alarm-topic-arn",
            arn,
            &format!(
                "is a topic in {}; CloudWatch takes alarm actions only in the alarms' region, {region}",
                parts[3]
            ),
            &format!(
                "use a topic in {region}: arn:{partition}:sns:{region}:{}:{}",
                parts[4], parts[5]
            ),
        ));
    }
    Ok(arn.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(scope: Scope) -> Options {
        Options {
            deployment: Deployment::parse("ohio-01", "production", "us-east-2").unwrap(),
            rules: NamingRules::default(),
            scope,
            lock: LockMode::Dynamodb,
            company: None,
            kms_key_id: None,
            access_log_bucket: None,
            alarm_topic_arn: None,
            wait: WaitPolicy::default(),
            take_over_table: false,
            skip: Default::default(),
            replicate_to: None,
            replica_kms_key_id: None,
        }
    }

    #[test]
    fn replication_is_validated_before_anything_is_sent() {
        let west = Some(Region::new("us-west-2").unwrap());
        let spec = Spec::new(Options {
            replicate_to: west,
            ..options(Scope::BackendOnly)
        })
        .unwrap();
        let replica = spec.replication.as_ref().unwrap();
        assert_eq!(
            replica.bucket.as_str(),
            "ohio-01-terraform-state-production-replica-us-west-2"
        );
        assert_eq!(
            replica.lock_table.as_ref().map(|t| t.as_str()),
            Some("terraform-locks-us-west")
        );
        let own = spec.replica().unwrap();
        assert_eq!(own.deployment.region.name(), "us-west-2");
        assert!(own.skips(naming::SettingGroup::AccessLogging));
        assert!(own.replication.is_none() && own.observability.is_empty());

        let refused =
            |options: Options, field: &str, words: &str| match Spec::new(options).unwrap_err() {
                ProvisionError::Input { field: f, rule, .. } => {
                    assert_eq!(f, field);
                    assert!(rule.contains(words), "{rule}");
                }
                other => panic!("{other:?}"),
            };
        let kms = Some(
            "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
                .to_owned(),
        );
        refused(
            Options {
                replicate_to: Some(Region::new("us-east-2").unwrap()),
                ..options(Scope::Full)
            },
            "--replicate-to",
            "own region",
        );
        refused(
            Options {
                replicate_to: west,
                ..options(Scope::ObservabilityOnly)
            },
            "--replicate-to",
            "--observability-only",
        );
        refused(
            Options {
                replicate_to: west,
                kms_key_id: kms.clone(),
                ..options(Scope::Full)
            },
            "--replica-kms-key-id",
            "KMS keys are regional",
        );
        refused(
            Options {
                replicate_to: west,
                kms_key_id: kms.clone(),
                replica_kms_key_id: Some("alias/replica".to_owned()),
                ..options(Scope::Full)
            },
            "--replica-kms-key-id",
            "not a key ARN",
        );
        refused(
            Options {
                replica_kms_key_id: Some(
                    "arn:aws:kms:us-west-2:111122223333:key/abcd1234-12ab-34cd-56ef-1234567890ab"
                        .to_owned(),
                ),
                ..options(Scope::Full)
            },
            "--replica-kms-key-id",
            "without --replicate-to",
        );
        refused(
            Options {
                replicate_to: west,
                skip: [naming::SettingGroup::Versioning].into(),
                ..options(Scope::Full)
            },
            "--replicate-to",
            "needs versioning",
        );
        let with_key = Spec::new(Options {
            replicate_to: west,
            kms_key_id: kms,
            replica_kms_key_id: Some(
                "arn:aws:kms:us-west-2:111122223333:key/abcd1234-12ab-34cd-56ef-1234567890ab"
                    .to_owned(),
            ),
            ..options(Scope::Full)
        })
        .unwrap();
        assert_eq!(
            with_key.replica().unwrap().encryption,
            EncryptionSpec::Kms(
                "arn:aws:kms:us-west-2:111122223333:key/abcd1234-12ab-34cd-56ef-1234567890ab"
                    .to_owned()
            )
        );
    }

    #[test]
    fn scopes_select_their_resources() {
        let full = Spec::new(options(Scope::Full)).unwrap();
        assert_eq!(full.managed_buckets().len(), 5);
        assert_eq!(
            full.lock_table.as_ref().map(|t| t.as_str()),
            Some("terraform-locks-us-east")
        );

        let backend = Spec::new(options(Scope::BackendOnly)).unwrap();
        let names: Vec<_> = backend
            .managed_buckets()
            .into_iter()
            .map(|(b, _)| b.to_string())
            .collect();
        assert_eq!(names, ["ohio-01-terraform-state-production"]);
        assert!(backend.lock_table.is_some());

        let observability = Spec::new(options(Scope::ObservabilityOnly)).unwrap();
        assert_eq!(observability.managed_buckets().len(), 4);
        assert!(observability.state_bucket.is_none() && observability.lock_table.is_none());

        let s3_lock = Spec::new(Options {
            lock: LockMode::S3,
            ..options(Scope::Full)
        })
        .unwrap();
        assert!(s3_lock.lock_table.is_none());
        assert_eq!(s3_lock.managed_buckets().len(), 5);
    }

    #[test]
    fn flag_values_are_checked_before_any_request() {
        let bad = |options: Options| Spec::new(options).unwrap_err();
        let error = bad(Options {
            kms_key_id: Some("my key".into()),
            ..options(Scope::Full)
        });
        assert!(error.is_input());
        assert_eq!(
            error.to_string(),
            "invalid --kms-key-id `my key`: is not a KMS key id, key ARN, alias name or alias ARN"
        );
        let error = bad(Options {
            alarm_topic_arn: Some("arn:aws:sns:us-east-2:123:t".into()),
            ..options(Scope::Full)
        });
        assert!(error.to_string().starts_with("invalid --alarm-topic-arn"));
        // P9: CloudWatch refuses an alarm action in another region; so does the spec, before
        // anything is sent.
        let elsewhere = bad(Options {
            alarm_topic_arn: Some("arn:aws:sns:eu-west-1:123456789012:alerts".into()),
            ..options(Scope::Full)
        });
        assert!(elsewhere.is_input());
        assert!(
            elsewhere.to_string().contains("a topic in eu-west-1")
                && elsewhere
                    .hint()
                    .unwrap()
                    .contains("arn:aws:sns:us-east-2:123456789012:alerts"),
            "{elsewhere}"
        );
        let error = bad(Options {
            access_log_bucket: Some("Logs_Bucket".into()),
            ..options(Scope::Full)
        });
        assert_eq!(error.hint().as_deref(), Some("try `logs-bucket`"));
        let error = bad(Options {
            access_log_bucket: Some("ohio-01-terraform-state-production".into()),
            ..options(Scope::Full)
        });
        assert!(error.to_string().contains("is the state bucket itself"));
        for key in [
            "alias/terraform",
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        ] {
            assert!(
                Spec::new(Options {
                    kms_key_id: Some(key.into()),
                    ..options(Scope::Full)
                })
                .is_ok(),
                "{key}"
            );
        }
    }

    #[test]
    fn a_project_too_long_for_a_bucket_is_a_naming_error() {
        let mut long = options(Scope::Full);
        long.deployment.project =
            naming::Project::new("a-project-name-that-is-too-long-for").unwrap();
        let error = Spec::new(long).unwrap_err();
        assert!(error.is_input());
        assert!(
            error
                .to_string()
                .contains("must be 3 to 63 characters long"),
            "{error}"
        );
    }

    #[test]
    fn tags_and_alarms() {
        let spec = Spec::new(Options {
            company: Some(Company::new("My Company").unwrap()),
            alarm_topic_arn: Some("arn:aws:sns:us-east-2:123456789012:alerts".into()),
            ..options(Scope::Full)
        })
        .unwrap();
        let tags: Vec<_> = spec.bucket_tags().into_iter().collect();
        assert_eq!(
            tags,
            [
                ("Company".to_owned(), "My Company".to_owned()),
                ("Environment".to_owned(), "production".to_owned()),
                ("ManagedBy".to_owned(), "tfstate-toolkit".to_owned()),
                ("Project".to_owned(), "ohio-01".to_owned()),
            ]
        );
        assert!(!spec.table_tags().contains_key("Environment"));
        let names: Vec<_> = spec.alarms().into_iter().map(|alarm| alarm.name).collect();
        assert_eq!(
            names,
            [
                "terraform-locks-us-east-write-throttles",
                "ohio-01-terraform-state-production-4xx-errors",
                "ohio-01-terraform-state-production-5xx-errors",
            ]
        );
    }
}
