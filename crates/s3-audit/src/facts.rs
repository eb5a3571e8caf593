//! What the audit knows about a bucket, the account and the lock table: plain values that
//! tests build by hand. A configuration that is missing is a fact (`None`, empty); a setting
//! that could not be read is a fact too ([`Fact::Unreadable`]), so one denied read never
//! hides the others.

use aws_client::dynamodb::KeyAttribute;
pub use aws_client::lifecycle::Rule as LifecycleRule;
use aws_client::policy::Policy;
pub use aws_client::s3::{
    Acl, Grant, Grantee, Notifications, ObjectLock, Permission, Replication, RetentionMode,
    VersioningFacts,
};
use aws_client::s3::{Encryption, Logging, ObjectOwnership, PublicAccessBlock};
use serde::Serialize;

/// A setting as read, or why it could not be read.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fact<T> {
    /// Read.
    Known(T),
    /// Not readable: the error code (such as `AccessDenied`) and message.
    Unreadable {
        /// The error code, if AWS sent one.
        code: Option<String>,
        /// What AWS said.
        message: String,
    },
}

impl<T> Fact<T> {
    /// An unreadable fact.
    pub fn unreadable(code: Option<&str>, message: &str) -> Fact<T> {
        Fact::Unreadable {
            code: code.map(str::to_owned),
            message: message.to_owned(),
        }
    }

    /// The value, when read.
    pub fn known(&self) -> Option<&T> {
        match self {
            Fact::Known(value) => Some(value),
            Fact::Unreadable { .. } => None,
        }
    }
}

impl<T> From<T> for Fact<T> {
    fn from(value: T) -> Fact<T> {
        Fact::Known(value)
    }
}

/// What a bucket is for, from the naming convention.
pub use naming::BucketRole as Role;

/// The bucket that receives a bucket's server access logs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogTarget {
    /// Its name.
    pub bucket: String,
    /// Whether it exists (and is readable by the caller).
    pub exists: Fact<bool>,
    /// Its bucket policy.
    pub policy: Fact<Option<Policy>>,
    /// Its ACL.
    pub acl: Fact<Acl>,
    /// Its default encryption: S3 delivers no logs to an SSE-KMS target.
    pub encryption: Fact<Option<Encryption>>,
    /// Its Object Lock: S3 refuses a target with default retention.
    pub object_lock: Fact<Option<ObjectLock>>,
    /// Whether requesters pay: S3 refuses such a target.
    pub requester_pays: Fact<bool>,
}

/// The destination of a replication rule, read through its own region's clients.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplicaFacts {
    /// The replica bucket's name.
    pub bucket: String,
    /// The rule that replicates to it.
    pub rule: aws_client::s3::ReplicationRule,
    /// Its region, when it exists.
    pub region: Option<String>,
    /// Whether it exists (and is the caller's).
    pub exists: Fact<bool>,
    /// Versioning: S3 replicates only into a versioned bucket.
    pub versioning: Fact<VersioningFacts>,
    /// Default encryption.
    pub encryption: Fact<Option<Encryption>>,
    /// The bucket-level public access block.
    pub public_access_block: Fact<Option<PublicAccessBlock>>,
    /// The bucket policy.
    pub policy: Fact<Option<Policy>>,
    /// The largest replication latency (seconds) CloudWatch reports for the rule over the
    /// last hour (`None`: no datapoint); read only when the rule's metrics are on.
    pub latency: Fact<Option<f64>>,
}

/// Everything the audit reads about one bucket.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BucketFacts {
    /// The bucket.
    pub name: String,
    /// What it is for.
    pub role: Role,
    /// The partition it is in (from the audited region).
    #[serde(skip)]
    pub partition: naming::Partition,
    /// Whether it exists.
    pub exists: Fact<bool>,
    /// The bucket-level public access block.
    pub public_access_block: Fact<Option<PublicAccessBlock>>,
    /// Default encryption.
    pub encryption: Fact<Option<Encryption>>,
    /// Versioning and MFA delete.
    pub versioning: Fact<VersioningFacts>,
    /// The bucket policy.
    pub policy: Fact<Option<Policy>>,
    /// S3's verdict on the policy (GetBucketPolicyStatus `IsPublic`), `None` without one.
    pub policy_status: Fact<Option<bool>>,
    /// Whether requesters pay for its requests (GetBucketRequestPayment).
    pub requester_pays: Fact<bool>,
    /// Object ownership.
    pub ownership: Fact<Option<ObjectOwnership>>,
    /// Server access logging.
    pub logging: Fact<Option<Logging>>,
    /// The ACL.
    pub acl: Fact<Acl>,
    /// The ids of the request-metrics configurations.
    pub metrics: Fact<Vec<String>>,
    /// Object Lock.
    pub object_lock: Fact<Option<ObjectLock>>,
    /// Lifecycle rules (empty when none).
    pub lifecycle: Fact<Vec<LifecycleRule>>,
    /// Event notifications.
    pub notifications: Fact<Notifications>,
    /// Replication (`None` when not configured).
    pub replication: Fact<Option<Replication>>,
    /// Where its access logs go, when logging is on.
    pub log_target: Option<LogTarget>,
    /// The buckets its enabled replication rules write to.
    pub replicas: Vec<ReplicaFacts>,
}

impl BucketFacts {
    /// The facts of a bucket that does not exist (`exists` is `false`) or could not be
    /// looked at (`exists` is unreadable): nothing else was read.
    pub fn skipped(name: &str, role: Role, exists: Fact<bool>) -> BucketFacts {
        let (code, message) = match &exists {
            Fact::Unreadable { code, message } => (code.clone(), message.clone()),
            Fact::Known(_) => (
                Some("NoSuchBucket".to_owned()),
                "the bucket does not exist".to_owned(),
            ),
        };
        let code = code.as_deref();
        BucketFacts {
            name: name.to_owned(),
            role,
            public_access_block: Fact::unreadable(code, &message),
            encryption: Fact::unreadable(code, &message),
            versioning: Fact::unreadable(code, &message),
            policy: Fact::unreadable(code, &message),
            policy_status: Fact::unreadable(code, &message),
            requester_pays: Fact::unreadable(code, &message),
            ownership: Fact::unreadable(code, &message),
            logging: Fact::unreadable(code, &message),
            acl: Fact::unreadable(code, &message),
            metrics: Fact::unreadable(code, &message),
            object_lock: Fact::unreadable(code, &message),
            lifecycle: Fact::unreadable(code, &message),
            notifications: Fact::unreadable(code, &message),
            replication: Fact::unreadable(code, &message),
            log_target: None,
            replicas: Vec::new(),
            partition: naming::Partition::Aws,
            exists,
        }
    }

    /// `arn:{partition}:s3:::{name}`: policies name the bucket so (`arn:aws-cn:` in China,
    /// `arn:aws-us-gov:` in GovCloud).
    pub fn arn(&self) -> String {
        format!("arn:{}:s3:::{}", self.partition.id(), self.name)
    }
}

/// The account-level facts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountFacts {
    /// The account id.
    pub account_id: String,
    /// The account-level public access block (S3 Control).
    pub public_access_block: Fact<Option<PublicAccessBlock>>,
}

/// Terraform's lock record (`Info` of a lock row).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct LockInfo {
    /// The lock id.
    pub id: String,
    /// The operation (`OperationTypeApply`, ...).
    pub operation: String,
    /// Who holds it (`user@host`).
    pub who: String,
    /// The Terraform version.
    pub version: String,
    /// When it was taken (RFC 3339).
    pub created: String,
    /// The state path.
    pub path: String,
}

/// A lock row: `LockID` = `{bucket}/{key}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LockRow {
    /// The row's `LockID`.
    pub lock_id: String,
    /// Its `Info`, parsed; `None` when missing or not Terraform's JSON.
    pub info: Option<LockInfo>,
}

/// A digest row: `LockID` = `{bucket}/{key}-md5`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DigestRow {
    /// The row's `LockID`.
    pub lock_id: String,
    /// Whether the state object it describes exists.
    pub state_exists: Fact<bool>,
}

/// Everything the audit reads about the lock table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableFacts {
    /// The table.
    pub name: String,
    /// Its ARN, when it exists.
    pub arn: Option<String>,
    /// Whether it exists.
    pub exists: Fact<bool>,
    /// Its key schema.
    pub key_schema: Vec<KeyAttribute>,
    /// KMS server-side encryption (`SSEDescription` ENABLED), and its key.
    pub sse: Option<Option<String>>,
    /// Point-in-time recovery.
    pub point_in_time_recovery: Fact<bool>,
    /// Deletion protection.
    pub deletion_protection: bool,
    /// Lock rows.
    pub locks: Fact<Vec<LockRow>>,
    /// Digest rows.
    pub digests: Fact<Vec<DigestRow>>,
}

impl TableFacts {
    /// The facts of a table that does not exist (or could not be described): nothing else
    /// was read.
    pub fn missing(name: &str, exists: Fact<bool>) -> TableFacts {
        let code = Some("ResourceNotFoundException");
        let message = "the table was not described";
        TableFacts {
            name: name.to_owned(),
            arn: None,
            exists,
            key_schema: Vec::new(),
            sse: None,
            point_in_time_recovery: Fact::unreadable(code, message),
            deletion_protection: false,
            locks: Fact::unreadable(code, message),
            digests: Fact::unreadable(code, message),
        }
    }
}

/// Everything one audit read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Facts {
    /// The account, when it was asked about.
    pub account: Option<AccountFacts>,
    /// The buckets, in the order asked.
    pub buckets: Vec<BucketFacts>,
    /// The lock table, when asked about.
    pub table: Option<TableFacts>,
}
