//! `cargo xtask bench audit`: verify-s3-security against the original script's aws CLI
//! checks (one call at a time) and, with `--prowler`, against Prowler restricted to S3, on
//! the same buckets of one emulator: 6 buckets, then 100. Speed as ratios, and findings
//! compared: every failure a peer reports must be among the toolkit's.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use naming::{Deployment, NamingRules};
use serde_json::{Value, json};
use test_support::{MotoOptions, MotoServer};

use super::{Measure, build_release, command, project_workdir, write_results};
use crate::{project_root, venv};

const REGION: &str = "us-east-2";
const ENVIRONMENT: &str = "production";
const PROJECTS: usize = 20;

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

pub(super) fn run(runs: usize, prowler: bool) -> Result<()> {
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
    let hundred: Vec<String> = projects.iter().flatten().cloned().collect();
    let mut rows = Vec::new();
    let mut results = Vec::new();
    let mut failures = Vec::new();
    for buckets in [&six, &hundred] {
        let size = buckets.len();
        let mut toolkit = Measure {
            label: "toolkit",
            times: Vec::new(),
        };
        let mut report = Value::Null;
        for _ in 0..runs {
            let mut run = command(&release.join("verify-s3-security"), &dir, &server, None)?;
            run.args(["--output", "json", "--no-account"]);
            for bucket in buckets {
                run.args(["--bucket", bucket]);
            }
            let (time, output) = timed(&mut run, &[1])?;
            toolkit.times.push(time);
            report = serde_json::from_slice(&output.stdout).context("the toolkit's JSON")?;
        }
        let ours = toolkit_findings(&report)?;
        let our_count = ours
            .values()
            .filter(|status| *status == "FAIL" || *status == "WARN")
            .count();
        let mut row = json!({
            "buckets": size,
            "toolkit_s": toolkit.median().as_secs_f64(),
            "toolkit_findings": our_count,
        });

        let mut baseline = command(Path::new("bash"), &dir, &server, Some(&bench_bin))?;
        baseline
            .arg(project_root().join("xtask/bench/audit-baseline.sh"))
            .args(buckets);
        eprintln!("[xtask] aws CLI baseline on {size} buckets (about 3 s a bucket)");
        let (cli_time, cli_output) = timed(&mut baseline, &[0])?;
        let cli = baseline_findings(&String::from_utf8_lossy(&cli_output.stdout));
        let missed = unreported(&cli, &ours);
        let speedup = cli_time.as_secs_f64() / toolkit.median().as_secs_f64();
        row["aws_cli_s"] = json!(cli_time.as_secs_f64());
        row["aws_cli_findings"] = json!(cli.len());
        row["aws_cli_missed_by_toolkit"] = json!(missed);
        row["speedup_vs_aws_cli"] = json!(speedup);
        rows.push((
            format!("{size} buckets"),
            "aws CLI, one call at a time".to_owned(),
            cli_time,
            cli.len(),
            speedup,
        ));
        failures.push(check(
            &format!(
                "{size} buckets: {speedup:.0}x faster than the aws CLI baseline (target >= 50x)"
            ),
            speedup >= 50.0,
        ));
        failures.push(check(
            &format!(
                "{size} buckets: every one of the baseline's {} findings reported by the toolkit ({} missed)",
                cli.len(),
                missed.len()
            ),
            missed.is_empty(),
        ));

        if let Some(bin) = &prowler_bin {
            let output_dir = dir.join(format!("prowler-{size}"));
            let mut scan = command(&bin.join("prowler"), &dir, &server, Some(bin))?;
            scan.args(["aws", "--service", "s3", "--region", REGION, "--no-banner"])
                .args(["--output-formats", "json-ocsf", "--output-directory"])
                .arg(&output_dir)
                .arg("--resource-arn")
                .args(
                    buckets
                        .iter()
                        .map(|bucket| format!("arn:aws:s3:::{bucket}")),
                );
            eprintln!("[xtask] Prowler (S3 only) on {size} buckets");
            let (time, _) = timed(&mut scan, &[0, 3])?;
            let (found, unmapped) = prowler_findings(&output_dir)?;
            let missed = unreported(&found, &ours);
            let speedup = time.as_secs_f64() / toolkit.median().as_secs_f64();
            row["prowler_s"] = json!(time.as_secs_f64());
            row["prowler_findings"] = json!(found.len());
            row["prowler_missed_by_toolkit"] = json!(missed);
            row["prowler_checks_without_counterpart"] = json!(unmapped);
            row["speedup_vs_prowler"] = json!(speedup);
            rows.push((
                format!("{size} buckets"),
                "Prowler, S3 checks only".to_owned(),
                time,
                found.len(),
                speedup,
            ));
            failures.push(check(
                &format!("{size} buckets: {speedup:.0}x faster than Prowler (target >= 20x)"),
                speedup >= 20.0,
            ));
            failures.push(check(
                &format!(
                    "{size} buckets: every one of Prowler's {} mapped findings reported by the toolkit ({} missed)",
                    found.len(),
                    missed.len()
                ),
                missed.is_empty(),
            ));
        }
        rows.push((
            format!("{size} buckets"),
            "verify-s3-security (toolkit)".to_owned(),
            toolkit.median(),
            our_count,
            1.0,
        ));
        results.push(row);
    }

    println!("audit benchmark: release build, moto on 127.0.0.1; toolkit median of {runs} runs");
    println!(
        "  {:<12} {:<30} {:>9} {:>9} {:>9}",
        "buckets", "tool", "time", "findings", "toolkit"
    );
    for (size, tool, time, findings, speedup) in &rows {
        println!(
            "  {size:<12} {tool:<30} {:>7.3} s {findings:>9} {:>8.0}x",
            time.as_secs_f64(),
            speedup
        );
    }
    println!("  (findings: FAIL and WARN for the toolkit, FAIL for the peers; the toolkit");
    println!("   also audits lifecycle, TLS-only policy, replication and more per bucket)");
    for line in &failures {
        println!("  {line}");
    }
    if prowler_bin.is_none() {
        println!("  (Prowler left out: add --prowler to install it and compare, ~5 minutes)");
    }
    write_results(
        "audit",
        &json!({ "benchmark": "audit", "runs": runs, "sizes": results }),
    )?;
    let _ = std::fs::remove_dir_all(&dir);
    if failures.iter().any(|line| line.starts_with("FAIL")) {
        bail!("an audit target was missed");
    }
    Ok(())
}

/// Provisions the projects and returns each one's five bucket names.
fn provision(release: &Path, dir: &Path, server: &MotoServer) -> Result<Vec<Vec<String>>> {
    let rules = NamingRules::default();
    let mut projects = Vec::new();
    for n in 0..PROJECTS {
        let project = format!("audit-{n:02}");
        let mut provision = command(
            &release.join("provision-s3-client-centric"),
            dir,
            server,
            None,
        )?;
        provision.args([
            "--region",
            REGION,
            "--environment",
            ENVIRONMENT,
            "--project-name",
            &project,
            "--force",
        ]);
        timed(&mut provision, &[0])?;
        let names = rules.names(&Deployment::parse(&project, ENVIRONMENT, REGION)?)?;
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
    let mut aws = command(&bin.join("aws"), dir, server, Some(bin))?;
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

fn check(text: &str, pass: bool) -> String {
    format!("{} {text}", if pass { "PASS" } else { "FAIL" })
}
