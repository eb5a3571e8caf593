//! `manage-remote-state` as a process, against moto and the real Terraform 1.0.3: the day-two
//! life of a state as a platform engineer meets it.

use test_support::aws::aws_sdk_dynamodb::types::AttributeValue::S;
use test_support::cli::{Output, Workdir, run};
use test_support::terraform::Stack;
use test_support::{aws, fixtures, moto, terraform, unique_name};

mod backup;
mod failover;
mod migrate;

const KEY: &str = "tenants/acme/terraform.tfstate";
const REGION: &str = "us-east-1";

/// A versioned bucket and a lock table of the test's own, and the tool pointed at them.
struct Tool {
    bucket: String,
    table: String,
    dir: Workdir,
}

impl Tool {
    async fn new() -> Tool {
        let (bucket, table) = (unique_name("states"), unique_name("locks"));
        let config = aws::sdk_config();
        fixtures::versioned_bucket(&aws::s3(&config), &bucket, REGION).await;
        aws::create_table(&aws::dynamodb(&config), &table, "LockID").await;
        Tool {
            bucket,
            table,
            dir: Workdir::new(),
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_via(moto().endpoint(), args)
    }

    /// The tool with its requests sent to `endpoint` (a proxy in front of moto).
    fn run_via(&self, endpoint: &str, args: &[&str]) -> Output {
        let mut all = vec![
            "--region",
            REGION,
            "--bucket",
            &self.bucket,
            "--table",
            &self.table,
        ];
        all.extend_from_slice(args);
        run(
            env!("CARGO_BIN_EXE_manage-remote-state"),
            self.dir.path(),
            Some(endpoint),
            &all,
        )
    }

    /// Terraform on a state of this bucket, applied twice (outputs `first`, `second`).
    fn stack(&self) -> Stack {
        self.stack_at(KEY)
    }

    /// The backend file of the state at `key` of this bucket.
    fn backend_file(&self, key: &str) -> String {
        format!(
            "bucket = \"{}\"\nkey = \"{key}\"\nregion = \"{REGION}\"\ndynamodb_table = \"{}\"\n",
            self.bucket, self.table
        )
    }

    /// Terraform on the state at `key`, applied twice (outputs `first`, `second`).
    fn stack_at(&self, key: &str) -> Stack {
        let stack = Stack::new(&terraform(), moto().endpoint(), "first");
        let backend = stack.path().join("backend.hcl");
        std::fs::write(&backend, self.backend_file(key)).unwrap();
        ok(&stack.init(&backend), "init");
        ok(&stack.apply(), "first apply");
        stack.set_value("second");
        ok(&stack.apply(), "second apply");
        stack
    }
}

/// A state of `versions` versions (serials 1 to `versions`) at `key`, as Terraform writes it,
/// with its digest row.
async fn write_state(tool: &Tool, key: &str, versions: u64) {
    let config = aws::sdk_config();
    let s3 = aws::s3(&config);
    let mut last = Vec::new();
    for serial in 1..=versions {
        last = format!(
            r#"{{"version":4,"terraform_version":"1.0.3","serial":{serial},"lineage":"l-{key}","outputs":{{}},"resources":[]}}"#
        )
        .into_bytes();
        fixtures::put(&s3, &tool.bucket, key, &last).await;
    }
    aws::dynamodb(&config)
        .put_item()
        .table_name(&tool.table)
        .item("LockID", S(format!("{}/{key}-md5", tool.bucket)))
        .item("Digest", S(remote_state::records::md5_hex(&last)))
        .send()
        .await
        .expect("PutItem");
}

fn ok(output: &Output, what: &str) {
    assert_eq!(
        output.code, 0,
        "{what}:\n{}\n{}",
        output.stdout, output.stderr
    );
}

fn code(output: &Output, expected: i32, what: &str) {
    assert_eq!(
        output.code, expected,
        "{what}:\n{}\n{}",
        output.stdout, output.stderr
    );
}

#[tokio::test]
async fn list_versions_diff_and_restore_what_terraform_wrote() {
    let tool = Tool::new().await;
    let stack = tool.stack();
    // One backend file names the state; another names a state that does not exist.
    tool.dir.write(
        "backends/acme.hcl",
        &format!("bucket = \"{}\"\nkey = \"{KEY}\"\n", tool.bucket),
    );
    tool.dir.write(
        "backends/gone.hcl",
        &format!(
            "bucket = \"{}\"\nkey = \"tenants/gone/terraform.tfstate\"\n",
            tool.bucket
        ),
    );
    let listed = tool.run(&["--output", "json", "list"]);
    ok(&listed, "list");
    let document = listed.json();
    let state = &document["states"][0];
    assert_eq!(state["key"], KEY);
    assert_eq!(state["digest"], "ok");
    assert_eq!(state["workspace"], "default");
    assert!(state["versions"].as_u64().unwrap() >= 2, "{state}");
    assert!(state["locks"].as_array().unwrap().is_empty());
    assert_eq!(
        state["backend_files"],
        serde_json::json!(["backends/acme.hcl"])
    );
    assert_eq!(
        document["backend_files_without_state"][0]["key"],
        "tenants/gone/terraform.tfstate"
    );
    let text = tool.run(&["list"]);
    assert!(
        text.stderr
            .contains("backends/gone.hcl: its state tenants/gone/terraform.tfstate does not exist"),
        "{}",
        text.stderr
    );

    let versions = tool.run(&["--output", "json", "versions", KEY]).json();
    let reads = versions["reads"].as_array().unwrap();
    let first = reads.last().unwrap()["version_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let text = tool.run(&["versions", KEY]);
    ok(&text, "versions");
    assert!(text.stderr.contains("(current)"), "{}", text.stderr);
    let diff = tool.run(&["diff", KEY, "--from", &first]);
    ok(&diff, "diff");
    assert!(diff.stderr.contains("~ output name"), "{}", diff.stderr);
    assert!(
        !diff.stderr.contains("second"),
        "no value is printed: {}",
        diff.stderr
    );

    // An older serial: refused without --force, shown by a dry run, then restored.
    let refused = tool.run(&["restore", KEY, "--version", &first]);
    code(&refused, 4, "restore without --force");
    assert!(
        refused.stderr.contains("--force goes back"),
        "{}",
        refused.stderr
    );
    let dry = tool.run(&["restore", KEY, "--version", &first, "--force", "--dry-run"]);
    ok(&dry, "dry run");
    assert!(
        dry.stderr.contains("Dry run: nothing changed"),
        "{}",
        dry.stderr
    );
    assert_eq!(stack.output().stdout, "second");
    ok(
        &tool.run(&["restore", KEY, "--version", &first, "--force"]),
        "restore",
    );
    assert_eq!(stack.output().stdout, "first");
    let planned = stack.plan();
    code(&planned, 2, "terraform plan after the restore");
    let verified = tool.run(&["verify"]);
    ok(&verified, "verify after the restore");
    assert!(
        verified.stderr.contains("serial went back"),
        "the forced restore shows in the history: {}",
        verified.stderr
    );
    let current = tool.run(&["verify", "--current"]);
    ok(&current, "verify --current after the restore");
    assert!(
        current.stderr.contains("No error (0 warnings)"),
        "--current reads no history: {}",
        current.stderr
    );
}

#[tokio::test]
async fn a_broken_digest_is_verified_repaired_and_terraform_works_again() {
    let tool = Tool::new().await;
    let stack = tool.stack();
    let dynamodb = aws::dynamodb(&aws::sdk_config());
    fixtures::put_lock_row(
        &dynamodb,
        &tool.table,
        &remote_state_digest_id(&tool.bucket),
    )
    .await;
    let refused = stack.plan();
    code(&refused, 1, "terraform plan with a broken digest");
    assert!(
        refused
            .stderr
            .contains("does not have the expected content"),
        "{}",
        refused.stderr
    );
    let verified = tool.run(&["verify"]);
    code(&verified, 1, "verify");
    assert!(
        verified.stderr.contains("Terraform refuses it"),
        "{}",
        verified.stderr
    );
    let dry = tool.run(&["repair", "--dry-run"]);
    ok(&dry, "repair --dry-run");
    assert!(dry.stderr.contains("set the digest row"), "{}", dry.stderr);
    code(&tool.run(&["verify"]), 1, "a dry run changed nothing");
    let no_terminal = tool.run(&["repair"]);
    code(&no_terminal, 4, "repair without a terminal or --force");
    ok(&tool.run(&["repair", "--force"]), "repair");
    ok(&tool.run(&["verify"]), "verify after repair");
    code(&stack.plan(), 0, "terraform plan after repair");
}

/// The digest row of [`KEY`] (`put_lock_row` writes a digest that is not its MD5).
fn remote_state_digest_id(bucket: &str) -> String {
    format!("{bucket}/{KEY}-md5")
}

#[tokio::test]
async fn a_dead_lock_is_shown_with_its_holder_and_released_for_terraform() {
    let tool = Tool::new().await;
    let stack = tool.stack();
    stack.set_value("third");
    let mut waiting = stack.apply_waiting_for_approval();
    let mut listed = None;
    for _ in 0..100 {
        let locks = tool.run(&["--output", "json", "locks"]).json();
        if !locks["locks"].as_array().unwrap().is_empty() {
            listed = Some(locks);
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    test_support::terraform::kill(&mut waiting);
    let listed = listed.expect("terraform took its lock");
    let lock = &listed["locks"][0];
    assert_eq!(lock["key"], KEY);
    assert_eq!(lock["lock"]["info"]["Operation"], "OperationTypeApply");
    let text = tool.run(&["locks"]);
    assert!(
        text.stderr.contains("OperationTypeApply, Terraform 1.0.3"),
        "{}",
        text.stderr
    );

    let young = tool.run(&["unlock", KEY]);
    code(&young, 4, "a young lock");
    assert!(
        young.stderr.contains("most likely still in use"),
        "{}",
        young.stderr
    );
    let other = tool.run(&["unlock", KEY, "--force", "--lock-id", "not-this-one"]);
    code(&other, 4, "another lock id");
    ok(&tool.run(&["unlock", KEY, "--force"]), "unlock");
    ok(&stack.apply(), "terraform apply after the unlock");
}

#[tokio::test]
async fn bad_input_is_named_with_exit_2_and_nothing_is_written() {
    let tool = Tool::new().await;
    let _stack = tool.stack();
    let unknown = tool.run(&["versions", "tenants/nobody/terraform.tfstate"]);
    code(&unknown, 2, "an unknown state");
    assert!(
        unknown.stderr.contains("no state at s3://"),
        "{}",
        unknown.stderr
    );
    let not_a_state = tool.run(&["show", "tenants/acme/notes.txt"]);
    code(&not_a_state, 2, "not a state's path");
    let version = tool.run(&["restore", KEY, "--version", "nope", "--force"]);
    code(&version, 2, "an unknown version");
    assert!(
        version.stderr.contains("has no version nope"),
        "{}",
        version.stderr
    );
    let bucket = run(
        env!("CARGO_BIN_EXE_manage-remote-state"),
        tool.dir.path(),
        Some(moto().endpoint()),
        &[
            "--region",
            REGION,
            "--bucket",
            "Not_A_Bucket",
            "--table",
            "t",
            "list",
        ],
    );
    code(&bucket, 2, "a bad bucket name");
    code(
        &tool.run(&["prune"]),
        2,
        "prune without --keep or --older-than",
    );
    code(&tool.run(&["unlock", KEY]), 2, "no lock to release");
    // Nothing changed: the state is as Terraform left it.
    ok(&tool.run(&["verify"]), "verify");
}

#[tokio::test]
async fn prune_keeps_the_current_version_and_what_is_asked() {
    let tool = Tool::new().await;
    let stack = tool.stack();
    stack.set_value("third");
    ok(&stack.apply(), "third apply");
    let before = tool.run(&["--output", "json", "list"]).json()["states"][0]["versions"]
        .as_u64()
        .unwrap();
    assert!(before >= 3);
    let dry = tool.run(&["prune", "--keep", "1", "--dry-run"]);
    ok(&dry, "prune --dry-run");
    assert!(
        dry.stderr.contains("Dry run: nothing deleted"),
        "{}",
        dry.stderr
    );
    ok(&tool.run(&["prune", "--keep", "1", "--force"]), "prune");
    let after = tool.run(&["--output", "json", "list"]).json()["states"][0]["versions"]
        .as_u64()
        .unwrap();
    assert_eq!(
        after, 2,
        "the current version and the newest noncurrent one"
    );
    assert_eq!(stack.output().stdout, "third");
    code(&stack.plan(), 0, "terraform plan after the prune");
}
