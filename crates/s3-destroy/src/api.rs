//! The narrow interface to S3, in the toolkit's own terms. [`crate::sdk::DestroyAws`]
//! implements it with the AWS SDK; the tests of the plan and the executor's logic use values.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use aws_provisioner::AwsError;
use bytes::Bytes;
use futures::Stream;
use serde::Serialize;

use crate::model::{BucketSettings, Entry, Lock, Upload};

/// One page of ListObjectVersions, and where the next starts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page {
    /// Versions and delete markers, in S3's order.
    pub entries: Vec<Entry>,
    /// The key and version markers of the next page; `None` on the last.
    pub next: Option<(String, String)>,
}

/// A key the DeleteObjects answer lists under `Error` (the request itself succeeded).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyError {
    /// The key.
    pub key: String,
    /// The version.
    pub version_id: String,
    /// S3's error code, such as `SlowDown`, `InternalError`, `AccessDenied`.
    pub code: String,
    /// S3's message.
    pub message: String,
}

impl KeyError {
    /// Whether trying the key again may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.code.as_str(),
            "SlowDown"
                | "InternalError"
                | "ServiceUnavailable"
                | "RequestTimeout"
                | "OperationAborted"
                | "Throttling"
        )
    }
}

/// A configuration the emergency cleanup removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Config {
    /// Replication: S3 refuses to delete a bucket that replicates.
    Replication,
    /// The bucket policy (when it denies deletion).
    Policy,
    /// Lifecycle rules.
    Lifecycle,
    /// Event notifications (every deleted object would fire one).
    Notifications,
}

impl Config {
    /// The name reports use (as serialized).
    pub fn as_str(self) -> &'static str {
        match self {
            Config::Replication => "replication",
            Config::Policy => "policy",
            Config::Lifecycle => "lifecycle",
            Config::Notifications => "notifications",
        }
    }
}

/// An object's content, chunk by chunk.
pub type Body = Pin<Box<dyn Stream<Item = Result<Bytes, AwsError>> + Send>>;

/// S3, as the teardown uses it.
pub trait Store: Send + Sync + 'static {
    /// The bucket's settings, or `None` when it does not exist.
    fn settings(
        &self,
        bucket: &str,
    ) -> impl Future<Output = Result<Option<BucketSettings>, AwsError>> + Send;
    /// One page of versions and delete markers, from `marker` (the start when `None`).
    fn list_versions(
        &self,
        bucket: &str,
        marker: Option<&(String, String)>,
    ) -> impl Future<Output = Result<Page, AwsError>> + Send;
    /// Every in-progress multipart upload.
    fn list_uploads(
        &self,
        bucket: &str,
    ) -> impl Future<Output = Result<Vec<Upload>, AwsError>> + Send;
    /// The retention and legal hold of one version.
    fn lock(
        &self,
        bucket: &str,
        entry: &Entry,
    ) -> impl Future<Output = Result<Lock, AwsError>> + Send;
    /// One version's content.
    fn body(
        &self,
        bucket: &str,
        key: &str,
        version_id: &str,
    ) -> impl Future<Output = Result<Body, AwsError>> + Send;
    /// DeleteObjects for at most 1,000 versions; the keys the answer lists as errors.
    fn delete_objects(
        &self,
        bucket: &str,
        entries: &[Entry],
        bypass_governance: bool,
    ) -> impl Future<Output = Result<Vec<KeyError>, AwsError>> + Send;
    /// Aborts one multipart upload (one already gone is not an error).
    fn abort_upload(
        &self,
        bucket: &str,
        upload: &Upload,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;
    /// Removes one configuration (one already absent is not an error); of the bucket
    /// policy, only the statements that deny deletion.
    fn remove(
        &self,
        bucket: &str,
        config: Config,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;
    /// Replaces the lifecycle configuration with the two rules that let S3 empty the
    /// bucket by itself.
    fn expire_everything(&self, bucket: &str) -> impl Future<Output = Result<(), AwsError>> + Send;
    /// Deletes the (empty) bucket.
    fn delete_bucket(&self, bucket: &str) -> impl Future<Output = Result<(), AwsError>> + Send;
    /// The bucket's tags (none when it has no tag set).
    fn tags(
        &self,
        bucket: &str,
    ) -> impl Future<Output = Result<BTreeMap<String, String>, AwsError>> + Send;
    /// The first `bytes` bytes of one version (fewer when it is shorter).
    fn prefix(
        &self,
        bucket: &str,
        key: &str,
        version_id: &str,
        bytes: u64,
    ) -> impl Future<Output = Result<Bytes, AwsError>> + Send;
    /// How many rows of the lock table `table` name `bucket` (locks and digests have IDs
    /// `{bucket}/{key}` and `{bucket}/{key}-md5`); 0 when the table does not exist.
    fn lock_rows(
        &self,
        table: &str,
        bucket: &str,
    ) -> impl Future<Output = Result<u64, AwsError>> + Send;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_configuration_is_named_as_it_serializes() {
        for config in [
            Config::Replication,
            Config::Policy,
            Config::Lifecycle,
            Config::Notifications,
        ] {
            assert_eq!(serde_json::to_value(config).unwrap(), config.as_str());
        }
    }
}
