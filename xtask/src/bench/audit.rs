//! `cargo xtask bench audit`: verify-s3-security against the original script's aws CLI
//! checks (one call at a time) and, with `--prowler`, against Prowler restricted to S3, on
//! the same buckets of one emulator: 6 buckets, 100, then 1,000 (the aws CLI, at about 3 s a
//! bucket, only at 6 and 100, and at 100 only in the plain pass, so that the whole set stays
//! well under an hour: its latency pass at 100 buckets would take 11 minutes). Speed as
//! ratios, requests a bucket, and findings compared: every failure a peer reports must be
//! among the toolkit's.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use naming::{Deployment, NamingRules};
use serde_json::{Value, json};
use test_support::{MotoOptions, MotoServer};

use super::{Cost, Meter, Outcome, Pass, Role, Row, build_release, command, project_workdir};
use crate::{project_root, venv};

const REGION: &str = "us-east-2";
const ENVIRONMENT: &str = "production";
/// 1,000 buckets: the first 20 projects make the 100-bucket set.
const PROJECTS: usize = 200;

/// A toolkit result's address: the bucket and the rule.
type Finding = (String, String);

/// A failure a peer reports: the bucket, and the toolkit rules that stand for the check.
type PeerFinding = (String, &'static [&'static str]);

/// The rules of the toolkit that stand for one of the baseline's checks.
fn baseline_rules(check: &str) -> &'static [&'static str] {
    match check {
        "public-access-block" => &["public-access-block"],
        "encryption" => &["encryption"],
        "versioning" => &["versioning"],
        "policy-public" => &["policy-public-read", "policy-public-write"],
        "object-ownership" => &["object-ownership"],
        "access-logging" => &["access-logging"],
        "acl-public" => &["acl-public-read", "acl-public-write"],
        "request-metrics" => &["request-metrics"],
        _ => &[],
    }
}

/// The rules of the toolkit that stand for one of Prowler's S3 checks (Prowler 5).
fn prowler_rules(check: &str) -> &'static [&'static str] {
    match check {
        "s3_bucket_level_public_access_block" => &["public-access-block"],
        "s3_account_level_public_access_blocks" => &["account-public-access-block"],
        "s3_bucket_default_encryption" => &["encryption"],
        "s3_bucket_kms_encryption" => &["kms-encryption"],
        "s3_bucket_object_versioning" => &["versioning"],
        "s3_bucket_no_mfa_delete" => &["mfa-delete"],
        "s3_bucket_object_lock" => &["object-lock"],
        "s3_bucket_secure_transport_policy" => &["tls-only"],
        "s3_bucket_server_access_logging_enabled" => &["access-logging"],
        "s3_bucket_acl_prohibited" => &["object-ownership"],
        "s3_bucket_public_access" => &[
            "policy-public-read",
            "policy-public-write",
            "acl-public-read",
            "acl-public-write",
        ],
        "s3_bucket_public_list_acl" => &["acl-public-read"],
        "s3_bucket_public_write_acl" => &["acl-public-write"],
        "s3_bucket_policy_public_write_access" => &["policy-public-write"],
        // Prowler counts a policy open to "*" as cross-account access; the toolkit reports
        // that exposure as a public policy.
        "s3_bucket_cross_account_access" => {
            &["cross-account", "policy-public-read", "policy-public-write"]
        }
        "s3_bucket_lifecycle_enabled" => &["lifecycle"],
        "s3_bucket_event_notifications_enabled" => &["event-notifications"],
        "s3_bucket_cross_region_replication" => &["replication"],
        _ => &[],
    }
}

pub(super) fn run(runs: usize, prowler: bool, passes: &[Pass]) -> Result<Outcome> {
    let harness = venv::ensure()?;
    let bench_bin = venv::ensure_bench()?;
    let prowler_bin = if prowler {
        Some(venv::ensure_prowler()?)
    } else {
        None
    };
    let release = build_release(&["verify-s3-security", "provision-s3-client-centric"])?;
    let server =
        MotoServer::start(&harness, &MotoOptions::default()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let dir = project_workdir()?;

    eprintln!("[xtask] provisioning {PROJECTS} projects (5 buckets each) and breaking a few");
    let projects = provision(&release, &dir, &server)?;
    let aws = |args: &[&str]| aws_cli(&bench_bin, &dir, &server, args);
    let bare = "audit-bench-bare-bucket";
    aws(&[
        "s3api",
        "create-bucket",
        "--bucket",
        bare,
        "--create-bucket-configuration",
        "LocationConstraint=us-east-2",
    ])?;
    misconfigure(&aws, &projects)?;

    let six: Vec<String> = projects[0]
        .iter()
        .cloned()
        .chain([bare.to_owned()])
        .collect();
    let hundred: Vec<String> = projects[..PROJECTS / 10]
        .iter()
        .flatten()
        .cloned()
        .collect();
    let thousand: Vec<String> = projects.iter().flatten().cloned().collect();
    let mut outcome = Outcome {
        name: "audit",
        title: format!(
            "audit benchmark: verify-s3-security against the script's aws CLI checks{}, release build, moto on 127.0.0.1; toolkit median of {runs} runs (one at 1,000 buckets)",
            if prowler_bin.is_some() {
                " and Prowler (S3 checks only)"
            } else {
                ""
            }
        ),
        facts: json!({ "runs": runs, "prowler": prowler_bin.is_some() }),
        ..Outcome::default()
    };
    for &pass in passes {
        let meter = Meter::start(&server, pass);
        let name = pass.name();
        for buckets in [&six, &hundred, &thousand] {
            let size = buckets.len();
            let case = format!("{size} buckets");
            let row = |tool: &str, cost: Cost, ours: bool, note: String| Row {
                pass,
                case: case.clone(),
                tool: tool.to_owned(),
                cost,
                units: size as f64,
                unit: "bucket",
                role: if ours {
                    Role::Toolkit
                } else if tool.starts_with("BASELINE") {
                    Role::Baseline
                } else {
                    Role::Peer
                },
                note,
            };
            let mut costs = Vec::new();
            let mut report = Value::Null;
            for _ in 0..if size >= 1000 { 1 } else { runs } {
                let mut run = command(
                    &release.join("verify-s3-security"),
                    &dir,
                    meter.endpoint(),
                    None,
                )?;
                run.args(["--output", "json", "--no-account"]);
                for bucket in buckets {
                    run.args(["--bucket", bucket]);
                }
                let (cost, (_, output)) = meter.measure(|| timed(&mut run, &[1]))?;
                costs.push(cost);
                report = serde_json::from_slice(&output.stdout).context("the toolkit's JSON")?;
            }
            let ours = toolkit_findings(&report)?;
            let our_count = ours
                .values()
                .filter(|status| *status == "FAIL" || *status == "WARN")
                .count();
            outcome.rows.push(row(
                "verify-s3-security (toolkit)",
                super::median(costs),
                true,
                format!("{our_count} findings (FAIL and WARN, 33 rules)"),
            ));

            if size <= 6 || (size <= 100 && pass.is_plain()) {
                let mut baseline =
                    command(Path::new("bash"), &dir, meter.endpoint(), Some(&bench_bin))?;
                baseline
                    .arg(project_root().join("xtask/bench/audit-baseline.sh"))
                    .args(buckets);
                eprintln!(
                    "[xtask] {name}: aws CLI baseline on {size} buckets (about 3 s a bucket)"
                );
                let (cost, (_, output)) = meter.measure(|| timed(&mut baseline, &[0]))?;
                let cli = baseline_findings(&String::from_utf8_lossy(&output.stdout));
                let missed = unreported(&cli, &ours);
                outcome.rows.push(row(
                    "BASELINE: the script's aws CLI checks",
                    cost,
                    false,
                    format!(
                        "{} findings (FAIL, 8 checks); missed by the toolkit: {missed:?}",
                        cli.len()
                    ),
                ));
                let speedup = outcome
                    .speedup(pass, &case, "verify", "BASELINE")
                    .unwrap_or(0.0);
                if pass.is_plain() {
                    outcome.check(
                        format!("{name} {case}: {speedup:.0}x faster than the script's checks (target >= 50x)"),
                        speedup >= 50.0,
                    );
                }
                outcome.check(
                    format!(
                        "{name} {case}: every one of the script's {} findings reported by the toolkit ({} missed)",
                        cli.len(),
                        missed.len()
                    ),
                    missed.is_empty(),
                );
            }

            if let Some(bin) = &prowler_bin {
                let output_dir = dir.join(format!("prowler-{}-{size}", outcome.rows.len()));
                let mut scan = command(&bin.join("prowler"), &dir, meter.endpoint(), Some(bin))?;
                scan.args(["aws", "--service", "s3", "--region", REGION, "--no-banner"])
                    .args(["--output-formats", "json-ocsf", "--output-directory"])
                    .arg(&output_dir)
                    .arg("--resource-arn")
                    .args(
                        buckets
                            .iter()
                            .map(|bucket| format!("arn:aws:s3:::{bucket}")),
                    );
                eprintln!("[xtask] {name}: Prowler (S3 only) on {size} buckets");
                let (cost, _) = meter.measure(|| timed(&mut scan, &[0, 3]))?;
                let (found, unmapped) = prowler_findings(&output_dir)?;
                let missed = unreported(&found, &ours);
                outcome.rows.push(row(
                    "Prowler 5, S3 checks only",
                    cost,
                    false,
                    format!(
                        "{} mapped findings (FAIL); missed by the toolkit: {missed:?}; without a counterpart: {unmapped:?}",
                        found.len()
                    ),
                ));
                let speedup = outcome
                    .speedup(pass, &case, "verify", "Prowler")
                    .unwrap_or(0.0);
                if !pass.is_plain() && size >= 100 {
                    outcome.check(
                        format!("{name} {case}: {speedup:.0}x faster than Prowler (target >= 20x)"),
                        speedup >= 20.0,
                    );
                }
                outcome.check(
                    format!(
                        "{name} {case}: every one of Prowler's {} mapped findings reported by the toolkit ({} missed)",
                        found.len(),
                        missed.len()
                    ),
                    missed.is_empty(),
                );
            }
        }
    }
    for size in [six.len(), hundred.len(), thousand.len()] {
        outcome.check_requests_and_busy(passes, &format!("{size} buckets"));
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(outcome)
}

/// Provisions the projects, four at a time, and returns each one's five bucket names.
fn provision(release: &Path, dir: &Path, server: &MotoServer) -> Result<Vec<Vec<String>>> {
    let rules = NamingRules::default();
    let names: Vec<String> = (0..PROJECTS).map(|n| format!("audit-{n:03}")).collect();
    for batch in names.chunks(4) {
        let mut children = Vec::new();
        for project in batch {
            let mut provision = command(
                &release.join("provision-s3-client-centric"),
                dir,
                server.endpoint(),
                None,
            )?;
            provision
                .args(["--region", REGION, "--environment", ENVIRONMENT])
                .args(["--project-name", project, "--force"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped());
            children.push((
                project,
                provision.spawn().context("start a provisioning run")?,
            ));
        }
        for (project, child) in children {
            let output = child.wait_with_output()?;
            if !output.status.success() {
                bail!(
                    "provisioning {project} failed ({}):\n{}",
                    output.status,
                    String::from_utf8_lossy(&output.stderr)
                );
            }
        }
    }
    let mut projects = Vec::new();
    for project in &names {
        let names = rules.names(&Deployment::parse(project, ENVIRONMENT, REGION)?)?;
        let mut buckets = vec![names.state_bucket.to_string()];
        buckets.extend(
            names
                .observability
                .iter()
                .map(|(_, bucket)| bucket.to_string()),
        );
        projects.push(buckets);
    }
    Ok(projects)
}

/// Breaks settings on a few buckets, as drift does: each shows up in both tools' checks.
fn misconfigure(aws: &dyn Fn(&[&str]) -> Result<()>, projects: &[Vec<String>]) -> Result<()> {
    let open_policy = |bucket: &str| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{bucket}/*"}}]}}"#
        )
    };
    let [state, logs, traces, metrics, audit] = [0, 1, 2, 3, 4];
    let bucket = |project: usize, index: usize| projects[project][index].as_str();
    aws(&[
        "s3api",
        "put-bucket-versioning",
        "--bucket",
        bucket(0, logs),
        "--versioning-configuration",
        "Status=Suspended",
    ])?;
    aws(&[
        "s3api",
        "delete-bucket-encryption",
        "--bucket",
        bucket(1, state),
    ])?;
    aws(&[
        "s3api",
        "delete-public-access-block",
        "--bucket",
        bucket(2, traces),
    ])?;
    aws(&[
        "s3api",
        "put-bucket-policy",
        "--bucket",
        bucket(2, traces),
        "--policy",
        &open_policy(bucket(2, traces)),
    ])?;
    aws(&[
        "s3api",
        "delete-public-access-block",
        "--bucket",
        bucket(3, metrics),
    ])?;
    aws(&[
        "s3api",
        "put-bucket-ownership-controls",
        "--bucket",
        bucket(3, metrics),
        "--ownership-controls",
        "Rules=[{ObjectOwnership=ObjectWriter}]",
    ])?;
    aws(&[
        "s3api",
        "put-bucket-acl",
        "--bucket",
        bucket(3, metrics),
        "--acl",
        "public-read-write",
    ])?;
    aws(&[
        "s3api",
        "put-bucket-versioning",
        "--bucket",
        bucket(4, state),
        "--versioning-configuration",
        "Status=Suspended",
    ])?;
    aws(&[
        "s3api",
        "delete-bucket-metrics-configuration",
        "--bucket",
        bucket(4, audit),
        "--id",
        "EntireBucket",
    ])?;
    aws(&[
        "s3api",
        "put-bucket-logging",
        "--bucket",
        bucket(5, state),
        "--bucket-logging-status",
        "{}",
    ])?;
    Ok(())
}

/// Runs one aws CLI command from the benchmark's virtualenv against the emulator.
fn aws_cli(bin: &Path, dir: &Path, server: &MotoServer, args: &[&str]) -> Result<()> {
    let mut aws = command(&bin.join("aws"), dir, server.endpoint(), Some(bin))?;
    timed(aws.args(args), &[0]).map(drop)
}

/// Runs `command`, accepting the exit codes in `ok`; its time and output.
fn timed(command: &mut Command, ok: &[i32]) -> Result<(Duration, Output)> {
    command.stdin(Stdio::null());
    let started = Instant::now();
    let output = command.output().context("run the benchmarked command")?;
    let elapsed = started.elapsed();
    if !output.status.code().is_some_and(|code| ok.contains(&code)) {
        bail!(
            "{:?} failed ({}):\n{}",
            command.get_program(),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok((elapsed, output))
}

/// The toolkit's status for each (bucket, rule).
fn toolkit_findings(report: &Value) -> Result<BTreeMap<Finding, String>> {
    let mut findings = BTreeMap::new();
    for subject in report["subjects"]
        .as_array()
        .context("subjects in the report")?
    {
        let name = subject["name"].as_str().unwrap_or_default();
        for finding in subject["findings"].as_array().context("findings")? {
            findings.insert(
                (
                    name.to_owned(),
                    finding["rule"].as_str().unwrap_or_default().to_owned(),
                ),
                finding["status"].as_str().unwrap_or_default().to_owned(),
            );
        }
    }
    Ok(findings)
}

/// The baseline's `FAIL <bucket> <check>` lines, each with the rules that stand for it.
fn baseline_findings(stdout: &str) -> Vec<PeerFinding> {
    stdout
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            (words.next() == Some("FAIL")).then_some(())?;
            let bucket = words.next()?.to_owned();
            Some((bucket, baseline_rules(words.next()?)))
        })
        .collect()
}

/// Prowler's failed S3 findings that have a toolkit counterpart, and the ids of the failed
/// checks that have none (access points and the like, absent here).
fn prowler_findings(dir: &Path) -> Result<(Vec<PeerFinding>, BTreeSet<String>)> {
    let mut found = Vec::new();
    let mut unmapped = BTreeSet::new();
    for file in ocsf_files(dir)? {
        let text = std::fs::read_to_string(&file)?;
        let findings: Vec<Value> = serde_json::from_str(&text)
            .with_context(|| format!("Prowler's findings in {}", file.display()))?;
        for finding in findings.iter().filter(|f| f["status_code"] == "FAIL") {
            let check = finding["metadata"]["event_code"]
                .as_str()
                .unwrap_or_default();
            let bucket = finding["resources"][0]["name"]
                .as_str()
                .or_else(|| finding["resources"][0]["uid"].as_str())
                .unwrap_or_default()
                .trim_start_matches("arn:aws:s3:::")
                .to_owned();
            match prowler_rules(check) {
                [] => {
                    unmapped.insert(check.to_owned());
                }
                rules => found.push((bucket, rules)),
            }
        }
    }
    Ok((found, unmapped))
}

fn ocsf_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in
        std::fs::read_dir(dir).with_context(|| format!("Prowler's output in {}", dir.display()))?
    {
        let path = entry?.path();
        if path.is_dir() {
            files.extend(ocsf_files(&path)?);
        } else if path.to_string_lossy().ends_with(".ocsf.json") {
            files.push(path);
        }
    }
    Ok(files)
}

/// The peer's findings the toolkit does not report (every rule standing for it passed).
fn unreported(peer: &[PeerFinding], ours: &BTreeMap<Finding, String>) -> Vec<String> {
    peer.iter()
        .filter(|(bucket, rules)| {
            !rules.iter().any(|rule| {
                ours.get(&(bucket.clone(), (*rule).to_owned()))
                    .is_some_and(|status| status != "PASS")
            })
        })
        .map(|(bucket, rules)| format!("{bucket}: {}", rules.join("/")))
        .collect()
}
