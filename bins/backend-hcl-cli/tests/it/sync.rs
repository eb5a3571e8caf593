//! `--check-sync`: exit 0 in sync, 1 for each problem, 2 for a file that is not a backend file.

use crate::support::Project;

async fn synced_project() -> Project {
    let project = Project::new();
    project.provision().await;
    project.create_tenant("mtn-ghana");
    project
}

#[tokio::test]
async fn in_sync_prints_the_seed_000_readiness_block_and_exits_0() {
    let project = synced_project().await;
    let output = project.run(&["--check-sync"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    let expected = format!(
        "[INFO] Configuration: {config}\n\
         ╭─ Infrastructure Readiness Check\n\
         [INFO] 🔍 Validating AWS infrastructure exists...\n\
         [SUCCESS] ✅ AWS infrastructure validated\n\
         [INFO]    🪣 S3 Bucket: {bucket}\n\
         [INFO]    🗃️  DynamoDB Table: {table}\n\
         \n\
         [INFO] 📋 Infrastructure Configuration:\n\
         \u{20}  🏷️  Project Name:    {name}\n\
         \u{20}  🌍 Region:          us-west-2\n\
         \u{20}  🏗️  Environment:     production\n\
         \u{20}  🪣 S3 Bucket:       {bucket}\n\
         \u{20}  🗃️  DynamoDB Table:  {table}\n\
         \n\
         [SUCCESS] ✅ AWS infrastructure is provisioned\n\
         [SUCCESS] ✅ Found 1 tenant backend(s) configured\n",
        bucket = project.bucket(),
        table = project.table(),
        name = project.name,
        config = project.dir.path().join("shared-config.toml").display(),
    );
    assert!(output.stderr.starts_with(&expected), "{}", output.stderr);
    let json = project.run(&["--check-sync", "--output", "json"]).json();
    assert_eq!(json["in_sync"], true);
    assert_eq!(json["report"]["files"], 5);
}

#[tokio::test]
async fn a_missing_bucket_or_table_exits_1_with_the_provisioning_command() {
    let project = Project::new();
    project.create_table("LockID").await;
    project.create_tenant("acme");
    let output = project.run(&["--check-sync"]);
    assert_eq!(output.code, 1, "{}", output.stderr);
    assert!(
        output
            .stderr
            .contains(&format!("❌ S3 bucket not found: {}", project.bucket()))
    );
    assert!(output.stderr.contains("   provision-s3-infrastructure \\"));

    let project = Project::new();
    project.create_bucket().await;
    project.create_tenant("acme");
    let output = project.run(&["--check-sync"]);
    assert_eq!(output.code, 1, "{}", output.stderr);
    assert!(
        output
            .stderr
            .contains(&format!("❌ DynamoDB table not found: {}", project.table()))
    );
}

#[tokio::test]
async fn a_lock_table_with_the_wrong_key_exits_1() {
    let project = Project::new();
    project.provision_with_key("id").await;
    project.create_tenant("acme");
    let output = project.run(&["--check-sync"]);
    assert_eq!(output.code, 1, "{}", output.stderr);
    assert!(
        output
            .stderr
            .contains("has key id (S, HASH); Terraform locks with LockID (S, HASH)"),
        "{}",
        output.stderr
    );
}

#[tokio::test]
async fn a_file_naming_another_bucket_exits_1_and_names_the_file() {
    let project = synced_project().await;
    let file = project.tenant_file("mtn-ghana", "platform");
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace(&project.bucket(), "someone-elses-bucket");
    std::fs::write(&file, text).unwrap();
    let output = project.run(&["--check-sync"]);
    assert_eq!(output.code, 1, "{}", output.stderr);
    assert!(output.stderr.contains(&format!(
        "❌ backends/aws/production/us-west-2/tenants/mtn-ghana/platform.hcl: names bucket someone-elses-bucket, expected {}",
        project.bucket()
    )));
    assert!(
        output
            .stderr
            .contains("Out of sync: 1 problem(s) in 5 backend file(s)")
    );
}

#[tokio::test]
async fn two_files_sharing_a_state_key_exit_1() {
    let project = synced_project().await;
    let copy = project
        .dir
        .path()
        .join("backends/aws/production/us-west-2/tenants/mtn-ghana/copy-of-foundation.hcl");
    std::fs::copy(project.tenant_file("mtn-ghana", "foundation"), &copy).unwrap();
    let output = project.run(&["--check-sync"]);
    assert_eq!(output.code, 1, "{}", output.stderr);
    assert!(output.stderr.contains(
        "❌ 2 files name the state key tenants/mtn-ghana/layers/foundation/production/terraform.tfstate: their stacks would share one state"
    ));
    assert!(output.stderr.contains("copy-of-foundation.hcl"));
}

#[tokio::test]
async fn hostile_files_exit_2_naming_the_file() {
    let project = synced_project().await;
    let dir = project
        .dir
        .path()
        .join("backends/aws/production/us-west-2/tenants/mtn-ghana");
    let cases: [(&str, Vec<u8>, &str); 4] = [
        (
            "not-hcl.hcl",
            b"{{{{ nope".to_vec(),
            "not-hcl.hcl: not valid HCL at line 1",
        ),
        (
            "huge.hcl",
            vec![b' '; 3 << 20],
            "huge.hcl: is 3145728 bytes",
        ),
        (
            "twice.hcl",
            b"bucket = \"a\"\nbucket = \"b\"\n".to_vec(),
            "twice.hcl: line 2: a key is set twice",
        ),
        (
            "types.hcl",
            b"key = 12\n".to_vec(),
            "types.hcl: line 1: `key` must be a string, found a number",
        ),
    ];
    for (name, content, message) in cases {
        let path = dir.join(name);
        std::fs::write(&path, content).unwrap();
        for action in ["--check-sync", "--show-all-paths"] {
            let output = project.run(&[action]);
            assert_eq!(output.code, 2, "{name} {action}: {}", output.stderr);
            assert!(
                output.stderr.contains(message),
                "{name} {action}: {}",
                output.stderr
            );
            assert_eq!(
                output.stderr.matches("[ERROR]").count(),
                1,
                "{}",
                output.stderr
            );
        }
        std::fs::remove_file(path).unwrap();
    }
}
