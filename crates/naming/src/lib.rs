//! Every name and Terraform state key of the tfstate toolkit, in one place.
//!
//! This crate is the Rust form of the bash scripts' `shared-config.sh`: no binary formats a
//! bucket, table or key itself. It gives
//!
//! - validated components that cannot hold a bad value: [`Project`], [`Environment`],
//!   [`Client`] (also for tenants), [`Layer`], [`Company`], [`Region`] (every partition:
//!   commercial, GovCloud, China, European Sovereign Cloud, ISO) and [`AvailabilityZone`];
//! - AWS names checked against AWS's rules before any request: [`BucketName`],
//!   [`TableName`], [`EksClusterName`], and [`StateKey`] for object keys;
//! - [`NamingRules`]: the state bucket `{project}-terraform-state-{environment}`, the
//!   observability buckets `{project}-{region}-{kind}-{environment}` and the lock table
//!   `terraform-locks-{region_short}`, each overridable by a pattern;
//! - [`KeyScheme`]: the four state-key layouts of the seeds (`tenant`, `client-centric`,
//!   `layer`, `environment`) with the layers each one uses, and [`LockMode`];
//! - the network names of client VPCs: [`vpc_name`], [`subnet_name`],
//!   [`nat_gateway_name`], [`eks_cluster_name`];
//! - [`config`]: the optional `shared-config.toml` and the precedence
//!   flag > environment variable > file > default.
//!
//! Every error names the field, the value and the rule it broke, with a hint where the fix
//! is known.
//!
//! ```
//! use naming::{Client, Deployment, KeyScheme, Layer, NamingRules};
//!
//! let d = Deployment::parse("ohio-01", "production", "us-east-2")?;
//! let rules = NamingRules::default();
//! assert_eq!(rules.state_bucket(&d)?.as_str(), "ohio-01-terraform-state-production");
//! assert_eq!(rules.lock_table(&d)?.as_str(), "terraform-locks-us-east");
//!
//! let key = KeyScheme::ClientCentric.client_key(
//!     &d,
//!     &Client::new("est-test-a")?,
//!     Some(&Layer::new("04-standalone-compute")?),
//! )?;
//! assert_eq!(
//!     key.as_str(),
//!     "providers/aws/regions/us-east-2/clients/est-test-a/layers/04-standalone-compute/terraform.tfstate"
//! );
//! # Ok::<(), naming::NamingError>(())
//! ```
//!
//! What it deliberately does not do: no network I/O and no async. The only I/O is reading
//! `shared-config.toml` ([`SharedConfig::load`], [`SharedConfig::discover`]); everything
//! else is pure and cheap.

#![warn(missing_docs)]

#[macro_use]
mod macros;
mod aws_names;
pub mod config;
mod error;
mod iam;
mod kms;
mod label;
mod names;
mod region;
mod retention;
mod scheme;

pub use aws_names::{
    BucketName, EksClusterName, RESERVED_BUCKET_PREFIXES, RESERVED_BUCKET_SUFFIXES, StateKey,
    TableName,
};
pub use config::SharedConfig;
pub use error::{ConfigError, Field, NamingError, Rule};
pub use iam::{iam_action_like, iam_like};
pub use kms::KmsKeyId;
pub use label::{Client, Company, Environment, Layer, Project};
pub use names::{
    BucketRole, Deployment, NamingRules, ObservabilityKind, Pattern, ProjectNames, STATE_PURPOSE,
    SubnetTier, access_log_prefix, defaults, eks_cluster_name, nat_gateway_name, subnet_name,
    vpc_name,
};
pub use region::{AvailabilityZone, Partition, Region};
pub use retention::{ABORT_INCOMPLETE_UPLOADS_DAYS, Retention};
pub use scheme::{
    KeyOwner, KeyScheme, LayerSpec, LockMode, PROVIDER, STATE_FILE, SchemeLayers, SettingGroup,
};
