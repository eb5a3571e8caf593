//! What the toolkit does for S3-compatible stores and emulators, in one place, each the
//! way AWS itself behaves so real AWS is never treated differently:
//!
//! - with an endpoint override, S3 uses path-style addressing (see [`crate::Aws::connect`]);
//! - S3 Control puts the account id in front of the endpoint's host name, which works for
//!   AWS and nothing else: at a custom endpoint its requests go to the endpoint as given;
//! - moto answers GetBucketVersioning with a `GetBucketVersioningResponse` root element
//!   where S3 has `VersioningConfiguration`, which the SDK refuses to decode: the status is
//!   read from the body then.

use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::SdkError;
use aws_sdk_s3control::config::endpoint::{Endpoint, EndpointFuture, Params, ResolveEndpoint};

use crate::s3::Versioning;

/// S3 Control at a custom endpoint: the endpoint as given, without the account prefix.
#[derive(Debug)]
struct PlainEndpoint(String);

impl ResolveEndpoint for PlainEndpoint {
    fn resolve_endpoint<'a>(&'a self, _: &'a Params) -> EndpointFuture<'a> {
        EndpointFuture::ready(Ok(Endpoint::builder().url(self.0.clone()).build()))
    }
}

/// S3 Control's config with requests sent to `endpoint` as given.
pub(crate) fn s3control_at(
    builder: aws_sdk_s3control::config::Builder,
    endpoint: &str,
) -> aws_sdk_s3control::config::Builder {
    builder.endpoint_resolver(PlainEndpoint(endpoint.to_owned()))
}

/// The versioning status and MFA delete in moto's misnamed answer; `None` when the error
/// is anything else.
pub(crate) fn versioning_from_misnamed_answer<E>(
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
