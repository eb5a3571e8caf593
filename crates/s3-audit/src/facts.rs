//! What the audit knows about a bucket, the account and the lock table: plain values that
//! tests build by hand. A configuration that is missing is a fact (`None`, empty); a setting
//! that could not be read is a fact too ([`Fact::Unreadable`]), so one denied read never
//! hides the others.

use aws_provisioner::model::{
    Encryption, KeyAttribute, Logging, ObjectOwnership, PublicAccessBlock, Versioning,
};
use aws_provisioner::policy::Policy;
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

/// Object Lock's default retention mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum LockMode {
    /// Users with `s3:BypassGovernanceRetention` may delete.
    Governance,
    /// Nobody may delete until retention ends.
    Compliance,
}

/// Object Lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectLock {
    /// Whether Object Lock is enabled on the bucket.
    pub enabled: bool,
    /// The default retention, if any: mode and days.
    pub default_retention: Option<(LockMode, u32)>,
}

/// One lifecycle rule, as the audit needs it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct LifecycleRule {
    /// Its id.
    pub id: Option<String>,
    /// Whether it is enabled.
    pub enabled: bool,
    /// Whether it applies to the whole bucket (no prefix, tag or size filter).
    pub whole_bucket: bool,
    /// Days until current versions expire.
    pub expiration_days: Option<u32>,
    /// Transitions: days and storage class.
    pub transitions: Vec<(u32, String)>,
    /// Days until noncurrent versions expire.
    pub noncurrent_expiration_days: Option<u32>,
    /// Days until incomplete multipart uploads are aborted.
    pub abort_incomplete_upload_days: Option<u32>,
}

/// Event notifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Notifications {
    /// SNS, SQS and Lambda destinations.
    pub destinations: usize,
    /// Whether EventBridge delivery is on.
    pub eventbridge: bool,
}

/// Replication.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Replication {
    /// The destination bucket ARNs of the enabled rules.
    pub destinations: Vec<String>,
}

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
}

/// Everything the audit reads about one bucket.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BucketFacts {
    /// The bucket.
    pub name: String,
    /// What it is for.
    pub role: Role,
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
            ownership: Fact::unreadable(code, &message),
            logging: Fact::unreadable(code, &message),
            acl: Fact::unreadable(code, &message),
            metrics: Fact::unreadable(code, &message),
            object_lock: Fact::unreadable(code, &message),
            lifecycle: Fact::unreadable(code, &message),
            notifications: Fact::unreadable(code, &message),
            replication: Fact::unreadable(code, &message),
            log_target: None,
            exists,
        }
    }

    /// `arn:aws:s3:::{name}` (commercial partition; the ARN is only used in messages and
    /// policy matching, where the partition does not matter).
    pub fn arn(&self) -> String {
        format!("arn:aws:s3:::{}", self.name)
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
