//! The migrate half of `cargo xtask bench remote-state`: `manage-remote-state migrate` of
//! 1,000 tenant states (three versions each) to the client-centric layout, the current
//! version and then every version, against the bash + aws CLI loop a team would write
//! (copy-object, put-item per state), over a sample of 50 states scaled to the whole set.
//! Each run starts from a bucket of its own, filled alike.

use anyhow::{Context, Result, bail};
use serde_json::json;
use test_support::{FaultProxy, MotoServer};

use super::{REGION, Row, VERSIONS, baseline, compare, fill, measured, passed};

const STATES: usize = 1_000;
const SAMPLE: usize = 50;
const TABLE: &str = "bench-migrate-locks";
const PROJECT: &str = "bench";

fn old_key(index: usize) -> String {
    format!("tenants/t{index:04}/layers/foundation/production/terraform.tfstate")
}

fn new_key(index: usize) -> String {
    format!(
        "providers/aws/regions/{REGION}/clients/t{index:04}/layers/foundation/terraform.tfstate"
    )
}

/// One `migrate` run over its own bucket, and the check that it wrote a backend file a
/// state.
fn toolkit(
    tool: &'static str,
    server: &MotoServer,
    program: &std::path::Path,
    dir: &std::path::Path,
    (bucket, table): (&str, &str),
    extra: &[&str],
) -> Result<Row> {
    let proxy = FaultProxy::start(server.endpoint(), Vec::new());
    let backends = dir.join(format!("backends-{bucket}"));
    let mut command = test_support::cli::command(
        program.to_str().context("a UTF-8 path")?,
        dir,
        Some(proxy.endpoint()),
    );
    command
        .env("NO_COLOR", "1")
        .args(["--region", REGION, "--bucket", bucket, "--table", table])
        .args(["--project-name", PROJECT, "--environment", "production"])
        .args([
            "migrate",
            "--from-scheme",
            "tenant",
            "--to-scheme",
            "client-centric",
        ])
        .arg("--backends-dir")
        .arg(&backends)
        .arg("--force")
        .args(extra);
    let row = measured(tool, STATES, server, &proxy, &mut command)?;
    let files = crate::bench::count_files(&backends)?;
    if files != STATES {
        bail!("{tool} wrote {files} backend files for {STATES} states");
    }
    Ok(row)
}

/// Runs the migrate benchmark: its table's rows as JSON, and whether its targets were met.
pub(super) fn run(
    server: &MotoServer,
    runtime: &tokio::runtime::Runtime,
    program: &std::path::Path,
    bench_bin: &std::path::Path,
    dir: &std::path::Path,
) -> Result<(serde_json::Value, bool)> {
    let keys: Vec<String> = (0..STATES).map(old_key).collect();
    eprintln!(
        "[xtask] writing {STATES} tenant states x {VERSIONS} versions into two buckets, and {SAMPLE} into a third"
    );
    let (current_bucket, every_bucket, loop_bucket) = (
        "bench-migrate-current",
        "bench-migrate-every",
        "bench-migrate-loop",
    );
    let tables = [
        format!("{TABLE}-current"),
        format!("{TABLE}-every"),
        format!("{TABLE}-loop"),
    ];
    runtime.block_on(async {
        fill(server, current_bucket, &tables[0], &keys).await?;
        fill(server, every_bucket, &tables[1], &keys).await?;
        fill(server, loop_bucket, &tables[2], &keys[..SAMPLE]).await
    })?;
    let current = toolkit(
        "manage-remote-state migrate (current version)",
        server,
        program,
        dir,
        (current_bucket, &tables[0]),
        &[],
    )?;
    let every = toolkit(
        "manage-remote-state migrate --all-versions",
        server,
        program,
        dir,
        (every_bucket, &tables[1]),
        &["--all-versions"],
    )?;
    let args: Vec<String> = [loop_bucket.to_owned(), tables[2].clone()]
        .into_iter()
        .chain((0..SAMPLE).flat_map(|index| [old_key(index), new_key(index)]))
        .collect();
    let moves = baseline(server, bench_bin, dir, "migrate-baseline.sh", &args, SAMPLE)?;
    let moved = compare(
        &format!("remote-state benchmark: migrate {STATES} states x {VERSIONS} versions"),
        &[&current, &every],
        &moves,
        STATES,
        "it copies the current version and writes the digest from the ETag, with no lock and no read-back",
    );
    let speedup = |row: &Row| moved.speedup(row);
    let ok = passed(&[(
        format!(
            "migrate of the current version, the loop's moves, {:.0}x faster than the loop (target >= 50x)",
            speedup(&current)
        ),
        speedup(&current) >= 50.0,
    )]);
    Ok((
        json!({
            "states": STATES,
            "versions_per_state": VERSIONS,
            "baseline_sample_states": SAMPLE,
            "baseline_scaled_s": moved.loop_per_state * STATES as f64,
            "rows": moved.rows,
        }),
        ok,
    ))
}
