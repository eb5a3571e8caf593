//! The one crate of the workspace that talks to AWS. Everything else sees AWS through the
//! values and calls here, never through an SDK type.
//!
//! - [`Aws`]: every client of a run (S3, S3 Control, DynamoDB, STS, CloudWatch, KMS, IAM), built
//!   once from a [`Config`] through the standard `aws-config` chain, with timeouts on every
//!   request, at least eight attempts each, path-style S3 at a custom endpoint;
//! - [`AwsError`]: one error for every call (operation, resource, [`AwsErrorKind`], AWS's
//!   code and message, a hint), classified here from the SDK's errors;
//! - the vocabulary the other crates share: bucket settings and writes ([`s3`]), one
//!   bucket-policy document type whose statements are judged with IAM's wildcards and
//!   `NotAction` ([`policy`]), lifecycle rules as S3 reports them ([`lifecycle`]), object
//!   versions, uploads and Object Lock state ([`objects`]), the lock table ([`dynamodb`]),
//!   the caller ([`sts`]), alarms ([`cloudwatch`]), keys as AWS reports them ([`kms`]) and the
//!   replication role ([`iam`]);
//! - one module per service with the calls, each a value in and a value out;
//! - [`emulator`]: what is done for S3-compatible stores and emulators, in one place;
//! - [`wait`]: one bounded back-off for what AWS allows only after a while;
//! - [`Objects`], the calls made per object by the thousand, with a [`mock::MockClient`]
//!   (versions in memory) and a [`failure::FailureClient`] (errors on cue) for unit tests.
//!
//! ```
//! use aws_client::policy::Policy;
//!
//! let policy = Policy::parse(r#"{"Statement": {"Effect": "Deny", "Action": "s3:Del*"}}"#)?;
//! let statement = policy.views()[0];
//! assert!(statement.is_deny());
//! assert_eq!(statement.covers(&["s3:DeleteBucket", "s3:GetObject"]), ["s3:DeleteBucket"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

pub mod cloudwatch;
mod config;
pub mod dynamodb;
pub mod emulator;
mod error;
pub mod failure;
pub mod iam;
pub mod kms;
pub mod lifecycle;
pub mod mock;
pub mod objects;
mod owner;
pub mod policy;
pub mod s3;
mod s3control;
pub mod sts;
pub mod wait;

pub use config::{Aws, Backoff, Config, StaticCredentials, default_region};
pub use error::{AwsError, AwsErrorKind};
pub use objects::Objects;
