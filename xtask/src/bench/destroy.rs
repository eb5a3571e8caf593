//! `cargo xtask bench destroy`: destroy-s3-buckets against s5cmd (`rm --all-versions`, then
//! `rb`) and the original script's aws CLI loop (list-object-versions + delete-objects), each
//! on an identical fresh bucket of the same emulator, run with `MOTO_S3_DEFAULT_MAX_KEYS`
//! large for every tool alike. Reports entries deleted per second and what each tool left.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::json;
use test_support::fixtures::{self, Fill};
use test_support::{MotoOptions, MotoServer, aws};

use super::{build_release, command, tempfile_dir, write_results};
use crate::{project_root, venv};

const REGION: &str = "us-east-2";

/// The fixture: 5,000 keys x 2 versions, 500 delete markers, 5 open uploads (and a
/// few `/`-terminated keys, which one popular tool leaves behind).
const FILL: Fill = Fill {
    keys: 5000,
    versions: 2,
    delete_markers: 500,
    folder_keys: 5,
    uploads: 5,
    body_size: 256,
};

/// One tool's run on its own bucket.
struct Row {
    tool: &'static str,
    time: Duration,
    /// Versions and markers left, uploads left; `None` when the bucket is gone.
    left: Option<(usize, usize)>,
}

pub(super) fn run(runs: usize) -> Result<()> {
    let harness = venv::ensure()?;
    let bench_bin = venv::ensure_bench()?;
    let release = build_release(&["destroy-s3-buckets"])?;
    let options = MotoOptions {
        env: vec![("MOTO_S3_DEFAULT_MAX_KEYS".to_owned(), "100000".to_owned())],
        ..MotoOptions::default()
    };
    let server = MotoServer::start(&harness, &options).map_err(|e| anyhow::anyhow!("{e}"))?;
    let dir = tempfile_dir()?;
    let runtime = tokio::runtime::Runtime::new()?;
    let s3 = aws::s3(&aws::sdk_config_for(server.endpoint(), REGION));
    let entries = (FILL.object_versions() + FILL.delete_markers) as f64;

    let mut rows = Vec::new();
    for run in 0..runs.min(3) {
        for tool in [
            "destroy-s3-buckets (toolkit)",
            "s5cmd rm --all-versions + rb",
            "aws CLI loop (the script)",
        ] {
            if tool.starts_with("aws") && run > 0 {
                continue; // one run of the slow baseline is enough for a ratio
            }
            let bucket = format!(
                "bench-destroy-{run}-{}",
                tool.split(' ')
                    .next()
                    .unwrap_or("x")
                    .to_lowercase()
                    .replace(['(', ')'], "")
            );
            eprintln!(
                "[xtask] filling {bucket}: {} versions, {} delete markers, {} uploads",
                FILL.object_versions(),
                FILL.delete_markers,
                FILL.uploads
            );
            runtime.block_on(async {
                fixtures::versioned_bucket(&s3, &bucket, REGION).await;
                fixtures::fill(&s3, &bucket, &FILL).await;
            });
            let mut commands: Vec<Command> = match tool {
                t if t.starts_with("destroy") => {
                    let mut c = command(&release.join("destroy-s3-buckets"), &dir, &server, None)?;
                    c.args(["--region", REGION, "--bucket", &bucket, "--force"]);
                    vec![c]
                }
                t if t.starts_with("s5cmd") => {
                    let s5cmd = bench_bin.join("s5cmd");
                    let mut rm = command(&s5cmd, &dir, &server, Some(&bench_bin))?;
                    rm.args([
                        "--endpoint-url",
                        server.endpoint(),
                        "rm",
                        "--all-versions",
                        &format!("s3://{bucket}/*"),
                    ]);
                    let mut rb = command(&s5cmd, &dir, &server, Some(&bench_bin))?;
                    rb.args([
                        "--endpoint-url",
                        server.endpoint(),
                        "rb",
                        &format!("s3://{bucket}"),
                    ]);
                    vec![rm, rb]
                }
                _ => {
                    let mut c = command(Path::new("bash"), &dir, &server, Some(&bench_bin))?;
                    c.arg(project_root().join("xtask/bench/destroy-baseline.sh"))
                        .arg(&bucket);
                    vec![c]
                }
            };
            let started = Instant::now();
            for command in &mut commands {
                // A peer that fails (s5cmd's rb on a bucket it could not empty) is part of
                // the result: what it left is measured below.
                let status = command
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .with_context(|| format!("run {tool}"))?;
                if !status.success() {
                    eprintln!(
                        "[xtask] {tool}: {:?} exited with {status}",
                        command.get_program()
                    );
                }
            }
            let time = started.elapsed();
            let left = runtime.block_on(fixtures::remaining(&s3, &bucket));
            rows.push(Row { tool, time, left });
        }
    }

    let median = |tool: &str| {
        let mut times: Vec<Duration> = rows
            .iter()
            .filter(|r| r.tool == tool)
            .map(|r| r.time)
            .collect();
        times.sort();
        times[times.len() / 2]
    };
    let ours = median("destroy-s3-buckets (toolkit)");
    let s5cmd = median("s5cmd rm --all-versions + rb");
    let cli = median("aws CLI loop (the script)");
    println!(
        "destroy benchmark: {} versions + {} delete markers + {} uploads per bucket, release build,",
        FILL.object_versions(),
        FILL.delete_markers,
        FILL.uploads
    );
    println!("  moto with MOTO_S3_DEFAULT_MAX_KEYS=100000 for every tool; median of the runs");
    println!(
        "  {:<32} {:>9} {:>12} {:>8}  left behind",
        "tool", "time", "entries/s", "runs"
    );
    let mut results = Vec::new();
    for (tool, time) in [
        ("destroy-s3-buckets (toolkit)", ours),
        ("s5cmd rm --all-versions + rb", s5cmd),
        ("aws CLI loop (the script)", cli),
    ] {
        let runs = rows.iter().filter(|r| r.tool == tool).count();
        let left = describe_left(rows.iter().filter(|r| r.tool == tool).map(|r| r.left));
        let rate = entries / time.as_secs_f64();
        println!(
            "  {tool:<32} {:>7.2} s {rate:>12.0} {runs:>8}  {left}",
            time.as_secs_f64()
        );
        results.push(json!({ "tool": tool, "seconds": time.as_secs_f64(), "entries_per_second": rate, "runs": runs, "left_behind": left }));
    }
    let ours_clean = rows
        .iter()
        .filter(|r| r.tool.starts_with("destroy"))
        .all(|r| r.left.is_none());
    let checks = [
        (
            format!(
                "faster than s5cmd: {:.2}x",
                s5cmd.as_secs_f64() / ours.as_secs_f64()
            ),
            ours < s5cmd,
        ),
        (
            format!(
                "{:.0}x faster than the aws CLI loop (target >= 10x)",
                cli.as_secs_f64() / ours.as_secs_f64()
            ),
            cli.as_secs_f64() >= 10.0 * ours.as_secs_f64(),
        ),
        (
            "the toolkit left nothing behind: every bucket gone".to_owned(),
            ours_clean,
        ),
    ];
    for (text, pass) in &checks {
        println!("  {} {text}", if *pass { "PASS" } else { "FAIL" });
    }
    write_results(
        "destroy",
        &json!({ "benchmark": "destroy", "fixture_entries": entries, "tools": results }),
    )?;
    let _ = std::fs::remove_dir_all(&dir);
    if checks.iter().any(|(_, pass)| !pass) {
        bail!("a destroy target was missed");
    }
    Ok(())
}

/// What a tool left in its buckets, in words.
fn describe_left(left: impl Iterator<Item = Option<(usize, usize)>>) -> String {
    let mut words = Vec::new();
    for run in left {
        words.push(match run {
            None => "nothing (bucket gone)".to_owned(),
            Some((0, 0)) => "an empty bucket".to_owned(),
            Some((entries, uploads)) => format!("bucket with {entries} entries, {uploads} uploads"),
        });
    }
    words.dedup();
    words.join("; ")
}
