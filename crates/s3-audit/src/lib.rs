//! Audits the buckets and the lock table behind Terraform remote state: seed 003's eight
//! checks, what the best scanners add, and what only a Terraform platform needs.
//!
//! The audit has two halves:
//!
//! 1. **facts** ([`gather()`]): every setting of each bucket, the account and the lock
//!    table, read concurrently through the narrow [`api::Inspect`] trait. A missing
//!    configuration is a fact; so is a setting the caller may not read ([`Fact`]). What
//!    lives elsewhere is read where it lives: a bucket's log target, and each replica of a
//!    replicating bucket through its own region's clients ([`api::Inspect::in_region`]),
//!    with the rule's lag from CloudWatch.
//! 2. **rules** ([`rules`]): pure functions of the facts, each with an id, a severity, a
//!    title, a status (PASS / FAIL / WARN / INFO) with the setting found, a remediation
//!    (words, aws CLI, Terraform resource) and the AWS Security Hub control where one exists.
//!
//! [`report::evaluate`] turns facts into an [`Audit`] (JSON, SARIF 2.1.0, JUnit XML), and
//! [`fix`] plans and applies the remediations that are safe to apply unattended through
//! [`api::Remedy`]. [`aws_client::Aws`] implements both traits (S3, S3 Control, DynamoDB,
//! through the one AWS access crate).
//!
//! ```
//! use aws_client::s3::{Encryption, PublicAccessBlock};
//! use s3_audit::facts::{Fact, Role};
//! use s3_audit::rules::{Context, Status, evaluate_bucket};
//!
//! let mut bucket = s3_audit::facts::BucketFacts::skipped("ohio-01-terraform-state-production", Role::State, Fact::Known(true));
//! bucket.public_access_block = Fact::Known(Some(PublicAccessBlock { restrict_public_buckets: false, ..PublicAccessBlock::ALL_ON }));
//! bucket.encryption = Fact::Known(Some(Encryption::Aes256));
//! let context = Context { account_id: None, now: chrono::Utc::now(), stale_after: chrono::TimeDelta::hours(6) };
//! let findings = evaluate_bucket(&bucket, &context);
//! let pab = findings.iter().find(|finding| finding.rule.id == "public-access-block").unwrap();
//! assert_eq!(pab.outcome.status, Status::Fail);
//! assert_eq!(pab.outcome.detail, "PARTIAL (3 of 4 active; off: RestrictPublicBuckets)");
//! ```

#![warn(missing_docs)]

pub mod api;
mod aws;
pub mod facts;
pub mod fix;
mod gather;
pub mod policy;
pub mod report;
pub mod rules;

pub use facts::{Fact, Facts};
pub use gather::{Request, gather, gather_observed, lock_info};
pub use report::{Audit, evaluate};
pub use rules::{Context, Severity, Status};
