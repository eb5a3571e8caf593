//! Terraform S3 backend files: the model, the folder layouts of the four key schemes, writing
//! them safely, checking them against AWS, and the IAM policy that isolates a client.
//!
//! - [`BackendConfig`]: the attributes of a `-backend-config` file — bucket, key, region,
//!   encrypt, dynamodb_table, use_lockfile, kms_key_id typed, every other setting of the S3
//!   backend kept as found (and keys the backend does not know kept and reported). Parsed
//!   with hcl-rs, checked for types, duplicate keys and interpolation; rendered in the layout
//!   `terraform fmt` produces, in the order each seed writes.
//! - [`Layout`]: where each [`naming::KeyScheme`] puts its files (seed 000's tenant folders,
//!   seed 001's client files, seed 003's per-layer `backend.hcl`, seed 002's environment
//!   layout), and which files belong to a tenant.
//! - [`files`]: what each file should hold ([`Target`]), atomic writes that leave a file
//!   with other content alone (showing the diff) unless forced, and scanning a directory.
//! - [`sync`]: `--check-sync` as pure logic over the files found and what AWS answered
//!   through the narrow [`sync::InfraProbe`] trait.
//! - [`policy`]: the client-isolation IAM policy.
//!
//! ```
//! use backend_hcl::{BackendConfig, Style};
//! use std::path::Path;
//!
//! let text = "bucket = \"ohio-01-terraform-state-production\"\nencrypt = true\n";
//! let config = BackendConfig::parse(text, Path::new("foundation.hcl"))?;
//! assert_eq!(
//!     config.render(Style::Standard),
//!     "bucket  = \"ohio-01-terraform-state-production\"\nencrypt = true\n"
//! );
//! # Ok::<(), backend_hcl::FileError>(())
//! ```
//!
//! What it deliberately does not do: no network I/O. AWS is reached only through
//! [`sync::InfraProbe`], which the AWS side implements.

#![warn(missing_docs)]

mod config;
pub mod files;
mod layout;
pub mod policy;
pub mod sync;

pub use config::{BackendConfig, FileError, MANAGED, MAX_FILE_BYTES, Other, Style, quote};
pub use files::{Found, Planned, Status, Target, Written};
pub use layout::{DEFAULT_CLIENT_LAYER, Layout, Place, Slot};
