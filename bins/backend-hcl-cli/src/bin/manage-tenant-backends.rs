//! `manage-tenant-backends`: parses its flags and runs its command,
//! [`backend_hcl_cli::manage_tenant_backends`].

use std::process::ExitCode;

use backend_hcl_cli::manage_tenant_backends::{Cli, main as command};

fn main() -> ExitCode {
    command(&cli_support::parse::<Cli>())
}
