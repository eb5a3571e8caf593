//! `emergency-s3-cleanup`: parses its flags and runs its command,
//! [`s3_destroy_cli::emergency_s3_cleanup`].

use std::process::ExitCode;

use s3_destroy_cli::emergency_s3_cleanup::{Cli, main as command};

fn main() -> ExitCode {
    command(&cli_support::parse::<Cli>())
}
