//! Running validate-cidr in a working directory of its own, and asking the real Terraform.

use std::path::Path;

use test_support::cli::{Output, Workdir, command, run_command};

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_validate-cidr");

/// Runs validate-cidr in `dir` with `args` and a clean environment (plus `env`).
pub(crate) fn validate_cidr(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = command(BIN, dir, None);
    command.args(args);
    for (name, value) in env {
        command.env(name, value);
    }
    run_command(&mut command)
}

/// A working directory holding `registry` as `cidr-registry.yaml`.
pub(crate) fn with_registry(registry: &str) -> Workdir {
    let dir = Workdir::new();
    dir.write("cidr-registry.yaml", registry);
    dir
}

/// Evaluates `expression` with `terraform console` in `dir` (which may hold variables and
/// tfvars); returns stdout, panicking with both streams on failure.
pub(crate) fn terraform_console(dir: &Path, expression: &str) -> String {
    let output = test_support::terraform::console(dir, expression);
    assert_eq!(
        output.code, 0,
        "terraform console failed on {expression}:\n{}{}",
        output.stdout, output.stderr
    );
    output.stdout
}

/// The JSON a `jsonencode(...)` expression printed (a quoted string holding JSON).
pub(crate) fn console_json(stdout: &str) -> serde_json::Value {
    let text: String = serde_json::from_str(stdout.trim()).expect("a quoted string");
    serde_json::from_str(&text).expect("JSON")
}
