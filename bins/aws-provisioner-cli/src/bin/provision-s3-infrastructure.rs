//! `provision-s3-infrastructure`: parses its flags and runs its command,
//! [`aws_provisioner_cli::provision_s3_infrastructure`].

use std::process::ExitCode;

use aws_provisioner_cli::provision_s3_infrastructure::{Cli, main as command};

fn main() -> ExitCode {
    command(&cli_support::parse::<Cli>())
}
