//! `provision-s3-infrastructure` end to end, as a process against moto: seed 000's flags
//! create the state bucket and the lock table, nothing else.

use test_support::cli::{Workdir, run};
use test_support::{aws, moto, unique_name};

const BIN: &str = env!("CARGO_BIN_EXE_provision-s3-infrastructure");

#[tokio::test]
async fn seed_000_usage_creates_the_state_bucket_and_lock_table_only() {
    let dir = Workdir::new();
    dir.write(
        "shared-config.toml",
        "[naming]\nlock_table = \"locks-{project}\"\n",
    );
    let project = unique_name("infra");
    let provision = |extra: &[&str]| {
        let mut args = vec!["--region", "us-west-2", "--environment", "production"];
        args.extend(["--project-name", &project, "--company-name", "My Company"]);
        args.extend_from_slice(extra);
        run(BIN, dir.path(), Some(moto().endpoint()), &args)
    };
    let output = provision(&["--force"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    let state = format!("{project}-terraform-state-production");
    assert!(
        output
            .stderr
            .contains(&format!("[SUCCESS] ✅ Created S3 bucket: {state}"))
    );
    assert!(output.stderr.contains(&format!(
        "[SUCCESS] ✅ Created DynamoDB table: locks-{project}"
    )));
    assert!(output.stderr.contains("2 created, 0 repaired, 0 unchanged"));
    // No logs bucket: logging is not set, and the run says why.
    assert!(
        output
            .stderr
            .contains("[WARNING] ⚠️  server access logging of the state bucket is not set")
    );

    let config = aws::sdk_config_for(moto().endpoint(), "us-west-2");
    let s3 = aws::s3(&config);
    let tags = s3.get_bucket_tagging().bucket(&state).send().await.unwrap();
    let tags: Vec<(&str, &str)> = tags
        .tag_set()
        .iter()
        .map(|t| (t.key(), t.value()))
        .collect();
    assert!(tags.contains(&("Company", "My Company")), "{tags:?}");
    assert!(tags.contains(&("Project", project.as_str())));
    let logs = format!("{project}-us-west-2-logs-production");
    assert!(
        s3.head_bucket().bucket(&logs).send().await.is_err(),
        "no observability bucket"
    );
    let table = aws::dynamodb(&config)
        .describe_table()
        .table_name(format!("locks-{project}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        table.table().unwrap().key_schema()[0].attribute_name(),
        "LockID"
    );

    let again = provision(&[]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(again.stderr.contains("Everything is already provisioned"));
}

#[test]
fn the_observability_flags_belong_to_the_client_centric_script_only() {
    let dir = Workdir::new();
    let output = run(BIN, dir.path(), None, &["--backend-only"]);
    assert_eq!(output.code, 2);
    assert!(
        output
            .stderr
            .contains("unexpected argument '--backend-only'"),
        "{}",
        output.stderr
    );
}

#[test]
fn no_credentials_is_one_clear_error_with_what_to_do() {
    let dir = Workdir::new();
    let mut command = test_support::cli::command(BIN, dir.path(), Some(moto().endpoint()));
    command
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .args(["--region", "us-west-2", "--environment", "production"])
        .args(["--project-name", "nocreds", "--dry-run"]);
    let output = test_support::cli::run_command(&mut command);
    assert_eq!(output.code, 3, "{}", output.stderr);
    assert!(
        output.stderr.contains("no credentials found in chain"),
        "{}",
        output.stderr
    );
    assert!(
        output
            .stderr
            .contains("hint: no AWS credentials were found: pass --profile")
    );
    // The SDK's debug dump of the error chain stays out of the message.
    assert!(
        !output.stderr.contains("DispatchFailure("),
        "{}",
        output.stderr
    );
    assert_eq!(
        output.stderr.matches("[ERROR]").count(),
        1,
        "{}",
        output.stderr
    );
}

/// An endpoint that accepts connections and never answers: the run gives up after its
/// timeouts with exit 3 naming the endpoint (before: it hung silently for 400 s and more).
/// A line of output comes before the first request.
#[test]
fn an_endpoint_that_never_answers_is_exit_3_naming_it() {
    use std::time::{Duration, Instant};
    use test_support::{Fault, FaultProxy, FaultRule};
    let proxy = FaultProxy::start(
        moto().endpoint(),
        vec![FaultRule::new(
            Fault::Latency(Duration::from_secs(3600)),
            1.0,
        )],
    );
    let dir = Workdir::new();
    let mut command = test_support::cli::command(BIN, dir.path(), Some(proxy.endpoint()));
    command
        .args(["--region", "us-west-2", "--environment", "production"])
        .args(["--project-name", "hung", "--dry-run"])
        .args(["--connect-timeout", "1", "--request-timeout", "1"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = command.spawn().expect("spawn");
    // A guard against a hang, not a measurement: far beyond what the timeouts allow.
    let deadline = Instant::now() + Duration::from_secs(300);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            child.kill().expect("kill");
            panic!("still running after 300 s: the timeouts did not apply");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = child.wait_with_output().expect("output");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains(&format!("no answer from {}", proxy.endpoint())),
        "{stderr}"
    );
    assert!(stderr.contains("--request-timeout"), "{stderr}");
    assert!(
        stderr.starts_with("[INFO] "),
        "a line before the first request: {stderr}"
    );
}

/// Timeouts and endpoints that cannot work are refused before any request (exit 2).
#[test]
fn bad_timeouts_and_endpoints_are_exit_2() {
    let dir = Workdir::new();
    let base = [
        "--region",
        "us-west-2",
        "--environment",
        "production",
        "--project-name",
        "p",
        "--dry-run",
    ];
    for extra in [
        &["--connect-timeout", "0"][..],
        &["--request-timeout", "-1"],
        &["--request-timeout", "99999"],
        &["--endpoint-url", ""],
        &["--endpoint-url", "http://exa mple"],
        &["--endpoint-url", "http://127.0.0.1:99999"],
        &["--endpoint-url", "localhost:5000"],
    ] {
        let args = [&base[..], extra].concat();
        let output = run(BIN, dir.path(), None, &args);
        assert_eq!(output.code, 2, "{extra:?}: {}", output.stderr);
    }
}
