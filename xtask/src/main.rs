//! Development tasks, in Rust: `cargo xtask <task>`.
//!
//! - `venv`: create (or update) the harness virtualenv with moto and terraform;
//! - `test`: run every test with the harness up;
//! - `lint`: rustfmt, clippy, rustdoc and the tidy checks; `ci`: lint and test;
//! - `demo`: the main workflow end to end on the local emulator;
//! - `dist`: the release archive: binaries, completions, man pages, docs, install script;
//! - `bench`: whole commands timed against their peers, as ratios;
//! - `fuzz`: the registry loader under cargo-fuzz;
//! - `moto`: run the emulator in the foreground for manual work;
//! - `terraform`: run the harness's Terraform 1.0.3.

#![allow(clippy::print_stderr, clippy::print_stdout)]

mod bench;
mod demo;
mod dist;
mod tidy;
mod venv;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    about = "Development tasks of the tfstate toolkit"
)]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Create or update the harness virtualenv (.venv) with moto and terraform, pinned.
    Venv,
    /// Run every test (unit, integration, doc) with the harness up.
    Test {
        /// Extra arguments for `cargo test`, after `--`.
        #[arg(last = true)]
        args: Vec<String>,
    },
    /// rustfmt --check, clippy -D warnings, rustdoc -D warnings, and the tidy checks.
    Lint,
    /// What CI checks: lint, then test.
    Ci,
    /// Only the tidy checks (the invariants of docs/ARCHITECTURE.md).
    Tidy,
    /// Run the main workflow end to end on the local emulator.
    Demo {
        /// Through the harness's proxy, answering as a real AWS account does where the
        /// emulator is more lenient (aws-behaviour.md).
        #[arg(long, conflicts_with = "localstack")]
        real_account: bool,
        /// With S3 (and STS, KMS, CloudWatch) at LocalStack, a second S3 implementation,
        /// and DynamoDB at moto (installs LocalStack into `.venv-localstack` first).
        #[arg(long)]
        localstack: bool,
    },
    /// Build the release archive: the nine binaries, their completions and man pages, the
    /// docs and install.sh, with SHA-256 checksums.
    Dist {
        /// Cargo profile to build with.
        #[arg(long, default_value = "release")]
        profile: String,
        /// Where the archive goes.
        #[arg(long, default_value = "target/dist")]
        out: PathBuf,
    },
    /// Time whole commands against their peers on the emulator (installs the peers).
    Bench {
        /// What to benchmark.
        #[arg(value_enum)]
        target: bench::Target,
        /// How many times to run the toolkit (the slow baselines run at most twice).
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// `audit` only: install Prowler (PyPI, a few minutes the first time) and compare.
        #[arg(long)]
        prowler: bool,
        /// The AWS benchmarks' second pass: the mean latency the proxy adds to every
        /// request, in milliseconds (0: the plain pass only).
        #[arg(long, default_value_t = 20)]
        latency_ms: u64,
        /// The second pass's jitter: how far a request's latency may be off the mean.
        #[arg(long, default_value_t = 5)]
        jitter_ms: u64,
    },
    /// Fuzz the registry loader (installs cargo-fuzz; runs on stable with RUSTC_BOOTSTRAP).
    Fuzz {
        /// How long to fuzz.
        #[arg(long, default_value_t = 120)]
        seconds: u64,
    },
    /// Run the moto emulator in the foreground (Ctrl-C stops it).
    Moto {
        /// Port to listen on.
        #[arg(long, default_value_t = 5000)]
        port: u16,
    },
    /// Run the harness's Terraform 1.0.3 with these arguments.
    Terraform {
        /// Arguments for terraform.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

fn main() -> std::process::ExitCode {
    match run_task(Cli::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("[xtask] error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run_task(cli: Cli) -> Result<()> {
    std::env::set_current_dir(project_root())?;
    match cli.task {
        Task::Venv => {
            let harness = venv::ensure()?;
            eprintln!("[xtask] harness ready: {}", harness.venv().display());
            eprintln!("  moto_server: {}", harness.bin("moto_server").display());
            eprintln!(
                "  terraform:   {}",
                harness
                    .terraform()
                    .map_err(|e| anyhow::anyhow!("{e}"))?
                    .display()
            );
            Ok(())
        }
        Task::Test { args } => test(&args),
        Task::Lint => lint(),
        Task::Ci => {
            lint()?;
            test(&[])
        }
        Task::Tidy => tidy::check(),
        Task::Demo {
            real_account,
            localstack,
        } => demo::run(real_account, localstack),
        Task::Dist { profile, out } => dist::run(&profile, &out).map(drop),
        Task::Bench {
            target,
            runs,
            prowler,
            latency_ms,
            jitter_ms,
        } => bench::run(
            target,
            runs,
            prowler,
            bench::Latency {
                mean: std::time::Duration::from_millis(latency_ms),
                jitter: std::time::Duration::from_millis(jitter_ms),
            },
        ),
        Task::Fuzz { seconds } => fuzz(seconds),
        Task::Moto { port } => moto(port),
        Task::Terraform { args } => {
            let harness = venv::ensure()?;
            let terraform = harness.terraform().map_err(|e| anyhow::anyhow!("{e}"))?;
            run(Command::new(terraform).args(args))
        }
    }
}

/// The workspace root.
pub(crate) fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace root")
        .to_owned()
}

/// Where cargo puts the binaries built with `profile` (`CARGO_TARGET_DIR` and cargo's
/// configuration included).
pub(crate) fn profile_dir(profile: &str) -> Result<PathBuf> {
    let metadata = stdout(cargo().args(["metadata", "--format-version", "1", "--no-deps"]))?;
    let metadata: serde_json::Value = serde_json::from_str(&metadata)?;
    let target = metadata["target_directory"]
        .as_str()
        .context("cargo metadata names no target directory")?;
    let folder = match profile {
        "dev" | "test" => "debug",
        "release" | "bench" => "release",
        custom => custom,
    };
    Ok(Path::new(target).join(folder))
}

/// Runs a command and returns its standard output, trimmed; fails with its stderr.
pub(crate) fn stdout(command: &mut Command) -> Result<String> {
    let output = command
        .output()
        .with_context(|| format!("run {}", command.get_program().to_string_lossy()))?;
    if !output.status.success() {
        bail!(
            "{} failed: {}",
            command.get_program().to_string_lossy(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// Runs a command, echoing it, and fails if it fails.
pub(crate) fn run(command: &mut Command) -> Result<()> {
    eprintln!("[xtask] $ {}", display(command));
    let status = command
        .status()
        .with_context(|| format!("cannot run {}", command.get_program().to_string_lossy()))?;
    if !status.success() {
        bail!("`{}` failed ({status})", display(command));
    }
    Ok(())
}

fn display(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|part| part.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn cargo() -> Command {
    Command::new(env!("CARGO"))
}

fn test(args: &[String]) -> Result<()> {
    let harness = venv::ensure()?;
    let localstack = venv::ensure_localstack()?;
    run(cargo()
        .args(["test", "--workspace", "--locked", "--no-fail-fast"])
        .args(args)
        .env(test_support::harness::VENV_ENV, harness.venv())
        .env(test_support::harness::LOCALSTACK_VENV_ENV, localstack))
}

fn lint() -> Result<()> {
    run(cargo().args(["fmt", "--all", "--", "--check"]))
        .context("code is not formatted: run `cargo fmt --all`")?;
    run(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--locked",
        "--",
        "-D",
        "warnings",
    ]))?;
    run(cargo()
        .args(["doc", "--workspace", "--no-deps", "--locked"])
        .env("RUSTDOCFLAGS", "-D warnings"))?;
    // The fuzz target is a workspace of its own; keep it compiling (without libFuzzer).
    run(cargo()
        .args([
            "clippy",
            "--locked",
            "--no-default-features",
            "--manifest-path",
        ])
        .arg(FUZZ_MANIFEST)
        .args(["--", "-D", "warnings"]))?;
    tidy::check()
}

const FUZZ_MANIFEST: &str = "crates/cidr-registry/fuzz/Cargo.toml";

/// `cargo fuzz run registry_loader`, seeded with the registries of `fixtures/cidr`.
fn fuzz(seconds: u64) -> Result<()> {
    let installed = cargo()
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|output| output.status.success());
    if !installed {
        run(cargo().args(["install", "cargo-fuzz", "--locked", "--version", "0.13.2"]))?;
    }
    let corpus = project_root().join("target/fuzz-corpus/registry_loader");
    std::fs::create_dir_all(&corpus)?;
    let fixtures = project_root().join("fixtures/cidr");
    let seeds = std::fs::read_dir(fixtures.join("cases"))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "yaml")
        })
        .chain([fixtures.join("repo/cidr-registry.yaml")]);
    for seed in seeds {
        let name = seed.file_name().context("a file name")?;
        std::fs::copy(&seed, corpus.join(name))?;
    }
    run(cargo()
        .current_dir(project_root().join("crates/cidr-registry"))
        .env("RUSTC_BOOTSTRAP", "1")
        .args(["fuzz", "run", "registry_loader"])
        .arg(&corpus)
        .args([
            "--",
            &format!("-max_total_time={seconds}"),
            "-max_len=16384",
            "-timeout=10",
        ]))
}

fn moto(port: u16) -> Result<()> {
    let harness = venv::ensure()?;
    let options = test_support::MotoOptions {
        port: Some(port),
        ..Default::default()
    };
    let server =
        test_support::MotoServer::start(&harness, &options).map_err(|e| anyhow::anyhow!("{e}"))?;
    eprintln!(
        "[xtask] moto is listening on {} (Ctrl-C stops it)",
        server.endpoint()
    );
    eprintln!(
        "  export AWS_ENDPOINT_URL={} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test",
        server.endpoint()
    );
    eprintln!(
        "  export {}={}   # tests then use this server",
        test_support::harness::MOTO_ENDPOINT_ENV,
        server.endpoint()
    );
    loop {
        std::thread::park();
    }
}
