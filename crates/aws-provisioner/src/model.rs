//! The settings of a bucket and of the lock table, as values: what AWS has (observed) and
//! what the contract wants (desired) are both expressed in these types.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::lifecycle::LifecycleRule;
use crate::policy::Policy;

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

/// Everything the toolkit reads and sets on a bucket. A configuration that is missing is a
/// value (`None`, empty), not an error.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BucketSettings {
    /// Versioning.
    pub versioning: Versioning,
    /// Default encryption, if configured.
    pub encryption: Option<Encryption>,
    /// The bucket-level public access block, if configured.
    pub public_access_block: Option<PublicAccessBlock>,
    /// Object ownership, if configured.
    pub ownership: Option<ObjectOwnership>,
    /// The bucket policy, if any.
    pub policy: Option<Policy>,
    /// Tags.
    pub tags: Tags,
    /// Whether the `EntireBucket` request-metrics configuration exists.
    pub request_metrics: bool,
    /// Server access logging, if on.
    pub logging: Option<Logging>,
    /// Lifecycle rules, in order.
    pub lifecycle: Vec<LifecycleRule>,
}

impl BucketSettings {
    /// These settings as they are after `write` succeeds.
    pub fn apply(&mut self, write: &BucketWrite) {
        match write.clone() {
            BucketWrite::OwnershipEnforced => {
                self.ownership = Some(ObjectOwnership::BucketOwnerEnforced)
            }
            BucketWrite::BlockPublicAccess => {
                self.public_access_block = Some(PublicAccessBlock::ALL_ON)
            }
            BucketWrite::Encryption(encryption) => self.encryption = Some(encryption),
            BucketWrite::EnableVersioning => self.versioning = Versioning::Enabled,
            BucketWrite::Tags(tags) => self.tags = tags,
            BucketWrite::RequestMetrics => self.request_metrics = true,
            BucketWrite::Lifecycle(rules) => self.lifecycle = rules,
            BucketWrite::Policy(policy) => self.policy = Some(policy),
            BucketWrite::Logging(logging) => self.logging = Some(logging),
        }
    }
}

/// Which of a bucket's settings to read: only those the plan compares for its role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reads {
    /// Versioning, encryption, public-access block, ownership, tags, request metrics.
    pub hardening: bool,
    /// The bucket policy.
    pub policy: bool,
    /// Server access logging (the state bucket's).
    pub logging: bool,
    /// Lifecycle rules (observability buckets').
    pub lifecycle: bool,
}

impl Reads {
    /// Everything.
    pub const ALL: Reads = Reads {
        hardening: true,
        policy: true,
        logging: true,
        lifecycle: true,
    };

    /// What the plan compares for a bucket of `role`.
    pub fn for_role(role: crate::spec::BucketRole) -> Reads {
        use crate::spec::BucketRole;
        match role {
            BucketRole::State => Reads {
                lifecycle: false,
                ..Reads::ALL
            },
            BucketRole::Observability(_) => Reads {
                logging: false,
                ..Reads::ALL
            },
            BucketRole::LogTarget => Reads {
                hardening: false,
                policy: true,
                logging: false,
                lifecycle: false,
            },
        }
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
    Lifecycle(Vec<LifecycleRule>),
    /// Replace the bucket policy (the caller kept the statements already there).
    Policy(Policy),
    /// Server access logging.
    Logging(Logging),
}

/// A DynamoDB table's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum TableStatus {
    /// Being created.
    Creating,
    /// Ready.
    Active,
    /// Being changed.
    Updating,
    /// Being deleted.
    Deleting,
    /// Another status, as AWS names it.
    Other(String),
}

impl fmt::Display for TableStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TableStatus::Creating => "CREATING",
            TableStatus::Active => "ACTIVE",
            TableStatus::Updating => "UPDATING",
            TableStatus::Deleting => "DELETING",
            TableStatus::Other(status) => status,
        })
    }
}

/// A key attribute of a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyAttribute {
    /// The attribute name.
    pub name: String,
    /// Its scalar type: `S`, `N` or `B`.
    pub attribute_type: String,
    /// `HASH` or `RANGE`.
    pub key_type: String,
}

impl fmt::Display for KeyAttribute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}, {})",
            self.name, self.attribute_type, self.key_type
        )
    }
}

/// The lock table key Terraform needs: `LockID`, a string, the hash key.
pub fn lock_key() -> KeyAttribute {
    KeyAttribute {
        name: "LockID".to_owned(),
        attribute_type: "S".to_owned(),
        key_type: "HASH".to_owned(),
    }
}

/// What DescribeTable, DescribeContinuousBackups and ListTagsOfResource say of a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableFacts {
    /// The table ARN.
    pub arn: String,
    /// Its status.
    pub status: TableStatus,
    /// Its key schema.
    pub key_schema: Vec<KeyAttribute>,
    /// Whether billing is on demand (`PAY_PER_REQUEST`).
    pub on_demand: bool,
    /// Server-side encryption with KMS (`SSEDescription` ENABLED), and its key if any.
    pub sse: Option<Option<String>>,
    /// Point-in-time recovery.
    pub point_in_time_recovery: bool,
    /// Deletion protection.
    pub deletion_protection: bool,
    /// Tags.
    pub tags: Tags,
}

impl TableFacts {
    /// These facts as they are after `write` succeeds.
    pub fn apply(&mut self, write: &TableWrite) {
        match write.clone() {
            TableWrite::OnDemand => self.on_demand = true,
            TableWrite::Encryption(key) => self.sse = Some(key),
            TableWrite::PointInTimeRecovery => self.point_in_time_recovery = true,
            TableWrite::DeletionProtection => self.deletion_protection = true,
            TableWrite::Tags(tags) => self.tags.extend(tags),
        }
    }
}

/// The lock table to create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableSpec {
    /// The KMS key for server-side encryption (the AWS-managed key when `None`).
    pub kms_key_id: Option<String>,
    /// Tags.
    pub tags: Tags,
}

/// The result of CreateTable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableCreated {
    /// Created now.
    Created,
    /// It exists already (another run created it): success.
    AlreadyExists,
}

/// One change to the lock table: one API call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableWrite {
    /// Billing mode PAY_PER_REQUEST.
    OnDemand,
    /// Server-side encryption with KMS.
    Encryption(Option<String>),
    /// Point-in-time recovery on.
    PointInTimeRecovery,
    /// Deletion protection on.
    DeletionProtection,
    /// Add or overwrite these tags (others are left alone).
    Tags(Tags),
}

/// A CloudWatch metric alarm, as the toolkit sets it and reads it back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlarmSpec {
    /// The alarm name.
    pub name: String,
    /// What it watches, in words.
    pub description: String,
    /// `AWS/DynamoDB`, `AWS/S3`.
    pub namespace: String,
    /// The metric name.
    pub metric: String,
    /// Dimensions, sorted by name.
    pub dimensions: Vec<(String, String)>,
    /// `Sum`.
    pub statistic: String,
    /// The period in seconds.
    pub period: i32,
    /// How many periods.
    pub evaluation_periods: i32,
    /// The threshold.
    pub threshold: i64,
    /// The comparison, as CloudWatch names it.
    pub comparison: String,
    /// The SNS topics notified.
    pub actions: Vec<String>,
}

/// The caller's identity (STS GetCallerIdentity).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Caller {
    /// The account id.
    pub account: String,
    /// The caller's ARN.
    pub arn: String,
}
