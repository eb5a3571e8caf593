//! The narrow interface to AWS, in the toolkit's own terms. [`aws_client::Aws`] implements
//! it; tests implement it with values.

use std::future::Future;

use naming::{BucketName, Region, TableName};

use crate::error::AwsError;
use crate::model::{
    AlarmSpec, BucketPresence, BucketSettings, BucketWrite, Caller, Created, Reads, TableCreated,
    TableFacts, TableSpec, TableWrite, Tags,
};
use crate::replication::ObservedRole;

/// S3 buckets.
pub trait Buckets: Sync {
    /// Whether the bucket exists and is `owner`'s (HEAD Bucket with the expected owner).
    fn bucket_presence(
        &self,
        bucket: &BucketName,
        owner: &str,
    ) -> impl Future<Output = Result<BucketPresence, AwsError>> + Send;
    /// The settings the toolkit manages that `reads` asks for (the others are left at their
    /// defaults); a missing configuration is a value.
    fn bucket_settings(
        &self,
        bucket: &BucketName,
        reads: Reads,
    ) -> impl Future<Output = Result<BucketSettings, AwsError>> + Send;
    /// Creates the bucket in `region`.
    fn create_bucket(
        &self,
        bucket: &BucketName,
        region: Region,
    ) -> impl Future<Output = Result<Created, AwsError>> + Send;
    /// Makes one change.
    fn write_bucket(
        &self,
        bucket: &BucketName,
        write: &BucketWrite,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;
}

/// The DynamoDB lock table.
pub trait LockTables: Sync {
    /// The table's facts, or `None` when there is no such table.
    fn describe_table(
        &self,
        table: &TableName,
    ) -> impl Future<Output = Result<Option<TableFacts>, AwsError>> + Send;
    /// Creates the table with the `LockID` key, on-demand, encrypted, protected from deletion.
    fn create_table(
        &self,
        table: &TableName,
        spec: &TableSpec,
    ) -> impl Future<Output = Result<TableCreated, AwsError>> + Send;
    /// Makes one change; `arn` is the table's ARN (for tags).
    fn write_table(
        &self,
        table: &TableName,
        arn: &str,
        write: &TableWrite,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;
}

/// The caller's account.
pub trait Account: Sync {
    /// STS GetCallerIdentity.
    fn caller(&self) -> impl Future<Output = Result<Caller, AwsError>> + Send;
}

/// KMS keys.
pub trait Keys: Sync {
    /// The ARN of the key `key` names (key id, key ARN, alias name or alias ARN), or `None`
    /// when there is no such key (KMS DescribeKey).
    fn key_arn(&self, key: &str) -> impl Future<Output = Result<Option<String>, AwsError>> + Send;
}

/// CloudWatch alarms.
pub trait Alarms: Sync {
    /// The alarms with these names that exist.
    fn describe_alarms(
        &self,
        names: &[String],
    ) -> impl Future<Output = Result<Vec<AlarmSpec>, AwsError>> + Send;
    /// Creates or overwrites an alarm.
    fn put_alarm(&self, alarm: &AlarmSpec) -> impl Future<Output = Result<(), AwsError>> + Send;
}

/// IAM roles: the replication role of `--replicate-to`.
pub trait Roles: Sync {
    /// The role's trust policy and its inline policy `policy`, decoded, or `None` when
    /// there is no such role (IAM GetRole and GetRolePolicy).
    fn role(
        &self,
        name: &str,
        policy: &str,
    ) -> impl Future<Output = Result<Option<ObservedRole>, AwsError>> + Send;
    /// Creates the role with this trust policy and these tags.
    fn create_role(
        &self,
        name: &str,
        trust_policy: &str,
        tags: &Tags,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;
    /// Replaces the role's trust policy.
    fn set_trust_policy(
        &self,
        name: &str,
        trust_policy: &str,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;
    /// Sets the role's inline policy `policy`.
    fn put_role_policy(
        &self,
        name: &str,
        policy: &str,
        document: &str,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;
}

/// Everything provisioning talks to.
pub trait Cloud: Buckets + LockTables + Account + Alarms + Keys + Roles {}

impl<T: Buckets + LockTables + Account + Alarms + Keys + Roles> Cloud for T {}
