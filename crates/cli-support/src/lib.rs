//! The command-line plumbing the eight binaries share, so no binary has its own copy.
//!
//! - [`CommonArgs`]: `--profile`, `--endpoint-url` (and `AWS_ENDPOINT_URL`), and the
//!   [`BaseArgs`] `--output text|json`, `--config`, `-v`; flatten it into each binary's clap
//!   definition (a binary that never calls AWS flattens [`BaseArgs`] alone).
//! - [`Reporter`]: the scripts' `[INFO]` / `[SUCCESS]` / `[WARNING]` / `[ERROR]` lines on
//!   stderr, colour only on a terminal and never with `NO_COLOR`; [`print_json`] for the
//!   one JSON document of `--output json`.
//! - [`Exit`] and [`Failure`]: exit codes 0 done, 1 findings, 2 bad input, 3 AWS or I/O
//!   failure, 4 refused for safety; [`finish`] reports a failure once, with its `hint:`,
//!   and treats a closed stdout pipe as a quiet success.
//! - [`confirm()`] and [`confirm_typed`]: ask on a terminal, `--force` skips ordinary
//!   prompts, and without a terminal refuse with exit 4.
//! - [`aws::connect`]: the AWS clients (`aws-client`), built once, through the standard
//!   `aws-config` chain; [`logging::init`]: tracing on stderr for `-v`; [`runner::run`]: the async
//!   `main` of every AWS binary, [`runner::run_local`] the `main` of the others.
//! - [`progress::counter`]: progress for long jobs, drawn only on a terminal.
//! - [`project::ProjectArgs`]: `--region`, `--environment`, `--project-name`, resolved with
//!   `shared-config.toml` and the environment.
//! - [`reference`](mod@reference): `--version` with the commit, the hidden `--generate man|bash|zsh|fish`
//!   that prints the man page and completions, and the check that a docs page lists every
//!   flag; [`parse`] is the `Cli::parse()` of every binary.
//! - `provision` (feature `provision`): the command of the two provisioning binaries, which
//!   differ only in what they provision; `backends` (feature `backends`): the commands of the
//!   two backend-file binaries; `destroy` (feature `destroy`): the command of the two
//!   teardown binaries.
//!
//! A binary's `main` is then: parse flags, turn them into a validated config, build the SDK
//! config once, call the library crate, and hand the outcome to [`finish`].
//!
//! This crate only serves this workspace's binaries; it is not published.

pub mod args;
#[cfg(feature = "aws")]
pub mod aws;
#[cfg(feature = "backends")]
pub mod backends;
pub mod confirm;
#[cfg(feature = "destroy")]
pub mod destroy;
pub mod exit;
pub mod logging;
pub mod output;
pub mod progress;
pub mod project;
#[cfg(feature = "provision")]
pub mod provision;
pub mod reference;
pub mod runner;

pub use args::{BaseArgs, CommonArgs, OutputChoice};
pub use confirm::{Prompter, Terminal, confirm, confirm_typed};
pub use exit::{Exit, Failure};
pub use output::{
    Level, OutputFormat, Reporter, escape_controls, finish, print_json, print_raw_json,
};
pub use reference::parse;
