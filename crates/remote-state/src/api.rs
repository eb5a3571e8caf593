//! The narrow interface to S3 and the lock table, in the toolkit's own terms.
//! [`aws_client::Aws`] implements it; the logic around it is tested with values.

use std::collections::BTreeMap;
use std::future::Future;

use aws_client::AwsError;

pub use aws_client::dynamodb::{Row, RowWrite, Transacted};
pub use aws_client::objects::{Condition, Copied, Entry, ObjectBytes};

/// S3 and DynamoDB, as the remote-state tools use them.
pub trait Store: Sync {
    /// Every version and delete marker of the keys under `prefix`.
    fn versions(
        &self,
        bucket: &str,
        prefix: &str,
    ) -> impl Future<Output = Result<Vec<Entry>, AwsError>> + Send;
    /// The id of `key`'s current version; `None` when there is none (or a delete marker).
    fn current_version(
        &self,
        bucket: &str,
        key: &str,
    ) -> impl Future<Output = Result<Option<String>, AwsError>> + Send;
    /// One version (the current one with `None`) whole, refused above `max_bytes`.
    fn read(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
        max_bytes: u64,
    ) -> impl Future<Output = Result<ObjectBytes, AwsError>> + Send;
    /// Copies `version_id` of `key` to be `to_key`'s current version (`to_key` may be
    /// `key`); the new version's id.
    fn copy_version(
        &self,
        bucket: &str,
        key: &str,
        version_id: &str,
        to_key: &str,
    ) -> impl Future<Output = Result<Copied, AwsError>> + Send;
    /// Puts a delete marker on `key` (every version stays); the marker's id.
    fn delete_current(
        &self,
        bucket: &str,
        key: &str,
    ) -> impl Future<Output = Result<String, AwsError>> + Send;
    /// Deletes one version for good.
    fn delete_version(
        &self,
        bucket: &str,
        key: &str,
        version_id: &str,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;
    /// Writes `body` (of `content_type`) to `key`.
    fn put_object(
        &self,
        bucket: &str,
        key: &str,
        body: Vec<u8>,
        content_type: &str,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;
    /// Writes `key` only if nothing is there (`If-None-Match: *`).
    fn put_if_absent(
        &self,
        bucket: &str,
        key: &str,
        body: Vec<u8>,
    ) -> impl Future<Output = Result<Condition, AwsError>> + Send;
    /// Deletes `key` only while its ETag is `etag`.
    fn delete_if_match(
        &self,
        bucket: &str,
        key: &str,
        etag: &str,
    ) -> impl Future<Output = Result<Condition, AwsError>> + Send;
    /// Every row of `table` whose `LockID` begins with `prefix` (`LockID`, `Info`,
    /// `Digest`); `None` when the table does not exist.
    fn scan(
        &self,
        table: &str,
        prefix: &str,
    ) -> impl Future<Output = Result<Option<Vec<Row>>, AwsError>> + Send;
    /// The rows `lock_ids` (`Info`, `Digest`), in batches; missing rows are absent.
    fn rows(
        &self,
        table: &str,
        lock_ids: &[String],
    ) -> impl Future<Output = Result<BTreeMap<String, Row>, AwsError>> + Send;
    /// Writes a row only if its `LockID` is free (how Terraform takes its lock).
    fn put_row_if_absent(
        &self,
        table: &str,
        lock_id: &str,
        row: &Row,
    ) -> impl Future<Output = Result<Condition, AwsError>> + Send;
    /// Writes a row.
    fn put_row(
        &self,
        table: &str,
        lock_id: &str,
        row: &Row,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;
    /// Makes every one of `writes` (on distinct rows) in one transaction, or none of them.
    fn write_rows(
        &self,
        table: &str,
        writes: &[RowWrite],
    ) -> impl Future<Output = Result<Transacted, AwsError>> + Send;
    /// Deletes a row, only while its attribute still has the value given, when given.
    fn delete_row(
        &self,
        table: &str,
        lock_id: &str,
        expected: Option<(&str, &str)>,
    ) -> impl Future<Output = Result<Condition, AwsError>> + Send;
}
