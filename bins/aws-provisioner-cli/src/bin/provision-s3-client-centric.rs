//! `provision-s3-client-centric`: parses its flags and runs its command,
//! [`aws_provisioner_cli::provision_s3_client_centric`].

use std::process::ExitCode;

use aws_provisioner_cli::provision_s3_client_centric::{Cli, main as command};

fn main() -> ExitCode {
    command(&cli_support::parse::<Cli>())
}
