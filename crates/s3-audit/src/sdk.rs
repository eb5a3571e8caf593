//! The AWS SDK implementation of [`crate::api`]: the one module that knows SDK types. The
//! settings provisioning also reads (encryption, public-access block, ownership, policy,
//! logging, the table) are read through `aws-provisioner`'s client, so both crates parse
//! AWS's answers the same way; the rest is read here.
//!
//! S3 Control puts the account id in front of the endpoint's host name, which works for AWS
//! and for nothing else: with `--endpoint-url` its requests go to the endpoint as given.

use aws_provisioner::api::{Account, Buckets, LockTables};
use aws_provisioner::model::{
    BucketWrite, Encryption, Logging, ObjectOwnership, PublicAccessBlock, TableFacts, TableWrite,
};
use aws_provisioner::policy::Policy;
use aws_provisioner::{
    AwsError, AwsErrorKind, classify, invalid, optional, retry_config, s3_client, whole_bucket,
};
use aws_sdk_s3::types as s3t;
use aws_sdk_s3control::config::endpoint::{Endpoint, EndpointFuture, Params, ResolveEndpoint};
use aws_types::SdkConfig;
use naming::{BucketName, TableName};

use crate::api::{Inspect, RawLockRow, Remedy};
use crate::facts::{
    Acl, Grant, Grantee, LifecycleRule, LockMode, Notifications, ObjectLock, Permission,
    Replication, VersioningFacts,
};

const ALL_USERS: &str = "http://acs.amazonaws.com/groups/global/AllUsers";
const AUTHENTICATED_USERS: &str = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
const LOG_DELIVERY: &str = "http://acs.amazonaws.com/groups/s3/LogDelivery";

/// S3 Control at a custom endpoint: the endpoint as given, without the account prefix.
#[derive(Debug)]
struct PlainEndpoint(String);

impl ResolveEndpoint for PlainEndpoint {
    fn resolve_endpoint<'a>(&'a self, _: &'a Params) -> EndpointFuture<'a> {
        EndpointFuture::ready(Ok(Endpoint::builder().url(self.0.clone()).build()))
    }
}

/// AWS through the SDK, for the audit.
#[derive(Debug, Clone)]
pub struct AuditAws {
    provisioner: aws_provisioner::Aws,
    s3: aws_sdk_s3::Client,
    s3control: aws_sdk_s3control::Client,
    dynamodb: aws_sdk_dynamodb::Client,
}

impl AuditAws {
    /// Clients for `config`; with an endpoint override S3 uses path-style addressing and S3
    /// Control the endpoint as given.
    pub fn new(config: &SdkConfig) -> AuditAws {
        let retry = retry_config(config);
        let mut s3control =
            aws_sdk_s3control::config::Builder::from(config).retry_config(retry.clone());
        if let Some(endpoint) = config.endpoint_url() {
            s3control = s3control.endpoint_resolver(PlainEndpoint(endpoint.to_owned()));
        }
        let dynamodb = aws_sdk_dynamodb::config::Builder::from(config)
            .retry_config(retry)
            .build();
        AuditAws {
            provisioner: aws_provisioner::Aws::new(config),
            s3: s3_client(config),
            s3control: aws_sdk_s3control::Client::from_conf(s3control.build()),
            dynamodb: aws_sdk_dynamodb::Client::from_conf(dynamodb),
        }
    }
}

fn bucket_name(operation: &'static str, bucket: &str) -> Result<BucketName, AwsError> {
    BucketName::new(bucket).map_err(|error| invalid(operation, bucket, error.to_string()))
}

fn table_name(operation: &'static str, table: &str) -> Result<TableName, AwsError> {
    TableName::new(table).map_err(|error| invalid(operation, table, error.to_string()))
}

fn grantee(grantee: &s3t::Grantee) -> Grantee {
    match (grantee.uri(), grantee.id(), grantee.email_address()) {
        (Some(ALL_USERS), _, _) => Grantee::AllUsers,
        (Some(AUTHENTICATED_USERS), _, _) => Grantee::AuthenticatedUsers,
        (Some(LOG_DELIVERY), _, _) => Grantee::LogDelivery,
        (Some(uri), _, _) => Grantee::Other(uri.to_owned()),
        (None, Some(id), _) => Grantee::User(id.to_owned()),
        (None, None, Some(email)) => Grantee::Other(email.to_owned()),
        (None, None, None) => Grantee::Other(String::new()),
    }
}

fn permission(permission: &s3t::Permission) -> Option<Permission> {
    Some(match permission {
        s3t::Permission::Read => Permission::Read,
        s3t::Permission::Write => Permission::Write,
        s3t::Permission::ReadAcp => Permission::ReadAcp,
        s3t::Permission::WriteAcp => Permission::WriteAcp,
        s3t::Permission::FullControl => Permission::FullControl,
        _ => return None,
    })
}

fn lifecycle_rule(rule: &s3t::LifecycleRule) -> LifecycleRule {
    let days = |days: Option<i32>| days.and_then(|days| u32::try_from(days).ok());
    LifecycleRule {
        id: rule.id().map(str::to_owned),
        enabled: *rule.status() == s3t::ExpirationStatus::Enabled,
        whole_bucket: whole_bucket(rule),
        expiration_days: days(rule.expiration().and_then(|expiration| expiration.days())),
        transitions: rule
            .transitions()
            .iter()
            .filter_map(|transition| {
                Some((
                    days(transition.days())?,
                    transition.storage_class()?.as_str().to_owned(),
                ))
            })
            .collect(),
        noncurrent_expiration_days: days(
            rule.noncurrent_version_expiration()
                .and_then(|expiration| expiration.noncurrent_days()),
        ),
        abort_incomplete_upload_days: days(
            rule.abort_incomplete_multipart_upload()
                .and_then(|abort| abort.days_after_initiation()),
        ),
    }
}

fn public_access_block(
    config: &aws_sdk_s3control::types::PublicAccessBlockConfiguration,
) -> PublicAccessBlock {
    PublicAccessBlock {
        block_public_acls: config.block_public_acls().unwrap_or(false),
        ignore_public_acls: config.ignore_public_acls().unwrap_or(false),
        block_public_policy: config.block_public_policy().unwrap_or(false),
        restrict_public_buckets: config.restrict_public_buckets().unwrap_or(false),
    }
}

impl Inspect for AuditAws {
    async fn account_id(&self) -> Result<String, AwsError> {
        Ok(self.provisioner.caller().await?.account)
    }

    async fn account_public_access_block(
        &self,
        account: &str,
    ) -> Result<Option<PublicAccessBlock>, AwsError> {
        let result = self
            .s3control
            .get_public_access_block()
            .account_id(account)
            .send()
            .await;
        let output = optional(
            "GetPublicAccessBlock (account)",
            account,
            result,
            &["NoSuchPublicAccessBlockConfiguration"],
        )?;
        Ok(output.and_then(|output| {
            output
                .public_access_block_configuration()
                .map(public_access_block)
        }))
    }

    async fn buckets_in_region(&self) -> Result<Vec<String>, AwsError> {
        let region = self.s3.config().region().map(|region| region.to_string());
        let mut names = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut request = self.s3.list_buckets().max_buckets(10_000);
            if let Some(region) = &region {
                request = request.bucket_region(region);
            }
            if let Some(token) = &token {
                request = request.continuation_token(token);
            }
            let output = request
                .send()
                .await
                .map_err(|error| classify("ListBuckets", "the account", error))?;
            names.extend(
                output
                    .buckets()
                    .iter()
                    .filter(|bucket| {
                        // Where S3 names the region, it must be ours (moto names none).
                        match (bucket.bucket_region(), &region) {
                            (Some(listed), Some(ours)) => listed == ours,
                            _ => true,
                        }
                    })
                    .filter_map(|bucket| bucket.name().map(str::to_owned)),
            );
            match output.continuation_token() {
                Some(next) if !next.is_empty() => token = Some(next.to_owned()),
                _ => return Ok(names),
            }
        }
    }

    async fn bucket_exists(&self, bucket: &str) -> Result<bool, AwsError> {
        match self.s3.head_bucket().bucket(bucket).send().await {
            Ok(_) => Ok(true),
            Err(error) => match error
                .raw_response()
                .map(|response| response.status().as_u16())
            {
                Some(404) => Ok(false),
                Some(301) => {
                    let region = error
                        .raw_response()
                        .and_then(|response| response.headers().get("x-amz-bucket-region"))
                        .unwrap_or("another region")
                        .to_owned();
                    Err(AwsError {
                        operation: "HeadBucket",
                        resource: bucket.to_owned(),
                        kind: AwsErrorKind::Invalid,
                        code: Some("PermanentRedirect".to_owned()),
                        message: format!(
                            "the bucket is in {region}; audit it with --region {region}"
                        ),
                    })
                }
                _ => Err(classify("HeadBucket", bucket, error)),
            },
        }
    }

    async fn public_access_block(
        &self,
        bucket: &str,
    ) -> Result<Option<PublicAccessBlock>, AwsError> {
        self.provisioner.public_access_block(bucket).await
    }

    async fn encryption(&self, bucket: &str) -> Result<Option<Encryption>, AwsError> {
        self.provisioner.encryption(bucket).await
    }

    async fn versioning(&self, bucket: &str) -> Result<VersioningFacts, AwsError> {
        let (status, mfa_delete) = self.provisioner.versioning_and_mfa_delete(bucket).await?;
        Ok(VersioningFacts { status, mfa_delete })
    }

    async fn policy(&self, bucket: &str) -> Result<Option<Policy>, AwsError> {
        self.provisioner.policy(bucket).await
    }

    async fn ownership(&self, bucket: &str) -> Result<Option<ObjectOwnership>, AwsError> {
        self.provisioner.ownership(bucket).await
    }

    async fn logging(&self, bucket: &str) -> Result<Option<Logging>, AwsError> {
        self.provisioner.logging(bucket).await
    }

    async fn acl(&self, bucket: &str) -> Result<Acl, AwsError> {
        let output = self
            .s3
            .get_bucket_acl()
            .bucket(bucket)
            .send()
            .await
            .map_err(|error| classify("GetBucketAcl", bucket, error))?;
        Ok(Acl {
            owner: output
                .owner()
                .and_then(|owner| owner.id())
                .map(str::to_owned),
            grants: output
                .grants()
                .iter()
                .filter_map(|grant| {
                    Some(Grant {
                        grantee: self::grantee(grant.grantee()?),
                        permission: permission(grant.permission()?)?,
                    })
                })
                .collect(),
        })
    }

    async fn metrics(&self, bucket: &str) -> Result<Vec<String>, AwsError> {
        let mut ids = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let output = self
                .s3
                .list_bucket_metrics_configurations()
                .bucket(bucket)
                .set_continuation_token(token.take())
                .send()
                .await
                .map_err(|error| classify("ListBucketMetricsConfigurations", bucket, error))?;
            ids.extend(
                output
                    .metrics_configuration_list()
                    .iter()
                    .map(|config| config.id().to_owned()),
            );
            match output.next_continuation_token() {
                Some(next) if output.is_truncated() == Some(true) => token = Some(next.to_owned()),
                _ => return Ok(ids),
            }
        }
    }

    async fn object_lock(&self, bucket: &str) -> Result<Option<ObjectLock>, AwsError> {
        let result = self
            .s3
            .get_object_lock_configuration()
            .bucket(bucket)
            .send()
            .await;
        let output = optional(
            "GetObjectLockConfiguration",
            bucket,
            result,
            &["ObjectLockConfigurationNotFoundError"],
        )?;
        Ok(output
            .and_then(|output| output.object_lock_configuration().cloned())
            .map(|config| {
                let retention = config
                    .rule()
                    .and_then(|rule| rule.default_retention())
                    .and_then(|retention| {
                        let mode = match retention.mode()? {
                            s3t::ObjectLockRetentionMode::Compliance => LockMode::Compliance,
                            _ => LockMode::Governance,
                        };
                        let days = retention
                            .days()
                            .map(|days| days.max(0) as u32)
                            .or_else(|| retention.years().map(|years| years.max(0) as u32 * 365))?;
                        Some((mode, days))
                    });
                ObjectLock {
                    enabled: config.object_lock_enabled() == Some(&s3t::ObjectLockEnabled::Enabled),
                    default_retention: retention,
                }
            }))
    }

    async fn lifecycle(&self, bucket: &str) -> Result<Vec<LifecycleRule>, AwsError> {
        let rules = self.provisioner.lifecycle_rules(bucket).await?;
        Ok(rules.iter().map(lifecycle_rule).collect())
    }

    async fn notifications(&self, bucket: &str) -> Result<Notifications, AwsError> {
        let output = self
            .s3
            .get_bucket_notification_configuration()
            .bucket(bucket)
            .send()
            .await
            .map_err(|error| classify("GetBucketNotificationConfiguration", bucket, error))?;
        Ok(Notifications {
            destinations: output.topic_configurations().len()
                + output.queue_configurations().len()
                + output.lambda_function_configurations().len(),
            eventbridge: output.event_bridge_configuration().is_some(),
        })
    }

    async fn replication(&self, bucket: &str) -> Result<Option<Replication>, AwsError> {
        let result = self.s3.get_bucket_replication().bucket(bucket).send().await;
        let output = optional(
            "GetBucketReplication",
            bucket,
            result,
            &["ReplicationConfigurationNotFoundError"],
        )?;
        Ok(output
            .and_then(|output| output.replication_configuration().cloned())
            .map(|config| Replication {
                destinations: config
                    .rules()
                    .iter()
                    .filter(|rule| *rule.status() == s3t::ReplicationRuleStatus::Enabled)
                    .filter_map(|rule| {
                        rule.destination()
                            .map(|destination| destination.bucket().to_owned())
                    })
                    .collect(),
            }))
    }

    async fn object_exists(&self, bucket: &str, key: &str) -> Result<bool, AwsError> {
        match self.s3.head_object().bucket(bucket).key(key).send().await {
            Ok(_) => Ok(true),
            Err(error)
                if error
                    .raw_response()
                    .is_some_and(|response| response.status().as_u16() == 404) =>
            {
                Ok(false)
            }
            Err(error) => Err(classify("HeadObject", &format!("{bucket}/{key}"), error)),
        }
    }

    async fn describe_table(&self, table: &str) -> Result<Option<TableFacts>, AwsError> {
        self.provisioner
            .describe_table(&table_name("DescribeTable", table)?)
            .await
    }

    async fn lock_rows(&self, table: &str) -> Result<Vec<RawLockRow>, AwsError> {
        let mut rows = Vec::new();
        let mut start = None;
        loop {
            let output = self
                .dynamodb
                .scan()
                .table_name(table)
                .projection_expression("LockID, Info")
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|error| classify("Scan", table, error))?;
            for item in output.items() {
                let text = |name: &str| item.get(name).and_then(|value| value.as_s().ok()).cloned();
                if let Some(lock_id) = text("LockID") {
                    rows.push((lock_id, text("Info")));
                }
            }
            match output.last_evaluated_key() {
                Some(key) if !key.is_empty() => start = Some(key.clone()),
                _ => return Ok(rows),
            }
        }
    }
}

impl Remedy for AuditAws {
    async fn write_bucket(&self, bucket: &str, write: &BucketWrite) -> Result<(), AwsError> {
        self.provisioner
            .write_bucket(&bucket_name("PutBucket", bucket)?, write)
            .await
    }

    async fn make_acl_private(&self, bucket: &str) -> Result<(), AwsError> {
        self.s3
            .put_bucket_acl()
            .bucket(bucket)
            .acl(s3t::BucketCannedAcl::Private)
            .send()
            .await
            .map(|_| ())
            .map_err(|error| classify("PutBucketAcl", bucket, error))
    }

    async fn block_account_public_access(&self, account: &str) -> Result<(), AwsError> {
        let all_on = aws_sdk_s3control::types::PublicAccessBlockConfiguration::builder()
            .block_public_acls(true)
            .ignore_public_acls(true)
            .block_public_policy(true)
            .restrict_public_buckets(true)
            .build();
        self.s3control
            .put_public_access_block()
            .account_id(account)
            .public_access_block_configuration(all_on)
            .send()
            .await
            .map(|_| ())
            .map_err(|error| classify("PutPublicAccessBlock (account)", account, error))
    }

    async fn write_table(
        &self,
        table: &str,
        arn: &str,
        write: &TableWrite,
    ) -> Result<(), AwsError> {
        self.provisioner
            .write_table(&table_name("UpdateTable", table)?, arn, write)
            .await
    }
}
