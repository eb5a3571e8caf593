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
//!
//! It holds no command and depends on no domain crate: each command lives in the bins/
//! package of its library crate (`aws-provisioner-cli`, `backend-hcl-cli`,
//! `cidr-registry-cli`, `s3-audit-cli`, `s3-destroy-cli`). A command is then: flags into a
//! validated config, the AWS clients built once, the library call, and the outcome handed
//! to [`finish`]. The feature `aws` (on by default) brings the AWS clients; validate-cidr
//! goes without it and links no AWS SDK.
//!
//! This crate only serves this workspace's binaries; it is not published.

pub mod args;
#[cfg(feature = "aws")]
pub mod aws;
pub mod confirm;
pub mod exit;
pub mod logging;
pub mod output;
pub mod progress;
pub mod project;
pub mod reference;
pub mod runner;

pub use args::{BaseArgs, CommonArgs, OutputChoice};
pub use confirm::{Prompter, Terminal, confirm, confirm_typed};
pub use exit::{Exit, Failure};
pub use output::{
    Level, OutputFormat, Reporter, escape_controls, finish, print_json, print_raw_json,
};
pub use reference::parse;
