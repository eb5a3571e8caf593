//! `manage-remote-state backup`: states copied to a bucket in another region with a
//! manifest; a re-run copies nothing, a changed state alone is copied again; `--verify`
//! fails on a stale backup and on a damaged copy.

use test_support::{FaultProxy, aws, fixtures, moto, unique_name};

use super::{KEY, Tool, code, ok, write_state};

const OTHER: &str = "tenants/beta/terraform.tfstate";
const BACKUP_REGION: &str = "us-west-2";

/// The state versions a run wrote into `bucket` (the manifest aside).
fn copies(proxy: &FaultProxy, bucket: &str) -> usize {
    proxy
        .requests()
        .iter()
        .filter(|request| request.method == "PUT" && request.bucket() == Some(bucket))
        .filter(|request| !request.path.ends_with("/manifest.json"))
        .count()
}

#[tokio::test]
async fn a_backup_copies_only_what_changed_and_verify_fails_when_it_is_stale_or_damaged() {
    let tool = Tool::new().await;
    let stack = tool.stack();
    write_state(&tool, OTHER, 1).await;
    let target = unique_name("backup");
    let s3 = aws::s3(&aws::sdk_config());
    aws::create_bucket(&s3, &target, BACKUP_REGION).await;
    let backup = |endpoint: &str, extra: &[&str]| {
        let mut args = vec![
            "backup",
            "--to-bucket",
            &target,
            "--to-region",
            BACKUP_REGION,
        ];
        args.extend_from_slice(extra);
        tool.run_via(endpoint, &args)
    };
    let verify = |extra: &[&str]| backup(moto().endpoint(), &[&["--verify"], extra].concat());
    let none = verify(&[]);
    code(&none, 1, "verify before any backup");
    assert!(
        none.stderr.contains("no backup manifest"),
        "{}",
        none.stderr
    );

    let proxy = FaultProxy::start(moto().endpoint(), Vec::new());
    let dry = backup(proxy.endpoint(), &["--dry-run"]);
    ok(&dry, "backup --dry-run");
    assert_eq!(copies(&proxy, &target), 0, "a dry run copies nothing");
    ok(&backup(proxy.endpoint(), &[]), "the first backup");
    assert_eq!(copies(&proxy, &target), 2, "each state's current version");
    ok(&verify(&["--max-age", "1h"]), "verify a fresh backup");
    let manifest_key = format!("{}/manifest.json", tool.bucket);
    let manifest: serde_json::Value =
        serde_json::from_slice(&aws::get_object(&s3, &target, &manifest_key).await).unwrap();
    let entries = manifest["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{manifest}");
    for entry in entries {
        let copy = aws::get_object(&s3, &target, entry["object"].as_str().unwrap()).await;
        assert_eq!(
            remote_state::records::md5_hex(&copy),
            entry["md5"].as_str().unwrap(),
            "the copy is the state's bytes"
        );
    }

    let proxy = FaultProxy::start(moto().endpoint(), Vec::new());
    ok(&backup(proxy.endpoint(), &[]), "a second backup");
    assert_eq!(
        copies(&proxy, &target),
        0,
        "nothing changed, nothing copied"
    );

    // Terraform writes a new version: the backup is stale for that state alone.
    stack.set_value("third");
    ok(&stack.apply(), "a third apply");
    let stale = verify(&[]);
    code(&stale, 1, "verify a stale backup");
    assert!(
        stale.stderr.contains(KEY) && stale.stderr.contains("is not in the backup"),
        "{}",
        stale.stderr
    );
    let proxy = FaultProxy::start(moto().endpoint(), Vec::new());
    ok(&backup(proxy.endpoint(), &[]), "a third backup");
    assert_eq!(copies(&proxy, &target), 1, "only the state that changed");
    ok(&verify(&[]), "verify after the third backup");

    // Every version: the versions of the Terraform state not taken yet join the backup
    // (two of its versions were current at a backup).
    let versions = tool.run(&["--output", "json", "versions", KEY]).json()["reads"]
        .as_array()
        .unwrap()
        .len();
    assert!(versions >= 3, "{versions}");
    let proxy = FaultProxy::start(moto().endpoint(), Vec::new());
    ok(
        &backup(proxy.endpoint(), &["--all-versions"]),
        "backup --all-versions",
    );
    assert_eq!(
        copies(&proxy, &target),
        versions - 2,
        "the versions not taken yet"
    );

    // Too old a last run (the manifest says it finished two days ago), and a damaged copy.
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&aws::get_object(&s3, &target, &manifest_key).await).unwrap();
    let two_days_ago = chrono::Utc::now() - chrono::TimeDelta::days(2);
    manifest["taken_at"] = serde_json::json!(two_days_ago);
    fixtures::put(&s3, &target, &manifest_key, manifest.to_string().as_bytes()).await;
    ok(&verify(&[]), "without --max-age the age does not matter");
    let old = verify(&["--max-age", "25h"]);
    code(&old, 1, "verify with a max age the backup is older than");
    assert!(old.stderr.contains("more than the"), "{}", old.stderr);
    let current = manifest["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["key"] == KEY && entry["current"] == true)
        .unwrap()["object"]
        .as_str()
        .unwrap()
        .to_owned();
    fixtures::put(&s3, &target, &current, b"{}").await;
    let damaged = verify(&[]);
    code(&damaged, 1, "verify a damaged copy");
    assert!(damaged.stderr.contains("its MD5 is"), "{}", damaged.stderr);
    code(&stack.plan(), 0, "the states themselves are untouched");
}
