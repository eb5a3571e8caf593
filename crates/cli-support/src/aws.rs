//! The AWS clients, built once per run from the common flags.

use aws_client::{Aws, Config};

use crate::args::{CommonArgs, OutputChoice};
use crate::exit::Failure;

/// The clients of the run, in `region`, with `--profile`, `--endpoint-url` and the timeouts
/// applied, through the standard chain of `aws-config` (environment, profiles, SSO, IMDS).
///
/// With an endpoint override S3 uses path-style addressing.
pub async fn connect<O: OutputChoice>(
    args: &CommonArgs<O>,
    region: naming::Region,
) -> Result<Aws, Failure> {
    Ok(Aws::connect(&config(args, region)?).await)
}

/// What [`connect`] connects with.
pub fn config<O: OutputChoice>(
    args: &CommonArgs<O>,
    region: naming::Region,
) -> Result<Config, Failure> {
    let endpoint = args.endpoint()?;
    let services = args.service_endpoints()?;
    let (connect, attempt) = (args.connect_timeout(), args.request_timeout());
    let mut place = endpoint.map_or_else(|| format!("AWS in {region}"), str::to_owned);
    for (service, url) in [("S3", &services.s3), ("DynamoDB", &services.dynamodb)] {
        if let Some(url) = url {
            place.push_str(&format!(", {service} at {url}"));
        }
    }
    let _ = TARGET.set(format!(
        "{place} (waited up to {} s to connect and {} s an attempt; --connect-timeout, --request-timeout)",
        connect.as_secs(),
        attempt.as_secs()
    ));
    Ok(Config {
        profile: args.profile.clone(),
        endpoint_url: endpoint.map(str::to_owned),
        s3_endpoint_url: services.s3,
        dynamodb_endpoint_url: services.dynamodb,
        connect_timeout: connect,
        request_timeout: attempt,
        ..Config::new(region.name())
    })
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
    aws_client::default_region(args.profile.as_deref()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_endpoint_and_region_reach_the_config() {
        let args: CommonArgs = CommonArgs {
            endpoint_url: Some("http://127.0.0.1:5000".to_owned()),
            ..CommonArgs::default()
        };
        let region = naming::Region::new("eu-west-1").unwrap();
        let config = config(&args, region).unwrap();
        assert_eq!(
            config.endpoint_url.as_deref(),
            Some("http://127.0.0.1:5000")
        );
        assert_eq!(config.region, "eu-west-1");
        assert_eq!(config.request_timeout, args.request_timeout());
    }

    #[test]
    fn a_bad_endpoint_stops_before_anything_is_loaded() {
        let args: CommonArgs = CommonArgs {
            endpoint_url: Some("localhost:5000".to_owned()),
            ..CommonArgs::default()
        };
        let region = naming::Region::new("us-east-2").unwrap();
        assert!(config(&args, region).is_err());
    }
}
