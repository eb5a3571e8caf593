//! The `main` every binary shares: logging, the reporter, a runtime (for the AWS binaries),
//! and the exit code.

use std::process::ExitCode;

#[cfg(feature = "aws")]
use crate::args::CommonArgs;
use crate::args::{BaseArgs, OutputChoice};
use crate::exit::{Exit, Failure};
use crate::output::{Reporter, finish};

/// Runs an async command: sets up `-v` logging, reports to stderr, and ends the process
/// with the outcome's exit code (reporting a failure once, with its hint).
#[cfg(feature = "aws")]
pub fn run<O, F, Fut>(common: &CommonArgs<O>, command: F) -> ExitCode
where
    O: OutputChoice,
    F: FnOnce(Reporter) -> Fut,
    Fut: std::future::Future<Output = Result<Exit, Failure>>,
{
    crate::logging::init(common.base.verbose);
    let reporter = Reporter::stderr();
    let outcome = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .map_err(|error| Failure::external(format!("cannot start the async runtime: {error}")))
        .and_then(|runtime| runtime.block_on(command(reporter.clone())));
    finish(&reporter, common.base.output.format(), outcome)
}

/// Runs a command that calls no AWS service and needs no runtime (validate-cidr): `-v`
/// logging, a buffered reporter on stderr (for reports of a line per registry entry), and
/// the outcome's exit code.
pub fn run_local<O, F>(base: &BaseArgs<O>, command: F) -> ExitCode
where
    O: OutputChoice,
    F: FnOnce(&Reporter) -> Result<Exit, Failure>,
{
    crate::logging::init(base.verbose);
    let reporter = Reporter::stderr_buffered();
    let outcome = command(&reporter);
    finish(&reporter, base.output.format(), outcome)
}
