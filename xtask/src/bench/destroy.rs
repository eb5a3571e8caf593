//! `cargo xtask bench destroy`: destroy-s3-buckets (with `--no-content-scan`, and once a
//! pass reading every version to rule state out) against s5cmd (`rm --all-versions`, then
//! `rb`) and the original script's aws CLI loop (list-object-versions + delete-objects), each
//! on an identical fresh bucket of the same emulator, run with `MOTO_S3_DEFAULT_MAX_KEYS`
//! large for every tool alike. Reports the time and requests per 1,000 entries deleted, and
//! what each tool left.

use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, Result};
use serde_json::json;
use test_support::fixtures::{self, Fill};
use test_support::{MotoOptions, MotoServer, aws};

use super::{Cost, Meter, Outcome, Pass, Role, Row, build_release, command, tempfile_dir};
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

/// Versions and markers left, uploads left; `None` when the bucket is gone.
type Left = Option<(usize, usize)>;

const TOOLKIT: &str = "destroy-s3-buckets --no-content-scan";
const SCANNING: &str = "destroy-s3-buckets (reads every version)";
const S5CMD: &str = "s5cmd rm --all-versions + rb";
const SCRIPT: &str = "BASELINE: the script's aws CLI loop";

/// Each tool: its role, its buckets' prefix, and whether one run a pass is enough (the slow
/// ones, for a ratio). The toolkit is measured as it is run on buckets known to hold no
/// state (`--no-content-scan`) and, beside it, reading every version to rule state out.
const TOOLS: [(&str, Role, &str, bool); 4] = [
    (TOOLKIT, Role::Toolkit, "toolkit", false),
    (SCANNING, Role::Variant, "scanning", true),
    (S5CMD, Role::Peer, "s5cmd", false),
    (SCRIPT, Role::Baseline, "script", true),
];

pub(super) fn run(runs: usize, _prowler: bool, passes: &[Pass]) -> Result<Outcome> {
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
    let runs = runs.min(2);
    let case = format!("{entries} entries");
    let mut outcome = Outcome {
        name: "destroy",
        title: format!(
            "destroy benchmark: {} versions + {} delete markers + {} uploads a bucket, release build, moto with MOTO_S3_DEFAULT_MAX_KEYS=100000 for every tool; median of {runs} runs (the script and the scanning toolkit once)",
            FILL.object_versions(),
            FILL.delete_markers,
            FILL.uploads
        ),
        facts: json!({ "fixture_entries": entries, "uploads": FILL.uploads, "runs": runs }),
        ..Outcome::default()
    };
    for (index, &pass) in passes.iter().enumerate() {
        let meter = Meter::start(&server, pass);
        // Each run: the tool, its cost, and what it left (see `fixtures::remaining`).
        let mut runs_of: Vec<(&str, Cost, Left)> = Vec::new();
        for run in 0..runs {
            for (tool, _, prefix, once) in TOOLS {
                if once && run > 0 {
                    continue;
                }
                let bucket = format!("bench-destroy-{index}-{run}-{prefix}");
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
                let endpoint = meter.endpoint();
                let mut commands: Vec<Command> = match tool {
                    TOOLKIT | SCANNING => {
                        let mut c =
                            command(&release.join("destroy-s3-buckets"), &dir, endpoint, None)?;
                        c.args(["--region", REGION, "--bucket", &bucket, "--force"]);
                        if tool == TOOLKIT {
                            c.arg("--no-content-scan");
                        }
                        vec![c]
                    }
                    S5CMD => {
                        let s5cmd = bench_bin.join("s5cmd");
                        let mut rm = command(&s5cmd, &dir, endpoint, Some(&bench_bin))?;
                        rm.args(["--endpoint-url", endpoint, "rm", "--all-versions"])
                            .arg(format!("s3://{bucket}/*"));
                        let mut rb = command(&s5cmd, &dir, endpoint, Some(&bench_bin))?;
                        rb.args(["--endpoint-url", endpoint, "rb"])
                            .arg(format!("s3://{bucket}"));
                        vec![rm, rb]
                    }
                    _ => {
                        let mut c = command(Path::new("bash"), &dir, endpoint, Some(&bench_bin))?;
                        c.arg(project_root().join("xtask/bench/destroy-baseline.sh"))
                            .arg(&bucket);
                        vec![c]
                    }
                };
                let (cost, ()) = meter.measure(|| {
                    for command in &mut commands {
                        // A peer that fails (s5cmd's rb on a bucket it could not empty) is
                        // part of the result: what it left is measured below.
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
                    Ok(())
                })?;
                let left = runtime.block_on(fixtures::remaining(&s3, &bucket));
                runs_of.push((tool, cost, left));
            }
        }
        for (tool, role, _, _) in TOOLS {
            let costs = runs_of
                .iter()
                .filter(|run| run.0 == tool)
                .map(|run| run.1)
                .collect();
            let left = describe_left(runs_of.iter().filter(|run| run.0 == tool).map(|run| run.2));
            outcome.rows.push(Row {
                pass,
                case: case.clone(),
                tool: tool.to_owned(),
                cost: super::median(costs),
                units: entries / 1000.0,
                unit: "1,000 entries",
                role,
                note: format!("left behind: {left}"),
            });
        }
        let name = pass.name();
        let clean = runs_of
            .iter()
            .filter(|run| run.0 == TOOLKIT || run.0 == SCANNING)
            .all(|run| run.2.is_none());
        let versus_s5cmd = outcome.speedup(pass, &case, TOOLKIT, S5CMD).unwrap_or(0.0);
        let versus_script = outcome.speedup(pass, &case, TOOLKIT, SCRIPT).unwrap_or(0.0);
        let (s5cmd_goal, script_goal) = if pass.is_plain() {
            (1.0, 10.0)
        } else {
            (1.5, 20.0)
        };
        outcome.check(
            format!("{name}: {versus_s5cmd:.2}x faster than s5cmd (target >= {s5cmd_goal}x)"),
            versus_s5cmd >= s5cmd_goal,
        );
        outcome.check(
            format!("{name}: {versus_script:.0}x faster than the script's loop (target >= {script_goal}x)"),
            versus_script >= script_goal,
        );
        outcome.check(
            format!("{name}: the toolkit left nothing behind (both ways): every bucket gone"),
            clean,
        );
    }
    outcome.check_requests_and_busy(passes, &case);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(outcome)
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
