//! `generate-client-backend CLIENT REGION ENVIRONMENT` end to end, as a process.

use test_support::cli::{Workdir, run};
use test_support::moto;

const BIN: &str = env!("CARGO_BIN_EXE_generate-client-backend");

/// A repository whose shared-config.toml names the project (seed 001 passes no project flag).
fn repo() -> Workdir {
    let dir = Workdir::new();
    dir.write("shared-config.toml", "project = \"ohio-01\"\n");
    dir
}

#[test]
fn seed_001_usage_writes_the_client_file_exactly() {
    let dir = repo();
    let output = run(
        BIN,
        dir.path(),
        Some(moto().endpoint()),
        &["est-test-c", "us-east-2", "production", "--offline"],
    );
    assert_eq!(output.code, 0, "{}", output.stderr);
    let file = dir
        .path()
        .join("backends/aws/production/us-east-2/clients/est-test-c.hcl");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "bucket         = \"ohio-01-terraform-state-production\"\n\
         key            = \"providers/aws/regions/us-east-2/clients/est-test-c/layers/04-standalone-compute/terraform.tfstate\"\n\
         region         = \"us-east-2\"\n\
         encrypt        = true\n\
         dynamodb_table = \"terraform-locks-us-east\"\n"
    );
    assert!(
        output.stderr.contains(
            "[SUCCESS] ✅ Created backends/aws/production/us-east-2/clients/est-test-c.hcl"
        )
    );
}

#[test]
fn another_layer_gets_a_file_of_its_own() {
    let dir = repo();
    let output = run(
        BIN,
        dir.path(),
        None,
        &[
            "est-test-c",
            "us-east-2",
            "production",
            "--layer",
            "03-database-layer",
            "--offline",
            "--output",
            "json",
        ],
    );
    assert_eq!(output.code, 0, "{}", output.stderr);
    let json = output.json();
    assert_eq!(
        json["files"][0]["path"],
        "aws/production/us-east-2/clients/est-test-c/03-database-layer.hcl"
    );
    assert_eq!(json["files"][0]["status"], "created");
    let text = std::fs::read_to_string(
        dir.path()
            .join("backends/aws/production/us-east-2/clients/est-test-c/03-database-layer.hcl"),
    )
    .unwrap();
    assert!(text.contains("clients/est-test-c/layers/03-database-layer/terraform.tfstate"));
}

#[test]
fn iam_policy_prints_the_isolation_policy_and_writes_nothing() {
    let dir = repo();
    let output = run(
        BIN,
        dir.path(),
        None,
        &[
            "est-test-a",
            "us-east-2",
            "production",
            "--iam-policy",
            "--account-id",
            "123456789012",
            "--lock",
            "both",
        ],
    );
    assert_eq!(output.code, 0, "{}", output.stderr);
    let policy = output.json();
    let statements = policy["Statement"].as_array().unwrap();
    assert_eq!(
        statements[1]["Resource"],
        "arn:aws:s3:::ohio-01-terraform-state-production/providers/aws/regions/us-east-2/clients/est-test-a/*"
    );
    assert!(statements.iter().any(|s| {
        s["Resource"]
            .as_str()
            .is_some_and(|r| r.ends_with(".tflock"))
    }));
    let rows =
        &statements.last().unwrap()["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"];
    assert_eq!(
        rows[1],
        "ohio-01-terraform-state-production/providers/aws/regions/us-east-2/clients/est-test-a/*-md5"
    );
    assert!(!dir.path().join("backends").exists());
}

#[test]
fn bad_input_exits_2() {
    let dir = repo();
    let cases: [(&[&str], &str); 5] = [
        (
            &["Est_Test", "us-east-2", "production"],
            "invalid client name `Est_Test`",
        ),
        (
            &["est-test-c", "ohio", "production"],
            "invalid region `ohio`",
        ),
        (
            &[
                "est-test-c",
                "us-east-2",
                "production",
                "--key-scheme",
                "layer",
            ],
            "the layer key scheme has no per-client state",
        ),
        (
            &[
                "est-test-c",
                "us-east-2",
                "production",
                "--key-scheme",
                "environment",
                "--layer",
                "x",
            ],
            "--layer applies to --key-scheme client-centric",
        ),
        (
            &[
                "est-test-c",
                "us-east-2",
                "production",
                "--iam-policy",
                "--account-id",
                "12",
            ],
            "invalid --account-id `12`",
        ),
    ];
    for (args, message) in cases {
        let output = run(BIN, dir.path(), None, args);
        assert_eq!(output.code, 2, "{args:?}: {}", output.stderr);
        assert!(
            output.stderr.contains(message),
            "{args:?}: {}",
            output.stderr
        );
    }
    let no_project = Workdir::new();
    let output = run(
        BIN,
        no_project.path(),
        None,
        &["est-test-c", "us-east-2", "production", "--offline"],
    );
    assert_eq!(output.code, 2);
    assert!(output.stderr.contains("missing --project-name"));
    assert!(output.stderr.contains("hint: pass --project-name, set TFSTATE_PROJECT, or add `project = ...` to shared-config.toml"));
}

/// Two runs writing one file with different content (two projects): one creates it, the
/// other never replaces it and reports the difference (exit 1). Before create-new
/// semantics, both said "Created" in 127 of 150 trials and one file silently replaced the
/// other.
#[test]
fn two_writers_of_one_file_never_replace_each_other() {
    use std::process::Stdio;
    const TRIALS: usize = 40;
    let relative = "backends/aws/production/us-east-2/clients/racer.hcl";
    for trial in 0..TRIALS {
        let dir = Workdir::new();
        let children: Vec<_> = ["alpha", "bravo"]
            .iter()
            .map(|project| {
                let mut command = test_support::cli::command(BIN, dir.path(), None);
                command
                    .args(["racer", "us-east-2", "production", "--offline"])
                    .args(["--project-name", project, "--output", "json"])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped());
                (*project, command.spawn().expect("spawn"))
            })
            .collect();
        let outputs: Vec<_> = children
            .into_iter()
            .map(|(project, child)| (project, child.wait_with_output().expect("wait")))
            .collect();
        let text = std::fs::read_to_string(dir.path().join(relative)).expect("the file");
        let winners: Vec<_> = outputs
            .iter()
            .filter(|(_, output)| output.status.code() == Some(0))
            .collect();
        assert_eq!(
            winners.len(),
            1,
            "trial {trial}: exactly one run creates the file: {outputs:?}"
        );
        let (winner, _) = winners[0];
        assert!(
            text.contains(&format!(
                "bucket         = \"{winner}-terraform-state-production\""
            )),
            "trial {trial}: the file is the creator's:\n{text}"
        );
        let (_, loser) = outputs
            .iter()
            .find(|(project, _)| project != winner)
            .expect("the other run");
        assert_eq!(loser.status.code(), Some(1), "trial {trial}: {loser:?}");
        let json: serde_json::Value = serde_json::from_slice(&loser.stdout).expect("JSON");
        assert_eq!(
            json["files"][0]["status"], "differs",
            "trial {trial}: {json}"
        );
        assert!(
            json["files"][0]["diff"]
                .as_str()
                .is_some_and(|diff| diff.contains("-terraform-state-production")),
            "trial {trial}: the difference is shown: {json}"
        );
    }
}

/// New files get what the umask allows; `--force` keeps an existing file's mode.
#[test]
fn files_respect_the_umask_and_keep_their_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = repo();
    let relative = "backends/aws/production/us-east-2/clients/est-test-c.hcl";
    let mut command = test_support::cli::command("/bin/sh", dir.path(), None);
    command.args([
        "-c",
        &format!("umask 027 && exec {BIN} est-test-c us-east-2 production --offline"),
    ]);
    let output = test_support::cli::run_command(&mut command);
    assert_eq!(output.code, 0, "{}", output.stderr);
    let path = dir.path().join(relative);
    let mode = |path: &std::path::Path| {
        std::fs::metadata(path)
            .expect("metadata")
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode(&path), 0o640, "0666 less the umask 027");

    std::fs::write(&path, "bucket = \"somewhere-else\"\n").expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let forced = run(
        BIN,
        dir.path(),
        None,
        &[
            "est-test-c",
            "us-east-2",
            "production",
            "--offline",
            "--force",
        ],
    );
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert!(
        std::fs::read_to_string(&path)
            .expect("file")
            .contains("ohio-01-terraform-state-production")
    );
    assert_eq!(mode(&path), 0o644, "--force keeps the file's mode");
}

/// A shared-config.toml planted in a parent folder outside any repository is not used:
/// before, it redirected the victim's backend file to the planter's bucket. The file used
/// is named on stderr and in the JSON document.
#[test]
fn a_config_file_above_the_folder_is_not_picked_up_and_the_one_used_is_named() {
    let shared = Workdir::new();
    shared.write("shared-config.toml", "project = \"planted\"\n");
    let victim = shared.path().join("victim");
    std::fs::create_dir(&victim).unwrap();
    // Workdir makes a .git in its root; this parent folder must not be a repository.
    let _ = std::fs::remove_dir_all(shared.path().join(".git"));
    let output = run(
        BIN,
        &victim,
        None,
        &["est-test-c", "us-east-2", "production", "--offline"],
    );
    assert_eq!(
        output.code, 2,
        "no project without the planted file:\n{}",
        output.stderr
    );
    assert!(
        output.stderr.contains("[INFO] Configuration: none"),
        "{}",
        output.stderr
    );
    assert!(!victim.join("backends").exists(), "nothing written");

    let dir = repo();
    let output = run(
        BIN,
        dir.path(),
        None,
        &[
            "est-test-c",
            "us-east-2",
            "production",
            "--offline",
            "--output",
            "json",
        ],
    );
    assert_eq!(output.code, 0, "{}", output.stderr);
    let config = dir.path().join("shared-config.toml");
    assert_eq!(output.json()["config_file"], config.display().to_string());
    let text = run(
        BIN,
        dir.path(),
        None,
        &["est-test-c", "us-east-2", "production", "--offline"],
    );
    assert!(
        text.stderr
            .starts_with(&format!("[INFO] Configuration: {}\n", config.display())),
        "{}",
        text.stderr
    );
}

#[test]
fn generate_into_a_full_disk_is_an_io_failure_not_a_panic() {
    test_support::cli::assert_generate_into_a_full_disk_fails_cleanly(BIN);
}

#[test]
fn a_kms_key_that_cannot_be_used_is_exit_2_and_nothing_is_written() {
    let dir = repo();
    for key in [
        "not a key",
        "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    ] {
        let output = run(
            BIN,
            dir.path(),
            None,
            &[
                "est-test-c",
                "us-east-2",
                "production",
                "--offline",
                "--kms-key-id",
                key,
            ],
        );
        assert_eq!(output.code, 2, "{key}: {}", output.stderr);
        assert!(
            !dir.path().join("backends").exists(),
            "{key}: nothing written"
        );
    }
}

/// moto's own IAM policy evaluator, on the generated policy: client `layers` may write its
/// own state and not the state of client `clients`; seed 001's `regions/*/` resource (what
/// the tool wrote before) lets it write both.
#[tokio::test]
async fn moto_s_policy_evaluator_keeps_client_layers_out_of_client_clients_state() {
    use test_support::{aws, iam};
    let dir = repo();
    let output = run(
        BIN,
        dir.path(),
        None,
        &[
            "layers",
            "us-east-2",
            "production",
            "--iam-policy",
            "--lock",
            "s3",
        ],
    );
    assert_eq!(output.code, 0, "{}", output.stderr);
    let generated = output.stdout;
    let bucket = "ohio-01-terraform-state-production";
    let seed = generated.replace(
        "regions/us-east-2/clients/layers",
        "regions/*/clients/layers",
    );
    assert_ne!(seed, generated);
    let own = "providers/aws/regions/us-east-2/clients/layers/layers/04-standalone-compute/terraform.tfstate";
    let victim = "providers/aws/regions/us-east-2/clients/clients/layers/04-standalone-compute/terraform.tfstate";
    for (policy, victim_reachable) in [(&generated, false), (&seed, true)] {
        // One CreateBucket, then the user; every later request is authorized by moto.
        let server = iam::enforcing_moto(1 + iam::USER_SETUP_REQUESTS);
        let root = aws::s3(&aws::sdk_config_for(server.endpoint(), "us-east-2"));
        aws::create_bucket(&root, bucket, "us-east-2").await;
        let (key, secret) = iam::user_with_policy(server.endpoint(), "layers", policy);
        let client = aws::s3(&aws::sdk_config_as(
            server.endpoint(),
            "us-east-2",
            &key,
            &secret,
        ));
        let put = |key: &'static str| {
            let client = client.clone();
            async move {
                client
                    .put_object()
                    .bucket(bucket)
                    .key(key)
                    .body(b"{}".to_vec().into())
                    .send()
                    .await
                    .is_ok()
            }
        };
        assert!(put(own).await, "its own state is writable under {policy}");
        assert_eq!(
            put(victim).await,
            victim_reachable,
            "client clients' state under {policy}"
        );
    }
}
