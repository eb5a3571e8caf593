//! `destroy-s3-buckets`: parses its flags and runs its command,
//! [`s3_destroy_cli::destroy_s3_buckets`].

use std::process::ExitCode;

use s3_destroy_cli::destroy_s3_buckets::{Cli, main as command};

fn main() -> ExitCode {
    command(&cli_support::parse::<Cli>())
}
