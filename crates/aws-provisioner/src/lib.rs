//! Creates the Terraform state bucket, the DynamoDB lock table and the four observability
//! buckets, hardened, idempotently — and repairs them when they drift.
//!
//! A run has four steps:
//!
//! 1. **observe** ([`observe`]): read every relevant setting of each bucket and of the lock
//!    table, concurrently, through the narrow [`api`] traits; a missing configuration is a
//!    value, not an error;
//! 2. **plan** ([`plan()`]): desired ([`Spec`]) against observed, per resource and setting —
//!    create, update *setting*, or unchanged. A pure value, tested without AWS;
//! 3. **apply** ([`apply()`]): independent resources concurrently, each in its safe order;
//!    `BucketAlreadyOwnedByYou` and a table created by another run count as success;
//! 4. **verify**: observe again; every setting must read back as planned.
//!
//! [`provision`] runs all four, checking the credentials first and asking a [`Ui`] before
//! any change. What is set on every bucket: versioning, default encryption (AES256, or
//! `aws:kms` with a bucket key), the four public-access-block settings, BucketOwnerEnforced,
//! a TLS-only bucket policy statement merged with the statements already there, tags, the
//! `EntireBucket` request metrics; on the state bucket, server access logging with
//! policy-based delivery; on observability buckets, a retention lifecycle rule per kind. The
//! lock table gets the `LockID` (S) hash key, on-demand billing, KMS encryption,
//! point-in-time recovery and deletion protection; CloudWatch alarms come with an SNS topic.
//! With `--replicate-to` ([`replication`]), a replica state bucket and lock table in a
//! second region ([`Spec::replica`], provisioned first), the least-privilege IAM role S3
//! assumes, and the state bucket's replication rule (delete markers and SSE-KMS objects
//! included, metrics on).
//!
//! What it deliberately does not do: it never deletes, never replaces a statement, rule or
//! tag it does not own, and never downgrades encryption a bucket already has.
//!
//! ```
//! use aws_provisioner::{Options, Scope, Spec, WaitPolicy};
//! use naming::{Deployment, LockMode, NamingRules};
//!
//! let spec = Spec::new(Options {
//!     deployment: Deployment::parse("ohio-01", "production", "us-east-2")?,
//!     rules: NamingRules::default(),
//!     scope: Scope::Full,
//!     lock: LockMode::Dynamodb,
//!     company: None,
//!     kms_key_id: None,
//!     access_log_bucket: None,
//!     alarm_topic_arn: None,
//!     wait: WaitPolicy::default(),
//!     take_over_table: false,
//!     skip: Default::default(),
//!     replicate_to: None,
//!     replica_kms_key_id: None,
//! })?;
//! assert_eq!(spec.managed_buckets().len(), 5);
//! assert_eq!(spec.lock_table.unwrap().as_str(), "terraform-locks-us-east");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

pub mod api;
mod apply;
mod aws;
mod error;
pub mod lifecycle;
pub mod model;
pub mod plan;
pub mod replication;
pub mod report;
mod spec;

pub use apply::{Outcome, Report, Ui, apply, observe, provision, wait_until_active};
pub use aws_client::policy;
pub use aws_client::s3::METRICS_ID;
pub use aws_client::{Aws, Config};
pub use error::{AwsError, AwsErrorKind, Problem, ProvisionError};
pub use plan::{Action, Change, Observed, Plan, Setting, plan};
pub use spec::{BucketRole, EncryptionSpec, MANAGED_BY, Options, Scope, Spec, WaitPolicy};
