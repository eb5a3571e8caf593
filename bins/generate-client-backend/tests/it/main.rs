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
        "arn:aws:s3:::ohio-01-terraform-state-production/providers/aws/regions/*/clients/est-test-a/*"
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
        "ohio-01-terraform-state-production/providers/aws/regions/*/clients/est-test-a/*-md5"
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
