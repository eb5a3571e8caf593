//! The expected bucket owner on every bucket request (aws-behaviour.md P11).
//!
//! S3 honours `x-amz-expected-bucket-owner` on every request to a bucket: when the bucket
//! is another account's, the request is refused with 403 instead of reading or changing
//! that account's bucket because its policy happens to allow it. Once [`Aws::caller`]
//! knows the caller's account, every S3 request of the run carries it, except the few
//! that name no existing bucket.
//!
//! [`Aws::caller`]: crate::Aws::caller

use std::sync::{Arc, OnceLock};

use aws_sdk_s3::config::interceptors::BeforeTransmitInterceptorContextMut;
use aws_sdk_s3::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::orchestrator::Metadata;

/// The header S3 checks.
pub(crate) const HEADER: &str = "x-amz-expected-bucket-owner";

/// S3 operations that take no expected owner: they create a bucket or list the caller's.
const WITHOUT_OWNER: [&str; 3] = ["CreateBucket", "ListBuckets", "ListDirectoryBuckets"];

/// The account every bucket must belong to, once known; shared by the clients of a run.
pub(crate) type ExpectedOwner = Arc<OnceLock<String>>;

/// Adds [`HEADER`] to every S3 request to a bucket once the owner is known.
#[derive(Debug)]
pub(crate) struct ExpectedOwnerInterceptor(pub(crate) ExpectedOwner);

impl Intercept for ExpectedOwnerInterceptor {
    fn name(&self) -> &'static str {
        "ExpectedBucketOwner"
    }

    fn modify_before_signing(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(owner) = self.0.get() else {
            return Ok(());
        };
        let operation = cfg.load::<Metadata>().map(Metadata::name);
        if operation.is_some_and(|name| WITHOUT_OWNER.contains(&name)) {
            return Ok(());
        }
        let headers = context.request_mut().headers_mut();
        if !headers.contains_key(HEADER) {
            headers.insert(HEADER, owner.clone());
        }
        Ok(())
    }
}
