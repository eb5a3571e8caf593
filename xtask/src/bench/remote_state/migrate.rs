//! The migrate half of `cargo xtask bench remote-state`: `manage-remote-state migrate` of
//! 1,000 tenant states (three versions each) to the client-centric layout, the current
//! version and then every version, against the bash + aws CLI loop a team would write
//! (copy-object, put-item per state), over a sample of 50 states scaled to the whole set.
//! Each run starts from a bucket of its own, filled alike.

use anyhow::{Result, bail};

use super::{BASELINE, REGION, VERSIONS, baseline, fill, measured, row};
use crate::bench::{Cost, Meter, Outcome, Pass, Role, Row};

pub(super) const STATES: usize = 1_000;
pub(super) const SAMPLE: usize = 50;
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

/// The migrate half's case in the table.
pub(super) fn case() -> String {
    format!("migrate {STATES} states")
}

/// One `migrate` run over its own bucket through `meter`, and the check that it wrote a
/// backend file a state.
fn toolkit(
    meter: &Meter<'_>,
    tool: &str,
    program: &std::path::Path,
    dir: &std::path::Path,
    (bucket, table): (&str, &str),
    extra: &[&str],
) -> Result<Cost> {
    let backends = dir.join(format!("backends-{bucket}"));
    let mut command = super::super::command(program, dir, meter.endpoint(), None)?;
    command
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
    let cost = measured(meter, tool, &mut command)?;
    let files = crate::bench::count_files(&backends)?;
    if files != STATES {
        bail!("{tool} wrote {files} backend files for {STATES} states");
    }
    Ok(cost)
}

/// Runs the migrate half of one pass (`index` counts the passes, so each gets buckets of
/// its own), adding its rows and goals to `outcome`.
pub(super) fn run(
    outcome: &mut Outcome,
    (index, pass): (usize, Pass),
    meter: &Meter<'_>,
    runtime: &tokio::runtime::Runtime,
    program: &std::path::Path,
    bench_bin: &std::path::Path,
    dir: &std::path::Path,
) -> Result<()> {
    let keys: Vec<String> = (0..STATES).map(old_key).collect();
    eprintln!(
        "[xtask] writing {STATES} tenant states x {VERSIONS} versions into two buckets, and {SAMPLE} into a third"
    );
    let [current_bucket, every_bucket, loop_bucket] =
        ["current", "every", "loop"].map(|name| format!("bench-migrate-{index}-{name}"));
    let tables = ["current", "every", "loop"].map(|name| format!("{TABLE}-{index}-{name}"));
    runtime.block_on(async {
        fill(meter.server, &current_bucket, &tables[0], &keys).await?;
        fill(meter.server, &every_bucket, &tables[1], &keys).await?;
        fill(meter.server, &loop_bucket, &tables[2], &keys[..SAMPLE]).await
    })?;
    let case = case();
    // The current version is the loop's move; --all-versions copies three times as much.
    for (tool, role, bucket, table, extra) in [
        (
            "manage-remote-state migrate (current version)",
            Role::Toolkit,
            &current_bucket,
            &tables[0],
            &[][..],
        ),
        (
            "manage-remote-state migrate --all-versions",
            Role::Variant,
            &every_bucket,
            &tables[1],
            &["--all-versions"][..],
        ),
    ] {
        let cost = toolkit(meter, tool, program, dir, (bucket, table), extra)?;
        outcome
            .rows
            .push(row(pass, &case, (tool, role), cost, STATES));
    }
    let args: Vec<String> = [loop_bucket.clone(), tables[2].clone()]
        .into_iter()
        .chain((0..SAMPLE).flat_map(|index| [old_key(index), new_key(index)]))
        .collect();
    let cost = baseline(meter, bench_bin, dir, "migrate-baseline.sh", &args)?;
    outcome.rows.push(Row {
        note: format!("over {SAMPLE} states; copy-object and put-item of the digest from the ETag, with no lock and no read-back"),
        ..row(pass, &case, (BASELINE, Role::Baseline), cost, SAMPLE)
    });
    let speedup = outcome
        .speedup(
            pass,
            &case,
            "manage-remote-state migrate (current",
            BASELINE,
        )
        .unwrap_or(0.0);
    if pass.is_plain() {
        outcome.check(
            format!("{}: migrate of the current version, the loop's moves, {speedup:.0}x faster than the loop (target >= 50x)", pass.name()),
            speedup >= 50.0,
        );
    }
    Ok(())
}
