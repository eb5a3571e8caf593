//! `verify-s3-security`: parses its flags and runs its command,
//! [`s3_audit_cli::verify_s3_security`].

use std::process::ExitCode;

use s3_audit_cli::verify_s3_security::{Cli, main as command};

fn main() -> ExitCode {
    command(&cli_support::parse::<Cli>())
}
