//! `manage-remote-state`: parses its flags and runs its command,
//! [`remote_state_cli::manage_remote_state`].

use std::process::ExitCode;

use remote_state_cli::manage_remote_state::{Cli, main as command};

fn main() -> ExitCode {
    command(&cli_support::parse::<Cli>())
}
