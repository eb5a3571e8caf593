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

use anyhow::{Context, Result, bail};
use futures::StreamExt;
use serde_json::json;
use test_support::{MotoOptions, MotoServer, aws};

use super::{Cost, Meter, Outcome, Pass, Role, Row, build_release, tempfile_dir};

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

/// Runs `command` through `meter`, to success, refusing output that reports a broken
/// state (the set is sound); what it cost.
fn measured(meter: &Meter<'_>, tool: &str, command: &mut std::process::Command) -> Result<Cost> {
    let (cost, output) =
        meter.measure(|| command.output().context("run the benchmarked command"))?;
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
    Ok(cost)
}

/// A row of `case`, over `states` states.
fn row(pass: Pass, case: &str, (tool, role): (&str, Role), cost: Cost, states: usize) -> Row {
    Row {
        pass,
        case: case.to_owned(),
        tool: tool.to_owned(),
        cost,
        units: states as f64,
        unit: "state",
        role,
        note: String::new(),
    }
}

/// One run of `manage-remote-state verify` with `extra` arguments through `meter`.
fn toolkit(
    meter: &Meter<'_>,
    tool: &str,
    program: &std::path::Path,
    dir: &std::path::Path,
    extra: &[&str],
) -> Result<Cost> {
    let mut command = super::command(program, dir, meter.endpoint(), None)?;
    command
        .args([
            "--region", REGION, "--bucket", BUCKET, "--table", TABLE, "verify",
        ])
        .args(extra);
    measured(meter, tool, &mut command)
}

/// A bash baseline with arguments `args`, with the bench virtualenv's aws CLI first on the
/// PATH, through `meter`.
fn baseline(
    meter: &Meter<'_>,
    bench_bin: &std::path::Path,
    dir: &std::path::Path,
    script: &str,
    args: &[String],
) -> Result<Cost> {
    let mut command = test_support::cli::command("bash", dir, Some(meter.endpoint()));
    let path = std::env::var_os("PATH").unwrap_or_default();
    let paths = std::iter::once(bench_bin.to_owned()).chain(std::env::split_paths(&path));
    command
        .env("PATH", std::env::join_paths(paths)?)
        .env("AWS_DEFAULT_REGION", REGION)
        .arg(project_root().join("xtask/bench").join(script))
        .args(args);
    measured(meter, BASELINE, &mut command)
}

const BASELINE: &str = "BASELINE: bash + aws CLI, a state at a time";

pub(super) fn run(_runs: usize, _prowler: bool, passes: &[Pass]) -> Result<Outcome> {
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
    let mut outcome = Outcome {
        name: "remote-state",
        title: format!(
            "remote-state benchmark: verify {STATES} states x {VERSIONS} versions, migrate {} states, release build, moto on 127.0.0.1; one run each (each is thousands of states long); the loops over a sample, per state",
            migrate::STATES
        ),
        facts: json!({
            "verify_states": STATES,
            "versions_per_state": VERSIONS,
            "verify_loop_sample": SAMPLE,
            "migrate_states": migrate::STATES,
            "migrate_loop_sample": migrate::SAMPLE,
            "verify_loop_does": "the current version's digest only, as --current does",
            "migrate_loop_does": "copy-object of the current version and put-item of the digest from the ETag; no lock, no read-back",
        }),
        ..Outcome::default()
    };
    let case = format!("verify {STATES} states");
    let loop_args: Vec<String> = [BUCKET, TABLE]
        .iter()
        .map(|arg| (*arg).to_owned())
        .chain(keys[..SAMPLE].iter().cloned())
        .collect();
    for (index, &pass) in passes.iter().enumerate() {
        let meter = Meter::start(&server, pass);
        let name = pass.name();
        // --current does the loop's checks; every version reads three times as much.
        for (tool, role, extra) in [
            (
                "manage-remote-state verify --current",
                Role::Toolkit,
                &["--current"][..],
            ),
            (
                "manage-remote-state verify (every version)",
                Role::Variant,
                &[][..],
            ),
        ] {
            let cost = toolkit(&meter, tool, &program, &dir, extra)?;
            outcome
                .rows
                .push(row(pass, &case, (tool, role), cost, STATES));
        }
        let cost = baseline(
            &meter,
            &bench_bin,
            &dir,
            "remote-state-baseline.sh",
            &loop_args,
        )?;
        outcome.rows.push(Row {
            note: format!("over {SAMPLE} states; it checks the current version's digest only, as --current does"),
            ..row(pass, &case, (BASELINE, Role::Baseline), cost, SAMPLE)
        });
        let speedup = |tool: &str| outcome.speedup(pass, &case, tool, BASELINE).unwrap_or(0.0);
        let (current, every) = (
            speedup("manage-remote-state verify --current"),
            speedup("manage-remote-state verify (every"),
        );
        let dynamodb = outcome
            .rows
            .iter()
            .filter(|row| row.role != Role::Baseline && row.case == case && row.pass.name() == name)
            .map(|row| row.cost.dynamodb)
            .max()
            .unwrap_or_default() as f64
            / STATES as f64;
        if pass.is_plain() {
            outcome.check(
                format!("{name}: verify --current, the loop's checks, {current:.0}x faster than the loop (target >= 100x)"),
                current >= 100.0,
            );
            outcome.check(
                format!("{name}: verify of every version, {VERSIONS} reads a state to the loop's one, {every:.0}x faster than the loop (target >= 50x)"),
                every >= 50.0,
            );
        }
        outcome.check(
            format!("{name}: digest rows read in batches: {dynamodb:.4} DynamoDB requests a state (target < 0.1)"),
            dynamodb < 0.1,
        );
        migrate::run(
            &mut outcome,
            (index, pass),
            &meter,
            &runtime,
            &program,
            &bench_bin,
            &dir,
        )?;
    }
    outcome.check_requests_and_busy(passes, &case);
    outcome.check_requests_and_busy(passes, &migrate::case());
    let _ = std::fs::remove_dir_all(&dir);
    Ok(outcome)
}
