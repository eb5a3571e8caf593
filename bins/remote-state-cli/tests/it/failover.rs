//! `manage-remote-state failover`: Terraform run from the replica in a second region. moto
//! stores a replication configuration but does not replicate, so the test copies each
//! version into the replica as S3 replication would, oldest first.

use test_support::aws::aws_sdk_dynamodb::types::AttributeValue::S;
use test_support::{AwsAnswer, Fault, FaultProxy, FaultRule, aws, fixtures, unique_name};

use super::{KEY, Tool, code, ok};

const REPLICA_REGION: &str = "us-west-2";

/// Stands in for S3 replication: every version of `key`, oldest first, copied from
/// `source` into `replica`.
async fn replicate(s3: &aws::aws_sdk_s3::Client, source: &str, replica: &str, key: &str) {
    let listed = s3
        .list_object_versions()
        .bucket(source)
        .prefix(key)
        .send()
        .await
        .expect("ListObjectVersions");
    let mut versions: Vec<_> = listed
        .versions()
        .iter()
        .filter(|v| v.key() == Some(key))
        .collect();
    // S3 lists a key's versions newest first (times can tie to the second).
    versions.reverse();
    for version in versions {
        s3.copy_object()
            .bucket(replica)
            .key(key)
            .copy_source(format!(
                "{source}/{key}?versionId={}",
                version.version_id().unwrap()
            ))
            .send()
            .await
            .expect("CopyObject");
    }
}

async fn digest(dynamodb: &aws::aws_sdk_dynamodb::Client, table: &str, id: &str) -> Option<String> {
    dynamodb
        .get_item()
        .table_name(table)
        .key("LockID", S(id.to_owned()))
        .send()
        .await
        .expect("GetItem")
        .item()
        .and_then(|item| item.get("Digest"))
        .and_then(|value| value.as_s().ok())
        .cloned()
}

#[tokio::test]
async fn failover_rows_and_files_let_terraform_plan_from_the_replica_with_no_changes() {
    let tool = Tool::new().await;
    let stack = tool.stack();
    tool.dir.write("backends/acme.hcl", &tool.backend_file(KEY));
    let (replica, replica_table) = (unique_name("replica"), unique_name("locks-west"));
    let west = aws::sdk_config_for(test_support::moto().endpoint(), REPLICA_REGION);
    let (s3, s3_west, dynamodb_west) = (
        aws::s3(&aws::sdk_config()),
        aws::s3(&west),
        aws::dynamodb(&west),
    );
    fixtures::versioned_bucket(&s3_west, &replica, REPLICA_REGION).await;
    aws::create_table(&dynamodb_west, &replica_table, "LockID").await;
    replicate(&s3, &tool.bucket, &replica, KEY).await;

    // The source moves on and the replica has not caught up yet; a team that copied the
    // source's digest rows to the replica's name would give Terraform the source's MD5.
    stack.set_value("third");
    ok(
        &stack.apply(),
        "an apply the replica has not caught up with",
    );
    let replica_id = format!("{replica}/{KEY}-md5");
    let source_digest = digest(
        &aws::dynamodb(&aws::sdk_config()),
        &tool.table,
        &format!("{}/{KEY}-md5", tool.bucket),
    )
    .await
    .unwrap();
    dynamodb_west
        .put_item()
        .table_name(&replica_table)
        .item("LockID", S(replica_id.clone()))
        .item("Digest", S(source_digest.clone()))
        .send()
        .await
        .expect("PutItem");
    stack.set_value("second");
    let backend = tool.dir.path().join("replica.hcl");
    std::fs::write(
        &backend,
        format!("bucket = \"{replica}\"\nkey = \"{KEY}\"\nregion = \"{REPLICA_REGION}\"\ndynamodb_table = \"{replica_table}\"\n"),
    )
    .unwrap();
    // Terraform refuses the replica as it is: even init reads the state and checks it.
    let refused = stack.init(&backend);
    assert_ne!(
        refused.code, 0,
        "the copied row is not the replica's bytes: {}",
        refused.stdout
    );
    assert!(
        refused
            .stderr
            .contains("does not have the expected content"),
        "{}",
        refused.stderr
    );

    let failover = |extra: &[&str]| {
        let mut args = vec![
            "failover",
            "--to-region",
            REPLICA_REGION,
            "--to-bucket",
            &replica,
            "--to-table",
            &replica_table,
        ];
        args.extend_from_slice(extra);
        tool.run(&args)
    };
    let dry = failover(&["--dry-run"]);
    ok(&dry, "failover --dry-run");
    assert!(
        dry.stderr.contains("replication has not caught up"),
        "{}",
        dry.stderr
    );
    assert!(
        dry.stderr.contains("failover-us-west-2/acme.hcl"),
        "{}",
        dry.stderr
    );
    assert_eq!(
        digest(&dynamodb_west, &replica_table, &replica_id)
            .await
            .as_deref(),
        Some(source_digest.as_str()),
        "a dry run writes no row"
    );
    assert!(
        !tool.dir.path().join("failover-us-west-2").exists(),
        "nor any file"
    );

    let done = failover(&["--force"]);
    ok(&done, "failover");
    let bytes = aws::get_object(&s3_west, &replica, KEY).await;
    assert_eq!(
        digest(&dynamodb_west, &replica_table, &replica_id).await,
        Some(remote_state::records::md5_hex(&bytes)),
        "the row holds the replica's own bytes' MD5"
    );
    let file = tool.dir.path().join("failover-us-west-2/acme.hcl");
    let text = std::fs::read_to_string(&file).unwrap();
    for expected in [&replica, REPLICA_REGION, &replica_table, KEY] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    assert!(!text.contains(&tool.bucket), "{text}");

    ok(
        &stack.init(&file),
        "terraform init -reconfigure with the failover file",
    );
    code(
        &stack.plan(),
        0,
        "terraform plan from the replica: no changes",
    );
    assert_eq!(stack.output().stdout, "second");

    let again = failover(&["--force"]);
    ok(&again, "a second failover");
    assert!(
        !again.stderr.contains("set the digest row"),
        "nothing left to write: {}",
        again.stderr
    );

    // In a real outage the source cannot be read: failover says so and goes on.
    let source_path = format!("/{}", tool.bucket);
    let outage = FaultProxy::start(
        test_support::moto().endpoint(),
        vec![
            FaultRule::new(
                Fault::Error(AwsAnswer {
                    status: 403,
                    code: "AccessDenied",
                    message: "Access Denied",
                    header: None,
                }),
                1.0,
            )
            .matching(move |record| record.path.starts_with(&source_path)),
        ],
    );
    let mut args = vec![
        "failover",
        "--to-region",
        REPLICA_REGION,
        "--to-bucket",
        &replica,
    ];
    args.extend(["--to-table", &replica_table, "--force"]);
    let blind = tool.run_via(outage.endpoint(), &args);
    ok(&blind, "failover with the source unreadable");
    assert!(
        blind
            .stderr
            .contains("cannot be read, so the replica's lag is unknown"),
        "{}",
        blind.stderr
    );

    let same = tool.run(&[
        "failover",
        "--to-region",
        super::REGION,
        "--to-bucket",
        &replica,
    ]);
    code(&same, 2, "failover to the source's own region");
}
