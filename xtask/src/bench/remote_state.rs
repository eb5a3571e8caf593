//! `cargo xtask bench remote-state`: `manage-remote-state verify` over 5,000 states of three
//! versions each, against the bash + aws CLI loop that checks one state at a time
//! (get-object, md5sum, get-item), on one moto. Each tool goes through a recording proxy,
//! so the requests a state costs are counted, and moto's CPU time is read, so its busy
//! share over a run says whether the tool is bounded by the emulator. The loop runs over a
//! sample of 100 states (at about a second a state, all 5,000 would take well over an
//! hour) and its time is scaled to the whole set. The toolkit verifies the whole set
//! twice: every version (serials and lineage across the history, three reads a state), and
//! `--current` (the loop's checks: the current version against its digest row, one read a
//! state).

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use futures::StreamExt;
use serde_json::json;
use test_support::{FaultProxy, MotoOptions, MotoServer, aws};

use super::{build_release, tempfile_dir, write_results};

mod migrate;
use crate::{project_root, venv};

const REGION: &str = "us-east-2";
const STATES: usize = 5_000;
const VERSIONS: u64 = 3;
const SAMPLE: usize = 100;
const BUCKET: &str = "bench-remote-states";
const TABLE: &str = "bench-remote-locks";

fn key(index: usize) -> String {
    format!("tenants/t{index:04}/terraform.tfstate")
}

fn state(index: usize, serial: u64) -> Vec<u8> {
    format!(
        r#"{{"version":4,"terraform_version":"1.0.3","serial":{serial},"lineage":"lineage-{index}","outputs":{{"id":{{"value":"v{serial}","type":"string"}}}},"resources":[]}}"#
    )
    .into_bytes()
}

/// Writes `keys` (`VERSIONS` versions each) into a new versioned `bucket`, and their
/// digest rows into a new `table`.
async fn fill(server: &MotoServer, bucket: &str, table: &str, keys: &[String]) -> Result<()> {
    let config = aws::sdk_config_for(server.endpoint(), REGION);
    let (s3, dynamodb) = (aws::s3(&config), aws::dynamodb(&config));
    test_support::fixtures::versioned_bucket(&s3, bucket, REGION).await;
    aws::create_table(&dynamodb, table, "LockID").await;
    let writes = futures::stream::iter(keys.iter().enumerate())
        .map(|(index, key)| {
            let (s3, dynamodb) = (s3.clone(), dynamodb.clone());
            async move {
                for serial in 1..=VERSIONS {
                    s3.put_object()
                        .bucket(bucket)
                        .key(key)
                        .body(state(index, serial).into())
                        .send()
                        .await
                        .context("PutObject")?;
                }
                let digest = remote_state::records::md5_hex(&state(index, VERSIONS));
                dynamodb
                    .put_item()
                    .table_name(table)
                    .item(
                        "LockID",
                        aws::aws_sdk_dynamodb::types::AttributeValue::S(
                            remote_state::records::digest_id(bucket, key),
                        ),
                    )
                    .item(
                        "Digest",
                        aws::aws_sdk_dynamodb::types::AttributeValue::S(digest),
                    )
                    .send()
                    .await
                    .context("PutItem")?;
                Ok::<_, anyhow::Error>(())
            }
        })
        .buffer_unordered(32)
        .collect::<Vec<_>>()
        .await;
    writes.into_iter().collect()
}

/// One tool's run through its own recording proxy.
struct Row {
    tool: &'static str,
    states: usize,
    time: Duration,
    requests: usize,
    dynamodb: usize,
    /// moto's CPU seconds over the run's wall time.
    busy: f64,
}

impl Row {
    fn per_state(&self) -> Duration {
        self.time / self.states as u32
    }
}

fn measured(
    tool: &'static str,
    states: usize,
    server: &MotoServer,
    proxy: &FaultProxy,
    command: &mut std::process::Command,
) -> Result<Row> {
    let cpu = || server.cpu_seconds().unwrap_or(f64::NAN);
    let (started, cpu_before) = (Instant::now(), cpu());
    let output = command.output().context("run the benchmarked command")?;
    let (time, cpu_after) = (started.elapsed(), cpu());
    if !output.status.success() {
        bail!(
            "{tool} failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    if ["MISMATCH", "UNREADABLE", "FAILED"]
        .iter()
        .any(|word| stdout.contains(word))
    {
        bail!("{tool} found a broken state in a sound set, or failed one:\n{stdout}");
    }
    let requests = proxy.requests();
    let dynamodb = requests
        .iter()
        .filter(|request| {
            request
                .header("x-amz-target")
                .is_some_and(|target| target.starts_with("DynamoDB"))
        })
        .count();
    Ok(Row {
        tool,
        states,
        time,
        requests: requests.len(),
        dynamodb,
        busy: (cpu_after - cpu_before) / time.as_secs_f64(),
    })
}

/// The median of `runs` runs of `manage-remote-state verify` with `extra` arguments.
fn toolkit(
    tool: &'static str,
    runs: usize,
    server: &MotoServer,
    program: &std::path::Path,
    dir: &std::path::Path,
    extra: &[&str],
) -> Result<Row> {
    let mut rows = Vec::new();
    for _ in 0..runs.clamp(1, 3) {
        let proxy = FaultProxy::start(server.endpoint(), Vec::new());
        let mut command = test_support::cli::command(
            program.to_str().context("a UTF-8 path")?,
            dir,
            Some(proxy.endpoint()),
        );
        command
            .env("NO_COLOR", "1")
            .args([
                "--region", REGION, "--bucket", BUCKET, "--table", TABLE, "verify",
            ])
            .args(extra);
        rows.push(measured(tool, STATES, server, &proxy, &mut command)?);
    }
    rows.sort_by_key(|row| row.time);
    Ok(rows.swap_remove(rows.len() / 2))
}

/// A bash baseline over `states` states given in `args`, with the bench virtualenv's aws
/// CLI first on the PATH.
fn baseline(
    server: &MotoServer,
    bench_bin: &std::path::Path,
    dir: &std::path::Path,
    script: &str,
    args: &[String],
    states: usize,
) -> Result<Row> {
    let proxy = FaultProxy::start(server.endpoint(), Vec::new());
    let mut command = test_support::cli::command("bash", dir, Some(proxy.endpoint()));
    let path = std::env::var_os("PATH").unwrap_or_default();
    let paths = std::iter::once(bench_bin.to_owned()).chain(std::env::split_paths(&path));
    command
        .env("PATH", std::env::join_paths(paths)?)
        .env("AWS_DEFAULT_REGION", REGION)
        .arg(project_root().join("xtask/bench").join(script))
        .args(args);
    measured(
        "BASELINE: bash + aws CLI, one state at a time",
        states,
        server,
        &proxy,
        &mut command,
    )
}

/// Rows beside the loop they are compared with.
struct Comparison {
    /// The loop's seconds a state.
    loop_per_state: f64,
    /// Each row's JSON.
    rows: Vec<serde_json::Value>,
}

impl Comparison {
    /// How many times faster a state than the loop.
    fn speedup(&self, row: &Row) -> f64 {
        self.loop_per_state / row.per_state().as_secs_f64()
    }
}

/// Prints `rows` and the loop, the loop's time scaled to `states` and `note` on what it
/// does.
fn compare(title: &str, rows: &[&Row], looped: &Row, states: usize, note: &str) -> Comparison {
    let mut comparison = Comparison {
        loop_per_state: looped.per_state().as_secs_f64(),
        rows: Vec::new(),
    };
    let per_state = |row: &Row| row.requests as f64 / row.states as f64;
    println!("{title}, moto on 127.0.0.1, release build");
    println!(
        "  {:<46} {:>6} {:>10} {:>10} {:>9} {:>9} {:>9}",
        "tool", "states", "time", "per state", "req/state", "vs loop", "moto busy"
    );
    for row in rows.iter().copied().chain([looped]) {
        println!(
            "  {:<46} {:>6} {:>8.2} s {:>7.2} ms {:>9.2} {:>8.0}x {:>9.2}",
            row.tool,
            row.states,
            row.time.as_secs_f64(),
            row.per_state().as_secs_f64() * 1000.0,
            per_state(row),
            comparison.speedup(row),
            row.busy,
        );
        comparison.rows.push(json!({
            "tool": row.tool,
            "states": row.states,
            "seconds": row.time.as_secs_f64(),
            "requests": row.requests,
            "requests_per_state": per_state(row),
            "dynamodb_requests": row.dynamodb,
            "moto_busy": row.busy,
            "speedup_vs_baseline": comparison.speedup(row),
        }));
    }
    println!(
        "  the loop (run over {} states) scaled to {states}: {:.0} s; {note}",
        looped.states,
        comparison.loop_per_state * states as f64
    );
    comparison
}

/// Prints each check; whether all passed.
fn passed(checks: &[(String, bool)]) -> bool {
    for (text, pass) in checks {
        println!("  {} {text}", if *pass { "PASS" } else { "FAIL" });
    }
    checks.iter().all(|(_, pass)| *pass)
}

pub(super) fn run(runs: usize) -> Result<()> {
    let harness = venv::ensure()?;
    let bench_bin = venv::ensure_bench()?;
    let release = build_release(&["manage-remote-state"])?;
    let server =
        MotoServer::start(&harness, &MotoOptions::default()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let dir = tempfile_dir()?;
    let program = release.join("manage-remote-state");

    eprintln!(
        "[xtask] writing {STATES} states x {VERSIONS} versions and their digest rows into moto"
    );
    let keys: Vec<String> = (0..STATES).map(key).collect();
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(fill(&server, BUCKET, TABLE, &keys))?;
    let every = toolkit(
        "manage-remote-state verify (every version)",
        runs,
        &server,
        &program,
        &dir,
        &[],
    )?;
    let current = toolkit(
        "manage-remote-state verify --current",
        runs,
        &server,
        &program,
        &dir,
        &["--current"],
    )?;
    let args: Vec<String> = [BUCKET, TABLE]
        .iter()
        .map(|arg| (*arg).to_owned())
        .chain(keys[..SAMPLE].iter().cloned())
        .collect();
    let verify_loop = baseline(
        &server,
        &bench_bin,
        &dir,
        "remote-state-baseline.sh",
        &args,
        SAMPLE,
    )?;
    let verified = compare(
        &format!("remote-state benchmark: verify {STATES} states x {VERSIONS} versions"),
        &[&every, &current],
        &verify_loop,
        STATES,
        "it checks the current version's digest only, as --current does; verify without --current also reads every older version for its serial and lineage",
    );
    let speedup = |row: &Row| verified.speedup(row);
    let dynamodb = every.dynamodb.max(current.dynamodb) as f64 / STATES as f64;
    let verify_passed = passed(&[
        (
            format!(
                "verify --current, the loop's checks, {:.0}x faster than the loop (target >= 100x)",
                speedup(&current)
            ),
            speedup(&current) >= 100.0,
        ),
        (
            format!(
                "verify of every version, {VERSIONS} reads a state to the loop's one, {:.0}x faster than the loop (target >= 50x)",
                speedup(&every)
            ),
            speedup(&every) >= 50.0,
        ),
        (
            format!(
                "digest rows read in batches: {dynamodb:.4} DynamoDB requests a state (target < 0.1)"
            ),
            dynamodb < 0.1,
        ),
    ]);

    let (migrate_rows, migrate_passed) =
        migrate::run(&server, &runtime, &program, &bench_bin, &dir)?;
    write_results(
        "remote-state",
        &json!({
            "benchmark": "remote-state",
            "verify": {
                "states": STATES,
                "versions_per_state": VERSIONS,
                "baseline_sample_states": SAMPLE,
                "baseline_scaled_s": verified.loop_per_state * STATES as f64,
                "rows": verified.rows,
            },
            "migrate": migrate_rows,
        }),
    )?;
    let _ = std::fs::remove_dir_all(&dir);
    if !(verify_passed && migrate_passed) {
        bail!("a remote-state target was missed");
    }
    Ok(())
}
