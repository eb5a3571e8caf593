//! cidr-registry's tests against real parts: Terraform's own cidrsubnet functions.

mod terraform_console;
