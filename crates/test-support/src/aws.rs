//! SDK configuration and clients pointed at the emulator: test credentials, a fixed region
//! and path-style addressing.

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_async::rt::sleep::TokioSleep;
use aws_smithy_async::time::SystemTimeSource;
use std::time::Duration;

use aws_types::SdkConfig;
use aws_types::region::Region;
use aws_types::sdk_config::RetryConfig;

use crate::harness::{LOCALSTACK_ACCOUNT, localstack, moto};

/// The SDK client types, for tests that read back through test-support (only aws-client
/// and test-support depend on aws-sdk-* themselves).
pub use aws_sdk_dynamodb::Client as DynamoDb;
pub use aws_sdk_s3::Client as S3;
/// The SDK crates, for tests that set up or read back what the toolkit cannot express.
pub use {aws_sdk_cloudwatch, aws_sdk_dynamodb, aws_sdk_kms, aws_sdk_s3, aws_types};

/// The region test clients use unless a test picks another.
pub const TEST_REGION: &str = "us-east-1";

/// The access key id and secret of the emulator (any value works; these are the
/// conventional ones).
pub const TEST_CREDENTIALS: (&str, &str) = (
    crate::harness::TEST_ACCESS_KEY,
    crate::harness::TEST_SECRET_KEY,
);

/// An SDK config for `endpoint` in `region` with the test credentials, and retries that back
/// off in milliseconds rather than seconds (eight attempts, as the toolkit uses), so fault
/// tests run quickly.
pub fn sdk_config_for(endpoint: &str, region: &str) -> SdkConfig {
    sdk_config_as(endpoint, region, TEST_CREDENTIALS.0, TEST_CREDENTIALS.1)
}

/// [`sdk_config_for`] with the credentials of another identity (an IAM user's access key).
pub fn sdk_config_as(endpoint: &str, region: &str, key: &str, secret: &str) -> SdkConfig {
    let credentials = Credentials::new(key, secret, None, None, "test-support");
    SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(Region::new(region.to_owned()))
        .endpoint_url(endpoint)
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .sleep_impl(TokioSleep::new())
        .time_source(SystemTimeSource::new())
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(8)
                .with_initial_backoff(Duration::from_millis(5))
                .with_max_backoff(Duration::from_millis(100)),
        )
        .build()
}

/// The toolkit's client config for `endpoint` in `region` with the test credentials, and
/// retries that back off in milliseconds, as [`sdk_config_for`].
pub fn client_config_for(endpoint: &str, region: &str) -> aws_client::Config {
    client_config_as(endpoint, region, TEST_CREDENTIALS.0, TEST_CREDENTIALS.1)
}

/// [`client_config_for`] with the credentials of another identity.
pub fn client_config_as(
    endpoint: &str,
    region: &str,
    key: &str,
    secret: &str,
) -> aws_client::Config {
    aws_client::Config {
        endpoint_url: Some(endpoint.to_owned()),
        credentials: Some(aws_client::StaticCredentials {
            access_key_id: key.to_owned(),
            secret_access_key: secret.to_owned(),
        }),
        backoff: Some(aws_client::Backoff {
            initial: Duration::from_millis(5),
            max: Duration::from_millis(100),
        }),
        ..aws_client::Config::new(region)
    }
}

/// [`client_config_for`] this test process's moto server, in [`TEST_REGION`].
pub fn client_config() -> aws_client::Config {
    client_config_for(moto().endpoint(), TEST_REGION)
}

/// The toolkit's clients for `endpoint` in `region` ([`client_config_for`]).
pub async fn client_for(endpoint: &str, region: &str) -> aws_client::Aws {
    aws_client::Aws::connect(&client_config_for(endpoint, region)).await
}

/// The toolkit's clients for this test process's moto server, in [`TEST_REGION`].
pub async fn client() -> aws_client::Aws {
    client_for(moto().endpoint(), TEST_REGION).await
}

/// The SDK config of this test process's moto server, in [`TEST_REGION`].
pub fn sdk_config() -> SdkConfig {
    sdk_config_for(moto().endpoint(), TEST_REGION)
}

/// An S3 client for `config`, with path-style addressing (the emulator has no DNS for
/// virtual-hosted buckets).
pub fn s3(config: &SdkConfig) -> aws_sdk_s3::Client {
    let config = aws_sdk_s3::config::Builder::from(config)
        .force_path_style(true)
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

/// A DynamoDB client for `config`.
pub fn dynamodb(config: &SdkConfig) -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::new(config)
}

/// Where a test's AWS requests go: one S3 implementation (which also answers STS, KMS,
/// CloudWatch and S3 Control) and DynamoDB. The provisioning, audit and teardown suites run
/// their key scenarios on both [`Stores::moto`] and [`Stores::localstack`], so what they
/// prove does not rest on one emulator's reading of S3.
#[derive(Debug, Clone, Copy)]
pub struct Stores {
    /// S3 and the services next to it.
    pub s3: &'static str,
    /// DynamoDB.
    pub dynamodb: &'static str,
    /// The account the S3 store's STS answers as.
    pub account: &'static str,
    /// What it is, for messages: `moto` or `LocalStack`.
    pub name: &'static str,
    /// The S3 operations this store does not implement (answered 501), which the toolkit
    /// must treat as unknown facts.
    pub lacks: &'static [&'static str],
}

impl Stores {
    /// Everything at this test process's moto server.
    pub fn moto() -> Stores {
        let endpoint = moto().endpoint();
        Stores {
            s3: endpoint,
            dynamodb: endpoint,
            account: TEST_ACCOUNT,
            name: "moto",
            // The harness's launcher fills moto's gaps (GetObjectRetention, Requester Pays).
            lacks: &[],
        }
    }

    /// S3, STS, KMS, CloudWatch and S3 Control at this test process's LocalStack, and
    /// DynamoDB at its moto server (as `AWS_ENDPOINT_URL_DYNAMODB` splits them for users).
    pub fn localstack() -> Stores {
        Stores {
            s3: localstack().endpoint(),
            dynamodb: moto().endpoint(),
            account: LOCALSTACK_ACCOUNT,
            name: "LocalStack",
            // localstack-core 4.8.1 answers 501 InternalFailure.
            lacks: &["GetBucketPolicyStatus"],
        }
    }

    /// Whether this is moto, which the proxy's behaviour rules make answer as S3 does where
    /// it is more lenient (LocalStack needs none of them for what the suites check).
    pub fn is_moto(&self) -> bool {
        self.s3 == moto().endpoint()
    }

    /// Whether the S3 store lacks `operation` ([`Stores::lacks`]).
    pub fn lacks(&self, operation: &str) -> bool {
        self.lacks.contains(&operation)
    }

    /// The toolkit's client config for these stores in `region` ([`client_config_for`]).
    pub fn client_config(&self, region: &str) -> aws_client::Config {
        self.client_config_via(self.s3, region)
    }

    /// [`Stores::client_config`] with S3 and its neighbours reached through `endpoint`
    /// instead (a proxy in front of [`Stores::s3`]); DynamoDB stays where it is.
    pub fn client_config_via(&self, endpoint: &str, region: &str) -> aws_client::Config {
        aws_client::Config {
            dynamodb_endpoint_url: (self.dynamodb != self.s3).then(|| self.dynamodb.to_owned()),
            ..client_config_for(endpoint, region)
        }
    }

    /// The toolkit's clients for these stores in `region`.
    pub async fn client(&self, region: &str) -> aws_client::Aws {
        aws_client::Aws::connect(&self.client_config(region)).await
    }

    /// The SDK config of the S3 store in `region`, for S3, KMS and CloudWatch clients.
    pub fn sdk_config(&self, region: &str) -> SdkConfig {
        sdk_config_for(self.s3, region)
    }

    /// A path-style S3 client of the S3 store in `region`, to set up and read back.
    pub fn s3(&self, region: &str) -> aws_sdk_s3::Client {
        s3(&self.sdk_config(region))
    }

    /// A DynamoDB client in `region`.
    pub fn dynamodb(&self, region: &str) -> aws_sdk_dynamodb::Client {
        dynamodb(&sdk_config_for(self.dynamodb, region))
    }
}

/// A symmetric KMS key in the emulator, with `alias` (`alias/...`) pointing at it: its ARN.
pub async fn kms_key_with_alias(config: &SdkConfig, alias: &str) -> String {
    let kms = aws_sdk_kms::Client::new(config);
    let key = kms.create_key().send().await.expect("CreateKey");
    let metadata = key.key_metadata().expect("the key's metadata");
    kms.create_alias()
        .alias_name(alias)
        .target_key_id(metadata.key_id())
        .send()
        .await
        .expect("CreateAlias");
    metadata.arn().expect("the key's ARN").to_owned()
}

/// The account moto gives requests that name none: the default test account.
pub const TEST_ACCOUNT: &str = "123456789012";

/// An S3 client that acts as another AWS account (moto reads `x-moto-account-id`), to own
/// a bucket "somebody else" owns.
pub fn s3_as_account(config: &SdkConfig, account: &str) -> aws_sdk_s3::Client {
    let account = account.to_owned();
    let config = aws_sdk_s3::config::Builder::from(config)
        .force_path_style(true)
        .interceptor(AccountHeader(account))
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

#[derive(Debug)]
struct AccountHeader(String);

impl aws_sdk_s3::config::Intercept for AccountHeader {
    fn name(&self) -> &'static str {
        "moto-account"
    }

    fn modify_before_signing(
        &self,
        context: &mut aws_sdk_s3::config::interceptors::BeforeTransmitInterceptorContextMut<'_>,
        _: &aws_sdk_s3::config::RuntimeComponents,
        _: &mut aws_sdk_s3::config::ConfigBag,
    ) -> Result<(), aws_sdk_s3::error::BoxError> {
        context
            .request_mut()
            .headers_mut()
            .insert("x-moto-account-id", self.0.clone());
        Ok(())
    }
}

/// A bucket's versioning status as S3 names it (`Enabled`, `Suspended`), `None` when never
/// enabled. moto answers GetBucketVersioning with a root element the Rust SDK refuses
/// (`GetBucketVersioningResponse`), so its body is read directly then.
pub async fn versioning_status(s3: &aws_sdk_s3::Client, bucket: &str) -> Option<String> {
    match s3.get_bucket_versioning().bucket(bucket).send().await {
        Ok(output) => output.status().map(|status| status.as_str().to_owned()),
        Err(error) => {
            let response = error.raw_response().expect("GetBucketVersioning answered");
            let body =
                String::from_utf8_lossy(response.body().bytes().unwrap_or_default()).into_owned();
            assert!(
                body.contains("GetBucketVersioningResponse"),
                "GetBucketVersioning failed: {body}"
            );
            ["Enabled", "Suspended"]
                .into_iter()
                .find(|status| body.contains(&format!("<Status>{status}</Status>")))
                .map(str::to_owned)
        }
    }
}

/// The current bytes of `key` in `bucket`.
pub async fn get_object(s3: &aws_sdk_s3::Client, bucket: &str, key: &str) -> Vec<u8> {
    s3.get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .unwrap_or_else(|error| panic!("GetObject {bucket}/{key}: {error:?}"))
        .body
        .collect()
        .await
        .expect("read the body")
        .into_bytes()
        .to_vec()
}

/// Creates `bucket` in `region` with `s3` (no location constraint in us-east-1, as S3 wants).
pub async fn create_bucket(s3: &aws_sdk_s3::Client, bucket: &str, region: &str) {
    let mut request = s3.create_bucket().bucket(bucket);
    if region != "us-east-1" {
        request = request.create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(region))
                .build(),
        );
    }
    request.send().await.expect("create the bucket");
}

/// Creates a DynamoDB table named `name` whose hash key is `key` (a string): Terraform's lock
/// table when `key` is `LockID`.
pub async fn create_table(dynamodb: &aws_sdk_dynamodb::Client, name: &str, key: &str) {
    use aws_sdk_dynamodb::types::{
        AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    };
    dynamodb
        .create_table()
        .table_name(name)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(key)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .expect("a complete definition"),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name(key)
                .key_type(KeyType::Hash)
                .build()
                .expect("a complete key"),
        )
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .expect("create the table");
}

/// The `LockID`s of the items in a lock table.
pub async fn lock_ids(dynamodb: &aws_sdk_dynamodb::Client, table: &str) -> Vec<String> {
    let scanned = dynamodb
        .scan()
        .table_name(table)
        .send()
        .await
        .expect("scan the table");
    let mut ids: Vec<String> = scanned
        .items()
        .iter()
        .filter_map(|item| item.get("LockID").and_then(|v| v.as_s().ok()).cloned())
        .collect();
    ids.sort();
    ids
}

/// The keys of the objects in a bucket.
pub async fn object_keys(s3: &aws_sdk_s3::Client, bucket: &str) -> Vec<String> {
    let listed = s3
        .list_objects_v2()
        .bucket(bucket)
        .send()
        .await
        .expect("list the bucket");
    listed
        .contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_owned))
        .collect()
}
