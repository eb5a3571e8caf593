//! SDK configuration and clients pointed at the emulator: test credentials, a fixed region
//! and path-style addressing.

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_async::rt::sleep::TokioSleep;
use aws_smithy_async::time::SystemTimeSource;
use aws_types::SdkConfig;
use aws_types::region::Region;

use crate::harness::moto;

/// The region test clients use unless a test picks another.
pub const TEST_REGION: &str = "us-east-1";

/// The access key id and secret of the emulator (any value works; these are the
/// conventional ones).
pub const TEST_CREDENTIALS: (&str, &str) = ("test", "test");

/// An SDK config for `endpoint` in `region` with the test credentials.
pub fn sdk_config_for(endpoint: &str, region: &str) -> SdkConfig {
    let credentials = Credentials::new(
        TEST_CREDENTIALS.0,
        TEST_CREDENTIALS.1,
        None,
        None,
        "test-support",
    );
    SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(Region::new(region.to_owned()))
        .endpoint_url(endpoint)
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .sleep_impl(TokioSleep::new())
        .time_source(SystemTimeSource::new())
        .build()
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
