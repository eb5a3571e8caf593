//! The AWS SDK implementation of [`crate::api`]: the one module that knows SDK types.

use std::error::Error as StdError;

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, Statistic};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, PointInTimeRecoverySpecification,
    PointInTimeRecoveryStatus, ScalarAttributeType, SseSpecification, SseStatus, SseType,
};
use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::SdkError;
use aws_sdk_s3::types as s3t;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_types::SdkConfig;
use naming::{BucketName, Region, TableName};

use crate::api::{Account, Alarms, Buckets, LockTables};
use crate::error::{AwsError, AwsErrorKind};
use crate::lifecycle::{ForeignRule, LifecycleRule, RULE_ID, RetentionRule};
use crate::model::{
    AlarmSpec, BucketPresence, BucketSettings, BucketWrite, Caller, Created, Encryption,
    KeyAttribute, Logging, ObjectOwnership, PublicAccessBlock, Reads, TableCreated, TableFacts,
    TableSpec, TableStatus, TableWrite, Tags, Versioning,
};
use crate::policy::Policy;

/// The id of the request-metrics configuration the toolkit sets on every bucket.
pub const METRICS_ID: &str = "EntireBucket";

/// The fewest attempts each request gets: S3 answers 503 SlowDown under load, and a run
/// should ride that out rather than stop halfway.
const MIN_ATTEMPTS: u32 = 8;

/// A lifecycle rule exactly as S3 returned it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawLifecycleRule(s3t::LifecycleRule);

/// A foreign rule with this id, for tests of the pure merge.
#[cfg(test)]
pub(crate) fn foreign_rule_for_tests(id: &str) -> ForeignRule {
    let rule = s3t::LifecycleRule::builder()
        .id(id)
        .status(s3t::ExpirationStatus::Enabled)
        .filter(s3t::LifecycleRuleFilter::builder().prefix("tmp/").build())
        .expiration(s3t::LifecycleExpiration::builder().days(1).build())
        .build()
        .expect("status is set");
    ForeignRule {
        id: Some(id.to_owned()),
        raw: Box::new(RawLifecycleRule(rule)),
    }
}

/// AWS through the SDK: S3, DynamoDB, STS and CloudWatch clients built from one config.
#[derive(Debug, Clone)]
pub struct Aws {
    s3: aws_sdk_s3::Client,
    dynamodb: aws_sdk_dynamodb::Client,
    sts: aws_sdk_sts::Client,
    cloudwatch: aws_sdk_cloudwatch::Client,
}

impl Aws {
    /// Clients for `config`. With an endpoint override S3 uses path-style addressing; every
    /// client retries at least eight times.
    pub fn new(config: &SdkConfig) -> Aws {
        let retry = retry_config(config);
        let dynamodb = aws_sdk_dynamodb::config::Builder::from(config)
            .retry_config(retry.clone())
            .build();
        let sts = aws_sdk_sts::config::Builder::from(config)
            .retry_config(retry.clone())
            .build();
        let cloudwatch = aws_sdk_cloudwatch::config::Builder::from(config)
            .retry_config(retry)
            .build();
        Aws {
            s3: s3_client(config),
            dynamodb: aws_sdk_dynamodb::Client::from_conf(dynamodb),
            sts: aws_sdk_sts::Client::from_conf(sts),
            cloudwatch: aws_sdk_cloudwatch::Client::from_conf(cloudwatch),
        }
    }
}

/// The retry policy of every client of the AWS crates: the config's, with at least eight
/// attempts.
pub fn retry_config(config: &SdkConfig) -> aws_smithy_types::retry::RetryConfig {
    config
        .retry_config()
        .filter(|retry| retry.max_attempts() >= MIN_ATTEMPTS)
        .cloned()
        .unwrap_or_else(|| {
            aws_smithy_types::retry::RetryConfig::standard().with_max_attempts(MIN_ATTEMPTS)
        })
}

/// An S3 client for `config`: path-style addressing with an endpoint override, and
/// [`retry_config`].
pub fn s3_client(config: &SdkConfig) -> aws_sdk_s3::Client {
    let s3 = aws_sdk_s3::config::Builder::from(config)
        .force_path_style(config.endpoint_url().is_some())
        .retry_config(retry_config(config))
        .build();
    aws_sdk_s3::Client::from_conf(s3)
}

/// Turns an SDK error into an [`AwsError`] naming the operation and the resource; shared by
/// the AWS crates so every AWS failure reads the same.
pub fn classify<E>(
    operation: &'static str,
    resource: &str,
    error: SdkError<E, HttpResponse>,
) -> AwsError
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    let status = error
        .raw_response()
        .map(|response| response.status().as_u16());
    let code = error.code().map(str::to_owned);
    let credentials = sources(&error)
        .find(|source| source.downcast_ref::<CredentialsError>().is_some())
        .map(describe);
    let message = match (&credentials, error.message()) {
        (Some(credentials), _) => credentials.clone(),
        (None, Some(message)) => message.to_owned(),
        (None, None) => describe(&error),
    };
    let kind = match (&error, code.as_deref(), status) {
        _ if credentials.is_some() => AwsErrorKind::NoCredentials,
        (SdkError::DispatchFailure(_) | SdkError::TimeoutError(_), _, _) => AwsErrorKind::Network,
        (
            _,
            Some(
                "AccessDenied"
                | "AccessDeniedException"
                | "InvalidAccessKeyId"
                | "SignatureDoesNotMatch"
                | "ExpiredToken"
                | "ExpiredTokenException"
                | "InvalidClientTokenId"
                | "UnrecognizedClientException",
            ),
            _,
        )
        | (_, _, Some(401 | 403)) => AwsErrorKind::AccessDenied,
        (
            _,
            Some(
                "SlowDown"
                | "Throttling"
                | "ThrottlingException"
                | "RequestLimitExceeded"
                | "ProvisionedThroughputExceededException"
                | "LimitExceededException",
            ),
            _,
        )
        | (_, _, Some(429 | 503)) => AwsErrorKind::Throttled,
        (_, _, Some(404)) => AwsErrorKind::NotFound,
        (_, _, Some(409)) => AwsErrorKind::Conflict,
        (_, _, Some(status)) if status >= 500 => AwsErrorKind::Service,
        _ => AwsErrorKind::Invalid,
    };
    AwsError {
        operation,
        resource: resource.to_owned(),
        kind,
        code,
        message,
    }
}

/// An error and its sources, outermost first.
fn sources<'a>(
    error: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(error), |error: &&'a (dyn StdError + 'static)| {
        (*error).source()
    })
}

/// An error and its causes as one line, `a: b: c`, each said once (the SDK's own display
/// ends with a debug dump of the whole chain).
fn describe(error: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    for source in sources(error) {
        let text = source.to_string();
        if !parts.last().is_some_and(|last| last.contains(&text)) {
            parts.push(text);
        }
    }
    parts.join(": ")
}

/// The error code of an SDK error, if the service sent one.
fn code<E: ProvideErrorMetadata>(error: &SdkError<E, HttpResponse>) -> Option<&str> {
    error.code()
}

/// moto answers GetBucketVersioning with a `GetBucketVersioningResponse` root element where
/// S3 has `VersioningConfiguration`, which the SDK refuses to decode. The status inside is
/// the same, so it is read from the body; `None` when the error is anything else.
fn versioning_from_misnamed_answer<E>(
    error: &SdkError<E, HttpResponse>,
) -> Option<(Versioning, bool)> {
    let response = error.raw_response()?;
    if response.status().as_u16() != 200 {
        return None;
    }
    let body = String::from_utf8_lossy(response.body().bytes()?);
    if !body.contains("<GetBucketVersioningResponse") {
        return None;
    }
    let status = if body.contains("<Status>Enabled</Status>") {
        Versioning::Enabled
    } else if body.contains("<Status>Suspended</Status>") {
        Versioning::Suspended
    } else {
        Versioning::Never
    };
    Some((status, body.contains("<MfaDelete>Enabled</MfaDelete>")))
}

/// Whether a lifecycle rule applies to the whole bucket: no prefix (old or new style), tag or
/// size filter.
pub fn whole_bucket(rule: &s3t::LifecycleRule) -> bool {
    rule.filter().is_none_or(|filter| {
        filter.prefix().unwrap_or_default().is_empty()
            && filter.tag().is_none()
            && filter.and().is_none()
            && filter.object_size_greater_than().is_none()
            && filter.object_size_less_than().is_none()
    }) && legacy_prefix(rule).is_empty()
}

/// An answer, or `Ok(None)` when the error is one of the `missing` codes (a configuration
/// that is not set).
pub fn optional<T, E>(
    operation: &'static str,
    bucket: &str,
    result: Result<T, SdkError<E, HttpResponse>>,
    missing: &[&str],
) -> Result<Option<T>, AwsError>
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    match result {
        Ok(output) => Ok(Some(output)),
        Err(error) if code(&error).is_some_and(|code| missing.contains(&code)) => Ok(None),
        Err(error) => Err(classify(operation, bucket, error)),
    }
}

/// A request that could not be built or an answer that makes no sense: an
/// [`AwsErrorKind::Invalid`] failure of `operation` on `resource`.
pub fn invalid(operation: &'static str, resource: &str, message: String) -> AwsError {
    AwsError {
        operation,
        resource: resource.to_owned(),
        kind: AwsErrorKind::Invalid,
        code: None,
        message,
    }
}

fn build_error(operation: &'static str, resource: &str, error: impl std::fmt::Display) -> AwsError {
    AwsError {
        operation,
        resource: resource.to_owned(),
        kind: AwsErrorKind::Invalid,
        code: None,
        message: format!("cannot build the request: {error}"),
    }
}

/// The rule's top-level `Prefix`, deprecated by AWS but still found in older rules.
#[allow(deprecated)]
fn legacy_prefix(rule: &s3t::LifecycleRule) -> &str {
    rule.prefix().unwrap_or_default()
}

fn retention_of(rule: &s3t::LifecycleRule) -> Option<RetentionRule> {
    let whole_bucket = whole_bucket(rule);
    let expiration = rule.expiration()?;
    let noncurrent = rule.noncurrent_version_expiration()?;
    let plain = rule.id() == Some(RULE_ID)
        && whole_bucket
        && *rule.status() == s3t::ExpirationStatus::Enabled
        && expiration.date().is_none()
        && expiration
            .expired_object_delete_marker()
            .is_none_or(|marker| !marker)
        && noncurrent.newer_noncurrent_versions().is_none()
        && rule.noncurrent_version_transitions().is_empty()
        && rule.transitions().len() <= 1;
    if !plain {
        return None;
    }
    let transition = match rule.transitions().first() {
        None => None,
        Some(transition) if transition.date().is_none() => Some((
            transition.days()?,
            transition.storage_class()?.as_str().to_owned(),
        )),
        Some(_) => return None,
    };
    Some(RetentionRule {
        expiration_days: expiration.days()?,
        transition,
        noncurrent_expiration_days: noncurrent.noncurrent_days()?,
        abort_incomplete_upload_days: rule
            .abort_incomplete_multipart_upload()?
            .days_after_initiation()?,
    })
}

fn lifecycle_rule_to_sdk(rule: &LifecycleRule) -> Result<s3t::LifecycleRule, String> {
    let retention = match rule {
        LifecycleRule::Foreign(foreign) => return Ok(foreign.raw.0.clone()),
        LifecycleRule::Retention(retention) => retention,
    };
    let mut builder = s3t::LifecycleRule::builder()
        .id(RULE_ID)
        .status(s3t::ExpirationStatus::Enabled)
        .filter(s3t::LifecycleRuleFilter::builder().prefix("").build())
        .expiration(
            s3t::LifecycleExpiration::builder()
                .days(retention.expiration_days)
                .build(),
        )
        .noncurrent_version_expiration(
            s3t::NoncurrentVersionExpiration::builder()
                .noncurrent_days(retention.noncurrent_expiration_days)
                .build(),
        )
        .abort_incomplete_multipart_upload(
            s3t::AbortIncompleteMultipartUpload::builder()
                .days_after_initiation(retention.abort_incomplete_upload_days)
                .build(),
        );
    if let Some((days, class)) = &retention.transition {
        builder = builder.transitions(
            s3t::Transition::builder()
                .days(*days)
                .storage_class(s3t::TransitionStorageClass::from(class.as_str()))
                .build(),
        );
    }
    builder.build().map_err(|error| error.to_string())
}

impl Aws {
    async fn versioning(&self, bucket: &str) -> Result<Versioning, AwsError> {
        Ok(self.versioning_and_mfa_delete(bucket).await?.0)
    }

    /// The bucket's versioning, and whether MFA delete is on.
    pub async fn versioning_and_mfa_delete(
        &self,
        bucket: &str,
    ) -> Result<(Versioning, bool), AwsError> {
        match self.s3.get_bucket_versioning().bucket(bucket).send().await {
            Ok(output) => Ok((
                match output.status() {
                    Some(s3t::BucketVersioningStatus::Enabled) => Versioning::Enabled,
                    Some(s3t::BucketVersioningStatus::Suspended) => Versioning::Suspended,
                    _ => Versioning::Never,
                },
                output.mfa_delete() == Some(&s3t::MfaDeleteStatus::Enabled),
            )),
            Err(error) => versioning_from_misnamed_answer(&error)
                .ok_or_else(|| classify("GetBucketVersioning", bucket, error)),
        }
    }

    /// The bucket's default encryption; `None` when none is configured.
    pub async fn encryption(&self, bucket: &str) -> Result<Option<Encryption>, AwsError> {
        let result = self.s3.get_bucket_encryption().bucket(bucket).send().await;
        let Some(output) = optional(
            "GetBucketEncryption",
            bucket,
            result,
            &["ServerSideEncryptionConfigurationNotFoundError"],
        )?
        else {
            return Ok(None);
        };
        let Some(rule) = output
            .server_side_encryption_configuration()
            .and_then(|config| config.rules().first())
        else {
            return Ok(None);
        };
        let Some(default) = rule.apply_server_side_encryption_by_default() else {
            return Ok(None);
        };
        Ok(Some(match default.sse_algorithm() {
            s3t::ServerSideEncryption::Aes256 => Encryption::Aes256,
            s3t::ServerSideEncryption::AwsKms => Encryption::Kms {
                key_id: default.kms_master_key_id().map(str::to_owned),
                bucket_key: rule.bucket_key_enabled().unwrap_or(false),
            },
            other => Encryption::Other(other.as_str().to_owned()),
        }))
    }

    /// The bucket-level public access block; `None` when none is configured.
    pub async fn public_access_block(
        &self,
        bucket: &str,
    ) -> Result<Option<PublicAccessBlock>, AwsError> {
        let result = self
            .s3
            .get_public_access_block()
            .bucket(bucket)
            .send()
            .await;
        let output = optional(
            "GetPublicAccessBlock",
            bucket,
            result,
            &["NoSuchPublicAccessBlockConfiguration"],
        )?;
        Ok(output
            .and_then(|output| output.public_access_block_configuration().cloned())
            .map(|config| PublicAccessBlock {
                block_public_acls: config.block_public_acls().unwrap_or(false),
                ignore_public_acls: config.ignore_public_acls().unwrap_or(false),
                block_public_policy: config.block_public_policy().unwrap_or(false),
                restrict_public_buckets: config.restrict_public_buckets().unwrap_or(false),
            }))
    }

    /// The bucket's object ownership; `None` when no ownership controls are set.
    pub async fn ownership(&self, bucket: &str) -> Result<Option<ObjectOwnership>, AwsError> {
        let result = self
            .s3
            .get_bucket_ownership_controls()
            .bucket(bucket)
            .send()
            .await;
        let output = optional(
            "GetBucketOwnershipControls",
            bucket,
            result,
            &["OwnershipControlsNotFoundError"],
        )?;
        Ok(output
            .and_then(|output| {
                output
                    .ownership_controls()
                    .and_then(|c| c.rules().first())
                    .cloned()
            })
            .map(|rule| match rule.object_ownership() {
                s3t::ObjectOwnership::BucketOwnerEnforced => ObjectOwnership::BucketOwnerEnforced,
                s3t::ObjectOwnership::BucketOwnerPreferred => ObjectOwnership::BucketOwnerPreferred,
                s3t::ObjectOwnership::ObjectWriter => ObjectOwnership::ObjectWriter,
                other => ObjectOwnership::Other(other.as_str().to_owned()),
            }))
    }

    /// The bucket policy; `None` when there is none.
    pub async fn policy(&self, bucket: &str) -> Result<Option<Policy>, AwsError> {
        let result = self.s3.get_bucket_policy().bucket(bucket).send().await;
        let Some(text) = optional("GetBucketPolicy", bucket, result, &["NoSuchBucketPolicy"])?
            .and_then(|output| output.policy().map(str::to_owned))
        else {
            return Ok(None);
        };
        Policy::parse(&text).map(Some).map_err(|error| AwsError {
            operation: "GetBucketPolicy",
            resource: bucket.to_owned(),
            kind: AwsErrorKind::Invalid,
            code: None,
            message: error.to_string(),
        })
    }

    /// The bucket's tags (empty when there are none).
    pub async fn tags(&self, bucket: &str) -> Result<Tags, AwsError> {
        let result = self.s3.get_bucket_tagging().bucket(bucket).send().await;
        let output = optional("GetBucketTagging", bucket, result, &["NoSuchTagSet"])?;
        Ok(output
            .map(|output| {
                output
                    .tag_set()
                    .iter()
                    .map(|tag| (tag.key().to_owned(), tag.value().to_owned()))
                    .collect()
            })
            .unwrap_or_default())
    }

    async fn request_metrics(&self, bucket: &str) -> Result<bool, AwsError> {
        let result = self
            .s3
            .get_bucket_metrics_configuration()
            .bucket(bucket)
            .id(METRICS_ID)
            .send()
            .await;
        let output = optional(
            "GetBucketMetricsConfiguration",
            bucket,
            result,
            &["NoSuchConfiguration"],
        )?;
        Ok(output
            .and_then(|output| output.metrics_configuration().cloned())
            .is_some_and(|config| config.filter().is_none()))
    }

    /// Where the bucket's server access logs go; `None` when logging is off.
    pub async fn logging(&self, bucket: &str) -> Result<Option<Logging>, AwsError> {
        let output = self
            .s3
            .get_bucket_logging()
            .bucket(bucket)
            .send()
            .await
            .map_err(|error| classify("GetBucketLogging", bucket, error))?;
        Ok(output.logging_enabled().map(|logging| Logging {
            target_bucket: logging.target_bucket().to_owned(),
            prefix: logging.target_prefix().to_owned(),
        }))
    }

    async fn lifecycle(&self, bucket: &str) -> Result<Vec<LifecycleRule>, AwsError> {
        Ok(self
            .lifecycle_rules(bucket)
            .await?
            .into_iter()
            .map(|rule| match retention_of(&rule) {
                Some(retention) => LifecycleRule::Retention(retention),
                None => LifecycleRule::Foreign(ForeignRule {
                    id: rule.id().map(str::to_owned),
                    raw: Box::new(RawLifecycleRule(rule)),
                }),
            })
            .collect())
    }

    /// The bucket's lifecycle rules as S3 returns them (empty when none are set).
    pub async fn lifecycle_rules(&self, bucket: &str) -> Result<Vec<s3t::LifecycleRule>, AwsError> {
        let result = self
            .s3
            .get_bucket_lifecycle_configuration()
            .bucket(bucket)
            .send()
            .await;
        let output = optional(
            "GetBucketLifecycleConfiguration",
            bucket,
            result,
            &["NoSuchLifecycleConfiguration"],
        )?;
        Ok(output
            .map(|output| output.rules().to_vec())
            .unwrap_or_default())
    }
}

impl Buckets for Aws {
    async fn bucket_presence(
        &self,
        bucket: &BucketName,
        owner: &str,
    ) -> Result<BucketPresence, AwsError> {
        // With the expected owner, S3 answers 403 for a bucket of another account even when
        // its policy would let this caller in: the toolkit never configures such a bucket.
        let request = self
            .s3
            .head_bucket()
            .bucket(bucket.as_str())
            .expected_bucket_owner(owner);
        match request.send().await {
            Ok(output) => Ok(BucketPresence::Owned {
                region: output.bucket_region().map(str::to_owned),
            }),
            Err(error) => match error
                .raw_response()
                .map(|response| response.status().as_u16())
            {
                Some(404) => Ok(BucketPresence::Absent),
                Some(403) => Ok(BucketPresence::Forbidden),
                Some(301) => Ok(BucketPresence::Owned {
                    region: error
                        .raw_response()
                        .and_then(|response| response.headers().get("x-amz-bucket-region"))
                        .map(str::to_owned),
                }),
                _ => Err(classify("HeadBucket", bucket.as_str(), error)),
            },
        }
    }

    async fn bucket_settings(
        &self,
        bucket: &BucketName,
        reads: Reads,
    ) -> Result<BucketSettings, AwsError> {
        let name = bucket.as_str();
        let hardening = async {
            if !reads.hardening {
                return Ok(BucketSettings::default());
            }
            let (versioning, encryption, public_access_block, ownership, tags, request_metrics) = futures::join!(
                self.versioning(name),
                self.encryption(name),
                self.public_access_block(name),
                self.ownership(name),
                self.tags(name),
                self.request_metrics(name),
            );
            Ok::<_, AwsError>(BucketSettings {
                versioning: versioning?,
                encryption: encryption?,
                public_access_block: public_access_block?,
                ownership: ownership?,
                tags: tags?,
                request_metrics: request_metrics?,
                ..BucketSettings::default()
            })
        };
        let policy = async {
            if reads.policy {
                self.policy(name).await
            } else {
                Ok(None)
            }
        };
        let logging = async {
            if reads.logging {
                self.logging(name).await
            } else {
                Ok(None)
            }
        };
        let lifecycle = async {
            if reads.lifecycle {
                self.lifecycle(name).await
            } else {
                Ok(Vec::new())
            }
        };
        let (hardening, policy, logging, lifecycle) =
            futures::join!(hardening, policy, logging, lifecycle);
        Ok(BucketSettings {
            policy: policy?,
            logging: logging?,
            lifecycle: lifecycle?,
            ..hardening?
        })
    }

    async fn create_bucket(
        &self,
        bucket: &BucketName,
        region: Region,
    ) -> Result<Created, AwsError> {
        let mut request = self.s3.create_bucket().bucket(bucket.as_str());
        // us-east-1 takes no location constraint (and refuses one that names it).
        if region.name() != "us-east-1" {
            request = request.create_bucket_configuration(
                s3t::CreateBucketConfiguration::builder()
                    .location_constraint(s3t::BucketLocationConstraint::from(region.name()))
                    .build(),
            );
        }
        match request.send().await {
            Ok(_) => Ok(Created::Created),
            Err(error) => match code(&error) {
                Some("BucketAlreadyOwnedByYou") => Ok(Created::AlreadyOwned),
                Some("BucketAlreadyExists") => Ok(Created::Taken),
                _ => Err(classify("CreateBucket", bucket.as_str(), error)),
            },
        }
    }

    async fn write_bucket(&self, bucket: &BucketName, write: &BucketWrite) -> Result<(), AwsError> {
        let name = bucket.as_str();
        match write {
            BucketWrite::OwnershipEnforced => {
                let rule = s3t::OwnershipControlsRule::builder()
                    .object_ownership(s3t::ObjectOwnership::BucketOwnerEnforced)
                    .build()
                    .map_err(|e| build_error("PutBucketOwnershipControls", name, e))?;
                let controls = s3t::OwnershipControls::builder()
                    .rules(rule)
                    .build()
                    .map_err(|e| build_error("PutBucketOwnershipControls", name, e))?;
                self.s3
                    .put_bucket_ownership_controls()
                    .bucket(name)
                    .ownership_controls(controls)
                    .send()
                    .await
                    .map(drop)
                    .map_err(|error| classify("PutBucketOwnershipControls", name, error))
            }
            BucketWrite::BlockPublicAccess => self
                .s3
                .put_public_access_block()
                .bucket(name)
                .public_access_block_configuration(
                    s3t::PublicAccessBlockConfiguration::builder()
                        .block_public_acls(true)
                        .ignore_public_acls(true)
                        .block_public_policy(true)
                        .restrict_public_buckets(true)
                        .build(),
                )
                .send()
                .await
                .map(drop)
                .map_err(|error| classify("PutPublicAccessBlock", name, error)),
            BucketWrite::Encryption(encryption) => {
                let (algorithm, key, bucket_key) = match encryption {
                    Encryption::Kms { key_id, bucket_key } => (
                        s3t::ServerSideEncryption::AwsKms,
                        key_id.clone(),
                        *bucket_key,
                    ),
                    Encryption::Aes256 | Encryption::Other(_) => {
                        (s3t::ServerSideEncryption::Aes256, None, false)
                    }
                };
                let default = s3t::ServerSideEncryptionByDefault::builder()
                    .sse_algorithm(algorithm)
                    .set_kms_master_key_id(key)
                    .build()
                    .map_err(|e| build_error("PutBucketEncryption", name, e))?;
                let rule = s3t::ServerSideEncryptionRule::builder()
                    .apply_server_side_encryption_by_default(default)
                    .bucket_key_enabled(bucket_key)
                    .build();
                let config = s3t::ServerSideEncryptionConfiguration::builder()
                    .rules(rule)
                    .build()
                    .map_err(|e| build_error("PutBucketEncryption", name, e))?;
                self.s3
                    .put_bucket_encryption()
                    .bucket(name)
                    .server_side_encryption_configuration(config)
                    .send()
                    .await
                    .map(drop)
                    .map_err(|error| classify("PutBucketEncryption", name, error))
            }
            BucketWrite::EnableVersioning => self
                .s3
                .put_bucket_versioning()
                .bucket(name)
                .versioning_configuration(
                    s3t::VersioningConfiguration::builder()
                        .status(s3t::BucketVersioningStatus::Enabled)
                        .build(),
                )
                .send()
                .await
                .map(drop)
                .map_err(|error| classify("PutBucketVersioning", name, error)),
            BucketWrite::Tags(tags) => {
                let tag_set = tags
                    .iter()
                    .map(|(key, value)| s3t::Tag::builder().key(key).value(value).build())
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| build_error("PutBucketTagging", name, e))?;
                let tagging = s3t::Tagging::builder()
                    .set_tag_set(Some(tag_set))
                    .build()
                    .map_err(|e| build_error("PutBucketTagging", name, e))?;
                self.s3
                    .put_bucket_tagging()
                    .bucket(name)
                    .tagging(tagging)
                    .send()
                    .await
                    .map(drop)
                    .map_err(|error| classify("PutBucketTagging", name, error))
            }
            BucketWrite::RequestMetrics => {
                let config = s3t::MetricsConfiguration::builder()
                    .id(METRICS_ID)
                    .build()
                    .map_err(|e| build_error("PutBucketMetricsConfiguration", name, e))?;
                self.s3
                    .put_bucket_metrics_configuration()
                    .bucket(name)
                    .id(METRICS_ID)
                    .metrics_configuration(config)
                    .send()
                    .await
                    .map(drop)
                    .map_err(|error| classify("PutBucketMetricsConfiguration", name, error))
            }
            BucketWrite::Lifecycle(rules) => {
                let rules = rules
                    .iter()
                    .map(lifecycle_rule_to_sdk)
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| build_error("PutBucketLifecycleConfiguration", name, e))?;
                let config = s3t::BucketLifecycleConfiguration::builder()
                    .set_rules(Some(rules))
                    .build()
                    .map_err(|e| build_error("PutBucketLifecycleConfiguration", name, e))?;
                self.s3
                    .put_bucket_lifecycle_configuration()
                    .bucket(name)
                    .lifecycle_configuration(config)
                    .send()
                    .await
                    .map(drop)
                    .map_err(|error| classify("PutBucketLifecycleConfiguration", name, error))
            }
            BucketWrite::Policy(policy) => self
                .s3
                .put_bucket_policy()
                .bucket(name)
                .policy(policy.to_json())
                .send()
                .await
                .map(drop)
                .map_err(|error| classify("PutBucketPolicy", name, error)),
            BucketWrite::Logging(logging) => {
                let enabled = s3t::LoggingEnabled::builder()
                    .target_bucket(&logging.target_bucket)
                    .target_prefix(&logging.prefix)
                    .build()
                    .map_err(|e| build_error("PutBucketLogging", name, e))?;
                self.s3
                    .put_bucket_logging()
                    .bucket(name)
                    .bucket_logging_status(
                        s3t::BucketLoggingStatus::builder()
                            .logging_enabled(enabled)
                            .build(),
                    )
                    .send()
                    .await
                    .map(drop)
                    .map_err(|error| classify("PutBucketLogging", name, error))
            }
        }
    }
}

impl LockTables for Aws {
    async fn describe_table(&self, table: &TableName) -> Result<Option<TableFacts>, AwsError> {
        let name = table.as_str();
        let described = match self.dynamodb.describe_table().table_name(name).send().await {
            Ok(output) => output,
            Err(error) if code(&error) == Some("ResourceNotFoundException") => return Ok(None),
            Err(error) => return Err(classify("DescribeTable", name, error)),
        };
        let Some(description) = described.table() else {
            return Ok(None);
        };
        let arn = description.table_arn().unwrap_or_default().to_owned();
        let status = match description.table_status().map(|status| status.as_str()) {
            Some("CREATING") => TableStatus::Creating,
            Some("ACTIVE") => TableStatus::Active,
            Some("UPDATING") => TableStatus::Updating,
            Some("DELETING") => TableStatus::Deleting,
            other => TableStatus::Other(other.unwrap_or("UNKNOWN").to_owned()),
        };
        let key_schema = description
            .key_schema()
            .iter()
            .map(|key| KeyAttribute {
                name: key.attribute_name().to_owned(),
                attribute_type: description
                    .attribute_definitions()
                    .iter()
                    .find(|definition| definition.attribute_name() == key.attribute_name())
                    .map(|definition| definition.attribute_type().as_str().to_owned())
                    .unwrap_or_default(),
                key_type: key.key_type().as_str().to_owned(),
            })
            .collect();
        let on_demand = description
            .billing_mode_summary()
            .and_then(|summary| summary.billing_mode())
            == Some(&BillingMode::PayPerRequest);
        let sse = description
            .sse_description()
            .filter(|sse| {
                matches!(
                    sse.status(),
                    Some(SseStatus::Enabled | SseStatus::Enabling | SseStatus::Updating)
                )
            })
            .map(|sse| sse.kms_master_key_arn().map(str::to_owned));
        let deletion_protection = description.deletion_protection_enabled().unwrap_or(false);
        let backups = async {
            self.dynamodb
                .describe_continuous_backups()
                .table_name(name)
                .send()
                .await
                .map_err(|error| classify("DescribeContinuousBackups", name, error))
        };
        let tags = async {
            if arn.is_empty() {
                return Ok(Tags::new());
            }
            self.dynamodb
                .list_tags_of_resource()
                .resource_arn(&arn)
                .send()
                .await
                .map(|output| {
                    output
                        .tags()
                        .iter()
                        .map(|tag| (tag.key().to_owned(), tag.value().to_owned()))
                        .collect()
                })
                .map_err(|error| classify("ListTagsOfResource", name, error))
        };
        let (backups, tags) = futures::join!(backups, tags);
        let point_in_time_recovery = backups?
            .continuous_backups_description()
            .and_then(|backups| backups.point_in_time_recovery_description())
            .and_then(|pitr| pitr.point_in_time_recovery_status())
            == Some(&PointInTimeRecoveryStatus::Enabled);
        Ok(Some(TableFacts {
            arn,
            status,
            key_schema,
            on_demand,
            sse,
            point_in_time_recovery,
            deletion_protection,
            tags: tags?,
        }))
    }

    async fn create_table(
        &self,
        table: &TableName,
        spec: &TableSpec,
    ) -> Result<TableCreated, AwsError> {
        let name = table.as_str();
        let key = AttributeDefinition::builder()
            .attribute_name("LockID")
            .attribute_type(ScalarAttributeType::S)
            .build()
            .map_err(|e| build_error("CreateTable", name, e))?;
        let schema = KeySchemaElement::builder()
            .attribute_name("LockID")
            .key_type(KeyType::Hash)
            .build()
            .map_err(|e| build_error("CreateTable", name, e))?;
        let tags = spec
            .tags
            .iter()
            .map(|(key, value)| {
                aws_sdk_dynamodb::types::Tag::builder()
                    .key(key)
                    .value(value)
                    .build()
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| build_error("CreateTable", name, e))?;
        let result = self
            .dynamodb
            .create_table()
            .table_name(name)
            .attribute_definitions(key)
            .key_schema(schema)
            .billing_mode(BillingMode::PayPerRequest)
            .sse_specification(sse(spec.kms_key_id.clone()))
            .deletion_protection_enabled(true)
            .set_tags(Some(tags))
            .send()
            .await;
        match result {
            Ok(_) => Ok(TableCreated::Created),
            Err(error) if code(&error) == Some("ResourceInUseException") => {
                Ok(TableCreated::AlreadyExists)
            }
            Err(error) => Err(classify("CreateTable", name, error)),
        }
    }

    async fn write_table(
        &self,
        table: &TableName,
        arn: &str,
        write: &TableWrite,
    ) -> Result<(), AwsError> {
        let name = table.as_str();
        let update = || self.dynamodb.update_table().table_name(name);
        match write {
            TableWrite::OnDemand => update()
                .billing_mode(BillingMode::PayPerRequest)
                .send()
                .await
                .map(drop)
                .map_err(|error| classify("UpdateTable", name, error)),
            TableWrite::Encryption(key) => update()
                .sse_specification(sse(key.clone()))
                .send()
                .await
                .map(drop)
                .map_err(|error| classify("UpdateTable", name, error)),
            TableWrite::DeletionProtection => update()
                .deletion_protection_enabled(true)
                .send()
                .await
                .map(drop)
                .map_err(|error| classify("UpdateTable", name, error)),
            TableWrite::PointInTimeRecovery => {
                let spec = PointInTimeRecoverySpecification::builder()
                    .point_in_time_recovery_enabled(true)
                    .build()
                    .map_err(|e| build_error("UpdateContinuousBackups", name, e))?;
                self.dynamodb
                    .update_continuous_backups()
                    .table_name(name)
                    .point_in_time_recovery_specification(spec)
                    .send()
                    .await
                    .map(drop)
                    .map_err(|error| classify("UpdateContinuousBackups", name, error))
            }
            TableWrite::Tags(tags) => {
                let tags = tags
                    .iter()
                    .map(|(key, value)| {
                        aws_sdk_dynamodb::types::Tag::builder()
                            .key(key)
                            .value(value)
                            .build()
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| build_error("TagResource", name, e))?;
                self.dynamodb
                    .tag_resource()
                    .resource_arn(arn)
                    .set_tags(Some(tags))
                    .send()
                    .await
                    .map(drop)
                    .map_err(|error| classify("TagResource", name, error))
            }
        }
    }
}

fn sse(kms_key_id: Option<String>) -> SseSpecification {
    SseSpecification::builder()
        .enabled(true)
        .sse_type(SseType::Kms)
        .set_kms_master_key_id(kms_key_id)
        .build()
}

impl Account for Aws {
    async fn caller(&self) -> Result<Caller, AwsError> {
        let output = self
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|error| classify("GetCallerIdentity", "the credentials", error))?;
        Ok(Caller {
            account: output.account().unwrap_or_default().to_owned(),
            arn: output.arn().unwrap_or_default().to_owned(),
        })
    }
}

impl Alarms for Aws {
    async fn describe_alarms(&self, names: &[String]) -> Result<Vec<AlarmSpec>, AwsError> {
        let output = self
            .cloudwatch
            .describe_alarms()
            .set_alarm_names(Some(names.to_vec()))
            .send()
            .await
            .map_err(|error| classify("DescribeAlarms", &names.join(", "), error))?;
        Ok(output
            .metric_alarms()
            .iter()
            .map(|alarm| {
                let mut dimensions: Vec<(String, String)> = alarm
                    .dimensions()
                    .iter()
                    .map(|d| {
                        (
                            d.name().unwrap_or_default().to_owned(),
                            d.value().unwrap_or_default().to_owned(),
                        )
                    })
                    .collect();
                dimensions.sort();
                AlarmSpec {
                    name: alarm.alarm_name().unwrap_or_default().to_owned(),
                    description: alarm.alarm_description().unwrap_or_default().to_owned(),
                    namespace: alarm.namespace().unwrap_or_default().to_owned(),
                    metric: alarm.metric_name().unwrap_or_default().to_owned(),
                    dimensions,
                    statistic: alarm
                        .statistic()
                        .map(|s| s.as_str().to_owned())
                        .unwrap_or_default(),
                    period: alarm.period().unwrap_or_default(),
                    evaluation_periods: alarm.evaluation_periods().unwrap_or_default(),
                    threshold: alarm.threshold().unwrap_or_default().round() as i64,
                    comparison: alarm
                        .comparison_operator()
                        .map(|c| c.as_str().to_owned())
                        .unwrap_or_default(),
                    actions: alarm.alarm_actions().to_vec(),
                }
            })
            .collect())
    }

    async fn put_alarm(&self, alarm: &AlarmSpec) -> Result<(), AwsError> {
        let dimensions = alarm
            .dimensions
            .iter()
            .map(|(name, value)| Dimension::builder().name(name).value(value).build())
            .collect();
        self.cloudwatch
            .put_metric_alarm()
            .alarm_name(&alarm.name)
            .alarm_description(&alarm.description)
            .namespace(&alarm.namespace)
            .metric_name(&alarm.metric)
            .set_dimensions(Some(dimensions))
            .statistic(Statistic::from(alarm.statistic.as_str()))
            .period(alarm.period)
            .evaluation_periods(alarm.evaluation_periods)
            .threshold(alarm.threshold as f64)
            .comparison_operator(ComparisonOperator::from(alarm.comparison.as_str()))
            .set_alarm_actions(Some(alarm.actions.clone()))
            .treat_missing_data("notBreaching")
            .send()
            .await
            .map(drop)
            .map_err(|error| classify("PutMetricAlarm", &alarm.name, error))
    }
}
