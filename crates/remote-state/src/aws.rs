//! The remote-state [`Store`] answered by [`aws_client::Aws`]: each call one of its requests.

use std::collections::BTreeMap;

use aws_client::{Aws, AwsError};

use crate::api::{Condition, Copied, Entry, ObjectBytes, Row, RowWrite, Store, Transacted};

/// The attributes of a lock-table row the remote-state tools read.
const ATTRIBUTES: [&str; 2] = ["Info", "Digest"];

impl Store for Aws {
    async fn versions(&self, bucket: &str, prefix: &str) -> Result<Vec<Entry>, AwsError> {
        self.versions_under(bucket, prefix).await
    }

    async fn read(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
        max_bytes: u64,
    ) -> Result<ObjectBytes, AwsError> {
        self.object_bytes(bucket, key, version_id, max_bytes).await
    }

    async fn copy_version(
        &self,
        bucket: &str,
        key: &str,
        version_id: &str,
        to_key: &str,
    ) -> Result<Copied, AwsError> {
        Aws::copy_version(self, bucket, key, version_id, to_key).await
    }

    async fn current_version(&self, bucket: &str, key: &str) -> Result<Option<String>, AwsError> {
        Aws::current_version(self, bucket, key).await
    }

    async fn put_object(
        &self,
        bucket: &str,
        key: &str,
        body: Vec<u8>,
        content_type: &str,
    ) -> Result<(), AwsError> {
        Aws::put_object(self, bucket, key, body, content_type).await
    }

    async fn delete_current(&self, bucket: &str, key: &str) -> Result<String, AwsError> {
        Aws::delete_current(self, bucket, key).await
    }

    async fn delete_version(
        &self,
        bucket: &str,
        key: &str,
        version_id: &str,
    ) -> Result<(), AwsError> {
        Aws::delete_version(self, bucket, key, version_id).await
    }

    async fn put_if_absent(
        &self,
        bucket: &str,
        key: &str,
        body: Vec<u8>,
    ) -> Result<Condition, AwsError> {
        Aws::put_if_absent(self, bucket, key, body).await
    }

    async fn delete_if_match(
        &self,
        bucket: &str,
        key: &str,
        etag: &str,
    ) -> Result<Condition, AwsError> {
        Aws::delete_if_match(self, bucket, key, etag).await
    }

    async fn scan(&self, table: &str, prefix: &str) -> Result<Option<Vec<Row>>, AwsError> {
        let mut attributes = vec!["LockID"];
        attributes.extend(ATTRIBUTES);
        Aws::scan(self, table, &attributes, Some(prefix)).await
    }

    async fn rows(
        &self,
        table: &str,
        lock_ids: &[String],
    ) -> Result<BTreeMap<String, Row>, AwsError> {
        Aws::rows(self, table, lock_ids, &ATTRIBUTES).await
    }

    async fn put_row_if_absent(
        &self,
        table: &str,
        lock_id: &str,
        row: &Row,
    ) -> Result<Condition, AwsError> {
        Aws::put_row_if_absent(self, table, lock_id, row).await
    }

    async fn put_row(&self, table: &str, lock_id: &str, row: &Row) -> Result<(), AwsError> {
        Aws::put_row(self, table, lock_id, row).await
    }

    async fn write_rows(&self, table: &str, writes: &[RowWrite]) -> Result<Transacted, AwsError> {
        Aws::write_rows(self, table, writes).await
    }

    async fn delete_row(
        &self,
        table: &str,
        lock_id: &str,
        expected: Option<(&str, &str)>,
    ) -> Result<Condition, AwsError> {
        Aws::delete_row(self, table, lock_id, expected).await
    }
}
