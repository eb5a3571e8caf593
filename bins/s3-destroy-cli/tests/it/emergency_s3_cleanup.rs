//! `emergency-s3-cleanup` end to end, as a process against moto: a stuck bucket (a policy
//! that denies deletion, lifecycle rules, notifications, uploads) ends gone;
//! `--expire-via-lifecycle` hands the work to S3; governance retention needs the bypass.

use test_support::cli::{Output, Workdir, run};
use test_support::fixtures::{self, Fill, Protection};
use test_support::{aws, moto, unique_name};

const BIN: &str = env!("CARGO_BIN_EXE_emergency-s3-cleanup");
const REGION: &str = "us-east-2";

fn s3() -> aws::S3 {
    aws::s3(&aws::sdk_config_for(moto().endpoint(), REGION))
}

fn cleanup(args: &[&str]) -> Output {
    let dir = Workdir::new();
    let args: Vec<&str> = ["--region", REGION]
        .into_iter()
        .chain(args.iter().copied())
        .collect();
    run(BIN, dir.path(), Some(moto().endpoint()), &args)
}

async fn stuck_bucket() -> String {
    let s3 = s3();
    let bucket = unique_name("stuck");
    fixtures::versioned_bucket(&s3, &bucket, REGION).await;
    fixtures::fill(&s3, &bucket, &Fill::default()).await;
    fixtures::make_stuck(&s3, &bucket).await;
    bucket
}

#[tokio::test]
async fn a_stuck_bucket_loses_what_blocks_it_and_ends_gone() {
    let bucket = stuck_bucket().await;
    let dry = cleanup(&["--bucket", &bucket, "--dry-run"]);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert!(
        dry.stderr
            .contains("remove policy (its statements that deny deletion; the others are kept)"),
        "{}",
        dry.stderr
    );
    assert!(
        dry.stderr.contains("remove lifecycle") && dry.stderr.contains("remove notifications"),
        "{}",
        dry.stderr
    );
    assert!(
        fixtures::has_policy(&s3(), &bucket).await,
        "a dry run removes nothing"
    );

    let refused = cleanup(&["--bucket", &bucket]);
    assert_eq!(refused.code, 4, "{}", refused.stderr);
    // Refused with --output json: exactly one document, the inventory with the error in it.
    let refused = cleanup(&["--bucket", &bucket, "--output", "json"]);
    assert_eq!(refused.code, 4, "{}", refused.stderr);
    let mut documents =
        serde_json::Deserializer::from_str(&refused.stdout).into_iter::<serde_json::Value>();
    let document = documents.next().expect("a document").expect("JSON");
    assert!(
        documents.next().is_none(),
        "one document only:\n{}",
        refused.stdout
    );
    assert_eq!(document["error"]["exit_code"], 4, "{document}");
    assert_eq!(document["buckets"][0]["bucket"], bucket.as_str());

    let out = cleanup(&["--bucket", &bucket, "--force", "--output", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let result = &out.json()["buckets"][0]["result"];
    assert_eq!(
        result["removed"],
        serde_json::json!(["policy", "lifecycle", "notifications"])
    );
    assert_eq!(result["bucket_deleted"], true);
    assert_eq!(
        result["versions_deleted"],
        Fill::default().object_versions()
    );
    assert_eq!(fixtures::remaining(&s3(), &bucket).await, None);
}

#[tokio::test]
async fn expire_via_lifecycle_sets_the_rules_and_says_when_to_come_back() {
    let bucket = stuck_bucket().await;
    // Beside the denial, a statement of the owner's that the cleanup must keep.
    let auditors = serde_json::json!({"Sid": "Auditors", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "s3:GetObject", "Resource": format!("arn:aws:s3:::{bucket}/*")});
    let current = s3()
        .get_bucket_policy()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    let mut policy: serde_json::Value = serde_json::from_str(current.policy().unwrap()).unwrap();
    policy["Statement"]
        .as_array_mut()
        .unwrap()
        .push(auditors.clone());
    s3().put_bucket_policy()
        .bucket(&bucket)
        .policy(policy.to_string())
        .send()
        .await
        .unwrap();
    let out = cleanup(&["--bucket", &bucket, "--force", "--expire-via-lifecycle"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // Only the statement that denies deletion is gone; before, the whole policy was deleted.
    let after = s3()
        .get_bucket_policy()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    let after: serde_json::Value = serde_json::from_str(after.policy().unwrap()).unwrap();
    assert_eq!(after["Statement"], serde_json::json!([auditors]), "{after}");
    assert!(out.stderr.contains("Come back after"), "{}", out.stderr);
    assert_eq!(
        fixtures::lifecycle_rule_ids(&s3(), &bucket).await,
        [
            "tfstate-toolkit-empty-bucket",
            "tfstate-toolkit-expired-delete-markers"
        ]
    );
    assert_eq!(
        fixtures::remaining(&s3(), &bucket).await,
        Some((Fill::default().object_versions() + 5, 2)),
        "nothing is deleted from here"
    );
}

#[tokio::test]
async fn governance_retention_is_refused_without_the_bypass() {
    let s3 = s3();
    let bucket = unique_name("governed");
    fixtures::locked_bucket(&s3, &bucket, REGION, Protection::Governance).await;
    let refused = cleanup(&["--bucket", &bucket, "--force"]);
    assert_eq!(refused.code, 4, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("GOVERNANCE retention")
            && refused.stderr.contains("--bypass-governance"),
        "{}",
        refused.stderr
    );
    assert_eq!(fixtures::remaining(&s3, &bucket).await, Some((2, 0)));
    // A blocked bucket with --output json: one document (before: the inventory, then a
    // second document with the error).
    let json = cleanup(&["--bucket", &bucket, "--force", "--output", "json"]);
    assert_eq!(json.code, 4, "{}", json.stderr);
    let documents: Vec<serde_json::Value> = serde_json::Deserializer::from_str(&json.stdout)
        .into_iter()
        .collect::<Result<_, _>>()
        .expect("JSON");
    assert_eq!(documents.len(), 1, "{}", json.stdout);
    assert_eq!(documents[0]["error"]["exit_code"], 4);
    assert!(
        documents[0]["buckets"][0]["blockers"].is_array(),
        "{}",
        json.stdout
    );
    let bypassed = cleanup(&["--bucket", &bucket, "--force", "--bypass-governance"]);
    assert_eq!(bypassed.code, 0, "{}", bypassed.stderr);
    assert_eq!(fixtures::remaining(&s3, &bucket).await, None);
}

/// A stuck bucket whose only sign of state is its content (a state at a key not ending in
/// .tfstate, or whose current version is a delete marker), or the provisioner's tag, is
/// refused without `--confirm-bucket`, `--expire-via-lifecycle` included: before, each was
/// cleaned up with `--force` alone.
#[tokio::test]
async fn a_bucket_with_any_sign_of_state_is_protected_in_an_emergency_too() {
    const STATE: &str = r#"{"version":4,"terraform_version":"1.0.3","serial":1,"lineage":"l","outputs":{},"resources":[]}"#;
    let s3 = s3();
    let bucket = || async {
        let bucket = unique_name("stuck");
        fixtures::versioned_bucket(&s3, &bucket, REGION).await;
        fixtures::fill(&s3, &bucket, &Fill::default()).await;
        bucket
    };
    let json = bucket().await;
    fixtures::put(&s3, &json, "old/state.json", STATE.as_bytes()).await;
    let deleted = bucket().await;
    fixtures::put(&s3, &deleted, "env/terraform.tfstate", STATE.as_bytes()).await;
    fixtures::delete(&s3, &deleted, "env/terraform.tfstate").await;
    let tagged = bucket().await;
    fixtures::tag(&s3, &tagged, "Purpose", "terraform-state").await;
    for stuck in [&json, &deleted, &tagged] {
        fixtures::make_stuck(&s3, stuck).await;
    }
    for (bucket, sign) in [
        (&json, "old/state.json (version"),
        (&deleted, "env/terraform.tfstate (version"),
        (&tagged, "it is tagged Purpose=terraform-state"),
    ] {
        for extra in [&[][..], &["--expire-via-lifecycle"][..]] {
            let args = [&["--bucket", bucket.as_str(), "--force"][..], extra].concat();
            let out = cleanup(&args);
            assert_eq!(out.code, 4, "{bucket} {extra:?}:\n{}", out.stderr);
            assert!(out.stderr.contains(sign), "{}", out.stderr);
            assert!(fixtures::has_policy(&s3, bucket).await, "nothing removed");
            assert!(
                !fixtures::lifecycle_rule_ids(&s3, bucket)
                    .await
                    .iter()
                    .any(|id| id.starts_with("tfstate-toolkit-")),
                "no expiry rule put"
            );
        }
    }
}

#[tokio::test]
async fn a_denial_written_with_wildcards_or_not_action_is_found_removed_and_the_bucket_deleted() {
    let s3 = s3();
    for (name, actions) in fixtures::DELETION_DENIALS {
        let bucket = unique_name(&format!("stuck-{name}"));
        fixtures::versioned_bucket(&s3, &bucket, REGION).await;
        fixtures::fill(&s3, &bucket, &Fill::default()).await;
        let policy = fixtures::denying_policy(&bucket, actions, "");
        s3.put_bucket_policy()
            .bucket(&bucket)
            .policy(&policy)
            .send()
            .await
            .unwrap();

        let dry = cleanup(&["--bucket", &bucket, "--dry-run"]);
        assert_eq!(dry.code, 0, "{}", dry.stderr);
        assert!(
            dry.stderr
                .contains("remove policy (its statements that deny deletion"),
            "{name}: {}",
            dry.stderr
        );
        let out = cleanup(&["--bucket", &bucket, "--force", "--output", "json"]);
        assert_eq!(out.code, 0, "{name}: {}", out.stderr);
        let result = &out.json()["buckets"][0]["result"];
        assert_eq!(result["removed"], serde_json::json!(["policy"]), "{name}");
        assert_eq!(result["bucket_deleted"], true, "{name}");
    }
}
