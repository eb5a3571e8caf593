//! The AWS SDK implementation of [`Store`]: the one module that knows SDK types. Versioning
//! and the bucket policy are read through `aws-provisioner`'s client, so every crate reads
//! them the same way.

use aws_provisioner::model::Versioning as ProvisionerVersioning;
use std::collections::BTreeMap;

use aws_provisioner::{
    AwsError, AwsErrorKind, classify, invalid, optional, retry_config, s3_client,
};
use aws_sdk_s3::types as s3t;
use aws_types::SdkConfig;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::stream;

use crate::api::{Body, Config, KeyError, Page, Store};
use crate::model::{BucketSettings, Entry, Lock, RetentionMode, Upload, Versioning};

/// S3 through the SDK, for the teardown.
#[derive(Debug, Clone)]
pub struct DestroyAws {
    provisioner: aws_provisioner::Aws,
    s3: aws_sdk_s3::Client,
    dynamodb: aws_sdk_dynamodb::Client,
}

impl DestroyAws {
    /// Clients for `config` (path-style addressing with an endpoint override).
    pub fn new(config: &SdkConfig) -> DestroyAws {
        let dynamodb = aws_sdk_dynamodb::config::Builder::from(config)
            .retry_config(retry_config(config))
            .build();
        DestroyAws {
            provisioner: aws_provisioner::Aws::new(config),
            s3: s3_client(config),
            dynamodb: aws_sdk_dynamodb::Client::from_conf(dynamodb),
        }
    }
}

fn chrono_time(time: &aws_smithy_types::DateTime) -> DateTime<Utc> {
    DateTime::from_timestamp(time.secs(), time.subsec_nanos()).unwrap_or_default()
}

impl Store for DestroyAws {
    async fn settings(&self, bucket: &str) -> Result<Option<BucketSettings>, AwsError> {
        match self.s3.head_bucket().bucket(bucket).send().await {
            Ok(_) => {}
            Err(error) => {
                let error = classify("HeadBucket", bucket, error);
                return match error.kind {
                    AwsErrorKind::NotFound => Ok(None),
                    _ => Err(error),
                };
            }
        }
        let s3 = &self.s3;
        let (versioning, policy, lock, replication, lifecycle, notifications) = futures::join!(
            self.provisioner.versioning_and_mfa_delete(bucket),
            s3.get_bucket_policy().bucket(bucket).send(),
            s3.get_object_lock_configuration().bucket(bucket).send(),
            s3.get_bucket_replication().bucket(bucket).send(),
            s3.get_bucket_lifecycle_configuration()
                .bucket(bucket)
                .send(),
            s3.get_bucket_notification_configuration()
                .bucket(bucket)
                .send(),
        );
        let (versioning, mfa_delete) = versioning?;
        let policy = optional("GetBucketPolicy", bucket, policy, &["NoSuchBucketPolicy"])?
            .and_then(|output| output.policy);
        let lock = optional(
            "GetObjectLockConfiguration",
            bucket,
            lock,
            &["ObjectLockConfigurationNotFoundError"],
        )?;
        let replication = optional(
            "GetBucketReplication",
            bucket,
            replication,
            &["ReplicationConfigurationNotFoundError"],
        )?;
        let lifecycle = optional(
            "GetBucketLifecycleConfiguration",
            bucket,
            lifecycle,
            &["NoSuchLifecycleConfiguration"],
        )?;
        let notifications = notifications
            .map_err(|error| classify("GetBucketNotificationConfiguration", bucket, error))?;
        Ok(Some(BucketSettings {
            versioning: Some(match versioning {
                ProvisionerVersioning::Enabled => Versioning::Enabled,
                ProvisionerVersioning::Suspended => Versioning::Suspended,
                _ => Versioning::Never,
            }),
            mfa_delete,
            object_lock: lock
                .and_then(|output| output.object_lock_configuration)
                .is_some_and(|config| {
                    config.object_lock_enabled == Some(s3t::ObjectLockEnabled::Enabled)
                }),
            replication: replication
                .is_some_and(|output| output.replication_configuration.is_some()),
            policy,
            lifecycle: lifecycle.is_some_and(|output| !output.rules().is_empty()),
            notifications: !notifications.topic_configurations().is_empty()
                || !notifications.queue_configurations().is_empty()
                || !notifications.lambda_function_configurations().is_empty()
                || notifications.event_bridge_configuration().is_some(),
        }))
    }

    async fn list_versions(
        &self,
        bucket: &str,
        marker: Option<&(String, String)>,
    ) -> Result<Page, AwsError> {
        // No max-keys: S3 answers 1,000 entries a page, its maximum, and a compatible store
        // may answer more (moto's cost is per request, not per entry).
        let mut request = self.s3.list_object_versions().bucket(bucket);
        if let Some((key, version)) = marker {
            request = request.key_marker(key).version_id_marker(version);
        }
        let output = request
            .send()
            .await
            .map_err(|error| classify("ListObjectVersions", bucket, error))?;
        let mut entries =
            Vec::with_capacity(output.versions().len() + output.delete_markers().len());
        for version in output.versions() {
            entries.push(Entry {
                key: version.key().unwrap_or_default().to_owned(),
                version_id: version.version_id().unwrap_or("null").to_owned(),
                size: version.size().unwrap_or_default().max(0) as u64,
                delete_marker: false,
                is_latest: version.is_latest().unwrap_or_default(),
            });
        }
        for marker in output.delete_markers() {
            entries.push(Entry {
                key: marker.key().unwrap_or_default().to_owned(),
                version_id: marker.version_id().unwrap_or("null").to_owned(),
                size: 0,
                delete_marker: true,
                is_latest: marker.is_latest().unwrap_or_default(),
            });
        }
        let next = match (output.is_truncated(), output.next_key_marker()) {
            (Some(true), Some(key)) => Some((
                key.to_owned(),
                output
                    .next_version_id_marker()
                    .unwrap_or_default()
                    .to_owned(),
            )),
            _ => None,
        };
        Ok(Page { entries, next })
    }

    async fn list_uploads(&self, bucket: &str) -> Result<Vec<Upload>, AwsError> {
        let mut uploads = Vec::new();
        let mut markers: Option<(String, String)> = None;
        loop {
            let mut request = self.s3.list_multipart_uploads().bucket(bucket);
            if let Some((key, upload)) = &markers {
                request = request.key_marker(key).upload_id_marker(upload);
            }
            let output = request
                .send()
                .await
                .map_err(|error| classify("ListMultipartUploads", bucket, error))?;
            uploads.extend(output.uploads().iter().map(|upload| Upload {
                key: upload.key().unwrap_or_default().to_owned(),
                upload_id: upload.upload_id().unwrap_or_default().to_owned(),
            }));
            match (output.is_truncated(), output.next_key_marker()) {
                (Some(true), Some(key)) => {
                    markers = Some((
                        key.to_owned(),
                        output
                            .next_upload_id_marker()
                            .unwrap_or_default()
                            .to_owned(),
                    ));
                }
                _ => return Ok(uploads),
            }
        }
    }

    /// HeadObject carries a version's retention and legal hold (S3 sends them to a caller
    /// allowed to read them): one request where GetObjectRetention and GetObjectLegalHold
    /// take two.
    async fn lock(&self, bucket: &str, entry: &Entry) -> Result<Lock, AwsError> {
        let mut request = self.s3.head_object().bucket(bucket).key(&entry.key);
        if entry.version_id != "null" {
            request = request.version_id(&entry.version_id);
        }
        let head = request
            .send()
            .await
            .map_err(|error| classify("HeadObject", &format!("{bucket}/{}", entry.key), error))?;
        let mode = head.object_lock_mode().map(|mode| match mode {
            s3t::ObjectLockMode::Compliance => RetentionMode::Compliance,
            _ => RetentionMode::Governance,
        });
        let retention = mode.zip(head.object_lock_retain_until_date().map(chrono_time));
        Ok(Lock {
            key: entry.key.clone(),
            version_id: entry.version_id.clone(),
            retention,
            legal_hold: head.object_lock_legal_hold_status()
                == Some(&s3t::ObjectLockLegalHoldStatus::On),
        })
    }

    async fn body(&self, bucket: &str, key: &str, version_id: &str) -> Result<Body, AwsError> {
        let mut request = self.s3.get_object().bucket(bucket).key(key);
        if version_id != "null" {
            request = request.version_id(version_id);
        }
        let output = request
            .send()
            .await
            .map_err(|error| classify("GetObject", &format!("{bucket}/{key}"), error))?;
        let resource = format!("{bucket}/{key}");
        let chunks = stream::unfold(Some(output.body), move |body| {
            let resource = resource.clone();
            async move {
                let mut body = body?;
                match body.next().await {
                    None => None,
                    Some(Ok(bytes)) => Some((Ok(bytes), Some(body))),
                    Some(Err(error)) => Some((
                        Err(AwsError {
                            operation: "GetObject",
                            resource,
                            kind: AwsErrorKind::Network,
                            code: None,
                            message: error.to_string(),
                        }),
                        None,
                    )),
                }
            }
        });
        Ok(Box::pin(chunks))
    }

    async fn delete_objects(
        &self,
        bucket: &str,
        entries: &[Entry],
        bypass_governance: bool,
    ) -> Result<Vec<KeyError>, AwsError> {
        let objects = entries
            .iter()
            .map(|entry| {
                s3t::ObjectIdentifier::builder()
                    .key(&entry.key)
                    .version_id(&entry.version_id)
                    .build()
                    .map_err(|error| invalid("DeleteObjects", bucket, error.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let delete = s3t::Delete::builder()
            .set_objects(Some(objects))
            .quiet(true)
            .build()
            .map_err(|error| invalid("DeleteObjects", bucket, error.to_string()))?;
        let mut request = self.s3.delete_objects().bucket(bucket).delete(delete);
        if bypass_governance {
            request = request.bypass_governance_retention(true);
        }
        let output = request
            .send()
            .await
            .map_err(|error| classify("DeleteObjects", bucket, error))?;
        Ok(output
            .errors()
            .iter()
            .map(|error| KeyError {
                key: error.key().unwrap_or_default().to_owned(),
                version_id: error.version_id().unwrap_or("null").to_owned(),
                code: error.code().unwrap_or("Unknown").to_owned(),
                message: error.message().unwrap_or_default().to_owned(),
            })
            .collect())
    }

    async fn abort_upload(&self, bucket: &str, upload: &Upload) -> Result<(), AwsError> {
        let result = self
            .s3
            .abort_multipart_upload()
            .bucket(bucket)
            .key(&upload.key)
            .upload_id(&upload.upload_id)
            .send()
            .await;
        optional("AbortMultipartUpload", bucket, result, &["NoSuchUpload"]).map(drop)
    }

    async fn remove(&self, bucket: &str, config: Config) -> Result<(), AwsError> {
        let s3 = &self.s3;
        match config {
            Config::Replication => {
                let result = s3.delete_bucket_replication().bucket(bucket).send().await;
                optional("DeleteBucketReplication", bucket, result, &[]).map(drop)
            }
            // Only the statements that deny deletion: every other statement is kept.
            Config::Policy => {
                let current = s3.get_bucket_policy().bucket(bucket).send().await;
                let current =
                    optional("GetBucketPolicy", bucket, current, &["NoSuchBucketPolicy"])?
                        .and_then(|output| output.policy);
                let Some(current) = current else {
                    return Ok(());
                };
                match crate::plan::without_deletion_denials(&current) {
                    Some(kept) if kept != current => {
                        let result = s3
                            .put_bucket_policy()
                            .bucket(bucket)
                            .policy(kept)
                            .send()
                            .await;
                        optional("PutBucketPolicy", bucket, result, &[]).map(drop)
                    }
                    Some(_) => Ok(()),
                    None => {
                        let result = s3.delete_bucket_policy().bucket(bucket).send().await;
                        optional(
                            "DeleteBucketPolicy",
                            bucket,
                            result,
                            &["NoSuchBucketPolicy"],
                        )
                        .map(drop)
                    }
                }
            }
            Config::Lifecycle => {
                let result = s3.delete_bucket_lifecycle().bucket(bucket).send().await;
                optional("DeleteBucketLifecycle", bucket, result, &[]).map(drop)
            }
            Config::Notifications => {
                let result = s3
                    .put_bucket_notification_configuration()
                    .bucket(bucket)
                    .notification_configuration(s3t::NotificationConfiguration::builder().build())
                    .send()
                    .await;
                optional("PutBucketNotificationConfiguration", bucket, result, &[]).map(drop)
            }
        }
    }

    async fn expire_everything(&self, bucket: &str) -> Result<(), AwsError> {
        let build = |error: aws_sdk_s3::error::BuildError| {
            invalid("PutBucketLifecycleConfiguration", bucket, error.to_string())
        };
        let everything = || s3t::LifecycleRuleFilter::builder().prefix("").build();
        // AWS's two rules for emptying a bucket: expire current and noncurrent versions and
        // abort uploads after a day; then remove the expired delete markers (a rule of its
        // own: ExpiredObjectDeleteMarker cannot be combined with Days).
        let expire = s3t::LifecycleRule::builder()
            .id("tfstate-toolkit-empty-bucket")
            .status(s3t::ExpirationStatus::Enabled)
            .filter(everything())
            .expiration(s3t::LifecycleExpiration::builder().days(1).build())
            .noncurrent_version_expiration(
                s3t::NoncurrentVersionExpiration::builder()
                    .noncurrent_days(1)
                    .build(),
            )
            .abort_incomplete_multipart_upload(
                s3t::AbortIncompleteMultipartUpload::builder()
                    .days_after_initiation(1)
                    .build(),
            )
            .build()
            .map_err(build)?;
        let markers = s3t::LifecycleRule::builder()
            .id("tfstate-toolkit-expired-delete-markers")
            .status(s3t::ExpirationStatus::Enabled)
            .filter(everything())
            .expiration(
                s3t::LifecycleExpiration::builder()
                    .expired_object_delete_marker(true)
                    .build(),
            )
            .build()
            .map_err(build)?;
        let configuration = s3t::BucketLifecycleConfiguration::builder()
            .rules(expire)
            .rules(markers)
            .build()
            .map_err(build)?;
        self.s3
            .put_bucket_lifecycle_configuration()
            .bucket(bucket)
            .lifecycle_configuration(configuration)
            .send()
            .await
            .map(drop)
            .map_err(|error| classify("PutBucketLifecycleConfiguration", bucket, error))
    }

    async fn delete_bucket(&self, bucket: &str) -> Result<(), AwsError> {
        self.s3
            .delete_bucket()
            .bucket(bucket)
            .send()
            .await
            .map(drop)
            .map_err(|error| classify("DeleteBucket", bucket, error))
    }

    async fn tags(&self, bucket: &str) -> Result<BTreeMap<String, String>, AwsError> {
        let output = self.s3.get_bucket_tagging().bucket(bucket).send().await;
        Ok(
            optional("GetBucketTagging", bucket, output, &["NoSuchTagSet"])?
                .map(|output| {
                    output
                        .tag_set()
                        .iter()
                        .map(|tag| (tag.key().to_owned(), tag.value().to_owned()))
                        .collect()
                })
                .unwrap_or_default(),
        )
    }

    async fn prefix(
        &self,
        bucket: &str,
        key: &str,
        version_id: &str,
        bytes: u64,
    ) -> Result<Bytes, AwsError> {
        let resource = format!("{bucket}/{key}");
        let mut request = self
            .s3
            .get_object()
            .bucket(bucket)
            .key(key)
            .range(format!("bytes=0-{}", bytes.saturating_sub(1)));
        if version_id != "null" {
            request = request.version_id(version_id);
        }
        let output = request
            .send()
            .await
            .map_err(|error| classify("GetObject", &resource, error))?;
        let body = output.body.collect().await.map_err(|error| AwsError {
            operation: "GetObject",
            resource,
            kind: AwsErrorKind::Network,
            code: None,
            message: error.to_string(),
        })?;
        Ok(body.into_bytes())
    }

    async fn lock_rows(&self, table: &str, bucket: &str) -> Result<u64, AwsError> {
        use aws_sdk_dynamodb::types::AttributeValue;
        let mut rows = 0;
        let mut start = None;
        loop {
            let output = self
                .dynamodb
                .scan()
                .table_name(table)
                .projection_expression("LockID")
                .filter_expression("begins_with(LockID, :bucket)")
                .expression_attribute_values(":bucket", AttributeValue::S(format!("{bucket}/")))
                .set_exclusive_start_key(start.take())
                .send()
                .await;
            let output = match output {
                Ok(output) => output,
                Err(error) => {
                    let error = classify("Scan", table, error);
                    let missing = error.kind == AwsErrorKind::NotFound
                        || error.code.as_deref() == Some("ResourceNotFoundException");
                    return if missing { Ok(rows) } else { Err(error) };
                }
            };
            rows += u64::try_from(output.count()).unwrap_or(0);
            match output.last_evaluated_key() {
                Some(key) if !key.is_empty() => start = Some(key.clone()),
                _ => return Ok(rows),
            }
        }
    }
}
