//! Tearing down S3 buckets without losing what should be kept: the library behind
//! `destroy-s3-buckets` and `emergency-s3-cleanup`.
//!
//! - [`inventory`](mod@inventory) gathers, through the narrow [`api::Store`] trait, each bucket's settings
//!   (versioning, MFA delete, Object Lock, replication, policy), every version and delete
//!   marker, the in-progress uploads, the Object Lock state of each version and the
//!   Terraform state the bucket still holds;
//! - [`plan::plan`] is a pure function of the inventory: the steps in order, or the reasons
//!   (compliance retention, legal holds, governance without the bypass, MFA delete) that
//!   refuse the bucket before anything is touched;
//! - [`execute::execute`] carries the plan out: replication removed first, uploads aborted,
//!   DeleteObjects batches of at most 1,000 in flight while the listing continues, per-key
//!   errors and throttling retried, listing passes until one finds nothing, the bucket
//!   deleted; a second run finishes what an interrupted one started;
//! - [`backup`] copies current objects (or every version) with a SHA-256 manifest and
//!   verifies the copies before anything may be deleted;
//! - [`signals`] tells a state bucket by every sign (tags, lock files, lock-table rows, the
//!   content of every version), so teardown never takes one for an ordinary bucket;
//! - [`aws_client::Aws`] implements the trait.

#![warn(missing_docs)]

pub mod api;
mod aws;
pub mod backup;
pub mod execute;
pub mod inventory;
pub mod model;
pub mod plan;
pub mod signals;

pub use api::Store;
pub use execute::{ExecuteError, Tally, Tuning, execute};
pub use inventory::inventory;
pub use model::{Counts, Inventory};
pub use plan::{Blocker, Options, Plan, Step, plan};
