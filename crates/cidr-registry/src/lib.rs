//! Client VPC CIDRs that never collide: `cidr-registry.yaml` (seed 003) loaded, checked,
//! allocated from, planned into subnets and compared with Terraform.
//!
//! - [`Registry`]: the registry loaded by [`load`] from saphyr-parser's events, with the line
//!   of every field; duplicate keys, anchors and aliases, tags, deep nesting and wrong types
//!   are [`LoadError`]s that name the line. Large registries are parsed in parallel pieces,
//!   with a line-level fast path for the canonical layout; both are checked against the
//!   sequential parse.
//! - [`check`]: strict CIDR format ([`cidr::parse_strict`]), VPC size, private ranges, the
//!   [`reserved`] ranges, names, regions, environments and dates per client; duplicates and
//!   every overlapping pair by one sweep ([`overlap`]), within a [`Scope`].
//! - [`allocate`]: the first free aligned block of a pool, and the registry text with the
//!   new client appended, comments and order kept, written atomically.
//! - [`terraform`]: Terraform 1.0.3's `cidrsubnet` and `cidrsubnets`, exactly;
//!   [`subnets`]: per-zone public, private and EKS subnets computed with them.
//! - [`tfvars`]: drift between the registry and every layer's `clients.auto.tfvars`.
//!
//! ```
//! use cidr_registry::{Registry, Scope, validate};
//!
//! let text = "\
//! clients:
//!   acme:
//!     vpc_cidr: \"10.42.0.0/16\"
//!     region: us-east-2
//!     environment: production
//!     allocated_date: \"2026-01-05\"
//!   beta:
//!     vpc_cidr: \"10.42.8.0/24\"
//!     region: us-east-2
//!     environment: production
//!     allocated_date: \"2026-01-06\"
//! ";
//! let registry = Registry::parse(text)?;
//! let validation = validate(&registry, Scope::Global);
//! assert_eq!(validation.errors(), 1);
//! assert_eq!(
//!     validation.pair_findings[0].message,
//!     "Overlapping CIDRs: acme 10.42.0.0/16 (line 3) contains beta 10.42.8.0/24 (line 8)"
//! );
//! # Ok::<(), cidr_registry::LoadError>(())
//! ```
//!
//! No network I/O: files are read and written, nothing else.

#![warn(missing_docs)]

pub mod allocate;
pub mod check;
pub mod cidr;
mod error;
pub mod load;
pub mod overlap;
mod registry;
pub mod reserved;
pub mod subnets;
pub mod terraform;
pub mod tfvars;

pub use check::{Check, ClientRef, Finding, Scope, Validation, validate};
pub use error::{LoadError, LoadErrorKind, ReadError};
pub use registry::{Entry, Located, MAX_BYTES, Notice, Registry};
pub use reserved::Severity;
