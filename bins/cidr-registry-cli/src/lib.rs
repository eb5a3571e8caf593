//! The command of `validate-cidr` (seed 003), over `cidr-registry`: the registry check,
//! `--allocate`, `--subnets` and `--tfvars`; [`report`] renders the script's lines and the
//! JSON. It calls no AWS service, and links no AWS SDK.

pub mod report;
pub mod validate_cidr;
