//! Terraform's remote state in S3 and its lock table, once it exists: the library behind
//! `manage-remote-state`.
//!
//! - [`records`]: what Terraform's S3 backend keeps beside a state (aws-behaviour.md
//!   S1–S4): the lock row and its `Info`, the digest row (`-md5`), the `.tflock` file;
//! - [`state`]: a state's identity (bucket, object path, workspace) and what its bytes
//!   are: Terraform's header with the names of its resources and outputs (never their
//!   values), or OpenTofu's encrypted envelope (S5);
//! - [`model`]: what is read about a state, as values: versions, reads, digest, locks;
//! - pure judgements of those values: [`verify`] (digest, JSON, serial and lineage across
//!   versions, orphaned rows) and the fixes `repair` may make; [`restore`] (which version
//!   becomes current, and the refusals: locked, another lineage, an older serial);
//!   [`unlock`] (whether a lock may be released); [`prune`] (which noncurrent versions go);
//!   [`diff`] (resources and outputs added, removed, changed); [`migrate`] (where each
//!   state goes under another key scheme or a map, the refusals: collisions, occupied
//!   keys, locks; what a re-run finds done; which old states `--finish` retires);
//!   [`backup`] (what a run copies to another bucket, the manifest, whether a backup is
//!   complete and fresh); [`failover`] (the digest rows a replica bucket needs before
//!   Terraform can use it, and how far it lags the source);
//! - [`ops`]: the I/O around them through the narrow [`api::Store`] trait: a survey that
//!   reads every state's versions, bytes and records concurrently, and every change made
//!   under the state's lock taken as Terraform takes it (conditional PutItem on `LockID`,
//!   `.tflock` with `If-None-Match`), each delete conditional on what was read;
//! - [`aws_client::Aws`] implements the trait.
//!
//! ```
//! use remote_state::state::{Content, parse};
//!
//! let state = br#"{"version": 4, "serial": 3, "lineage": "l-1", "terraform_version": "1.0.3",
//!   "outputs": {"token": {"value": "s3cr3t", "sensitive": true}}, "resources": []}"#;
//! let Content::Plain(summary) = parse(state)? else { unreachable!() };
//! assert_eq!((summary.serial, summary.lineage.as_str()), (3, "l-1"));
//! assert!(summary.outputs["token"].sensitive);
//! assert_eq!(remote_state::records::digest_id("bucket", "k/terraform.tfstate"), "bucket/k/terraform.tfstate-md5");
//! # Ok::<(), remote_state::state::StateError>(())
//! ```

#![warn(missing_docs)]

pub mod api;
mod aws;
pub mod backup;
pub mod diff;
pub mod failover;
pub mod migrate;
pub mod model;
pub mod ops;
pub mod prune;
pub mod records;
pub mod restore;
pub mod state;
pub mod unlock;
pub mod verify;

pub use api::Store;
pub use ops::{Depth, OpError, Survey, Target, survey};
