//! The teardown's [`Store`] answered by [`aws_client::Aws`]: each call one of its requests,
//! a bucket's settings read concurrently.

use std::collections::BTreeMap;

use aws_client::lifecycle::Rule;
use aws_client::s3::{BucketWrite, Configuration};
use aws_client::{Aws, AwsError};

use crate::api::{Body, Config, Store};
use crate::model::{BucketSettings, Entry, Lock, Upload};
use crate::plan::denies_a_deletion;

impl Store for Aws {
    async fn settings(&self, bucket: &str) -> Result<Option<BucketSettings>, AwsError> {
        if !self.bucket_exists(bucket).await? {
            return Ok(None);
        }
        let (versioning, policy, lock, replication, lifecycle, notifications) = futures::join!(
            self.versioning(bucket),
            self.policy(bucket),
            self.object_lock(bucket),
            self.replication(bucket),
            self.lifecycle(bucket),
            self.notifications(bucket),
        );
        let versioning = versioning?;
        let notifications = notifications?;
        Ok(Some(BucketSettings {
            versioning: Some(versioning.status),
            mfa_delete: versioning.mfa_delete,
            object_lock: lock?.is_some_and(|lock| lock.enabled),
            replication: replication?.is_some(),
            policy: policy?.map(|policy| policy.text()),
            lifecycle: !lifecycle?.is_empty(),
            notifications: notifications.destinations > 0 || notifications.eventbridge,
        }))
    }

    async fn list_uploads(&self, bucket: &str) -> Result<Vec<Upload>, AwsError> {
        Aws::list_uploads(self, bucket).await
    }

    async fn lock(&self, bucket: &str, entry: &Entry) -> Result<Lock, AwsError> {
        Aws::lock(self, bucket, entry).await
    }

    async fn body(&self, bucket: &str, key: &str, version_id: &str) -> Result<Body, AwsError> {
        Aws::body(self, bucket, key, version_id).await
    }

    async fn abort_upload(&self, bucket: &str, upload: &Upload) -> Result<(), AwsError> {
        Aws::abort_upload(self, bucket, upload).await
    }

    async fn remove(&self, bucket: &str, config: Config) -> Result<(), AwsError> {
        if config != Configuration::Policy {
            return self.remove_configuration(bucket, config).await;
        }
        // Only the statements that deny deletion: every other statement is kept.
        let Some(current) = self.policy(bucket).await? else {
            return Ok(());
        };
        match current.without(denies_a_deletion) {
            Some(kept) if kept.statements().len() < current.statements().len() => {
                self.write_bucket(bucket, &BucketWrite::Policy(kept)).await
            }
            Some(_) => Ok(()),
            None => {
                self.remove_configuration(bucket, Configuration::Policy)
                    .await
            }
        }
    }

    async fn expire_everything(&self, bucket: &str) -> Result<(), AwsError> {
        // AWS's two rules for emptying a bucket: expire current and noncurrent versions and
        // abort uploads after a day; then remove the expired delete markers (a rule of its
        // own: ExpiredObjectDeleteMarker cannot be combined with Days).
        let expire = Rule {
            expiration_days: Some(1),
            noncurrent_expiration_days: Some(1),
            abort_incomplete_upload_days: Some(1),
            ..Rule::whole_bucket("tfstate-toolkit-empty-bucket")
        };
        let markers = Rule {
            expired_object_delete_marker: true,
            ..Rule::whole_bucket("tfstate-toolkit-expired-delete-markers")
        };
        self.write_bucket(bucket, &BucketWrite::Lifecycle(vec![expire, markers]))
            .await
    }

    async fn delete_bucket(&self, bucket: &str) -> Result<(), AwsError> {
        Aws::delete_bucket(self, bucket).await
    }

    async fn tags(&self, bucket: &str) -> Result<BTreeMap<String, String>, AwsError> {
        Aws::tags(self, bucket).await
    }

    async fn lock_rows(&self, table: &str, bucket: &str) -> Result<u64, AwsError> {
        let rows = self
            .scan(table, &["LockID"], Some(&format!("{bucket}/")))
            .await?;
        Ok(rows.map_or(0, |rows| rows.len() as u64))
    }
}
