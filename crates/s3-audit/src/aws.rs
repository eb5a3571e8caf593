//! The audit's traits of [`crate::api`] answered by [`aws_client::Aws`]: each read or
//! write one of its calls.

use aws_client::Aws;
use aws_client::dynamodb::TableFacts;
use aws_client::dynamodb::TableWrite;
use aws_client::policy::Policy;
use aws_client::s3::{BucketWrite, Encryption, Logging, ObjectOwnership, PublicAccessBlock};

use crate::api::{Inspect, RawLockRow, Remedy};
use crate::facts::{Acl, LifecycleRule, Notifications, ObjectLock, Replication, VersioningFacts};
use aws_client::AwsError;

impl Inspect for Aws {
    async fn account_id(&self) -> Result<String, AwsError> {
        Ok(self.caller().await?.account)
    }

    async fn account_public_access_block(
        &self,
        account: &str,
    ) -> Result<Option<PublicAccessBlock>, AwsError> {
        Aws::account_public_access_block(self, account).await
    }

    async fn buckets_in_region(&self) -> Result<Vec<String>, AwsError> {
        Aws::buckets_in_region(self).await
    }

    async fn bucket_exists(&self, bucket: &str) -> Result<bool, AwsError> {
        Aws::bucket_exists(self, bucket).await
    }

    async fn public_access_block(
        &self,
        bucket: &str,
    ) -> Result<Option<PublicAccessBlock>, AwsError> {
        Aws::public_access_block(self, bucket).await
    }

    async fn encryption(&self, bucket: &str) -> Result<Option<Encryption>, AwsError> {
        Aws::encryption(self, bucket).await
    }

    async fn versioning(&self, bucket: &str) -> Result<VersioningFacts, AwsError> {
        Aws::versioning(self, bucket).await
    }

    async fn policy(&self, bucket: &str) -> Result<Option<Policy>, AwsError> {
        Aws::policy(self, bucket).await
    }

    async fn policy_status(&self, bucket: &str) -> Result<Option<bool>, AwsError> {
        Aws::policy_status(self, bucket).await
    }

    async fn requester_pays(&self, bucket: &str) -> Result<bool, AwsError> {
        Aws::requester_pays(self, bucket).await
    }

    async fn ownership(&self, bucket: &str) -> Result<Option<ObjectOwnership>, AwsError> {
        Aws::ownership(self, bucket).await
    }

    async fn logging(&self, bucket: &str) -> Result<Option<Logging>, AwsError> {
        Aws::logging(self, bucket).await
    }

    async fn acl(&self, bucket: &str) -> Result<Acl, AwsError> {
        Aws::acl(self, bucket).await
    }

    async fn metrics(&self, bucket: &str) -> Result<Vec<String>, AwsError> {
        self.metrics_ids(bucket).await
    }

    async fn object_lock(&self, bucket: &str) -> Result<Option<ObjectLock>, AwsError> {
        Aws::object_lock(self, bucket).await
    }

    async fn lifecycle(&self, bucket: &str) -> Result<Vec<LifecycleRule>, AwsError> {
        Aws::lifecycle(self, bucket).await
    }

    async fn notifications(&self, bucket: &str) -> Result<Notifications, AwsError> {
        Aws::notifications(self, bucket).await
    }

    async fn replication(&self, bucket: &str) -> Result<Option<Replication>, AwsError> {
        Aws::replication(self, bucket).await
    }

    async fn bucket_region(&self, bucket: &str) -> Result<Option<String>, AwsError> {
        Aws::bucket_region(self, bucket).await
    }

    fn in_region(&self, region: &str) -> Aws {
        Aws::in_region(self, region)
    }

    async fn replication_latency(
        &self,
        source: &str,
        destination: &str,
        rule_id: &str,
    ) -> Result<Option<f64>, AwsError> {
        Aws::replication_latency(self, source, destination, rule_id).await
    }

    async fn object_exists(&self, bucket: &str, key: &str) -> Result<bool, AwsError> {
        Aws::object_exists(self, bucket, key).await
    }

    async fn describe_table(&self, table: &str) -> Result<Option<TableFacts>, AwsError> {
        Aws::describe_table(self, table).await
    }

    async fn lock_rows(&self, table: &str) -> Result<Vec<RawLockRow>, AwsError> {
        let rows = self.scan(table, &["LockID", "Info"], None).await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .filter_map(|mut row| {
                let lock_id = row.remove("LockID")?;
                Some((lock_id, row.remove("Info")))
            })
            .collect())
    }
}

impl Remedy for Aws {
    async fn write_bucket(&self, bucket: &str, write: &BucketWrite) -> Result<(), AwsError> {
        Aws::write_bucket(self, bucket, write).await
    }

    async fn make_acl_private(&self, bucket: &str) -> Result<(), AwsError> {
        Aws::make_acl_private(self, bucket).await
    }

    async fn block_account_public_access(&self, account: &str) -> Result<(), AwsError> {
        Aws::block_account_public_access(self, account).await
    }

    async fn write_table(
        &self,
        table: &str,
        arn: &str,
        write: &TableWrite,
    ) -> Result<(), AwsError> {
        Aws::write_table(self, table, arn, write).await
    }
}
