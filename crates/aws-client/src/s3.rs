//! S3 buckets: the settings every crate reads and writes, as values (a missing
//! configuration is `None` or empty, never an error), and the calls that read and write
//! them. Object-level calls are in [`crate::objects`].

use std::collections::BTreeMap;
use std::fmt;

use aws_sdk_s3::types as s3t;
use serde::Serialize;

use crate::error::{AwsError, build_error, classify, code, optional, status};
use crate::lifecycle::{self, Rule};
use crate::policy::Policy;
use crate::{Aws, emulator};

/// The id of the request-metrics configuration the toolkit sets on every bucket.
pub const METRICS_ID: &str = "EntireBucket";

const ALL_USERS: &str = "http://acs.amazonaws.com/groups/global/AllUsers";
const AUTHENTICATED_USERS: &str = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
const LOG_DELIVERY: &str = "http://acs.amazonaws.com/groups/s3/LogDelivery";

/// Tags, by key.
pub type Tags = BTreeMap<String, String>;

/// A bucket's versioning state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Versioning {
    /// Never enabled.
    #[default]
    Never,
    /// Enabled.
    Enabled,
    /// Enabled once, now suspended.
    Suspended,
}

impl fmt::Display for Versioning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Versioning::Never => "never enabled",
            Versioning::Enabled => "Enabled",
            Versioning::Suspended => "Suspended",
        })
    }
}

/// A bucket's default encryption.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "algorithm", rename_all = "kebab-case")]
pub enum Encryption {
    /// SSE-S3 (`AES256`).
    Aes256,
    /// SSE-KMS (`aws:kms`).
    Kms {
        /// The KMS key, if one is named (the AWS-managed key otherwise).
        key_id: Option<String>,
        /// Whether S3 Bucket Keys are on.
        bucket_key: bool,
    },
    /// Another algorithm (`aws:kms:dsse`, ...), as AWS names it.
    Other(String),
}

impl fmt::Display for Encryption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Encryption::Aes256 => f.write_str("AES256"),
            Encryption::Kms { key_id, bucket_key } => {
                write!(f, "aws:kms")?;
                if let Some(key) = key_id {
                    write!(f, " ({key})")?;
                }
                if *bucket_key {
                    write!(f, " with bucket key")?;
                }
                Ok(())
            }
            Encryption::Other(algorithm) => f.write_str(algorithm),
        }
    }
}

/// The four public-access-block settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PublicAccessBlock {
    /// `BlockPublicAcls`
    pub block_public_acls: bool,
    /// `IgnorePublicAcls`
    pub ignore_public_acls: bool,
    /// `BlockPublicPolicy`
    pub block_public_policy: bool,
    /// `RestrictPublicBuckets`
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    /// All four on.
    pub const ALL_ON: PublicAccessBlock = PublicAccessBlock {
        block_public_acls: true,
        ignore_public_acls: true,
        block_public_policy: true,
        restrict_public_buckets: true,
    };

    /// How many of the four are on.
    pub fn count_on(&self) -> usize {
        [
            self.block_public_acls,
            self.ignore_public_acls,
            self.block_public_policy,
            self.restrict_public_buckets,
        ]
        .into_iter()
        .filter(|on| *on)
        .count()
    }
}

/// Object ownership (`x-amz-object-ownership`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ObjectOwnership {
    /// ACLs disabled; the bucket owner owns every object.
    BucketOwnerEnforced,
    /// The bucket owner owns objects uploaded with `bucket-owner-full-control`.
    BucketOwnerPreferred,
    /// The uploader owns the object.
    ObjectWriter,
    /// A value this version does not know.
    Other(String),
}

impl fmt::Display for ObjectOwnership {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ObjectOwnership::BucketOwnerEnforced => "BucketOwnerEnforced",
            ObjectOwnership::BucketOwnerPreferred => "BucketOwnerPreferred",
            ObjectOwnership::ObjectWriter => "ObjectWriter",
            ObjectOwnership::Other(other) => other,
        })
    }
}

/// Where a bucket's server access logs go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Logging {
    /// The target bucket.
    pub target_bucket: String,
    /// The key prefix in the target bucket.
    pub prefix: String,
}

impl fmt::Display for Logging {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s3://{}/{}", self.target_bucket, self.prefix)
    }
}

/// What HEAD Bucket says about a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BucketPresence {
    /// No bucket has the name.
    Absent,
    /// The caller's account owns it, in this region (when the answer said).
    Owned {
        /// The bucket's region, if the answer carried it.
        region: Option<String>,
    },
    /// A bucket of this name is in another region: S3 answers 301 with the region before
    /// it checks who owns the bucket, so it may be another account's.
    Elsewhere {
        /// The region S3 named, if it did.
        region: Option<String>,
    },
    /// Someone else's bucket, or one the caller may not read.
    Forbidden,
}

/// The result of CreateBucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    /// Created now.
    Created,
    /// It already existed and is ours (`BucketAlreadyOwnedByYou`, or another run created
    /// it a moment ago): success.
    AlreadyOwned,
    /// The name belongs to another account (`BucketAlreadyExists`).
    Taken,
}

/// One change to a bucket: one API call.
#[derive(Debug, Clone, PartialEq)]
pub enum BucketWrite {
    /// Object ownership BucketOwnerEnforced.
    OwnershipEnforced,
    /// All four public-access-block settings on.
    BlockPublicAccess,
    /// Default encryption.
    Encryption(Encryption),
    /// Versioning on.
    EnableVersioning,
    /// Replace the tag set (the caller merged in the tags already there).
    Tags(Tags),
    /// The `EntireBucket` request-metrics configuration.
    RequestMetrics,
    /// Replace the lifecycle rules (the caller kept the rules already there).
    Lifecycle(Vec<Rule>),
    /// Replace the bucket policy (the caller kept the statements already there).
    Policy(Policy),
    /// Server access logging.
    Logging(Logging),
    /// The bucket ACL reset to `private` (the owner's full control only): S3 refuses to
    /// enforce bucket-owner ownership while the ACL grants anyone else.
    PrivateAcl,
    /// Replace the replication configuration (S3 requires versioning on both buckets).
    Replication(Replication),
}

/// Object Lock retention modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RetentionMode {
    /// Removable by a caller with `s3:BypassGovernanceRetention` who asks for it.
    Governance,
    /// Nobody can delete the version before the date, not even the root user.
    Compliance,
}

/// Versioning, with MFA delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct VersioningFacts {
    /// Enabled, suspended or never enabled.
    pub status: Versioning,
    /// Whether MFA delete is on.
    pub mfa_delete: bool,
}

/// Who an ACL grant is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Grantee {
    /// The `AllUsers` group: anyone on the internet.
    AllUsers,
    /// The `AuthenticatedUsers` group: anyone with an AWS account.
    AuthenticatedUsers,
    /// The `LogDelivery` group (legacy server-access-log delivery).
    LogDelivery,
    /// A canonical user id.
    User(String),
    /// Anything else (an e-mail address, another group), as AWS wrote it.
    Other(String),
}

/// An ACL permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Permission {
    /// List and read objects.
    Read,
    /// Write and delete objects.
    Write,
    /// Read the ACL.
    ReadAcp,
    /// Change the ACL.
    WriteAcp,
    /// All of the above.
    FullControl,
}

impl Permission {
    /// The name ACLs use.
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::Read => "READ",
            Permission::Write => "WRITE",
            Permission::ReadAcp => "READ_ACP",
            Permission::WriteAcp => "WRITE_ACP",
            Permission::FullControl => "FULL_CONTROL",
        }
    }

    /// Whether the permission lets the grantee read the bucket or its ACL.
    pub fn reads(self) -> bool {
        matches!(
            self,
            Permission::Read | Permission::ReadAcp | Permission::FullControl
        )
    }

    /// Whether the permission lets the grantee write objects or the ACL.
    pub fn writes(self) -> bool {
        matches!(
            self,
            Permission::Write | Permission::WriteAcp | Permission::FullControl
        )
    }
}

/// One ACL grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grant {
    /// Who.
    pub grantee: Grantee,
    /// What.
    pub permission: Permission,
}

/// The bucket ACL.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Acl {
    /// The owner's canonical id.
    pub owner: Option<String>,
    /// The grants.
    pub grants: Vec<Grant>,
}

/// Object Lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectLock {
    /// Whether Object Lock is enabled on the bucket.
    pub enabled: bool,
    /// The default retention, if any: mode and days.
    pub default_retention: Option<(RetentionMode, u32)>,
}

/// Event notifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Notifications {
    /// SNS, SQS and Lambda destinations.
    pub destinations: usize,
    /// Whether EventBridge delivery is on.
    pub eventbridge: bool,
}

/// A bucket's replication configuration, as S3 reports it and as it is written.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Replication {
    /// The ARN of the role S3 assumes to replicate.
    pub role: String,
    /// The rules, in order.
    pub rules: Vec<ReplicationRule>,
}

impl Replication {
    /// The destination bucket ARNs of the enabled rules.
    pub fn destinations(&self) -> Vec<&str> {
        self.rules
            .iter()
            .filter(|rule| rule.enabled)
            .map(|rule| rule.destination.as_str())
            .collect()
    }
}

/// One replication rule (S3's V2 schema: a filter, a priority, delete-marker replication).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ReplicationRule {
    /// Its ID.
    pub id: String,
    /// Its priority among the rules.
    pub priority: Option<i32>,
    /// Whether it is enabled.
    pub enabled: bool,
    /// The key prefix it replicates (`""`: every object; `None`: a filter by tags, or none).
    pub prefix: Option<String>,
    /// The destination bucket's ARN.
    pub destination: String,
    /// Whether delete markers are replicated.
    pub delete_markers: bool,
    /// Whether objects encrypted with SSE-KMS are replicated (S3 skips them otherwise).
    pub kms_objects: bool,
    /// The KMS key the replicas are encrypted with, in the destination's region.
    pub replica_kms_key: Option<String>,
    /// Whether replication metrics (latency, pending operations and bytes) go to
    /// CloudWatch.
    pub metrics: bool,
}

fn replication_rule(rule: &s3t::ReplicationRule) -> ReplicationRule {
    let destination = rule.destination();
    ReplicationRule {
        id: rule.id().unwrap_or_default().to_owned(),
        priority: rule.priority(),
        enabled: *rule.status() == s3t::ReplicationRuleStatus::Enabled,
        prefix: match rule.filter() {
            Some(filter) if filter.tag().is_none() && filter.and().is_none() => {
                Some(filter.prefix().unwrap_or_default().to_owned())
            }
            Some(_) => None,
            #[allow(deprecated)]
            None => rule.prefix().map(str::to_owned),
        },
        destination: destination
            .map(|d| d.bucket().to_owned())
            .unwrap_or_default(),
        delete_markers: rule
            .delete_marker_replication()
            .and_then(|d| d.status())
            .is_some_and(|status| *status == s3t::DeleteMarkerReplicationStatus::Enabled),
        kms_objects: rule
            .source_selection_criteria()
            .and_then(|c| c.sse_kms_encrypted_objects())
            .is_some_and(|o| *o.status() == s3t::SseKmsEncryptedObjectsStatus::Enabled),
        replica_kms_key: destination
            .and_then(|d| d.encryption_configuration())
            .and_then(|e| e.replica_kms_key_id())
            .map(str::to_owned),
        metrics: destination
            .and_then(|d| d.metrics())
            .is_some_and(|m| *m.status() == s3t::MetricsStatus::Enabled),
    }
}

fn replication_config(
    bucket: &str,
    replication: &Replication,
) -> Result<s3t::ReplicationConfiguration, AwsError> {
    let invalid = |e| build_error("PutBucketReplication", bucket, e);
    let status = |on: bool| match on {
        true => s3t::ReplicationRuleStatus::Enabled,
        false => s3t::ReplicationRuleStatus::Disabled,
    };
    let mut config = s3t::ReplicationConfiguration::builder().role(&replication.role);
    for rule in &replication.rules {
        let mut destination = s3t::Destination::builder().bucket(&rule.destination);
        if let Some(key) = &rule.replica_kms_key {
            destination = destination.encryption_configuration(
                s3t::EncryptionConfiguration::builder()
                    .replica_kms_key_id(key)
                    .build(),
            );
        }
        if rule.metrics {
            destination = destination.metrics(
                s3t::Metrics::builder()
                    .status(s3t::MetricsStatus::Enabled)
                    .build()
                    .map_err(invalid)?,
            );
        }
        let mut built = s3t::ReplicationRule::builder()
            .id(&rule.id)
            .set_priority(rule.priority)
            .status(status(rule.enabled))
            .filter(
                s3t::ReplicationRuleFilter::builder()
                    .prefix(rule.prefix.clone().unwrap_or_default())
                    .build(),
            )
            .delete_marker_replication(
                s3t::DeleteMarkerReplication::builder()
                    .status(match rule.delete_markers {
                        true => s3t::DeleteMarkerReplicationStatus::Enabled,
                        false => s3t::DeleteMarkerReplicationStatus::Disabled,
                    })
                    .build(),
            )
            .destination(destination.build().map_err(invalid)?);
        if rule.kms_objects {
            built = built.source_selection_criteria(
                s3t::SourceSelectionCriteria::builder()
                    .sse_kms_encrypted_objects(
                        s3t::SseKmsEncryptedObjects::builder()
                            .status(s3t::SseKmsEncryptedObjectsStatus::Enabled)
                            .build()
                            .map_err(invalid)?,
                    )
                    .build(),
            );
        }
        config = config.rules(built.build().map_err(invalid)?);
    }
    config.build().map_err(invalid)
}

fn grantee(grantee: &s3t::Grantee) -> Grantee {
    match (grantee.uri(), grantee.id(), grantee.email_address()) {
        (Some(ALL_USERS), _, _) => Grantee::AllUsers,
        (Some(AUTHENTICATED_USERS), _, _) => Grantee::AuthenticatedUsers,
        (Some(LOG_DELIVERY), _, _) => Grantee::LogDelivery,
        (Some(uri), _, _) => Grantee::Other(uri.to_owned()),
        (None, Some(id), _) => Grantee::User(id.to_owned()),
        (None, None, Some(email)) => Grantee::Other(email.to_owned()),
        (None, None, None) => Grantee::Other(String::new()),
    }
}

fn permission(permission: &s3t::Permission) -> Option<Permission> {
    Some(match permission {
        s3t::Permission::Read => Permission::Read,
        s3t::Permission::Write => Permission::Write,
        s3t::Permission::ReadAcp => Permission::ReadAcp,
        s3t::Permission::WriteAcp => Permission::WriteAcp,
        s3t::Permission::FullControl => Permission::FullControl,
        _ => return None,
    })
}

fn tag_set(tags: &Tags) -> Result<Vec<s3t::Tag>, aws_sdk_s3::error::BuildError> {
    tags.iter()
        .map(|(key, value)| s3t::Tag::builder().key(key).value(value).build())
        .collect()
}

/// Reading bucket settings.
impl Aws {
    /// Whether the bucket exists and is `owner`'s (HEAD Bucket with the expected owner:
    /// S3 answers 403 for a bucket of another account even when its policy would let this
    /// caller in).
    pub async fn bucket_presence(
        &self,
        bucket: &str,
        owner: &str,
    ) -> Result<BucketPresence, AwsError> {
        let request = self
            .s3
            .head_bucket()
            .bucket(bucket)
            .expected_bucket_owner(owner);
        match request.send().await {
            Ok(output) => Ok(BucketPresence::Owned {
                region: output.bucket_region().map(str::to_owned),
            }),
            Err(error) => match status(&error) {
                Some(404) => Ok(BucketPresence::Absent),
                Some(403) => Ok(BucketPresence::Forbidden),
                Some(301) => Ok(BucketPresence::Elsewhere {
                    region: redirect_region(&error).map(str::to_owned),
                }),
                _ => Err(classify("HeadBucket", bucket, error)),
            },
        }
    }

    /// Whether the bucket exists (HEAD Bucket). A bucket in another region is an error
    /// that names the region to run in.
    pub async fn bucket_exists(&self, bucket: &str) -> Result<bool, AwsError> {
        match self.s3.head_bucket().bucket(bucket).send().await {
            Ok(_) => Ok(true),
            Err(error) => match status(&error) {
                Some(404) => Ok(false),
                Some(301) => {
                    let region = redirect_region(&error).unwrap_or("another region");
                    Err(AwsError::invalid(
                        "HeadBucket",
                        bucket,
                        format!("the bucket is in {region}; run with --region {region}"),
                    )
                    .with_code("PermanentRedirect"))
                }
                _ => Err(classify("HeadBucket", bucket, error)),
            },
        }
    }

    /// The bucket's region (HEAD Bucket: `x-amz-bucket-region`, or the region a 301 names),
    /// `None` when there is no such bucket. A bucket another account owns is refused
    /// (403), as the expected-owner header asks (P11).
    pub async fn bucket_region(&self, bucket: &str) -> Result<Option<String>, AwsError> {
        match self.s3.head_bucket().bucket(bucket).send().await {
            Ok(output) => Ok(Some(
                output
                    .bucket_region()
                    .map_or_else(|| self.region().to_owned(), str::to_owned),
            )),
            Err(error) => match status(&error) {
                Some(404) => Ok(None),
                Some(301) => Ok(redirect_region(&error).map(str::to_owned)),
                _ => Err(classify("HeadBucket", bucket, error)),
            },
        }
    }

    /// The buckets the caller owns in this client's region (ListBuckets with
    /// BucketRegion, every page).
    pub async fn buckets_in_region(&self) -> Result<Vec<String>, AwsError> {
        let region = self.s3.config().region().map(|region| region.to_string());
        let mut names = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut request = self.s3.list_buckets().max_buckets(10_000);
            if let Some(region) = &region {
                request = request.bucket_region(region);
            }
            if let Some(token) = &token {
                request = request.continuation_token(token);
            }
            let output = request
                .send()
                .await
                .map_err(|error| classify("ListBuckets", "the account", error))?;
            names.extend(
                output
                    .buckets()
                    .iter()
                    .filter(|bucket| {
                        // Where S3 names the region, it must be ours (moto names none).
                        match (bucket.bucket_region(), &region) {
                            (Some(listed), Some(ours)) => listed == ours,
                            _ => true,
                        }
                    })
                    .filter_map(|bucket| bucket.name().map(str::to_owned)),
            );
            match output.continuation_token() {
                Some(next) if !next.is_empty() => token = Some(next.to_owned()),
                _ => return Ok(names),
            }
        }
    }

    /// The bucket's versioning, and whether MFA delete is on.
    pub async fn versioning(&self, bucket: &str) -> Result<VersioningFacts, AwsError> {
        match self.s3.get_bucket_versioning().bucket(bucket).send().await {
            Ok(output) => Ok(VersioningFacts {
                status: match output.status() {
                    Some(s3t::BucketVersioningStatus::Enabled) => Versioning::Enabled,
                    Some(s3t::BucketVersioningStatus::Suspended) => Versioning::Suspended,
                    _ => Versioning::Never,
                },
                mfa_delete: output.mfa_delete() == Some(&s3t::MfaDeleteStatus::Enabled),
            }),
            Err(error) => emulator::versioning_from_misnamed_answer(&error)
                .map(|(status, mfa_delete)| VersioningFacts { status, mfa_delete })
                .ok_or_else(|| classify("GetBucketVersioning", bucket, error)),
        }
    }

    /// The bucket's default encryption; `None` when none is configured.
    pub async fn encryption(&self, bucket: &str) -> Result<Option<Encryption>, AwsError> {
        let result = self.s3.get_bucket_encryption().bucket(bucket).send().await;
        let Some(output) = optional(
            "GetBucketEncryption",
            bucket,
            result,
            &["ServerSideEncryptionConfigurationNotFoundError"],
        )?
        else {
            return Ok(None);
        };
        let Some(rule) = output
            .server_side_encryption_configuration()
            .and_then(|config| config.rules().first())
        else {
            return Ok(None);
        };
        let Some(default) = rule.apply_server_side_encryption_by_default() else {
            return Ok(None);
        };
        Ok(Some(match default.sse_algorithm() {
            s3t::ServerSideEncryption::Aes256 => Encryption::Aes256,
            s3t::ServerSideEncryption::AwsKms => Encryption::Kms {
                key_id: default.kms_master_key_id().map(str::to_owned),
                bucket_key: rule.bucket_key_enabled().unwrap_or(false),
            },
            other => Encryption::Other(other.as_str().to_owned()),
        }))
    }

    /// The bucket-level public access block; `None` when none is configured.
    pub async fn public_access_block(
        &self,
        bucket: &str,
    ) -> Result<Option<PublicAccessBlock>, AwsError> {
        let result = self
            .s3
            .get_public_access_block()
            .bucket(bucket)
            .send()
            .await;
        let output = optional(
            "GetPublicAccessBlock",
            bucket,
            result,
            &["NoSuchPublicAccessBlockConfiguration"],
        )?;
        Ok(output
            .and_then(|output| output.public_access_block_configuration().cloned())
            .map(|config| PublicAccessBlock {
                block_public_acls: config.block_public_acls().unwrap_or(false),
                ignore_public_acls: config.ignore_public_acls().unwrap_or(false),
                block_public_policy: config.block_public_policy().unwrap_or(false),
                restrict_public_buckets: config.restrict_public_buckets().unwrap_or(false),
            }))
    }

    /// The bucket's object ownership; `None` when no ownership controls are set.
    pub async fn ownership(&self, bucket: &str) -> Result<Option<ObjectOwnership>, AwsError> {
        let result = self
            .s3
            .get_bucket_ownership_controls()
            .bucket(bucket)
            .send()
            .await;
        let output = optional(
            "GetBucketOwnershipControls",
            bucket,
            result,
            &["OwnershipControlsNotFoundError"],
        )?;
        Ok(output
            .and_then(|output| {
                output
                    .ownership_controls()
                    .and_then(|c| c.rules().first())
                    .cloned()
            })
            .map(|rule| match rule.object_ownership() {
                s3t::ObjectOwnership::BucketOwnerEnforced => ObjectOwnership::BucketOwnerEnforced,
                s3t::ObjectOwnership::BucketOwnerPreferred => ObjectOwnership::BucketOwnerPreferred,
                s3t::ObjectOwnership::ObjectWriter => ObjectOwnership::ObjectWriter,
                other => ObjectOwnership::Other(other.as_str().to_owned()),
            }))
    }

    /// The bucket policy; `None` when there is none.
    pub async fn policy(&self, bucket: &str) -> Result<Option<Policy>, AwsError> {
        let result = self.s3.get_bucket_policy().bucket(bucket).send().await;
        let Some(text) = optional("GetBucketPolicy", bucket, result, &["NoSuchBucketPolicy"])?
            .and_then(|output| output.policy().map(str::to_owned))
        else {
            return Ok(None);
        };
        Policy::parse(&text)
            .map(Some)
            .map_err(|error| AwsError::invalid("GetBucketPolicy", bucket, error.to_string()))
    }

    /// S3's own verdict on the bucket policy (GetBucketPolicyStatus `IsPublic`, "The
    /// meaning of public" applied by S3; aws-behaviour.md A1); `None` when there is no
    /// policy.
    pub async fn policy_status(&self, bucket: &str) -> Result<Option<bool>, AwsError> {
        let result = self
            .s3
            .get_bucket_policy_status()
            .bucket(bucket)
            .send()
            .await;
        Ok(optional(
            "GetBucketPolicyStatus",
            bucket,
            result,
            &["NoSuchBucketPolicy"],
        )?
        .map(|output| {
            output
                .policy_status()
                .and_then(|status| status.is_public())
                .unwrap_or(false)
        }))
    }

    /// Whether requesters pay for requests to the bucket (GetBucketRequestPayment): S3
    /// refuses such a bucket as a server access log target (aws-behaviour.md P5).
    pub async fn requester_pays(&self, bucket: &str) -> Result<bool, AwsError> {
        let output = self
            .s3
            .get_bucket_request_payment()
            .bucket(bucket)
            .send()
            .await
            .map_err(|error| classify("GetBucketRequestPayment", bucket, error))?;
        Ok(output.payer() == Some(&s3t::Payer::Requester))
    }

    /// The bucket's tags (empty when there are none).
    pub async fn tags(&self, bucket: &str) -> Result<Tags, AwsError> {
        let result = self.s3.get_bucket_tagging().bucket(bucket).send().await;
        let output = optional("GetBucketTagging", bucket, result, &["NoSuchTagSet"])?;
        Ok(output
            .map(|output| {
                output
                    .tag_set()
                    .iter()
                    .map(|tag| (tag.key().to_owned(), tag.value().to_owned()))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Whether the request-metrics configuration [`METRICS_ID`] exists and covers the whole
    /// bucket.
    pub async fn request_metrics(&self, bucket: &str) -> Result<bool, AwsError> {
        let result = self
            .s3
            .get_bucket_metrics_configuration()
            .bucket(bucket)
            .id(METRICS_ID)
            .send()
            .await;
        let output = optional(
            "GetBucketMetricsConfiguration",
            bucket,
            result,
            &["NoSuchConfiguration"],
        )?;
        Ok(output
            .and_then(|output| output.metrics_configuration().cloned())
            .is_some_and(|config| config.filter().is_none()))
    }

    /// The ids of every request-metrics configuration.
    pub async fn metrics_ids(&self, bucket: &str) -> Result<Vec<String>, AwsError> {
        let mut ids = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let output = self
                .s3
                .list_bucket_metrics_configurations()
                .bucket(bucket)
                .set_continuation_token(token.take())
                .send()
                .await
                .map_err(|error| classify("ListBucketMetricsConfigurations", bucket, error))?;
            ids.extend(
                output
                    .metrics_configuration_list()
                    .iter()
                    .map(|config| config.id().to_owned()),
            );
            match output.next_continuation_token() {
                Some(next) if output.is_truncated() == Some(true) => token = Some(next.to_owned()),
                _ => return Ok(ids),
            }
        }
    }

    /// Where the bucket's server access logs go; `None` when logging is off.
    pub async fn logging(&self, bucket: &str) -> Result<Option<Logging>, AwsError> {
        let output = self
            .s3
            .get_bucket_logging()
            .bucket(bucket)
            .send()
            .await
            .map_err(|error| classify("GetBucketLogging", bucket, error))?;
        Ok(output.logging_enabled().map(|logging| Logging {
            target_bucket: logging.target_bucket().to_owned(),
            prefix: logging.target_prefix().to_owned(),
        }))
    }

    /// The bucket's lifecycle rules (empty when none are set).
    pub async fn lifecycle(&self, bucket: &str) -> Result<Vec<Rule>, AwsError> {
        Ok(self
            .lifecycle_configuration(bucket)
            .await?
            .map(|output| output.rules().iter().cloned().map(Rule::from).collect())
            .unwrap_or_default())
    }

    /// The bucket's `TransitionDefaultMinimumObjectSize`, as its lifecycle configuration
    /// reports it (`None` without a configuration).
    async fn transition_minimum_object_size(
        &self,
        bucket: &str,
    ) -> Result<Option<s3t::TransitionDefaultMinimumObjectSize>, AwsError> {
        Ok(self
            .lifecycle_configuration(bucket)
            .await?
            .and_then(|output| output.transition_default_minimum_object_size().cloned()))
    }

    /// GetBucketLifecycleConfiguration; `None` when the bucket has none.
    async fn lifecycle_configuration(
        &self,
        bucket: &str,
    ) -> Result<
        Option<aws_sdk_s3::operation::get_bucket_lifecycle_configuration::GetBucketLifecycleConfigurationOutput>,
        AwsError,
    >{
        let result = self
            .s3
            .get_bucket_lifecycle_configuration()
            .bucket(bucket)
            .send()
            .await;
        optional(
            "GetBucketLifecycleConfiguration",
            bucket,
            result,
            &["NoSuchLifecycleConfiguration"],
        )
    }

    /// The bucket ACL.
    pub async fn acl(&self, bucket: &str) -> Result<Acl, AwsError> {
        let output = self
            .s3
            .get_bucket_acl()
            .bucket(bucket)
            .send()
            .await
            .map_err(|error| classify("GetBucketAcl", bucket, error))?;
        Ok(Acl {
            owner: output
                .owner()
                .and_then(|owner| owner.id())
                .map(str::to_owned),
            grants: output
                .grants()
                .iter()
                .filter_map(|grant| {
                    Some(Grant {
                        grantee: self::grantee(grant.grantee()?),
                        permission: permission(grant.permission()?)?,
                    })
                })
                .collect(),
        })
    }

    /// Object Lock; `None` when the bucket has no Object Lock configuration.
    pub async fn object_lock(&self, bucket: &str) -> Result<Option<ObjectLock>, AwsError> {
        let result = self
            .s3
            .get_object_lock_configuration()
            .bucket(bucket)
            .send()
            .await;
        let output = optional(
            "GetObjectLockConfiguration",
            bucket,
            result,
            &["ObjectLockConfigurationNotFoundError"],
        )?;
        Ok(output
            .and_then(|output| output.object_lock_configuration().cloned())
            .map(|config| {
                let retention = config
                    .rule()
                    .and_then(|rule| rule.default_retention())
                    .and_then(|retention| {
                        let mode = match retention.mode()? {
                            s3t::ObjectLockRetentionMode::Compliance => RetentionMode::Compliance,
                            _ => RetentionMode::Governance,
                        };
                        let days = retention
                            .days()
                            .map(|days| days.max(0) as u32)
                            .or_else(|| retention.years().map(|years| years.max(0) as u32 * 365))?;
                        Some((mode, days))
                    });
                ObjectLock {
                    enabled: config.object_lock_enabled() == Some(&s3t::ObjectLockEnabled::Enabled),
                    default_retention: retention,
                }
            }))
    }

    /// Event notifications.
    pub async fn notifications(&self, bucket: &str) -> Result<Notifications, AwsError> {
        let output = self
            .s3
            .get_bucket_notification_configuration()
            .bucket(bucket)
            .send()
            .await
            .map_err(|error| classify("GetBucketNotificationConfiguration", bucket, error))?;
        Ok(Notifications {
            destinations: output.topic_configurations().len()
                + output.queue_configurations().len()
                + output.lambda_function_configurations().len(),
            eventbridge: output.event_bridge_configuration().is_some(),
        })
    }

    /// Replication; `None` when the bucket has no replication configuration.
    pub async fn replication(&self, bucket: &str) -> Result<Option<Replication>, AwsError> {
        let result = self.s3.get_bucket_replication().bucket(bucket).send().await;
        let output = optional(
            "GetBucketReplication",
            bucket,
            result,
            &["ReplicationConfigurationNotFoundError"],
        )?;
        Ok(output
            .and_then(|output| output.replication_configuration().cloned())
            .map(|config| Replication {
                role: config.role().to_owned(),
                rules: config.rules().iter().map(replication_rule).collect(),
            }))
    }
}

/// The region a 301 names (`x-amz-bucket-region`).
fn redirect_region<E>(
    error: &aws_sdk_s3::error::SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
) -> Option<&str> {
    error
        .raw_response()
        .and_then(|response| response.headers().get("x-amz-bucket-region"))
}

/// Changing buckets.
impl Aws {
    /// Creates the bucket in `region` (us-east-1 takes no location constraint).
    pub async fn create_bucket(&self, bucket: &str, region: &str) -> Result<Created, AwsError> {
        let mut request = self.s3.create_bucket().bucket(bucket);
        if region != "us-east-1" {
            request = request.create_bucket_configuration(
                s3t::CreateBucketConfiguration::builder()
                    .location_constraint(s3t::BucketLocationConstraint::from(region))
                    .build(),
            );
        }
        match request.send().await {
            Ok(_) => Ok(Created::Created),
            Err(error) => match code(&error) {
                Some("BucketAlreadyOwnedByYou") => Ok(Created::AlreadyOwned),
                Some("BucketAlreadyExists") => Ok(Created::Taken),
                _ => Err(classify("CreateBucket", bucket, error)),
            },
        }
    }

    /// Makes one change.
    pub async fn write_bucket(&self, bucket: &str, write: &BucketWrite) -> Result<(), AwsError> {
        let name = bucket;
        match write {
            BucketWrite::OwnershipEnforced => {
                let rule = s3t::OwnershipControlsRule::builder()
                    .object_ownership(s3t::ObjectOwnership::BucketOwnerEnforced)
                    .build()
                    .map_err(|e| build_error("PutBucketOwnershipControls", name, e))?;
                let controls = s3t::OwnershipControls::builder()
                    .rules(rule)
                    .build()
                    .map_err(|e| build_error("PutBucketOwnershipControls", name, e))?;
                self.s3
                    .put_bucket_ownership_controls()
                    .bucket(name)
                    .ownership_controls(controls)
                    .send()
                    .await
                    .map(drop)
                    .map_err(|error| classify("PutBucketOwnershipControls", name, error))
            }
            BucketWrite::BlockPublicAccess => self
                .s3
                .put_public_access_block()
                .bucket(name)
                .public_access_block_configuration(
                    s3t::PublicAccessBlockConfiguration::builder()
                        .block_public_acls(true)
                        .ignore_public_acls(true)
                        .block_public_policy(true)
                        .restrict_public_buckets(true)
                        .build(),
                )
                .send()
                .await
                .map(drop)
                .map_err(|error| classify("PutPublicAccessBlock", name, error)),
            BucketWrite::Encryption(encryption) => {
                let (algorithm, key, bucket_key) = match encryption {
                    Encryption::Kms { key_id, bucket_key } => (
                        s3t::ServerSideEncryption::AwsKms,
                        key_id.clone(),
                        *bucket_key,
                    ),
                    Encryption::Aes256 | Encryption::Other(_) => {
                        (s3t::ServerSideEncryption::Aes256, None, false)
                    }
                };
                let default = s3t::ServerSideEncryptionByDefault::builder()
                    .sse_algorithm(algorithm)
                    .set_kms_master_key_id(key)
                    .build()
                    .map_err(|e| build_error("PutBucketEncryption", name, e))?;
                let rule = s3t::ServerSideEncryptionRule::builder()
                    .apply_server_side_encryption_by_default(default)
                    .bucket_key_enabled(bucket_key)
                    .build();
                let config = s3t::ServerSideEncryptionConfiguration::builder()
                    .rules(rule)
                    .build()
                    .map_err(|e| build_error("PutBucketEncryption", name, e))?;
                self.s3
                    .put_bucket_encryption()
                    .bucket(name)
                    .server_side_encryption_configuration(config)
                    .send()
                    .await
                    .map(drop)
                    .map_err(|error| classify("PutBucketEncryption", name, error))
            }
            BucketWrite::EnableVersioning => self
                .s3
                .put_bucket_versioning()
                .bucket(name)
                .versioning_configuration(
                    s3t::VersioningConfiguration::builder()
                        .status(s3t::BucketVersioningStatus::Enabled)
                        .build(),
                )
                .send()
                .await
                .map(drop)
                .map_err(|error| classify("PutBucketVersioning", name, error)),
            BucketWrite::Tags(tags) => {
                let tagging = s3t::Tagging::builder()
                    .set_tag_set(Some(
                        tag_set(tags).map_err(|e| build_error("PutBucketTagging", name, e))?,
                    ))
                    .build()
                    .map_err(|e| build_error("PutBucketTagging", name, e))?;
                self.s3
                    .put_bucket_tagging()
                    .bucket(name)
                    .tagging(tagging)
                    .send()
                    .await
                    .map(drop)
                    .map_err(|error| classify("PutBucketTagging", name, error))
            }
            BucketWrite::RequestMetrics => {
                let config = s3t::MetricsConfiguration::builder()
                    .id(METRICS_ID)
                    .build()
                    .map_err(|e| build_error("PutBucketMetricsConfiguration", name, e))?;
                self.s3
                    .put_bucket_metrics_configuration()
                    .bucket(name)
                    .id(METRICS_ID)
                    .metrics_configuration(config)
                    .send()
                    .await
                    .map(drop)
                    .map_err(|error| classify("PutBucketMetricsConfiguration", name, error))
            }
            BucketWrite::Lifecycle(rules) => {
                let rules = rules
                    .iter()
                    .map(lifecycle::to_sdk)
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| build_error("PutBucketLifecycleConfiguration", name, e))?;
                let config = s3t::BucketLifecycleConfiguration::builder()
                    .set_rules(Some(rules))
                    .build()
                    .map_err(|e| build_error("PutBucketLifecycleConfiguration", name, e))?;
                // A Put without TransitionDefaultMinimumObjectSize resets it to S3's default
                // (aws-behaviour.md P6): the one the bucket has is sent back with the rules.
                let minimum = self.transition_minimum_object_size(name).await?;
                self.s3
                    .put_bucket_lifecycle_configuration()
                    .bucket(name)
                    .lifecycle_configuration(config)
                    .set_transition_default_minimum_object_size(minimum)
                    .send()
                    .await
                    .map(drop)
                    .map_err(|error| classify("PutBucketLifecycleConfiguration", name, error))
            }
            BucketWrite::Policy(policy) => self
                .s3
                .put_bucket_policy()
                .bucket(name)
                .policy(policy.to_json())
                .send()
                .await
                .map(drop)
                .map_err(|error| classify("PutBucketPolicy", name, error)),
            BucketWrite::PrivateAcl => self.make_acl_private(name).await,
            BucketWrite::Replication(replication) => self
                .s3
                .put_bucket_replication()
                .bucket(name)
                .replication_configuration(replication_config(name, replication)?)
                .send()
                .await
                .map(drop)
                .map_err(|error| classify("PutBucketReplication", name, error)),
            BucketWrite::Logging(logging) => {
                let enabled = s3t::LoggingEnabled::builder()
                    .target_bucket(&logging.target_bucket)
                    .target_prefix(&logging.prefix)
                    .build()
                    .map_err(|e| build_error("PutBucketLogging", name, e))?;
                self.s3
                    .put_bucket_logging()
                    .bucket(name)
                    .bucket_logging_status(
                        s3t::BucketLoggingStatus::builder()
                            .logging_enabled(enabled)
                            .build(),
                    )
                    .send()
                    .await
                    .map(drop)
                    .map_err(|error| classify("PutBucketLogging", name, error))
            }
        }
    }

    /// Resets the bucket ACL to `private` (the owner's full control only).
    pub async fn make_acl_private(&self, bucket: &str) -> Result<(), AwsError> {
        self.s3
            .put_bucket_acl()
            .bucket(bucket)
            .acl(s3t::BucketCannedAcl::Private)
            .send()
            .await
            .map(drop)
            .map_err(|error| classify("PutBucketAcl", bucket, error))
    }

    /// Removes one configuration; one already absent is not an error.
    pub async fn remove_configuration(
        &self,
        bucket: &str,
        configuration: Configuration,
    ) -> Result<(), AwsError> {
        let s3 = &self.s3;
        match configuration {
            Configuration::Replication => {
                let result = s3.delete_bucket_replication().bucket(bucket).send().await;
                optional("DeleteBucketReplication", bucket, result, &[]).map(drop)
            }
            Configuration::Policy => {
                let result = s3.delete_bucket_policy().bucket(bucket).send().await;
                optional(
                    "DeleteBucketPolicy",
                    bucket,
                    result,
                    &["NoSuchBucketPolicy"],
                )
                .map(drop)
            }
            Configuration::Lifecycle => {
                let result = s3.delete_bucket_lifecycle().bucket(bucket).send().await;
                optional("DeleteBucketLifecycle", bucket, result, &[]).map(drop)
            }
            Configuration::Notifications => {
                let result = s3
                    .put_bucket_notification_configuration()
                    .bucket(bucket)
                    .notification_configuration(s3t::NotificationConfiguration::builder().build())
                    .send()
                    .await;
                optional("PutBucketNotificationConfiguration", bucket, result, &[]).map(drop)
            }
        }
    }

    /// Deletes the (empty) bucket.
    pub async fn delete_bucket(&self, bucket: &str) -> Result<(), AwsError> {
        self.s3
            .delete_bucket()
            .bucket(bucket)
            .send()
            .await
            .map(drop)
            .map_err(|error| classify("DeleteBucket", bucket, error))
    }
}

/// A bucket configuration that can be removed as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Configuration {
    /// Replication: S3 refuses to delete a bucket that replicates.
    Replication,
    /// The bucket policy.
    Policy,
    /// Lifecycle rules.
    Lifecycle,
    /// Event notifications (every deleted object would fire one).
    Notifications,
}

impl Configuration {
    /// The name reports use (as serialized).
    pub fn as_str(self) -> &'static str {
        match self {
            Configuration::Replication => "replication",
            Configuration::Policy => "policy",
            Configuration::Lifecycle => "lifecycle",
            Configuration::Notifications => "notifications",
        }
    }
}
