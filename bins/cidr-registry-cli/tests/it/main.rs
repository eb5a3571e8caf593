//! `validate-cidr` end to end, as a process: the data-driven cases of `fixtures/cidr/cases`,
//! hostile input, allocation on disk, subnet plans and tfvars drift checked against the real
//! `terraform console`.

mod allocate;
mod cases;
mod drift;
mod input;
mod subnets;
mod support;
