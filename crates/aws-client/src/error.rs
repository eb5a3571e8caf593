//! One error for every AWS call: what failed (operation and resource), what kind of
//! failure it was, AWS's code and message, and how to fix it where that is known. Built
//! only here, from SDK errors ([`classify`]) or through the constructors.

use std::error::Error as StdError;

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use serde::Serialize;

/// What kind of AWS failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum AwsErrorKind {
    /// The credentials are missing, expired or lack a permission.
    AccessDenied,
    /// Throttled even after the SDK's retries.
    Throttled,
    /// The resource does not exist.
    NotFound,
    /// The resource exists in a state that conflicts with the request.
    Conflict,
    /// AWS refused the request as invalid (a client error).
    Invalid,
    /// AWS failed (a 5xx after retries).
    Service,
    /// No answer: DNS, connection, timeout.
    Network,
    /// No credentials could be loaded (environment, profile, SSO, instance metadata).
    NoCredentials,
}

/// An AWS call that failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[non_exhaustive]
#[error("{operation} {resource} failed: {}{message}", code.as_deref().map(|code| format!("{code}: ")).unwrap_or_default())]
pub struct AwsError {
    operation: &'static str,
    resource: String,
    kind: AwsErrorKind,
    code: Option<String>,
    message: String,
}

impl AwsError {
    /// A failure of `operation` on `resource`.
    pub fn new(
        operation: &'static str,
        resource: impl Into<String>,
        kind: AwsErrorKind,
        message: impl Into<String>,
    ) -> AwsError {
        AwsError {
            operation,
            resource: resource.into(),
            kind,
            code: None,
            message: message.into(),
        }
    }

    /// The same failure, with AWS's error code.
    pub fn with_code(self, code: impl Into<String>) -> AwsError {
        AwsError {
            code: Some(code.into()),
            ..self
        }
    }

    /// A request that could not be built or an answer that makes no sense: an
    /// [`AwsErrorKind::Invalid`] failure.
    pub fn invalid(
        operation: &'static str,
        resource: impl Into<String>,
        message: impl Into<String>,
    ) -> AwsError {
        AwsError::new(operation, resource, AwsErrorKind::Invalid, message)
    }

    /// The API operation, such as `PutBucketPolicy`.
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// The bucket, table, key or alarm.
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// What kind of failure.
    pub fn kind(&self) -> AwsErrorKind {
        self.kind
    }

    /// AWS's error code, if it sent one.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Whether the call was an S3 request to a bucket or its objects: S3's operations are
    /// the only ones of the toolkit whose names say Bucket, Object or Multipart.
    fn is_bucket_request(&self) -> bool {
        ["Bucket", "Object", "Multipart"]
            .iter()
            .any(|part| self.operation.contains(part))
    }

    /// How to fix it, when that is known.
    pub fn hint(&self) -> Option<String> {
        match self.kind {
            AwsErrorKind::AccessDenied
                if matches!(self.operation, "GetObjectRetention" | "GetObjectLegalHold") =>
            {
                Some(format!(
                    "the Object Lock state of {} cannot be read: allow s3:GetObjectRetention and \
                     s3:GetObjectLegalHold on the bucket (without them S3 hides which versions \
                     are locked); nothing is deleted until it can be read",
                    self.resource
                ))
            }
            AwsErrorKind::AccessDenied if self.is_bucket_request() => Some(format!(
                "the caller may not call {} on {}, or the bucket belongs to another account \
                 (every bucket request expects the caller's account to own it): check the \
                 bucket name, the credentials (`aws sts get-caller-identity`, --profile) and \
                 the IAM permissions",
                self.operation, self.resource
            )),
            AwsErrorKind::AccessDenied => Some(format!(
                "the caller may not call {}: check the credentials (`aws sts get-caller-identity`, \
                 --profile) and the IAM permissions",
                self.operation
            )),
            AwsErrorKind::Network => {
                Some("check the network and --endpoint-url / AWS_ENDPOINT_URL".to_owned())
            }
            AwsErrorKind::NoCredentials => Some(
                "no AWS credentials were found: pass --profile (or set AWS_PROFILE) for a \
                 configured profile (`aws configure`, `aws sso login`), or export \
                 AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; a local emulator \
                 (--endpoint-url) accepts any key, such as test/test"
                    .to_owned(),
            ),
            AwsErrorKind::Throttled => {
                Some("AWS is throttling the account; run again in a minute".to_owned())
            }
            _ => None,
        }
    }
}

/// Turns an SDK error into an [`AwsError`] naming the operation and the resource.
pub(crate) fn classify<E>(
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
    // HTTP 501 is "not implemented" whatever code a store puts on it (LocalStack answers
    // `InternalFailure` for an API it does not emulate): one name for an API a store lacks.
    let code = match status {
        Some(501) => Some("NotImplemented".to_owned()),
        _ => error.code().map(str::to_owned),
    };
    let credentials = sources(&error)
        .find(|source| source.downcast_ref::<CredentialsError>().is_some())
        .map(describe);
    let message = match (&credentials, error.message(), status) {
        (Some(credentials), _, _) => credentials.clone(),
        (None, Some(message), _) => message.to_owned(),
        // S3 answers a HEAD request with a status and no body.
        (None, None, Some(403)) => "403 Forbidden".to_owned(),
        (None, None, _) => describe(&error),
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
pub(crate) fn code<E: ProvideErrorMetadata>(error: &SdkError<E, HttpResponse>) -> Option<&str> {
    error.code()
}

/// The HTTP status of an SDK error's answer, if one came.
pub(crate) fn status<E>(error: &SdkError<E, HttpResponse>) -> Option<u16> {
    error
        .raw_response()
        .map(|response| response.status().as_u16())
}

/// An answer, or `Ok(None)` when the error is one of the `missing` codes (a configuration
/// that is not set).
pub(crate) fn optional<T, E>(
    operation: &'static str,
    resource: &str,
    result: Result<T, SdkError<E, HttpResponse>>,
    missing: &[&str],
) -> Result<Option<T>, AwsError>
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    match result {
        Ok(output) => Ok(Some(output)),
        Err(error) if code(&error).is_some_and(|code| missing.contains(&code)) => Ok(None),
        Err(error) => Err(classify(operation, resource, error)),
    }
}

/// A request the SDK's builders refused.
pub(crate) fn build_error(
    operation: &'static str,
    resource: &str,
    error: impl std::fmt::Display,
) -> AwsError {
    AwsError::invalid(
        operation,
        resource,
        format!("cannot build the request: {error}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_names_the_operation_the_resource_and_the_code() {
        let error = AwsError::new("PutBucketPolicy", "b", AwsErrorKind::AccessDenied, "no")
            .with_code("AccessDenied");
        assert_eq!(
            error.to_string(),
            "PutBucketPolicy b failed: AccessDenied: no"
        );
        assert_eq!(error.kind(), AwsErrorKind::AccessDenied);
        assert!(error.hint().unwrap().contains("PutBucketPolicy"));
        let plain = AwsError::invalid("GetBucketPolicy", "b", "not JSON");
        assert_eq!(plain.to_string(), "GetBucketPolicy b failed: not JSON");
        assert_eq!(plain.code(), None);
        assert_eq!(plain.hint(), None);
    }
}
