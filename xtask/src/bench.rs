//! `cargo xtask bench TARGET`: whole commands timed side by side with their peers, in one
//! run, against one emulator; reported as ratios against the targets of the issues.
//! Benchmarks are not tests: nothing here runs in `cargo xtask test`.
//!
//! The AWS benchmarks (`provision`, `audit`, `destroy`, `remote-state`; `aws` runs all four)
//! send every tool's requests, the toolkit's and its peers' alike, through a recording
//! proxy ([`Meter`]), so each row says what a unit of work costs in requests, and read the
//! emulator's CPU time, so its busy share says whether a tool is bounded by the emulator
//! (near 1) or waits on itself. Each runs twice: against the emulator as it is, then with
//! AWS-like latency added by the proxy (`--latency-ms`, `--jitter-ms`), which is where the
//! requests a tool sends, and how many it keeps in flight, decide its time.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use test_support::{Fault, FaultProxy, FaultRule, MotoOptions, MotoServer};

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
    /// Auditing 6, 100 and 1,000 buckets, against the aws CLI checks one call at a time (at 6
    /// and 100) and (with --prowler) Prowler's S3 checks.
    Audit,
    /// Emptying and deleting 10,000 versions + 500 delete markers + 5 uploads, against s5cmd
    /// and the aws CLI loop of the original script.
    Destroy,
    /// Verifying 5,000 states x 3 versions, against a bash + aws CLI loop checking each
    /// state's digest one call at a time; migrating 1,000 states, against a copy loop.
    RemoteState,
    /// The four AWS benchmarks, one after the other (provision, audit, destroy,
    /// remote-state), and their tables again at the end.
    Aws,
}

/// The latency the proxy adds to every request in the second pass of an AWS benchmark.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Latency {
    /// The mean wait a request.
    pub(crate) mean: Duration,
    /// How far a wait may be off the mean, either way.
    pub(crate) jitter: Duration,
}

/// One pass of an AWS benchmark.
#[derive(Debug, Clone, Copy)]
enum Pass {
    /// The emulator as it is, on loopback.
    Plain,
    /// Every request delayed as by a service tens of milliseconds away.
    Latency(Latency),
}

impl Pass {
    /// The plain pass, then the latency pass unless its mean is zero.
    fn all(latency: Latency) -> Vec<Pass> {
        let mut passes = vec![Pass::Plain];
        if !latency.mean.is_zero() {
            passes.push(Pass::Latency(latency));
        }
        passes
    }

    fn name(self) -> String {
        match self {
            Pass::Plain => "plain".to_owned(),
            Pass::Latency(Latency { mean, jitter }) => {
                format!("{}±{} ms", mean.as_millis(), jitter.as_millis())
            }
        }
    }

    fn is_plain(self) -> bool {
        matches!(self, Pass::Plain)
    }

    fn rules(self) -> Vec<FaultRule> {
        match self {
            Pass::Plain => Vec::new(),
            Pass::Latency(Latency { mean, jitter }) => {
                vec![FaultRule::new(Fault::Jittered { mean, jitter }, 1.0)]
            }
        }
    }
}

/// A recording proxy in front of the emulator for one pass: every tool measured through
/// it has its requests counted, and delayed alike.
struct Meter<'a> {
    server: &'a MotoServer,
    proxy: FaultProxy,
}

/// What one run of a command cost.
#[derive(Debug, Clone, Copy)]
struct Cost {
    time: Duration,
    /// Requests the run sent, as the proxy saw them (retries included).
    requests: usize,
    /// Of them, DynamoDB's.
    dynamodb: usize,
    /// Of them, those that may change something (any but a read).
    writes: usize,
    /// The emulator's CPU seconds over the run's wall time: near 1, the run waited on the
    /// emulator; well under 1, on itself (or on latency).
    busy: f64,
}

impl<'a> Meter<'a> {
    fn start(server: &'a MotoServer, pass: Pass) -> Meter<'a> {
        Meter {
            server,
            proxy: FaultProxy::start(server.endpoint(), pass.rules()),
        }
    }

    /// The endpoint to point a measured tool at.
    fn endpoint(&self) -> &str {
        self.proxy.endpoint()
    }

    /// Runs `work` and says what it cost.
    fn measure<T>(&self, work: impl FnOnce() -> Result<T>) -> Result<(Cost, T)> {
        let cpu = || self.server.cpu_seconds().unwrap_or(f64::NAN);
        self.proxy.clear();
        let (started, cpu_before) = (Instant::now(), cpu());
        let value = work()?;
        let (time, cpu_after) = (started.elapsed(), cpu());
        let requests = self.proxy.requests();
        let dynamodb = requests
            .iter()
            .filter(|request| {
                request
                    .header("x-amz-target")
                    .is_some_and(|target| target.starts_with("DynamoDB"))
            })
            .count();
        let writes = requests
            .iter()
            .filter(|request| request.is_mutating())
            .count();
        let cost = Cost {
            time,
            requests: requests.len(),
            dynamodb,
            writes,
            busy: (cpu_after - cpu_before) / time.as_secs_f64(),
        };
        Ok((cost, value))
    }
}

/// One tool's measured run in a benchmark's table.
struct Row {
    pass: Pass,
    /// What was done, such as "100 buckets".
    case: String,
    tool: String,
    cost: Cost,
    /// How many units of work the run did, and what one is ("bucket").
    units: f64,
    unit: &'static str,
    role: Role,
    /// What it found or left, where that is part of the result.
    note: String,
}

/// What a row stands for in its case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// The toolkit doing the peers' work, held to the goals.
    Toolkit,
    /// The toolkit doing more than the peers (every version, say), shown beside.
    Variant,
    /// Another tool.
    Peer,
    /// The original script, which every row of its case is compared with; a peer too.
    Baseline,
}

impl Row {
    fn per_unit(&self) -> f64 {
        self.cost.time.as_secs_f64() / self.units
    }

    fn requests_per_unit(&self) -> f64 {
        self.cost.requests as f64 / self.units
    }
}

/// A benchmark's rows, and its goals with whether each was met.
#[derive(Default)]
struct Outcome {
    name: &'static str,
    title: String,
    rows: Vec<Row>,
    checks: Vec<(String, bool)>,
    /// Facts beside the rows (fixture sizes, samples), for the results file.
    facts: Value,
}

impl Outcome {
    fn check(&mut self, text: String, pass: bool) {
        self.checks.push((text, pass));
    }

    /// The row of `tool` in `case` and `pass`, by the start of its tool's name.
    fn row(&self, pass: Pass, case: &str, tool: &str) -> Option<&Row> {
        self.rows.iter().find(|row| {
            row.pass.name() == pass.name() && row.case == case && row.tool.starts_with(tool)
        })
    }

    /// How many times less time a unit took `ours` than `peer`, in `case` and `pass`.
    fn speedup(&self, pass: Pass, case: &str, ours: &str, peer: &str) -> Option<f64> {
        Some(self.row(pass, case, peer)?.per_unit() / self.row(pass, case, ours)?.per_unit())
    }

    /// The baseline's time a unit over `row`'s.
    fn versus_baseline(&self, row: &Row) -> Option<f64> {
        let baseline = self.rows.iter().find(|other| {
            other.role == Role::Baseline
                && other.case == row.case
                && other.pass.name() == row.pass.name()
        })?;
        Some(baseline.per_unit() / row.per_unit())
    }

    /// Checks, in every pass, that the toolkit sends no more requests a unit than the
    /// fewest of its peers in `case`; and in the plain pass that it is emulator-bound.
    fn check_requests_and_busy(&mut self, passes: &[Pass], case: &str) {
        for &pass in passes {
            let rows: Vec<&Row> = self
                .rows
                .iter()
                .filter(|row| row.case == case && row.pass.name() == pass.name())
                .collect();
            let Some(ours) = rows.iter().find(|row| row.role == Role::Toolkit) else {
                continue;
            };
            let best = rows
                .iter()
                .filter(|row| matches!(row.role, Role::Peer | Role::Baseline))
                .min_by(|a, b| a.requests_per_unit().total_cmp(&b.requests_per_unit()));
            let mut checks = Vec::new();
            if let Some(best) = best {
                checks.push((
                    format!(
                        "{} {case}: {:.2} requests a {} against the best peer's {:.2} ({})",
                        pass.name(),
                        ours.requests_per_unit(),
                        ours.unit,
                        best.requests_per_unit(),
                        best.tool
                    ),
                    ours.requests_per_unit() <= best.requests_per_unit() * 1.001,
                ));
            }
            if pass.is_plain() {
                checks.push((
                    format!(
                        "plain {case}: the emulator busy {:.2} of the toolkit's run (target >= 0.8)",
                        ours.cost.busy
                    ),
                    ours.cost.busy >= 0.8,
                ));
            }
            self.checks.extend(checks);
        }
    }

    /// Prints the table and the goals.
    fn print(&self) {
        println!("{}", self.title);
        println!(
            "  {:<9} {:<22} {:<40} {:>9} {:>8} {:>7} {:>11} {:>9} {:>9} {:>8}",
            "pass",
            "case",
            "tool",
            "time",
            "requests",
            "writes",
            "per unit",
            "req/unit",
            "moto busy",
            "vs base"
        );
        for row in &self.rows {
            let versus = self
                .versus_baseline(row)
                .map_or_else(|| "-".to_owned(), |x| format!("{x:.1}x"));
            println!(
                "  {:<9} {:<22} {:<40} {:>7.2} s {:>8} {:>7} {:>8.1} ms {:>9.2} {:>9.2} {:>8}",
                row.pass.name(),
                row.case,
                row.tool,
                row.cost.time.as_secs_f64(),
                row.cost.requests,
                row.cost.writes,
                row.per_unit() * 1000.0,
                row.requests_per_unit(),
                row.cost.busy,
                versus,
            );
            if !row.note.is_empty() {
                println!("  {:<9} {:<22}   {}", "", "", row.note);
            }
        }
        let units: std::collections::BTreeSet<&str> =
            self.rows.iter().map(|row| row.unit).collect();
        println!(
            "  (per unit: a {}; writes: requests that may change something; vs base: the original script's time a unit over the row's)",
            units.into_iter().collect::<Vec<_>>().join(", a ")
        );
        for (text, pass) in &self.checks {
            println!("  {} {text}", if *pass { "PASS" } else { "FAIL" });
        }
    }

    fn json(&self) -> Value {
        let rows: Vec<Value> = self
            .rows
            .iter()
            .map(|row| {
                json!({
                    "pass": row.pass.name(),
                    "case": row.case,
                    "tool": row.tool,
                    "seconds": row.cost.time.as_secs_f64(),
                    "requests": row.cost.requests,
                    "dynamodb_requests": row.cost.dynamodb,
                    "write_requests": row.cost.writes,
                    "units": row.units,
                    "unit": row.unit,
                    "seconds_per_unit": row.per_unit(),
                    "requests_per_unit": row.requests_per_unit(),
                    "moto_busy": row.cost.busy,
                    "speedup_vs_baseline": self.versus_baseline(row),
                    "note": row.note,
                })
            })
            .collect();
        let checks: Vec<Value> = self
            .checks
            .iter()
            .map(|(text, pass)| json!({ "goal": text, "met": pass }))
            .collect();
        json!({
            "benchmark": self.name,
            "date": date(),
            "cores": std::thread::available_parallelism().map_or(0, usize::from),
            "facts": self.facts,
            "rows": rows,
            "goals": checks,
        })
    }

    fn passed(&self) -> bool {
        self.checks.iter().all(|(_, pass)| *pass)
    }
}

/// Today's date, as `date -u +%F` gives it.
fn date() -> String {
    Command::new("date")
        .args(["-u", "+%F %H:%M UTC"])
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned())
        .unwrap_or_default()
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

/// An AWS benchmark: runs, Prowler asked for, the passes; its outcome.
type AwsBench = fn(usize, bool, &[Pass]) -> Result<Outcome>;

pub(crate) fn run(target: Target, runs: usize, prowler: bool, latency: Latency) -> Result<()> {
    let runs = runs.max(1);
    let passes = Pass::all(latency);
    let aws: Vec<AwsBench> = match target {
        Target::Backends => return backends(runs),
        Target::Cidr => return cidr::run(runs),
        Target::Provision => vec![provision],
        Target::Audit => vec![audit::run],
        Target::Destroy => vec![destroy::run],
        Target::RemoteState => vec![remote_state::run],
        Target::Aws => vec![provision, audit::run, destroy::run, remote_state::run],
    };
    let mut outcomes = Vec::new();
    for bench in aws {
        let outcome = bench(runs, prowler, &passes)?;
        outcome.print();
        write_results(outcome.name, &outcome.json())?;
        outcomes.push(outcome);
    }
    if outcomes.len() > 1 {
        println!("\nall four, again:");
        for outcome in &outcomes {
            outcome.print();
        }
    }
    let missed: Vec<&str> = outcomes
        .iter()
        .filter(|outcome| !outcome.passed())
        .map(|outcome| outcome.name)
        .collect();
    if !missed.is_empty() {
        bail!("a target was missed in: {}", missed.join(", "));
    }
    Ok(())
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

/// A command in a clean AWS environment pointed at `endpoint` (the emulator, or a meter's
/// proxy in front of it), with `bin` first on PATH.
fn command(program: &Path, dir: &Path, endpoint: &str, bin: Option<&Path>) -> Result<Command> {
    let program = program.to_str().context("a UTF-8 path")?;
    let mut command = test_support::cli::command(program, dir, Some(endpoint));
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

/// Runs `command` to success; how long it took.
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

/// The median of `costs` by time.
fn median(mut costs: Vec<Cost>) -> Cost {
    costs.sort_by_key(|cost| cost.time);
    costs.swap_remove(costs.len() / 2)
}

/// `provision-s3-client-centric`'s first run and its no-op re-run, against the original
/// script's aws CLI calls (which, run again, apply every setting again).
fn provision(runs: usize, _prowler: bool, passes: &[Pass]) -> Result<Outcome> {
    let harness = venv::ensure()?;
    let bench_bin = venv::ensure_bench()?;
    let release = build_release(&["provision-s3-client-centric"])?;
    let tool = release.join("provision-s3-client-centric");
    let baseline = project_root().join("xtask/bench/provision-baseline.sh");
    let server =
        MotoServer::start(&harness, &MotoOptions::default()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let dir = project_workdir()?;
    let mut outcome = Outcome {
        name: "provision",
        title: format!(
            "provision benchmark: one client-centric project (5 buckets + lock table), release build, moto on 127.0.0.1; toolkit median of {runs} runs, the script once"
        ),
        facts: json!({ "runs": runs }),
        ..Outcome::default()
    };
    let (first, rerun) = ("first provision", "no-op re-run");
    for (index, &pass) in passes.iter().enumerate() {
        let meter = Meter::start(&server, pass);
        let (mut firsts, mut reruns) = (Vec::new(), Vec::new());
        for run in 0..runs {
            let project = format!("bench-tk-{index}-{run}");
            let args = [
                "--region",
                "us-east-2",
                "--environment",
                "production",
                "--project-name",
                &project,
            ];
            let provision = || command(&tool, &dir, meter.endpoint(), None);
            firsts.push(
                meter
                    .measure(|| timed(provision()?.args(args).arg("--force")).map(drop))?
                    .0,
            );
            reruns.push(
                meter
                    .measure(|| timed(provision()?.args(args)).map(drop))?
                    .0,
            );
        }
        let project = format!("bench-cli-{index}");
        let table = format!("locks-{project}");
        let script = || -> Result<Command> {
            let mut command = command(Path::new("bash"), &dir, meter.endpoint(), Some(&bench_bin))?;
            command.arg(&baseline).args([
                project.as_str(),
                "us-east-2",
                "production",
                table.as_str(),
            ]);
            Ok(command)
        };
        let script_first = meter.measure(|| timed(&mut script()?).map(drop))?.0;
        let script_rerun = meter.measure(|| timed(&mut script()?).map(drop))?.0;
        let row = |case: &str, tool: &str, cost: Cost, ours: bool| Row {
            pass,
            case: case.to_owned(),
            tool: tool.to_owned(),
            cost,
            units: 1.0,
            unit: if case == first { "project" } else { "re-run" },
            role: if ours { Role::Toolkit } else { Role::Baseline },
            note: String::new(),
        };
        outcome.rows.extend([
            row(
                first,
                "provision-s3-client-centric (toolkit)",
                median(firsts),
                true,
            ),
            row(
                first,
                "BASELINE: the script's aws CLI calls",
                script_first,
                false,
            ),
            row(
                rerun,
                "provision-s3-client-centric (toolkit)",
                median(reruns),
                true,
            ),
            row(
                rerun,
                "BASELINE: the script's aws CLI calls",
                script_rerun,
                false,
            ),
        ]);
        let name = pass.name();
        let speedup = outcome
            .speedup(pass, first, "provision", "BASELINE")
            .unwrap_or(0.0);
        let share = outcome
            .row(pass, rerun, "provision")
            .zip(outcome.row(pass, first, "provision"))
            .map_or(f64::NAN, |(again, once)| {
                again.cost.time.as_secs_f64() / once.cost.time.as_secs_f64()
            });
        outcome.check(
            format!("{name}: first provision {speedup:.0}x faster than the script (target >= 20x)"),
            speedup >= 20.0,
        );
        outcome.check(
            format!(
                "{name}: the no-op re-run takes {share:.2} of the first provision (target <= 0.5)"
            ),
            share <= 0.5,
        );
    }
    outcome.check_requests_and_busy(passes, first);
    outcome.check_requests_and_busy(passes, rerun);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(outcome)
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
                server.endpoint(),
                None,
            )?
            .args(flags)
            .arg("--force"),
        )?;
        let tool = release.join("manage-tenant-backends");
        generate.times.push(timed(
            command(&tool, &dir, server.endpoint(), None)?
                .args(flags)
                .args([
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
            command(&tool, &dir, server.endpoint(), None)?
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
