//! The clients, built once per run: the standard `aws-config` chain (environment,
//! profiles, SSO, instance metadata), the region, an optional endpoint, timeouts on every
//! request, and at least eight attempts for each.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_types::SdkConfig;

use crate::emulator;

/// The fewest attempts each request gets: S3 answers 503 SlowDown under load, and a run
/// should ride that out rather than stop halfway.
const MIN_ATTEMPTS: u32 = 8;

/// Where requests go and how long they may wait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The region, such as `us-east-2`.
    pub region: String,
    /// A profile of `~/.aws/config` instead of the default chain's.
    pub profile: Option<String>,
    /// An endpoint for every service (an emulator, a VPC endpoint); S3 then uses path-style
    /// addressing and S3 Control the endpoint as given.
    pub endpoint_url: Option<String>,
    /// An endpoint for S3 alone (the SDKs' `AWS_ENDPOINT_URL_S3`), before `endpoint_url`:
    /// S3 can be one store (LocalStack, MinIO) and DynamoDB another. Path-style addressing.
    pub s3_endpoint_url: Option<String>,
    /// An endpoint for DynamoDB alone (`AWS_ENDPOINT_URL_DYNAMODB`), before `endpoint_url`.
    pub dynamodb_endpoint_url: Option<String>,
    /// How long to wait for a connection.
    pub connect_timeout: Duration,
    /// How long one attempt may take (the whole operation, retries included, three times
    /// that).
    pub request_timeout: Duration,
    /// Fixed credentials instead of the default chain's.
    pub credentials: Option<StaticCredentials>,
    /// How retries back off, instead of the SDK's standard back-off.
    pub backoff: Option<Backoff>,
}

/// How long retries wait: the first wait, and the longest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The first wait.
    pub initial: Duration,
    /// The longest wait.
    pub max: Duration,
}

impl Config {
    /// AWS in `region`, with the default chain's credentials and 5 s / 30 s timeouts.
    pub fn new(region: impl Into<String>) -> Config {
        Config {
            region: region.into(),
            profile: None,
            endpoint_url: None,
            s3_endpoint_url: None,
            dynamodb_endpoint_url: None,
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
            credentials: None,
            backoff: None,
        }
    }
}

/// An access key and its secret.
#[derive(Clone, PartialEq, Eq)]
pub struct StaticCredentials {
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
}

impl fmt::Debug for StaticCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"** redacted **")
            .finish()
    }
}

/// Every client of a run, built from one config.
#[derive(Debug, Clone)]
pub struct Aws {
    pub(crate) s3: aws_sdk_s3::Client,
    pub(crate) s3control: aws_sdk_s3control::Client,
    pub(crate) dynamodb: aws_sdk_dynamodb::Client,
    pub(crate) sts: aws_sdk_sts::Client,
    pub(crate) cloudwatch: aws_sdk_cloudwatch::Client,
    pub(crate) kms: aws_sdk_kms::Client,
    pub(crate) iam: aws_sdk_iam::Client,
    /// The caller's account once [`Aws::caller`] knows it: the expected owner of every
    /// bucket (aws-behaviour.md P11).
    pub(crate) expected_owner: crate::owner::ExpectedOwner,
    region: String,
    /// What the clients were built from, for [`Aws::in_region`].
    sdk: SdkConfig,
    settings: Config,
}

impl Aws {
    /// Loads the SDK config for `config` and builds every client.
    pub async fn connect(config: &Config) -> Aws {
        Aws::from_sdk(&load(config).await, config, Default::default())
    }

    /// Every client for `config` without loading anything: the config's own credentials
    /// (none when it has none), no profile. For tests and for callers that hold the keys.
    pub fn new(config: &Config) -> Aws {
        let mut builder = SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(aws_config::Region::new(config.region.clone()))
            .sleep_impl(aws_smithy_async::rt::sleep::TokioSleep::new())
            .time_source(aws_smithy_async::time::SystemTimeSource::new())
            .timeout_config(timeouts(config))
            .retry_config(retry_for(config));
        if let Some(endpoint) = &config.endpoint_url {
            builder = builder.endpoint_url(endpoint);
        }
        if let Some(credentials) = &config.credentials {
            builder = builder.credentials_provider(
                aws_credential_types::provider::SharedCredentialsProvider::new(
                    aws_credential_types::Credentials::from_keys(
                        &credentials.access_key_id,
                        &credentials.secret_access_key,
                        None,
                    ),
                ),
            );
        }
        Aws::from_sdk(&builder.build(), config, Default::default())
    }

    fn from_sdk(
        config: &SdkConfig,
        ours: &Config,
        expected_owner: crate::owner::ExpectedOwner,
    ) -> Aws {
        let retry = retry_config(config);
        let s3_endpoint = ours.s3_endpoint_url.as_deref().or(config.endpoint_url());
        let mut s3 = aws_sdk_s3::config::Builder::from(config);
        s3.set_endpoint_url(s3_endpoint.map(str::to_owned));
        let s3 = s3
            .force_path_style(s3_endpoint.is_some())
            .retry_config(retry.clone())
            .interceptor(crate::owner::ExpectedOwnerInterceptor(Arc::clone(
                &expected_owner,
            )))
            .build();
        let mut s3control =
            aws_sdk_s3control::config::Builder::from(config).retry_config(retry.clone());
        if let Some(endpoint) = config.endpoint_url() {
            s3control = emulator::s3control_at(s3control, endpoint);
        }
        let dynamodb_endpoint = ours
            .dynamodb_endpoint_url
            .as_deref()
            .or(config.endpoint_url());
        let mut dynamodb = aws_sdk_dynamodb::config::Builder::from(config);
        dynamodb.set_endpoint_url(dynamodb_endpoint.map(str::to_owned));
        let dynamodb = dynamodb.retry_config(retry.clone()).build();
        let sts = aws_sdk_sts::config::Builder::from(config)
            .retry_config(retry.clone())
            .build();
        let cloudwatch = aws_sdk_cloudwatch::config::Builder::from(config)
            .retry_config(retry.clone())
            .build();
        let kms = aws_sdk_kms::config::Builder::from(config)
            .retry_config(retry.clone())
            .build();
        let iam = aws_sdk_iam::config::Builder::from(config)
            .retry_config(retry)
            .build();
        Aws {
            s3: aws_sdk_s3::Client::from_conf(s3),
            s3control: aws_sdk_s3control::Client::from_conf(s3control.build()),
            dynamodb: aws_sdk_dynamodb::Client::from_conf(dynamodb),
            sts: aws_sdk_sts::Client::from_conf(sts),
            cloudwatch: aws_sdk_cloudwatch::Client::from_conf(cloudwatch),
            kms: aws_sdk_kms::Client::from_conf(kms),
            iam: aws_sdk_iam::Client::from_conf(iam),
            expected_owner,
            region: config
                .region()
                .map(|region| region.to_string())
                .unwrap_or_default(),
            sdk: config.clone(),
            settings: ours.clone(),
        }
    }

    /// The same clients (credentials, endpoint, timeouts, expected bucket owner) in
    /// another region: the Rust SDK does not follow S3's 301 to a bucket's region
    /// (aws-behaviour.md T4), so a bucket elsewhere is asked through its own region's
    /// clients.
    pub fn in_region(&self, region: &str) -> Aws {
        let sdk = self
            .sdk
            .to_builder()
            .region(aws_config::Region::new(region.to_owned()))
            .build();
        let settings = Config {
            region: region.to_owned(),
            ..self.settings.clone()
        };
        Aws::from_sdk(&sdk, &settings, Arc::clone(&self.expected_owner))
    }

    /// The region requests go to.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The account every bucket request expects to own the bucket, once [`Aws::caller`]
    /// has learnt it (aws-behaviour.md P11).
    pub fn expected_owner(&self) -> Option<&str> {
        self.expected_owner.get().map(String::as_str)
    }
}

async fn load(config: &Config) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(aws_config::Region::new(config.region.clone()));
    if let Some(profile) = &config.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(endpoint) = &config.endpoint_url {
        loader = loader.endpoint_url(endpoint);
    }
    if let Some(credentials) = &config.credentials {
        loader = loader.credentials_provider(aws_credential_types::Credentials::from_keys(
            &credentials.access_key_id,
            &credentials.secret_access_key,
            None,
        ));
    }
    if config.backoff.is_some() {
        loader = loader.retry_config(retry_for(config));
    }
    loader.timeout_config(timeouts(config)).load().await
}

fn timeouts(config: &Config) -> aws_config::timeout::TimeoutConfig {
    aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(config.connect_timeout)
        .operation_attempt_timeout(config.request_timeout)
        .operation_timeout(config.request_timeout * 3)
        .build()
}

/// At least eight attempts, with the config's back-off if it has one.
fn retry_for(config: &Config) -> aws_smithy_types::retry::RetryConfig {
    let retry = aws_smithy_types::retry::RetryConfig::standard().with_max_attempts(MIN_ATTEMPTS);
    match config.backoff {
        Some(backoff) => retry
            .with_initial_backoff(backoff.initial)
            .with_max_backoff(backoff.max),
        None => retry,
    }
}

/// The config's retry policy, with at least eight attempts.
fn retry_config(config: &SdkConfig) -> aws_smithy_types::retry::RetryConfig {
    config
        .retry_config()
        .filter(|retry| retry.max_attempts() >= MIN_ATTEMPTS)
        .cloned()
        .unwrap_or_else(|| {
            aws_smithy_types::retry::RetryConfig::standard().with_max_attempts(MIN_ATTEMPTS)
        })
}

/// The region of the AWS profile or environment (`AWS_REGION`, `region =` in
/// ~/.aws/config), for when neither a flag nor shared-config.toml gives one.
pub async fn default_region(profile: Option<&str>) -> Option<String> {
    let mut chain = aws_config::default_provider::region::DefaultRegionChain::builder();
    if let Some(profile) = profile {
        chain = chain.profile_name(profile);
    }
    chain
        .build()
        .region()
        .await
        .map(|region| region.as_ref().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_endpoint_region_and_timeouts_reach_the_sdk_config() {
        let config = Config {
            endpoint_url: Some("http://127.0.0.1:5000".to_owned()),
            request_timeout: Duration::from_secs(7),
            ..Config::new("eu-west-1")
        };
        let sdk = load(&config).await;
        assert_eq!(sdk.endpoint_url(), Some("http://127.0.0.1:5000"));
        assert_eq!(sdk.region().map(|r| r.as_ref()), Some("eu-west-1"));
        let timeouts = sdk.timeout_config().unwrap();
        assert_eq!(
            timeouts.operation_attempt_timeout(),
            Some(Duration::from_secs(7))
        );
        assert_eq!(timeouts.operation_timeout(), Some(Duration::from_secs(21)));
        assert_eq!(retry_config(&sdk).max_attempts(), MIN_ATTEMPTS);
        assert_eq!(
            Aws::from_sdk(&sdk, &config, Default::default()).region(),
            "eu-west-1"
        );
    }

    #[test]
    fn a_secret_is_never_printed() {
        let credentials = StaticCredentials {
            access_key_id: "AKIA".to_owned(),
            secret_access_key: "very-secret".to_owned(),
        };
        assert!(!format!("{credentials:?}").contains("very-secret"));
    }
}
