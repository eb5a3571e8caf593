//! The `main` every binary shares: logging, the reporter, a runtime, and the exit code.

use std::future::Future;
use std::process::ExitCode;

use crate::args::CommonArgs;
use crate::exit::{Exit, Failure};
use crate::output::{Reporter, finish};

/// Runs an async command: sets up `-v` logging, reports to stderr, and ends the process
/// with the outcome's exit code (reporting a failure once, with its hint).
pub fn run<F, Fut>(common: &CommonArgs, command: F) -> ExitCode
where
    F: FnOnce(Reporter) -> Fut,
    Fut: Future<Output = Result<Exit, Failure>>,
{
    crate::logging::init(common.verbose);
    let reporter = Reporter::stderr();
    let outcome = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .map_err(|error| Failure::external(format!("cannot start the async runtime: {error}")))
        .and_then(|runtime| runtime.block_on(command(reporter.clone())));
    finish(&reporter, common.output, outcome)
}
