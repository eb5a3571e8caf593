//! `provision-s3-client-centric` end to end, as a process against moto: seed 003's flags,
//! the scripts' output lines, JSON, exit codes, prompts refused without a terminal.

use serde_json::Value;
use test_support::cli::{Output, Workdir, run};
use test_support::{FaultProxy, aws, moto, unique_name};

const BIN: &str = env!("CARGO_BIN_EXE_provision-s3-client-centric");

/// A working directory whose shared-config.toml gives each project its own lock table (the
/// contract's pattern gives a region one table, which tests running at once would share).
fn workdir() -> Workdir {
    let dir = Workdir::new();
    dir.write(
        "shared-config.toml",
        "[naming]\nlock_table = \"locks-{project}\"\n",
    );
    dir
}

fn provision(dir: &Workdir, project: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "--region",
        "us-east-2",
        "--environment",
        "production",
        "--project-name",
        project,
    ];
    args.extend_from_slice(extra);
    run(BIN, dir.path(), Some(moto().endpoint()), &args)
}

fn names(project: &str) -> Vec<String> {
    let mut names = vec![format!("{project}-terraform-state-production")];
    for kind in ["logs", "traces", "metrics", "audit-logs"] {
        names.push(format!("{project}-us-east-2-{kind}-production"));
    }
    names
}

async fn existing(names: &[String]) -> Vec<String> {
    let s3 = aws::s3(&aws::sdk_config_for(moto().endpoint(), "us-east-2"));
    let mut found = Vec::new();
    for name in names {
        if s3.head_bucket().bucket(name).send().await.is_ok() {
            found.push(name.clone());
        }
    }
    found
}

async fn table_exists(project: &str) -> bool {
    aws::dynamodb(&aws::sdk_config_for(moto().endpoint(), "us-east-2"))
        .describe_table()
        .table_name(format!("locks-{project}"))
        .send()
        .await
        .is_ok()
}

#[tokio::test]
async fn seed_003_usage_creates_five_buckets_and_a_table_then_a_rerun_changes_nothing() {
    let dir = workdir();
    let project = unique_name("cc");
    let first = provision(&dir, &project, &["--force"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(
        first.stdout.is_empty(),
        "text mode writes nothing to stdout"
    );
    assert!(
        first
            .stderr
            .contains("[INFO] 🔐 Checking AWS credentials...")
    );
    assert!(
        first.stderr.contains(
            "[SUCCESS] ✅ AWS account 123456789012 (arn:aws:sts::123456789012:user/moto)"
        )
    );
    assert!(first.stderr.contains(&format!(
        "╭─ Provisioning plan: {project} / production / us-east-2"
    )));
    for name in names(&project) {
        assert!(
            first
                .stderr
                .contains(&format!("[SUCCESS] ✅ Created S3 bucket: {name}")),
            "{name}:\n{}",
            first.stderr
        );
    }
    assert!(first.stderr.contains(&format!(
        "[SUCCESS] ✅ Created DynamoDB table: locks-{project}"
    )));
    assert!(
        first
            .stderr
            .contains("[SUCCESS] ✅ 6 created, 0 repaired, 0 unchanged; every setting verified")
    );
    assert!(!first.stderr.contains('\u{1b}'), "no colour off a terminal");
    assert_eq!(existing(&names(&project)).await, names(&project));

    let second = provision(&dir, &project, &[]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert!(
        second
            .stderr
            .contains("[SUCCESS] ✅ Everything is already provisioned; nothing was changed")
    );
    assert_eq!(second.stderr.matches("exists, unchanged").count(), 6);
    assert!(
        !second.stderr.contains("refusing"),
        "nothing to change, nothing to confirm"
    );
}

#[tokio::test]
async fn without_a_terminal_a_plan_that_only_creates_goes_ahead_and_one_that_changes_refuses() {
    let dir = workdir();
    let project = unique_name("cc");
    let output = provision(&dir, &project, &[]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert!(
        output.stderr.contains("will be created"),
        "the plan is shown first"
    );
    assert!(
        output
            .stderr
            .contains("the plan only creates what is missing and changes nothing that exists"),
        "{}",
        output.stderr
    );
    assert_eq!(existing(&names(&project)).await.len(), 5);
    assert!(table_exists(&project).await);

    // A drifted setting of an existing bucket is a change: it needs an answer or --force.
    let state = &names(&project)[0];
    let s3 = aws::s3(&aws::sdk_config_for(moto().endpoint(), "us-east-2"));
    s3.delete_bucket_encryption()
        .bucket(state)
        .send()
        .await
        .unwrap();
    let output = provision(&dir, &project, &[]);
    assert_eq!(output.code, 4, "{}", output.stderr);
    assert!(output.stderr.contains(
        "[ERROR] refusing to apply this plan (0 to create, 1 to repair) without confirmation"
    ));
    assert!(output.stderr.contains("hint: pass --force"));
    let encryption = s3.get_bucket_encryption().bucket(state).send().await;
    assert!(
        encryption.is_err()
            || encryption
                .unwrap()
                .server_side_encryption_configuration()
                .is_none(),
        "nothing was repaired"
    );
}

#[tokio::test]
async fn a_dry_run_prints_the_plan_as_json_and_changes_nothing() {
    let dir = workdir();
    let project = unique_name("cc");
    let proxy = FaultProxy::start(moto().endpoint(), Vec::new());
    let output = run(
        BIN,
        dir.path(),
        Some(proxy.endpoint()),
        &[
            "--region",
            "us-east-2",
            "--environment",
            "production",
            "--project-name",
            &project,
            "--dry-run",
            "--output",
            "json",
        ],
    );
    assert_eq!(output.code, 0, "{}", output.stderr);
    let report = output.json();
    assert_eq!(report["outcome"], "dry-run");
    let buckets = report["plan"]["buckets"].as_array().unwrap();
    let planned: Vec<&str> = buckets
        .iter()
        .map(|b| b["bucket"].as_str().unwrap())
        .collect();
    assert_eq!(
        planned,
        names(&project)
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
    );
    assert!(buckets.iter().all(|b| b["action"] == "create"));
    assert_eq!(report["plan"]["table"]["action"], "create");
    assert!(output.stderr.contains("Dry run: nothing was changed"));
    assert!(
        proxy.requests().iter().all(|r| !r.is_mutating()),
        "{:#?}",
        proxy.requests()
    );
    assert!(existing(&names(&project)).await.is_empty());
}

#[tokio::test]
async fn backend_only_observability_only_and_s3_locking_create_their_subsets() {
    let dir = workdir();
    for (flags, buckets, table) in [
        (vec!["--backend-only", "--force"], 1, true),
        (vec!["--observability-only", "--force"], 4, false),
        (vec!["--lock", "s3", "--force"], 5, false),
    ] {
        let project = unique_name("cc");
        let output = provision(&dir, &project, &flags);
        assert_eq!(output.code, 0, "{flags:?}: {}", output.stderr);
        let found = existing(&names(&project)).await;
        assert_eq!(found.len(), buckets, "{flags:?}: {found:?}");
        if flags[0] == "--observability-only" {
            assert!(!found.contains(&names(&project)[0]), "no state bucket");
        }
        assert_eq!(table_exists(&project).await, table, "{flags:?}");
    }
    let both = provision(
        &dir,
        &unique_name("cc"),
        &["--backend-only", "--observability-only"],
    );
    assert_eq!(both.code, 2);
    assert!(
        both.stderr.contains("cannot be used with"),
        "{}",
        both.stderr
    );
}

#[tokio::test]
async fn drift_is_reported_by_setting_and_repaired() {
    let dir = workdir();
    let project = unique_name("cc");
    assert_eq!(provision(&dir, &project, &["--force"]).code, 0);
    let traces = format!("{project}-us-east-2-traces-production");
    let s3 = aws::s3(&aws::sdk_config_for(moto().endpoint(), "us-east-2"));
    s3.delete_public_access_block()
        .bucket(&traces)
        .send()
        .await
        .unwrap();
    s3.delete_bucket_tagging()
        .bucket(&traces)
        .send()
        .await
        .unwrap();

    let output = provision(&dir, &project, &["--force"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert!(
        output
            .stderr
            .contains(&format!("[WARNING] 🔧 {traces}: exists, will be repaired"))
    );
    assert!(
        output
            .stderr
            .contains("     public-access-block: not configured → 4 of 4 on")
    );
    assert!(output.stderr.contains(&format!(
        "[SUCCESS] 🔧 Repaired S3 bucket {traces}: public-access-block, tags"
    )));
    assert!(output.stderr.contains("0 created, 1 repaired, 5 unchanged"));
}

#[test]
fn invalid_input_exits_2_before_any_request() {
    let dir = workdir();
    let proxy = FaultProxy::start(moto().endpoint(), Vec::new());
    let cases: [(&[&str], &str); 7] = [
        (
            &[
                "--region",
                "us-east-2",
                "--environment",
                "production",
                "--project-name",
                "a-project-name-far-too-long-for-its-buckets",
            ],
            "must be 3 to 63 characters long",
        ),
        (
            &[
                "--region",
                "us-east-2",
                "--environment",
                "production",
                "--project-name",
                "Ohio01",
            ],
            "invalid project name `Ohio01`",
        ),
        (
            &[
                "--region",
                "us-east-2",
                "--environment",
                "production",
                "--project-name",
                "ohio_01",
            ],
            "hint: try `ohio-01`",
        ),
        (
            &[
                "--region",
                "us-north-9",
                "--environment",
                "production",
                "--project-name",
                "ohio-01",
            ],
            "invalid region `us-north-9`: is not an AWS region",
        ),
        (
            &[
                "--region",
                "us-east-2",
                "--environment",
                "Prod",
                "--project-name",
                "ohio-01",
            ],
            "invalid environment `Prod`",
        ),
        (
            &["--region", "us-east-2", "--environment", "production"],
            "missing --project-name",
        ),
        // A key of another region: S3 would refuse it after the buckets were created.
        (
            &[
                "--region",
                "us-east-2",
                "--environment",
                "production",
                "--project-name",
                "ohio-01",
                "--kms-key-id",
                "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            ],
            "is a key in eu-west-1, but the bucket is in us-east-2",
        ),
    ];
    for (args, message) in cases {
        let output = run(BIN, dir.path(), Some(proxy.endpoint()), args);
        assert_eq!(output.code, 2, "{args:?}: {}", output.stderr);
        assert!(
            output.stderr.contains(message),
            "{args:?}: {}",
            output.stderr
        );
        assert_eq!(
            output.stderr.matches("[ERROR]").count(),
            1,
            "one clear error: {}",
            output.stderr
        );
    }
    assert!(
        proxy.requests().is_empty(),
        "requests were sent: {:#?}",
        proxy.requests()
    );
}

#[test]
fn a_failure_in_json_mode_is_also_a_json_document() {
    let dir = workdir();
    let output = run(
        BIN,
        dir.path(),
        Some(moto().endpoint()),
        &[
            "--region",
            "us-east-2",
            "--environment",
            "production",
            "--project-name",
            "ohio-01",
            "--kms-key-id",
            "not a key",
            "--output",
            "json",
        ],
    );
    assert_eq!(output.code, 2);
    let document: Value = output.json();
    assert_eq!(document["error"]["exit_code"], 2);
    assert!(
        document["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("invalid --kms-key-id `not a key`")
    );
}

#[tokio::test]
async fn shared_config_supplies_the_flags() {
    let dir = Workdir::new();
    let project = unique_name("cc");
    dir.write(
        "shared-config.toml",
        &format!(
            "project = \"{project}\"\nregion = \"us-east-2\"\nenvironment = \"production\"\ncompany = \"Ohio Corp\"\n\n[naming]\nlock_table = \"locks-{{project}}\"\n"
        ),
    );
    // From a subdirectory: the file is found at the repository root.
    std::fs::create_dir_all(dir.path().join("providers/aws")).unwrap();
    let output = run(
        BIN,
        &dir.path().join("providers/aws"),
        Some(moto().endpoint()),
        &["--backend-only", "--force"],
    );
    assert_eq!(output.code, 0, "{}", output.stderr);
    let state = format!("{project}-terraform-state-production");
    let s3 = aws::s3(&aws::sdk_config_for(moto().endpoint(), "us-east-2"));
    let tags = s3.get_bucket_tagging().bucket(&state).send().await.unwrap();
    assert!(
        tags.tag_set()
            .iter()
            .any(|t| t.key() == "Company" && t.value() == "Ohio Corp")
    );
}

#[test]
fn help_shows_the_seed_examples_and_version_works() {
    let dir = Workdir::new();
    let help = run(BIN, dir.path(), None, &["--help"]);
    assert_eq!(help.code, 0);
    for flag in [
        "--region",
        "--environment",
        "--project-name",
        "--dry-run",
        "--backend-only",
        "--observability-only",
        "--force",
        "--lock",
        "--kms-key-id",
        "--access-log-bucket",
        "--alarm-topic-arn",
        "--profile",
        "--endpoint-url",
        "--output",
    ] {
        assert!(help.stdout.contains(flag), "{flag} missing from --help");
    }
    assert!(
        help.stdout
            .contains("provision-s3-client-centric --region us-east-2 --environment production")
    );
    let version = run(BIN, dir.path(), None, &["--version"]);
    assert_eq!(version.code, 0);
    assert!(version.stdout.starts_with("provision-s3-client-centric "));
}

#[tokio::test]
async fn a_bucket_name_owned_by_another_account_exits_3_with_a_hint() {
    let dir = workdir();
    let project = unique_name("cc");
    let state = format!("{project}-terraform-state-production");
    let theirs = aws::s3_as_account(
        &aws::sdk_config_for(moto().endpoint(), "us-east-2"),
        "999999999999",
    );
    aws::create_bucket(&theirs, &state, "us-east-2").await;
    let output = provision(&dir, &project, &["--backend-only", "--force"]);
    assert_eq!(output.code, 3, "{}", output.stderr);
    assert!(output.stderr.contains(&format!(
        "[ERROR] {state}: the bucket name belongs to another AWS account"
    )));
    assert!(output.stderr.contains(
        "hint: bucket names are global across all AWS accounts: choose another --project-name"
    ));
    assert!(!table_exists(&project).await, "nothing was created");
}

#[tokio::test]
async fn s3_and_dynamodb_can_be_two_stores_through_the_per_service_endpoint_variables() {
    // AWS_ENDPOINT_URL_S3 and AWS_ENDPOINT_URL_DYNAMODB, as every AWS SDK reads them: here
    // two proxies in front of one emulator, so each one's record shows what it was sent.
    let s3_store = FaultProxy::start(moto().endpoint(), Vec::new());
    let dynamodb_store = FaultProxy::start(moto().endpoint(), Vec::new());
    let dir = workdir();
    let project = unique_name("cc");
    let output = test_support::cli::run_command(
        test_support::cli::command(BIN, dir.path(), Some(moto().endpoint()))
            .env("AWS_ENDPOINT_URL_S3", s3_store.endpoint())
            .env("AWS_ENDPOINT_URL_DYNAMODB", dynamodb_store.endpoint())
            .args([
                "--region",
                "us-east-2",
                "--environment",
                "production",
                "--project-name",
                &project,
                "--force",
            ]),
    );
    assert_eq!(output.code, 0, "{}", output.stderr);
    let s3 = s3_store.requests();
    let dynamodb = dynamodb_store.requests();
    assert!(
        !s3.is_empty() && s3.iter().all(|r| r.operation.is_none()),
        "{s3:?}"
    );
    assert!(
        !dynamodb.is_empty()
            && dynamodb.iter().all(|r| r
                .header("x-amz-target")
                .is_some_and(|t| t.starts_with("DynamoDB_"))),
        "{dynamodb:?}"
    );

    let bad = test_support::cli::run_command(
        test_support::cli::command(BIN, dir.path(), Some(moto().endpoint()))
            .env("AWS_ENDPOINT_URL_S3", "ftp://somewhere")
            .args(["--region", "us-east-2", "--environment", "production"])
            .args(["--project-name", &project, "--dry-run"]),
    );
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(
        bad.stderr.contains("invalid AWS_ENDPOINT_URL_S3"),
        "{}",
        bad.stderr
    );
}

#[tokio::test]
async fn a_setting_the_store_lacks_is_named_and_can_be_left_out_by_flag_or_config() {
    // An S3-compatible store without request-metrics configurations (A3).
    let lacks_metrics = test_support::FaultRule::new(
        test_support::Fault::Error(test_support::AwsAnswer {
            status: 501,
            code: "NotImplemented",
            message: "A header or query you provided implies functionality that is not implemented.",
            header: None,
        }),
        1.0,
    )
    .matching(|r| r.has_query("metrics"));
    let store = FaultProxy::start(moto().endpoint(), vec![lacks_metrics]);
    let dir = workdir();
    let project = unique_name("cc");
    let deployment = [
        "--region",
        "us-east-2",
        "--environment",
        "production",
        "--project-name",
        &project,
        "--force",
    ];
    let refused = run(BIN, dir.path(), Some(store.endpoint()), &deployment);
    assert_eq!(refused.code, 3, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("could not set request-metrics on")
            && refused.stderr.contains("NotImplemented")
            && refused.stderr.contains("--skip-request-metrics"),
        "{}",
        refused.stderr
    );

    let flagged = run(
        BIN,
        dir.path(),
        Some(store.endpoint()),
        &[&deployment[..], &["--skip-request-metrics"]].concat(),
    );
    assert_eq!(flagged.code, 0, "{}", flagged.stderr);
    assert!(
        flagged
            .stderr
            .contains("left out by --skip-* or shared-config.toml's skip: request-metrics"),
        "{}",
        flagged.stderr
    );

    dir.write("shared-config.toml", "skip = [\"request-metrics\"]\n");
    store.clear();
    let configured = run(BIN, dir.path(), Some(store.endpoint()), &deployment);
    assert_eq!(configured.code, 0, "{}", configured.stderr);
    assert_eq!(
        configured
            .stderr
            .matches("-production: exists, unchanged")
            .count(),
        5,
        "{}",
        configured.stderr
    );
    assert!(
        store
            .requests()
            .iter()
            .all(|r| !r.has_query("metrics") || r.method == "GET")
    );

    dir.write("shared-config.toml", "skip = [\"metrics\"]\n");
    let bad = run(BIN, dir.path(), Some(store.endpoint()), &deployment);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(
        bad.stderr.contains("`skip`") && bad.stderr.contains("request-metrics"),
        "{}",
        bad.stderr
    );
}

#[tokio::test]
async fn replicate_to_provisions_a_hardened_replica_its_lock_table_the_role_and_the_rule() {
    let dir = workdir();
    let project = unique_name("dr");
    let provision = |extra: &[&str]| {
        let mut args = vec!["--region", "us-east-2", "--environment", "production"];
        args.extend(["--project-name", &project, "--backend-only"]);
        args.extend_from_slice(extra);
        run(BIN, dir.path(), Some(moto().endpoint()), &args)
    };
    let state = format!("{project}-terraform-state-production");
    let replica = format!("{state}-replica-us-west-2");
    let role = format!("{state}-replication");

    let dry = provision(&["--replicate-to", "us-west-2", "--dry-run"]);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert!(
        dry.stderr.contains("Provisioning plan (replica)"),
        "{}",
        dry.stderr
    );
    assert!(
        dry.stderr.contains(&format!(
            "{role} (IAM role S3 replication assumes): will be created"
        )),
        "{}",
        dry.stderr
    );
    let s3_west = aws::s3(&aws::sdk_config_for(moto().endpoint(), "us-west-2"));
    assert!(
        s3_west.head_bucket().bucket(&replica).send().await.is_err(),
        "a dry run creates nothing"
    );

    let output = provision(&["--replicate-to", "us-west-2", "--force"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert!(
        output
            .stderr
            .contains(&format!("Created S3 bucket: {replica}")),
        "{}",
        output.stderr
    );
    assert!(
        output.stderr.contains(&format!("Created IAM role: {role}")),
        "{}",
        output.stderr
    );

    // The replica: in the second region, hardened as a state bucket.
    let location = s3_west
        .get_bucket_location()
        .bucket(&replica)
        .send()
        .await
        .unwrap();
    assert_eq!(
        location.location_constraint().map(|c| c.as_str()),
        Some("us-west-2")
    );
    assert_eq!(
        aws::versioning_status(&s3_west, &replica).await.as_deref(),
        Some("Enabled")
    );
    let block = s3_west
        .get_public_access_block()
        .bucket(&replica)
        .send()
        .await
        .unwrap();
    let block = block.public_access_block_configuration().unwrap();
    assert_eq!(block.block_public_policy(), Some(true));
    let policy = s3_west
        .get_bucket_policy()
        .bucket(&replica)
        .send()
        .await
        .unwrap();
    assert!(policy.policy().unwrap().contains("aws:SecureTransport"));
    // That region's lock table, for failover.
    let west_table = aws::dynamodb(&aws::sdk_config_for(moto().endpoint(), "us-west-2"))
        .describe_table()
        .table_name(format!("locks-{project}"))
        .send()
        .await;
    assert!(west_table.is_ok(), "the replica region's lock table exists");

    // The rule and the role, read back.
    let aws = aws::client_for(moto().endpoint(), "us-east-2").await;
    let replication = aws.replication(&state).await.unwrap().unwrap();
    assert_eq!(
        replication.role,
        format!("arn:aws:iam::123456789012:role/{role}")
    );
    let rule = &replication.rules[0];
    assert_eq!(rule.destination, format!("arn:aws:s3:::{replica}"));
    assert!(rule.enabled && rule.delete_markers, "{rule:?}");
    let found = aws.role(&role).await.unwrap().unwrap();
    assert!(
        found.trust_policy.contains("s3.amazonaws.com"),
        "{}",
        found.trust_policy
    );
    let permissions = aws
        .role_policy(&role, aws_provisioner::replication::ROLE_POLICY)
        .await
        .unwrap()
        .unwrap();
    assert!(permissions.contains("s3:ReplicateObject"), "{permissions}");
    assert!(
        permissions.contains(&format!("arn:aws:s3:::{replica}/*")),
        "{permissions}"
    );
    assert!(
        !permissions.contains("\"s3:*\""),
        "least privilege: {permissions}"
    );

    let again = provision(&["--replicate-to", "us-west-2"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(
        again
            .stderr
            .matches("Everything is already provisioned")
            .count(),
        2,
        "the replica's run and the source's both change nothing: {}",
        again.stderr
    );

    let same = provision(&["--replicate-to", "us-east-2"]);
    assert_eq!(same.code, 2, "{}", same.stderr);
    assert!(
        same.stderr.contains("is the state bucket's own region"),
        "{}",
        same.stderr
    );
    let kms = provision(&["--replicate-to", "us-west-2", "--kms-key-id", "alias/state"]);
    assert_eq!(kms.code, 2, "{}", kms.stderr);
    assert!(
        kms.stderr.contains("--replica-kms-key-id"),
        "{}",
        kms.stderr
    );
}

#[tokio::test]
async fn with_kms_the_replicas_are_encrypted_with_the_replica_regions_key() {
    let dir = workdir();
    let project = unique_name("drk");
    let east = aws::sdk_config_for(moto().endpoint(), "us-east-2");
    let west = aws::sdk_config_for(moto().endpoint(), "us-west-2");
    let alias = format!("alias/{project}");
    let source_key = aws::kms_key_with_alias(&east, &alias).await;
    let replica_key = aws::kms_key_with_alias(&west, &format!("{alias}-west")).await;
    let output = run(
        BIN,
        dir.path(),
        Some(moto().endpoint()),
        &[
            "--region",
            "us-east-2",
            "--environment",
            "production",
            "--project-name",
            &project,
            "--backend-only",
            // The source key as an alias: the role's policy names it by the ARN KMS reports.
            "--kms-key-id",
            &alias,
            "--replicate-to",
            "us-west-2",
            "--replica-kms-key-id",
            &replica_key,
            "--force",
        ],
    );
    assert_eq!(output.code, 0, "{}", output.stderr);
    let state = format!("{project}-terraform-state-production");
    let replica = format!("{state}-replica-us-west-2");
    let encryption = aws::s3(&west)
        .get_bucket_encryption()
        .bucket(&replica)
        .send()
        .await
        .unwrap();
    let rule = &encryption
        .server_side_encryption_configuration()
        .unwrap()
        .rules()[0];
    let default = rule.apply_server_side_encryption_by_default().unwrap();
    assert_eq!(default.kms_master_key_id(), Some(replica_key.as_str()));

    let aws = aws::client_for(moto().endpoint(), "us-east-2").await;
    let replication = aws.replication(&state).await.unwrap().unwrap();
    let rule = &replication.rules[0];
    assert!(rule.kms_objects, "SSE-KMS objects are replicated: {rule:?}");
    assert_eq!(rule.replica_kms_key.as_deref(), Some(replica_key.as_str()));
    let policy = aws
        .role_policy(
            &format!("{state}-replication"),
            aws_provisioner::replication::ROLE_POLICY,
        )
        .await
        .unwrap()
        .unwrap();
    let policy: serde_json::Value = serde_json::from_str(&policy).unwrap();
    let statement = |action: &str| {
        policy["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["Action"] == action)
            .cloned()
            .unwrap_or_else(|| panic!("no {action} in {policy:#}"))
    };
    assert_eq!(statement("kms:Decrypt")["Resource"], source_key.as_str());
    assert_eq!(statement("kms:Encrypt")["Resource"], replica_key.as_str());
    assert_eq!(
        statement("kms:Encrypt")["Condition"]["StringLike"]["kms:ViaService"],
        "s3.us-west-2.amazonaws.com"
    );
}

#[tokio::test]
async fn replication_converges_under_every_aws_behaviour_rule() {
    // A real account's eventual consistency (P3: NoSuchBucket right after CreateBucket, a
    // stale read right after a write) on both regions' buckets, and the rest of the rules.
    let proxy = FaultProxy::start(moto().endpoint(), test_support::behaviour::real_account());
    let dir = workdir();
    let project = unique_name("drr");
    let provision = || {
        run(
            BIN,
            dir.path(),
            Some(proxy.endpoint()),
            &[
                "--region",
                "us-east-2",
                "--environment",
                "production",
                "--project-name",
                &project,
                "--backend-only",
                "--replicate-to",
                "us-west-2",
                "--force",
            ],
        )
    };
    let first = provision();
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert_eq!(
        first.stderr.matches("every setting verified").count(),
        2,
        "{}",
        first.stderr
    );
    let replica = format!("{project}-terraform-state-production-replica-us-west-2");
    let met = proxy
        .requests()
        .iter()
        .filter(|r| r.path.starts_with(&format!("/{replica}")) && r.fault.is_some())
        .count();
    assert!(met > 0, "the replica's requests met AWS's behaviours");
    let again = provision();
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(
        again
            .stderr
            .matches("Everything is already provisioned")
            .count(),
        2,
        "{}",
        again.stderr
    );
}
