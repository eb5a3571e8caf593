//! `cargo xtask bench TARGET`: whole commands timed side by side with their peers, in one
//! run, against one emulator; reported as ratios against the targets of the issues.
//! Benchmarks are not tests: nothing here runs in `cargo xtask test`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::json;
use test_support::{MotoOptions, MotoServer};

use crate::{project_root, venv};

mod audit;
mod cidr;
mod destroy;
mod remote_state;

/// What to benchmark.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum Target {
    /// The first client-centric provision and the no-op re-run, against the aws CLI
    /// applying the same settings one call at a time.
    Provision,
    /// Generating 1,000 tenants x 5 backend files, and check-sync over those 5,000 files.
    Backends,
    /// Validating registries of 1k to 1M clients, against a PyYAML + ipaddress validator.
    Cidr,
    /// Auditing 6 and 100 buckets, against the aws CLI checks one call at a time and (with
    /// --prowler) Prowler's S3 checks.
    Audit,
    /// Emptying and deleting 10,000 versions + 500 delete markers + 5 uploads, against s5cmd
    /// and the aws CLI loop of the original script.
    Destroy,
    /// Verifying 5,000 states x 3 versions, against a bash + aws CLI loop checking each
    /// state's digest one call at a time.
    RemoteState,
}

/// One measured command.
struct Measure {
    label: &'static str,
    times: Vec<Duration>,
}

impl Measure {
    fn median(&self) -> Duration {
        let mut times = self.times.clone();
        times.sort();
        times[times.len() / 2]
    }
}

pub(crate) fn run(target: Target, runs: usize, prowler: bool) -> Result<()> {
    match target {
        Target::Audit => audit::run(runs.max(1), prowler),
        Target::Destroy => destroy::run(runs.max(1)),
        Target::Provision => provision(runs.max(1)),
        Target::Backends => backends(runs.max(1)),
        Target::Cidr => cidr::run(runs.max(1)),
        Target::RemoteState => remote_state::run(runs.max(1)),
    }
}

/// Builds release binaries and returns the directory they are in.
fn build_release(binaries: &[&str]) -> Result<PathBuf> {
    let mut command = Command::new(env!("CARGO"));
    command.args(["build", "--release", "--quiet", "--locked"]);
    for binary in binaries {
        command.args(["--bin", binary]);
    }
    crate::run(&mut command)?;
    crate::profile_dir("release")
}

/// A command in a clean AWS environment pointed at the emulator, with `bin` first on PATH.
fn command(program: &Path, dir: &Path, server: &MotoServer, bin: Option<&Path>) -> Result<Command> {
    let program = program.to_str().context("a UTF-8 path")?;
    let mut command = test_support::cli::command(program, dir, Some(server.endpoint()));
    if let Some(bin) = bin {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let paths = std::iter::once(bin.to_owned()).chain(std::env::split_paths(&path));
        command.env("PATH", std::env::join_paths(paths)?);
    }
    command
        .env("AWS_DEFAULT_REGION", "us-east-2")
        .env("NO_COLOR", "1");
    Ok(command)
}

fn timed(command: &mut Command) -> Result<Duration> {
    let started = Instant::now();
    let output = command.output().context("run the benchmarked command")?;
    let elapsed = started.elapsed();
    if !output.status.success() {
        bail!(
            "{:?} failed ({}):\n{}",
            command.get_program(),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(elapsed)
}

fn provision(runs: usize) -> Result<()> {
    let harness = venv::ensure()?;
    let bench_bin = venv::ensure_bench()?;
    let release = build_release(&["provision-s3-client-centric"])?;
    let tool = release.join("provision-s3-client-centric");
    let baseline = project_root().join("xtask/bench/provision-baseline.sh");
    let server =
        MotoServer::start(&harness, &MotoOptions::default()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let dir = project_workdir()?;

    let mut first = Measure {
        label: "toolkit: first provision (5 buckets + table)",
        times: Vec::new(),
    };
    let mut rerun = Measure {
        label: "toolkit: no-op re-run",
        times: Vec::new(),
    };
    for run in 0..runs {
        let project = format!("bench-tk-{run}");
        let args = [
            "--region",
            "us-east-2",
            "--environment",
            "production",
            "--project-name",
            &project,
        ];
        first.times.push(timed(
            command(&tool, &dir, &server, None)?
                .args(args)
                .arg("--force"),
        )?);
        rerun
            .times
            .push(timed(command(&tool, &dir, &server, None)?.args(args))?);
    }
    let baseline_runs = runs.min(2);
    let mut cli = Measure {
        label: "BASELINE: aws CLI, one call at a time",
        times: Vec::new(),
    };
    for run in 0..baseline_runs {
        let project = format!("bench-cli-{run}");
        let table = format!("locks-{project}");
        let mut command = command(Path::new("bash"), &dir, &server, Some(&bench_bin))?;
        command
            .arg(&baseline)
            .args([project.as_str(), "us-east-2", "production", table.as_str()]);
        cli.times.push(timed(&mut command)?);
    }

    let speedup = cli.median().as_secs_f64() / first.median().as_secs_f64();
    let rerun_share = rerun.median().as_secs_f64() / first.median().as_secs_f64();
    println!("provision benchmark: moto on 127.0.0.1, release build, median of runs");
    for measure in [&first, &rerun, &cli] {
        println!(
            "  {:<46} {:>8.3} s  ({} runs)",
            measure.label,
            measure.median().as_secs_f64(),
            measure.times.len()
        );
    }
    let checks = [
        (
            format!("first provision {speedup:.0}x faster than the baseline (target >= 20x)"),
            speedup >= 20.0,
        ),
        (
            format!("no-op re-run takes {rerun_share:.2} of the first provision (target <= 0.5)"),
            rerun_share <= 0.5,
        ),
    ];
    for (text, pass) in &checks {
        println!("  {} {text}", if *pass { "PASS" } else { "FAIL" });
    }
    let results = json!({
        "benchmark": "provision",
        "runs": runs,
        "toolkit_first_provision_s": first.median().as_secs_f64(),
        "toolkit_rerun_s": rerun.median().as_secs_f64(),
        "baseline_aws_cli_s": cli.median().as_secs_f64(),
        "speedup_vs_baseline": speedup,
        "rerun_over_first": rerun_share,
    });
    let out = project_root().join("target/bench");
    std::fs::create_dir_all(&out)?;
    std::fs::write(
        out.join("provision.json"),
        serde_json::to_string_pretty(&results)?,
    )?;
    println!("  results: target/bench/provision.json");
    let _ = std::fs::remove_dir_all(&dir);
    if checks.iter().any(|(_, pass)| !pass) {
        bail!("a provision target was missed");
    }
    Ok(())
}

fn backends(runs: usize) -> Result<()> {
    let harness = venv::ensure()?;
    let release = build_release(&["manage-tenant-backends", "provision-s3-infrastructure"])?;
    let server =
        MotoServer::start(&harness, &MotoOptions::default()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let tenants: Vec<String> = (0..1000).map(|n| format!("tenant-{n:04}")).collect();
    let tenant_list = tenants.join(",");
    let mut generate = Measure {
        label: "generate 1,000 tenants x 5 files (--offline)",
        times: Vec::new(),
    };
    let mut check = Measure {
        label: "check-sync over 5,000 files (bucket + table probed)",
        times: Vec::new(),
    };
    // Every run writes into a directory of its own, and all are removed only at the end:
    // ext4 allocates inodes slowly right after mass deletions nearby, which a user's fresh
    // checkout never sees.
    let work = tempfile_dir()?;
    for run in 0..runs {
        let dir = work.join(format!("backends-{run}"));
        std::fs::create_dir_all(dir.join(".git"))?;
        let project = format!("bench-backends-{run}");
        let flags = [
            "--region",
            "us-east-2",
            "--environment",
            "production",
            "--project-name",
            project.as_str(),
        ];
        timed(
            command(
                &release.join("provision-s3-infrastructure"),
                &dir,
                &server,
                None,
            )?
            .args(flags)
            .arg("--force"),
        )?;
        let tool = release.join("manage-tenant-backends");
        generate.times.push(timed(
            command(&tool, &dir, &server, None)?.args(flags).args([
                "--create-tenant",
                "--offline",
                "--tenant",
                tenant_list.as_str(),
            ]),
        )?);
        let files = count_files(&dir.join("backends"))?;
        if files != 5000 {
            bail!("expected 5,000 backend files, found {files}");
        }
        check.times.push(timed(
            command(&tool, &dir, &server, None)?
                .args(flags)
                .arg("--check-sync"),
        )?);
    }
    let _ = std::fs::remove_dir_all(&work);
    println!("backends benchmark: release build, moto on 127.0.0.1, median of {runs} runs");
    for measure in [&generate, &check] {
        println!(
            "  {:<52} {:>7.3} s",
            measure.label,
            measure.median().as_secs_f64()
        );
    }
    let checks = [
        (
            "generation under 1 s",
            generate.median() < Duration::from_secs(1),
        ),
        (
            "check-sync under 1 s",
            check.median() < Duration::from_secs(1),
        ),
    ];
    for (text, pass) in &checks {
        println!("  {} {text}", if *pass { "PASS" } else { "FAIL" });
    }
    write_results(
        "backends",
        &json!({
            "benchmark": "backends",
            "runs": runs,
            "generate_5000_files_s": generate.median().as_secs_f64(),
            "check_sync_5000_files_s": check.median().as_secs_f64(),
        }),
    )?;
    if checks.iter().any(|(_, pass)| !pass) {
        bail!("a backends target was missed");
    }
    Ok(())
}

fn count_files(dir: &Path) -> Result<usize> {
    let mut count = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        count += if entry.file_type()?.is_dir() {
            count_files(&entry.path())?
        } else {
            1
        };
    }
    Ok(count)
}

/// Writes a benchmark's results to target/bench/NAME.json.
fn write_results(name: &str, results: &serde_json::Value) -> Result<()> {
    let out = project_root().join("target/bench");
    std::fs::create_dir_all(&out)?;
    std::fs::write(
        out.join(format!("{name}.json")),
        serde_json::to_string_pretty(results)?,
    )?;
    println!("  results: target/bench/{name}.json");
    Ok(())
}

/// A repository root for provisioning runs: each project gets its own lock table
/// (`shared-config.toml`), so every run is a first provision.
fn project_workdir() -> Result<PathBuf> {
    let dir = tempfile_dir()?;
    std::fs::write(
        dir.join("shared-config.toml"),
        "[naming]\nlock_table = \"locks-{project}\"\n",
    )?;
    std::fs::create_dir_all(dir.join(".git"))?;
    Ok(dir)
}

fn tempfile_dir() -> Result<PathBuf> {
    let dir = project_root().join(format!("target/bench/work-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
