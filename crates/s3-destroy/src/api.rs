//! The narrow interface to S3, in the toolkit's own terms. [`aws_client::Aws`]
//! implements it; the tests of the plan and the executor's logic use values.

use std::collections::BTreeMap;
use std::future::Future;

use aws_client::{AwsError, Objects};

use crate::model::{BucketSettings, Entry, Lock, Upload};

pub use aws_client::objects::{Body, KeyError, Page};
/// A configuration the emergency cleanup removes (of the policy, only the statements that
/// deny deletion).
pub use aws_client::s3::Configuration as Config;

/// S3, as the teardown uses it.
///
/// The per-object calls (listing versions, ranged reads, DeleteObjects) are
/// [`aws_client::Objects`]'s, which a store implements too.
pub trait Store: Objects + 'static {
    /// The bucket's settings, or `None` when it does not exist.
    fn settings(
        &self,
        bucket: &str,
    ) -> impl Future<Output = Result<Option<BucketSettings>, AwsError>> + Send;
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
