//! The narrow interface to AWS, in the audit's own terms: one read per fact, and the few
//! writes `--fix` makes. A missing configuration answers `Ok(None)` (or empty); any failure
//! is an [`AwsError`], which the gatherer turns into an unreadable fact when access was
//! denied and into a failed audit otherwise. [`aws_client::Aws`] implements both
//! traits; tests implement them with values.

use std::future::Future;

use aws_client::AwsError;
use aws_client::dynamodb::{TableFacts, TableWrite};
use aws_client::policy::Policy;
use aws_client::s3::{BucketWrite, Encryption, Logging, ObjectOwnership, PublicAccessBlock};

use crate::facts::{Acl, LifecycleRule, Notifications, ObjectLock, Replication, VersioningFacts};

/// A lock-table row as scanned: `LockID` and the raw `Info`.
pub type RawLockRow = (String, Option<String>);

/// Every read the audit makes.
pub trait Inspect: Sync {
    /// The caller's account id.
    fn account_id(&self) -> impl Future<Output = Result<String, AwsError>> + Send;
    /// The account-level public access block (S3 Control).
    fn account_public_access_block(
        &self,
        account: &str,
    ) -> impl Future<Output = Result<Option<PublicAccessBlock>, AwsError>> + Send;
    /// The buckets the caller owns in the client's region (ListBuckets with BucketRegion):
    /// one request that spares a HEAD Bucket for each of them.
    fn buckets_in_region(&self) -> impl Future<Output = Result<Vec<String>, AwsError>> + Send;
    /// Whether the bucket exists (HEAD Bucket).
    fn bucket_exists(&self, bucket: &str) -> impl Future<Output = Result<bool, AwsError>> + Send;
    /// The bucket-level public access block.
    fn public_access_block(
        &self,
        bucket: &str,
    ) -> impl Future<Output = Result<Option<PublicAccessBlock>, AwsError>> + Send;
    /// Default encryption.
    fn encryption(
        &self,
        bucket: &str,
    ) -> impl Future<Output = Result<Option<Encryption>, AwsError>> + Send;
    /// Versioning and MFA delete.
    fn versioning(
        &self,
        bucket: &str,
    ) -> impl Future<Output = Result<VersioningFacts, AwsError>> + Send;
    /// The bucket policy.
    fn policy(&self, bucket: &str)
    -> impl Future<Output = Result<Option<Policy>, AwsError>> + Send;
    /// S3's verdict on the bucket policy (GetBucketPolicyStatus): public or not, `None`
    /// without a policy.
    fn policy_status(
        &self,
        bucket: &str,
    ) -> impl Future<Output = Result<Option<bool>, AwsError>> + Send;
    /// Whether requesters pay (GetBucketRequestPayment).
    fn requester_pays(&self, bucket: &str) -> impl Future<Output = Result<bool, AwsError>> + Send;
    /// Object ownership.
    fn ownership(
        &self,
        bucket: &str,
    ) -> impl Future<Output = Result<Option<ObjectOwnership>, AwsError>> + Send;
    /// Server access logging.
    fn logging(
        &self,
        bucket: &str,
    ) -> impl Future<Output = Result<Option<Logging>, AwsError>> + Send;
    /// The bucket ACL.
    fn acl(&self, bucket: &str) -> impl Future<Output = Result<Acl, AwsError>> + Send;
    /// The ids of the request-metrics configurations.
    fn metrics(&self, bucket: &str) -> impl Future<Output = Result<Vec<String>, AwsError>> + Send;
    /// Object Lock.
    fn object_lock(
        &self,
        bucket: &str,
    ) -> impl Future<Output = Result<Option<ObjectLock>, AwsError>> + Send;
    /// Lifecycle rules.
    fn lifecycle(
        &self,
        bucket: &str,
    ) -> impl Future<Output = Result<Vec<LifecycleRule>, AwsError>> + Send;
    /// Event notifications.
    fn notifications(
        &self,
        bucket: &str,
    ) -> impl Future<Output = Result<Notifications, AwsError>> + Send;
    /// Replication.
    fn replication(
        &self,
        bucket: &str,
    ) -> impl Future<Output = Result<Option<Replication>, AwsError>> + Send;
    /// The bucket's region, `None` when there is no such bucket (HEAD Bucket: S3 names the
    /// region even from another region's endpoint).
    fn bucket_region(
        &self,
        bucket: &str,
    ) -> impl Future<Output = Result<Option<String>, AwsError>> + Send;
    /// The same reads in another region (the Rust SDK does not follow S3's redirects, T4).
    fn in_region(&self, region: &str) -> Self
    where
        Self: Sized;
    /// The largest replication latency (seconds) over the last hour of the rule `rule_id`
    /// from `source` to `destination`, `None` without a datapoint.
    fn replication_latency(
        &self,
        source: &str,
        destination: &str,
        rule_id: &str,
    ) -> impl Future<Output = Result<Option<f64>, AwsError>> + Send;
    /// Whether an object exists (HEAD Object).
    fn object_exists(
        &self,
        bucket: &str,
        key: &str,
    ) -> impl Future<Output = Result<bool, AwsError>> + Send;
    /// The lock table's description; `None` when there is no such table.
    fn describe_table(
        &self,
        table: &str,
    ) -> impl Future<Output = Result<Option<TableFacts>, AwsError>> + Send;
    /// Every row of the lock table: `LockID` and `Info`.
    fn lock_rows(
        &self,
        table: &str,
    ) -> impl Future<Output = Result<Vec<RawLockRow>, AwsError>> + Send;
}

/// The writes `--fix` makes: each one API call, each safe to repeat.
pub trait Remedy: Sync {
    /// One change to a bucket (the provisioner's writes).
    fn write_bucket(
        &self,
        bucket: &str,
        write: &BucketWrite,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;
    /// Resets the bucket ACL to `private` (the owner's full control only).
    fn make_acl_private(&self, bucket: &str) -> impl Future<Output = Result<(), AwsError>> + Send;
    /// All four account-level public-access-block settings on.
    fn block_account_public_access(
        &self,
        account: &str,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;
    /// One change to the lock table (the provisioner's writes); `arn` is the table's ARN.
    fn write_table(
        &self,
        table: &str,
        arn: &str,
        write: &TableWrite,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;
}
