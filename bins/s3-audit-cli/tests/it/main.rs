//! `verify-s3-security` end to end, as a process against moto: the seed's lines for a
//! provisioned project, exit codes and the severity threshold, every output format, and
//! `--fix` with the confirmation rule.

use test_support::cli::{Output, Workdir, run};
use test_support::{aws, moto, unique_name};

const BIN: &str = env!("CARGO_BIN_EXE_verify-s3-security");
const REGION: &str = "us-east-2";

struct Approve;

impl aws_provisioner::Ui for Approve {
    fn caller(&mut self, _: &aws_provisioner::model::Caller) {}
    fn plan(&mut self, _: &aws_provisioner::plan::Plan, _: bool) {}
    fn approve(&mut self, _: &aws_provisioner::plan::Plan) -> bool {
        true
    }
}

/// A provisioned project with a lock table of its own, in a working directory whose
/// shared-config.toml names it.
struct Project {
    name: String,
    dir: Workdir,
}

impl Project {
    async fn provisioned() -> Project {
        Project::provisioned_replicating(None).await
    }

    /// A provisioned project whose state bucket replicates to `replicate_to` (the replica
    /// provisioned first, in its region, as the provisioning command does).
    async fn provisioned_replicating(replicate_to: Option<&str>) -> Project {
        let name = unique_name("v");
        let dir = Workdir::new();
        dir.write(
            "shared-config.toml",
            &format!("project = \"{name}\"\nregion = \"{REGION}\"\nenvironment = \"production\"\n\n[naming]\nlock_table = \"locks-{{project}}\"\n"),
        );
        let spec = aws_provisioner::Spec::new(aws_provisioner::Options {
            deployment: naming::Deployment::parse(&name, "production", REGION).unwrap(),
            rules: naming::NamingRules::new(None, None, Some("locks-{project}")).unwrap(),
            scope: aws_provisioner::Scope::Full,
            lock: naming::LockMode::Dynamodb,
            company: None,
            kms_key_id: None,
            access_log_bucket: None,
            alarm_topic_arn: None,
            wait: aws_provisioner::WaitPolicy::default(),
            take_over_table: false,
            skip: Default::default(),
            replicate_to: replicate_to.map(|region| naming::Region::new(region).unwrap()),
            replica_kms_key_id: None,
        })
        .unwrap();
        if let Some(replica) = spec.replica() {
            let region = replica.deployment.region.name();
            let there =
                aws_provisioner::Aws::new(&aws::client_config_for(moto().endpoint(), region));
            aws_provisioner::provision(&there, &replica, false, &mut Approve)
                .await
                .unwrap();
        }
        let cloud = aws_provisioner::Aws::new(&aws::client_config_for(moto().endpoint(), REGION));
        aws_provisioner::provision(&cloud, &spec, false, &mut Approve)
            .await
            .unwrap();
        Project { name, dir }
    }

    fn state(&self) -> String {
        format!("{}-terraform-state-production", self.name)
    }

    /// Runs the binary in the project's directory; the account-level check is left out
    /// (the emulator's account is shared by every test).
    fn audit(&self, args: &[&str]) -> Output {
        self.audit_via(moto().endpoint(), args)
    }

    /// [`Project::audit`] with the requests sent to `endpoint` (a proxy in front of moto).
    fn audit_via(&self, endpoint: &str, args: &[&str]) -> Output {
        let mut all = vec!["--no-account"];
        all.extend_from_slice(args);
        run(BIN, self.dir.path(), Some(endpoint), &all)
    }
}

fn s3() -> aws::S3 {
    aws::s3(&aws::sdk_config_for(moto().endpoint(), REGION))
}

#[tokio::test]
async fn a_provisioned_project_prints_the_seeds_blocks_and_passes() {
    let project = Project::provisioned().await;
    let output = project.audit(&[]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    let mut lines: Vec<&str> = output.stderr.lines().collect();
    // Which configuration file the run used comes first.
    assert_eq!(
        lines.remove(0),
        format!(
            "[INFO] Configuration: {}",
            project.dir.path().join("shared-config.toml").display()
        )
    );
    assert_eq!(
        lines[0],
        "[INFO] Finding S3 buckets related to our infrastructure..."
    );
    assert_eq!(lines[1], "[SUCCESS] Found 5 bucket(s) to verify");
    assert_eq!(
        lines[2],
        format!("╭─ Verifying bucket: {}", project.state())
    );
    for expected in [
        "[INFO] Checking Public Access Block...",
        "[SUCCESS] ✓ Public Access Block: ENABLED (All 4 settings active)",
        "[INFO] Checking Server-Side Encryption...",
        "[SUCCESS] ✓ Server-Side Encryption: ENABLED (AES256)",
        "[INFO] Checking Versioning...",
        "[SUCCESS] ✓ Versioning: ENABLED",
        &format!("╭─ Verifying lock table: locks-{}", project.name),
    ] {
        assert!(
            lines.contains(&expected),
            "no line {expected:?} in\n{}",
            output.stderr
        );
    }
    assert!(
        lines
            .last()
            .unwrap()
            .starts_with("[SUCCESS] Security verification: PASSED (82"),
        "{}",
        output.stderr
    );
    assert!(output.stdout.is_empty());
}

#[tokio::test]
async fn a_failure_exits_1_unless_it_is_below_the_severity_threshold() {
    let project = Project::provisioned().await;
    s3().delete_bucket_encryption()
        .bucket(project.state())
        .send()
        .await
        .unwrap();
    let output = project.audit(&[]);
    assert_eq!(output.code, 1, "{}", output.stderr);
    assert!(output.stderr.contains("[ERROR] ✗ Server-Side Encryption: DISABLED (no default encryption) [high, Security Hub S3.4]\n"), "{}", output.stderr);
    assert!(
        output.stderr.contains(&format!(
            "  fix: aws s3api put-bucket-encryption --bucket {} ",
            project.state()
        )),
        "{}",
        output.stderr
    );
    let lenient = project.audit(&["--severity", "critical"]);
    assert_eq!(lenient.code, 0, "{}", lenient.stderr);
    assert!(lenient.stderr.contains("[WARNING] ✗ Server-Side Encryption: DISABLED (no default encryption) [high, below --severity critical]"), "{}", lenient.stderr);
}

#[tokio::test]
async fn json_sarif_and_junit_go_to_stdout() {
    let project = Project::provisioned().await;
    s3().delete_bucket_policy()
        .bucket(project.state())
        .send()
        .await
        .unwrap();
    let json = project.audit(&["--output", "json"]);
    assert_eq!(json.code, 1, "{}", json.stderr);
    let document = json.json();
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            test_support::harness::workspace_root()
                .join("docs/schemas/verify-s3-security.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    assert!(validator.is_valid(&document), "{document:#}");
    assert_eq!(document["summary"]["failing"], 1);
    assert!(
        json.stderr.is_empty(),
        "machine output only: {}",
        json.stderr
    );
    let sarif = project.audit(&["--output", "sarif"]);
    assert_eq!(sarif.code, 1);
    let sarif = sarif.json();
    assert_eq!(sarif["version"], "2.1.0");
    let failing: Vec<&serde_json::Value> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|result| result["kind"] == "fail")
        .collect();
    assert_eq!(failing.len(), 1);
    assert_eq!(failing[0]["ruleId"], "tls-only");
    let junit = project.audit(&["--output", "junit"]);
    assert_eq!(junit.code, 1);
    assert!(
        junit.stdout.starts_with("<?xml")
            && junit
                .stdout
                .contains("<testsuites name=\"verify-s3-security\""),
        "{}",
        junit.stdout
    );
    assert!(
        junit.stdout.contains("tests=\"") && junit.stdout.contains("failures=\"1\""),
        "{}",
        junit.stdout
    );
}

#[tokio::test]
async fn named_buckets_are_audited_and_a_missing_one_fails() {
    let project = Project::provisioned().await;
    let gone = unique_name("gone");
    let output = project.audit(&["--bucket", &project.state(), "--bucket", &gone]);
    assert_eq!(output.code, 1, "{}", output.stderr);
    assert!(output.stderr.contains(&format!("╭─ Verifying bucket: {gone}\n[INFO] Checking Bucket...\n[ERROR] ✗ Bucket: MISSING (no bucket has this name) [high]\n")), "{}", output.stderr);
    assert!(
        !output.stderr.contains("Verifying lock table"),
        "no table unless --table: {}",
        output.stderr
    );
}

#[tokio::test]
async fn a_project_without_buckets_is_exit_1_with_a_hint() {
    let dir = Workdir::new();
    let output = run(
        BIN,
        dir.path(),
        Some(moto().endpoint()),
        &[
            "--no-account",
            "--region",
            REGION,
            "--environment",
            "production",
            "--project-name",
            &unique_name("none"),
        ],
    );
    assert_eq!(output.code, 1, "{}", output.stderr);
    assert!(
        output.stderr.contains("[ERROR] no bucket of "),
        "{}",
        output.stderr
    );
    assert!(
        output
            .stderr
            .contains("hint: check --project-name, --environment and --region"),
        "{}",
        output.stderr
    );
}

#[tokio::test]
async fn fixes_ask_first_show_themselves_in_a_dry_run_and_then_apply() {
    let project = Project::provisioned().await;
    let s3 = s3();
    s3.delete_bucket_encryption()
        .bucket(project.state())
        .send()
        .await
        .unwrap();
    s3.delete_bucket_policy()
        .bucket(project.state())
        .send()
        .await
        .unwrap();
    let refused = project.audit(&["--fix"]);
    assert_eq!(refused.code, 4, "{}", refused.stderr);
    assert!(
        refused
            .stderr
            .contains("refusing to apply 2 safe fix(es) without confirmation"),
        "{}",
        refused.stderr
    );
    let dry = project.audit(&["--fix", "--dry-run"]);
    assert_eq!(dry.code, 1, "{}", dry.stderr);
    assert!(
        dry.stderr
            .contains("╭─ Safe fixes (dry run: nothing is changed)"),
        "{}",
        dry.stderr
    );
    assert!(
        dry.stderr.contains(&format!(
            "  {}: set default encryption AES256 (encryption)",
            project.state()
        )),
        "{}",
        dry.stderr
    );
    assert!(
        s3.get_bucket_encryption()
            .bucket(project.state())
            .send()
            .await
            .is_err(),
        "the dry run changed nothing"
    );
    let fixed = project.audit(&["--fix", "--force", "--output", "json"]);
    assert_eq!(fixed.code, 0, "{}", fixed.stderr);
    let document = fixed.json();
    assert_eq!(document["passed"], true);
    let fixes = document["fixes"].as_array().unwrap();
    assert_eq!(fixes.len(), 2);
    assert!(
        fixes.iter().all(|fix| fix["applied"] == true),
        "{document:#}"
    );
}

#[test]
fn bad_flags_are_exit_2() {
    let dir = Workdir::new();
    for args in [
        &["--stale-lock-after", "6"][..],
        &["--severity", "severe"],
        &["--dry-run"],
        // Before: a panic (exit 101) deep in the date arithmetic.
        &["--stale-lock-after", "106751991168d"],
        &["--stale-lock-after", "-5h"],
        &["--concurrency", "0"],
        &["--concurrency", "99999999999"],
    ] {
        let output = run(BIN, dir.path(), None, args);
        assert_eq!(output.code, 2, "{args:?}: {}", output.stderr);
    }
}

/// A lock row whose holder carries terminal escape sequences is printed with them escaped
/// (before, raw: the title changed and the screen was cleared).
#[tokio::test]
async fn values_read_from_aws_are_printed_with_control_characters_escaped() {
    let project = Project::provisioned().await;
    let state = project.state();
    let info = format!(
        r#"{{"ID":"1","Operation":"OperationTypeApply","Who":"mallory\u001b]0;pwned\u0007\u001b[2J@ci","Version":"1.0.3","Created":"2026-01-05T08:00:00.000000000Z","Path":"{state}/x/terraform.tfstate"}}"#
    );
    let dynamodb = aws::dynamodb(&aws::sdk_config_for(moto().endpoint(), REGION));
    let table = format!("locks-{}", project.name);
    let lock_id = format!("{state}/x/terraform.tfstate");
    test_support::fixtures::put_lock(&dynamodb, &table, &lock_id, &info).await;
    let output = project.audit(&[]);
    assert!(
        !output.stderr.contains('\u{1b}') && !output.stderr.contains('\u{7}'),
        "raw escapes printed:\n{}",
        output.stderr.escape_debug()
    );
    assert!(
        output.stderr.contains(r"mallory\x1b]0;pwned\x07\x1b[2J@ci"),
        "{}",
        output.stderr
    );
}

/// Names that cannot be AWS names are bad input (exit 2) before any request: before, an
/// invalid --table was exit 3 and --bucket Bad_Bucket a failing check (exit 1). A
/// configuration file named by TFSTATE_CONFIG that does not exist is exit 2 too (was 3).
#[test]
fn invalid_names_and_a_missing_config_file_are_exit_2() {
    let dir = Workdir::new();
    for args in [
        &["--bucket", "Bad_Bucket", "--region", REGION][..],
        &[
            "--bucket",
            "ok-bucket",
            "--table",
            "bad name!",
            "--region",
            REGION,
        ],
    ] {
        let output = run(BIN, dir.path(), Some(moto().endpoint()), args);
        assert_eq!(output.code, 2, "{args:?}: {}", output.stderr);
    }
    let mut command = test_support::cli::command(BIN, dir.path(), Some(moto().endpoint()));
    command
        .args(["--bucket", "ok-bucket", "--region", REGION])
        .env("TFSTATE_CONFIG", "/nonexistent/shared-config.toml");
    let output = test_support::cli::run_command(&mut command);
    assert_eq!(output.code, 2, "{}", output.stderr);
    assert!(
        output.stderr.contains("/nonexistent/shared-config.toml"),
        "{}",
        output.stderr
    );
}

#[tokio::test]
async fn a_bucket_in_another_region_reads_as_unreadable_with_the_region_to_run_in() {
    // P7: S3 answers 301 with x-amz-bucket-region for a bucket in another region.
    let bucket = unique_name("elsewhere");
    let proxy = test_support::FaultProxy::start(
        moto().endpoint(),
        vec![test_support::behaviour::bucket_in_region(
            &bucket,
            "eu-west-1",
        )],
    );
    let dir = Workdir::new();
    let out = run(
        BIN,
        dir.path(),
        Some(proxy.endpoint()),
        &["--region", REGION, "--bucket", &bucket, "--output", "json"],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("the bucket is in eu-west-1; run with --region eu-west-1"),
        "{}",
        out.stdout
    );
}

/// The findings of one rule for the state bucket, from `--output json`.
fn finding(document: &serde_json::Value, bucket: &str, rule: &str) -> serde_json::Value {
    document["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|subject| subject["name"] == bucket)
        .and_then(|subject| {
            subject["findings"]
                .as_array()
                .unwrap()
                .iter()
                .find(|finding| finding["rule"] == rule)
                .cloned()
        })
        .unwrap_or_else(|| panic!("no {rule} for {bucket} in {document:#}"))
}

#[tokio::test]
async fn a_replicated_state_bucket_is_checked_with_its_replica_in_the_other_region() {
    let project = Project::provisioned_replicating(Some("us-west-2")).await;
    let replica = format!("{}-replica-us-west-2", project.state());
    // As on AWS (T4), the replica answers requests signed for us-east-2 with a 301 naming
    // its region: it is read through us-west-2's clients.
    let proxy = test_support::FaultProxy::start(
        moto().endpoint(),
        vec![test_support::behaviour::bucket_only_in_region(
            &replica,
            "us-west-2",
        )],
    );
    let output = project.audit_via(proxy.endpoint(), &["--output", "json"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    let document = output.json();
    let rule = finding(&document, &project.state(), "replication-rule");
    assert_eq!(rule["status"], "PASS", "{rule:#}");
    let hardened = finding(&document, &project.state(), "replica-hardened");
    assert_eq!(hardened["status"], "PASS", "{hardened:#}");
    assert!(
        hardened["detail"].as_str().unwrap().contains(&replica),
        "{hardened:#}"
    );
    let lag = finding(&document, &project.state(), "replication-lag");
    assert_eq!(lag["status"], "INFO", "{lag:#}");
    assert!(
        lag["detail"]
            .as_str()
            .unwrap()
            .contains("no datapoint in the last hour"),
        "{lag:#}"
    );

    // The replica loses its public-access block: the state bucket's audit says so.
    let west = aws::s3(&aws::sdk_config_for(moto().endpoint(), "us-west-2"));
    west.delete_public_access_block()
        .bucket(&replica)
        .send()
        .await
        .unwrap();
    let output = project.audit_via(proxy.endpoint(), &["--output", "json"]);
    assert_eq!(output.code, 1, "{}", output.stderr);
    let hardened = finding(&output.json(), &project.state(), "replica-hardened");
    assert_eq!(hardened["status"], "FAIL", "{hardened:#}");
    assert!(
        hardened["detail"]
            .as_str()
            .unwrap()
            .contains("(us-west-2): public access not blocked"),
        "{hardened:#}"
    );
}
