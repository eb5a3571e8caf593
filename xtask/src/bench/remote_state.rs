//! `cargo xtask bench remote-state`: `manage-remote-state verify` over 5,000 states of three
//! versions each, against the bash + aws CLI loop that checks one state at a time
//! (get-object, md5sum, get-item), on one moto, each through a recording proxy so the
//! requests a state costs are counted. The loop runs over a sample of 100 states (at about
//! a second a state, all 5,000 would take well over an hour) and its time is scaled to the
//! whole set; the toolkit verifies the whole set, every version.

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
}

impl Row {
    fn per_state(&self) -> Duration {
        self.time / self.states as u32
    }
}

fn measured(
    tool: &'static str,
    states: usize,
    proxy: &FaultProxy,
    command: &mut std::process::Command,
) -> Result<Row> {
    let started = Instant::now();
    let output = command.output().context("run the benchmarked command")?;
    let time = started.elapsed();
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
    })
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

    let mut toolkit = Vec::new();
    for _ in 0..runs.min(3) {
        let proxy = FaultProxy::start(server.endpoint(), Vec::new());
        let program = release.join("manage-remote-state");
        let mut command = test_support::cli::command(
            program.to_str().context("a UTF-8 path")?,
            &dir,
            Some(proxy.endpoint()),
        );
        command.env("NO_COLOR", "1").args([
            "--region", REGION, "--bucket", BUCKET, "--table", TABLE, "verify",
        ]);
        toolkit.push(measured(
            "manage-remote-state verify (toolkit)",
            STATES,
            &proxy,
            &mut command,
        )?);
    }
    toolkit.sort_by_key(|row| row.time);
    let toolkit = toolkit.swap_remove(toolkit.len() / 2);

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
        &proxy,
        &mut command,
    )?;

    let baseline_whole = baseline.per_state().as_secs_f64() * STATES as f64;
    let speedup = baseline_whole / toolkit.time.as_secs_f64();
    let per_state = |row: &Row| row.requests as f64 / row.states as f64;
    let dynamodb_per_state = toolkit.dynamodb as f64 / STATES as f64;
    println!(
        "remote-state benchmark: verify {STATES} states x {VERSIONS} versions, moto on 127.0.0.1, release build"
    );
    println!(
        "  {:<48} {:>9} {:>11} {:>10} {:>9}",
        "tool", "states", "time", "per state", "req/state"
    );
    for row in [&toolkit, &baseline] {
        println!(
            "  {:<48} {:>9} {:>9.2} s {:>7.2} ms {:>9.2}",
            row.tool,
            row.states,
            row.time.as_secs_f64(),
            row.per_state().as_secs_f64() * 1000.0,
            per_state(row)
        );
    }
    println!(
        "  the loop scaled to {STATES} states: {baseline_whole:.0} s; the toolkit's DynamoDB requests: {} ({dynamodb_per_state:.4} a state)",
        toolkit.dynamodb
    );
    let checks = [
        (
            format!("verify {speedup:.0}x faster than the loop (target >= 100x)"),
            speedup >= 100.0,
        ),
        (
            format!(
                "digest rows read in batches: {dynamodb_per_state:.4} DynamoDB requests a state (target < 0.1)"
            ),
            dynamodb_per_state < 0.1,
        ),
    ];
    for (text, pass) in &checks {
        println!("  {} {text}", if *pass { "PASS" } else { "FAIL" });
    }
    write_results(
        "remote-state",
        &json!({
            "benchmark": "remote-state",
            "states": STATES,
            "versions_per_state": VERSIONS,
            "toolkit_s": toolkit.time.as_secs_f64(),
            "toolkit_requests": toolkit.requests,
            "toolkit_requests_per_state": per_state(&toolkit),
            "toolkit_dynamodb_requests": toolkit.dynamodb,
            "baseline_sample_states": SAMPLE,
            "baseline_sample_s": baseline.time.as_secs_f64(),
            "baseline_requests_per_state": per_state(&baseline),
            "baseline_scaled_s": baseline_whole,
            "speedup_vs_baseline": speedup,
        }),
    )?;
    let _ = std::fs::remove_dir_all(&dir);
    if checks.iter().any(|(_, pass)| !pass) {
        bail!("a remote-state target was missed");
    }
    Ok(())
}
