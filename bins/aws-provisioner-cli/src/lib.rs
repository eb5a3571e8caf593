//! The commands of the two provisioning scripts, over `aws-provisioner`:
//! `provision-s3-infrastructure` (seed 000: the state bucket and the lock table) and
//! `provision-s3-client-centric` (seed 003: the same plus the four observability buckets).
//! Both run [`provision::run`], which differs only in the [`aws_provisioner::Scope`] it is
//! given; each script's module holds its flags (`Cli`) and its `main`.

pub mod provision;
pub mod provision_s3_client_centric;
pub mod provision_s3_infrastructure;
