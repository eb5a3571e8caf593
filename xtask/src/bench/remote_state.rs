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

/// Writes the 5,000 states (three versions each) and their digest rows.
async fn fill(server: &MotoServer) -> Result<()> {
    let config = aws::sdk_config_for(server.endpoint(), REGION);
    let (s3, dynamodb) = (aws::s3(&config), aws::dynamodb(&config));
    test_support::fixtures::versioned_bucket(&s3, BUCKET, REGION).await;
    aws::create_table(&dynamodb, TABLE, "LockID").await;
    let writes = futures::stream::iter(0..STATES)
        .map(|index| {
            let (s3, dynamodb) = (s3.clone(), dynamodb.clone());
            async move {
                for serial in 1..=VERSIONS {
                    s3.put_object()
                        .bucket(BUCKET)
                        .key(key(index))
                        .body(state(index, serial).into())
                        .send()
                        .await
                        .context("PutObject")?;
                }
                let digest = remote_state::records::md5_hex(&state(index, VERSIONS));
                dynamodb
                    .put_item()
                    .table_name(TABLE)
                    .item(
                        "LockID",
                        aws::aws_sdk_dynamodb::types::AttributeValue::S(
                            remote_state::records::digest_id(BUCKET, &key(index)),
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
    if stdout.contains("MISMATCH") || stdout.contains("UNREADABLE") {
        bail!("{tool} found a broken state in a sound set:\n{stdout}");
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

pub(super) fn run(runs: usize) -> Result<()> {
    let harness = venv::ensure()?;
    let bench_bin = venv::ensure_bench()?;
    let release = build_release(&["manage-remote-state"])?;
    let server =
        MotoServer::start(&harness, &MotoOptions::default()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let dir = tempfile_dir()?;
    eprintln!(
        "[xtask] writing {STATES} states x {VERSIONS} versions and their digest rows into moto"
    );
    tokio::runtime::Runtime::new()?.block_on(fill(&server))?;

    let program = release.join("manage-remote-state");
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

    let proxy = FaultProxy::start(server.endpoint(), Vec::new());
    let mut command = test_support::cli::command("bash", &dir, Some(proxy.endpoint()));
    let path = std::env::var_os("PATH").unwrap_or_default();
    let paths = std::iter::once(bench_bin.clone()).chain(std::env::split_paths(&path));
    command
        .env("PATH", std::env::join_paths(paths)?)
        .env("AWS_DEFAULT_REGION", REGION)
        .arg(project_root().join("xtask/bench/remote-state-baseline.sh"))
        .args([BUCKET, TABLE])
        .args((0..SAMPLE).map(key));
    let baseline = measured(
        "BASELINE: bash + aws CLI, one state at a time",
        SAMPLE,
        &server,
        &proxy,
        &mut command,
    )?;

    let baseline_whole = baseline.per_state().as_secs_f64() * STATES as f64;
    let speedup = |row: &Row| baseline_whole / row.time.as_secs_f64();
    let per_state = |row: &Row| row.requests as f64 / row.states as f64;
    let dynamodb_per_state = |row: &Row| row.dynamodb as f64 / row.states as f64;
    println!(
        "remote-state benchmark: verify {STATES} states x {VERSIONS} versions, moto on 127.0.0.1, release build"
    );
    println!(
        "  {:<46} {:>6} {:>10} {:>10} {:>9} {:>9} {:>8}",
        "tool", "states", "time", "per state", "req/state", "vs loop", "moto busy"
    );
    for row in [&every, &current, &baseline] {
        println!(
            "  {:<46} {:>6} {:>8.2} s {:>7.2} ms {:>9.2} {:>8.0}x {:>9.2}",
            row.tool,
            row.states,
            row.time.as_secs_f64(),
            row.per_state().as_secs_f64() * 1000.0,
            per_state(row),
            speedup(row),
            row.busy,
        );
    }
    println!(
        "  the loop (run over {SAMPLE} states) scaled to {STATES}: {baseline_whole:.0} s; it checks the current version's digest only, as --current does; verify without --current also reads every older version for its serial and lineage"
    );
    let checks = [
        (
            format!(
                "verify --current, the loop's checks, {:.0}x faster than the loop (target >= 100x)",
                speedup(&current)
            ),
            speedup(&current) >= 100.0,
        ),
        (
            format!(
                "verify of every version, {} reads a state to the loop's one, {:.0}x faster than the loop (target >= 50x)",
                VERSIONS,
                speedup(&every)
            ),
            speedup(&every) >= 50.0,
        ),
        (
            format!(
                "digest rows read in batches: {:.4} DynamoDB requests a state (target < 0.1)",
                dynamodb_per_state(&every).max(dynamodb_per_state(&current))
            ),
            dynamodb_per_state(&every).max(dynamodb_per_state(&current)) < 0.1,
        ),
    ];
    for (text, pass) in &checks {
        println!("  {} {text}", if *pass { "PASS" } else { "FAIL" });
    }
    let row_json = |row: &Row| {
        json!({
            "tool": row.tool,
            "states": row.states,
            "seconds": row.time.as_secs_f64(),
            "requests": row.requests,
            "requests_per_state": per_state(row),
            "dynamodb_requests": row.dynamodb,
            "moto_busy": row.busy,
            "speedup_vs_baseline": speedup(row),
        })
    };
    write_results(
        "remote-state",
        &json!({
            "benchmark": "remote-state",
            "states": STATES,
            "versions_per_state": VERSIONS,
            "baseline_scaled_s": baseline_whole,
            "rows": [row_json(&every), row_json(&current), row_json(&baseline)],
        }),
    )?;
    let _ = std::fs::remove_dir_all(&dir);
    if checks.iter().any(|(_, pass)| !pass) {
        bail!("a remote-state target was missed");
    }
    Ok(())
}
