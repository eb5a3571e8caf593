//! `generate-client-backend`: parses its flags and runs its command,
//! [`backend_hcl_cli::generate_client_backend`].

use std::process::ExitCode;

use backend_hcl_cli::generate_client_backend::{Cli, main as command};

fn main() -> ExitCode {
    command(&cli_support::parse::<Cli>())
}
