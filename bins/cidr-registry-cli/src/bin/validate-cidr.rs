//! `validate-cidr`: parses its flags and runs its command,
//! [`cidr_registry_cli::validate_cidr`].

use std::process::ExitCode;

use cidr_registry_cli::validate_cidr::{Cli, main as command};

fn main() -> ExitCode {
    command(&cli_support::parse::<Cli>())
}
