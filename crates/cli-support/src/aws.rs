//! The AWS SDK config, built once per run from the common flags.

use aws_config::BehaviorVersion;
use aws_types::SdkConfig;

use crate::args::{CommonArgs, OutputChoice};
use crate::exit::Failure;

/// Loads the SDK config through the standard chain of `aws-config` (environment, profiles,
/// SSO, IMDS), in `region`, with `--profile` and `--endpoint-url` applied.
///
/// With an endpoint override the AWS crates switch S3 to path-style addressing (they see
/// it in [`SdkConfig::endpoint_url`]).
pub async fn sdk_config<O: OutputChoice>(
    args: &CommonArgs<O>,
    region: naming::Region,
) -> Result<SdkConfig, Failure> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(aws_config::Region::new(region.name()));
    if let Some(profile) = &args.profile {
        loader = loader.profile_name(profile);
    }
    let endpoint = args.endpoint()?;
    if let Some(endpoint) = endpoint {
        loader = loader.endpoint_url(endpoint);
    }
    let (connect, attempt) = (args.connect_timeout(), args.request_timeout());
    loader = loader.timeout_config(
        aws_config::timeout::TimeoutConfig::builder()
            .connect_timeout(connect)
            .operation_attempt_timeout(attempt)
            .operation_timeout(attempt * 3)
            .build(),
    );
    let _ = TARGET.set(format!(
        "{} (waited up to {} s to connect and {} s an attempt; --connect-timeout, --request-timeout)",
        endpoint.map_or_else(|| format!("AWS in {region}"), str::to_owned),
        connect.as_secs(),
        attempt.as_secs()
    ));
    Ok(loader.load().await)
}

/// Where requests go, and how long they wait, for the message of a request that got no
/// answer.
static TARGET: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// The endpoint and timeouts of this run, once the SDK config is built.
pub(crate) fn target() -> Option<&'static str> {
    TARGET.get().map(String::as_str)
}

/// The region of the AWS profile or environment (`AWS_REGION`, `region =` in
/// ~/.aws/config), for when neither a flag nor shared-config.toml gives one.
pub async fn default_region<O: OutputChoice>(args: &CommonArgs<O>) -> Option<String> {
    let mut chain = aws_config::default_provider::region::DefaultRegionChain::builder();
    if let Some(profile) = &args.profile {
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
    async fn the_endpoint_and_region_reach_the_sdk_config() {
        let args: CommonArgs = CommonArgs {
            endpoint_url: Some("http://127.0.0.1:5000".to_owned()),
            ..CommonArgs::default()
        };
        let region = naming::Region::new("eu-west-1").unwrap();
        let config = sdk_config(&args, region).await.unwrap();
        assert_eq!(config.endpoint_url(), Some("http://127.0.0.1:5000"));
        assert_eq!(config.region().map(|r| r.as_ref()), Some("eu-west-1"));
    }

    #[tokio::test]
    async fn a_bad_endpoint_stops_before_anything_is_loaded() {
        let args: CommonArgs = CommonArgs {
            endpoint_url: Some("localhost:5000".to_owned()),
            ..CommonArgs::default()
        };
        let region = naming::Region::new("us-east-2").unwrap();
        assert!(sdk_config(&args, region).await.is_err());
    }
}
