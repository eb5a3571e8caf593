//! Creating, listing, showing and removing backend files.

use test_support::cli::run;
use test_support::{FaultProxy, moto};

use crate::support::{BIN, Project};

#[tokio::test]
async fn create_tenant_writes_the_seed_000_files_after_the_readiness_check() {
    let project = Project::new();
    project.provision().await;
    let output = project.run(&["--tenant", "mtn-ghana", "--create-tenant"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert!(output.stderr.contains("╭─ Infrastructure Readiness Check"));
    assert!(
        output
            .stderr
            .contains("[SUCCESS] ✅ AWS infrastructure validated")
    );
    for stem in [
        "foundation",
        "platform",
        "observability",
        "shared-services",
        "backend",
    ] {
        let file = project.tenant_file("mtn-ghana", stem);
        assert!(output.stderr.contains(&format!(
            "[SUCCESS] ✅ Created backends/aws/production/us-west-2/tenants/mtn-ghana/{stem}.hcl"
        )));
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.starts_with(&format!("bucket         = \"{}\"\n", project.bucket())),
            "{text}"
        );
        assert!(text.contains(&format!("dynamodb_table = \"{}\"\n", project.table())));
    }
    assert!(
        output
            .stderr
            .contains("✅ Backend files: 5 created, 0 updated, 0 unchanged, 0 left alone")
    );

    let again = project.run(&["--tenant", "mtn-ghana", "--create-tenant"]);
    assert_eq!(again.code, 0);
    assert!(
        again
            .stderr
            .contains("0 created, 0 updated, 5 unchanged, 0 left alone")
    );
}

#[tokio::test]
async fn a_hand_edited_file_is_left_alone_with_its_diff_and_exit_1_until_forced() {
    let project = Project::new();
    project.provision().await;
    assert_eq!(
        project.run(&["--tenant", "acme", "--create-tenant"]).code,
        0
    );
    let file = project.tenant_file("acme", "platform");
    let edited = std::fs::read_to_string(&file)
        .unwrap()
        .replace("encrypt        = true", "encrypt        = false")
        + "profile        = \"prod\"\n";
    std::fs::write(&file, &edited).unwrap();

    let output = project.run(&["--tenant", "acme", "--create-tenant"]);
    assert_eq!(output.code, 1, "{}", output.stderr);
    assert!(
        output
            .stderr
            .contains("platform.hcl holds something else; left alone (--force overwrites it)")
    );
    assert!(output.stderr.contains("-encrypt        = false"));
    assert!(output.stderr.contains("+encrypt        = true"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), edited);

    let forced = project.run(&["--tenant", "acme", "--create-tenant", "--force"]);
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert!(
        forced.stderr.contains("platform.hcl (kept: profile)"),
        "{}",
        forced.stderr
    );
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("encrypt        = true") && text.contains("profile        = \"prod\""));
}

#[test]
fn missing_infrastructure_prints_the_provisioning_command_and_no_prompt_off_a_terminal() {
    let project = Project::new();
    let output = project.run(&["--tenant", "acme", "--create-tenant"]);
    assert_eq!(
        output.code, 0,
        "the files are written anyway: {}",
        output.stderr
    );
    assert!(
        output
            .stderr
            .contains("[WARNING] ⚠️  Required AWS infrastructure is missing!")
    );
    assert!(output.stderr.contains(&format!(
        "[ERROR] S3 bucket not found: {}",
        project.bucket()
    )));
    let command = format!(
        "[INFO] 🚀 To fix this, run:\n   provision-s3-infrastructure \\\n     --region us-west-2 \\\n     \
         --environment production \\\n     --project-name {}",
        project.name
    );
    assert!(output.stderr.contains(&command), "{}", output.stderr);
    assert!(
        !output.stderr.contains("Would you like"),
        "no prompt without a terminal"
    );
    assert!(project.tenant_file("acme", "foundation").exists());
}

#[test]
fn offline_writes_files_without_any_request() {
    let project = Project::new();
    let proxy = FaultProxy::start(moto().endpoint(), Vec::new());
    let output = project.run_via(
        proxy.endpoint(),
        &["--tenant", "acme,globex", "--create-tenant", "--offline"],
    );
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert!(output.stderr.contains("10 created"));
    assert!(proxy.requests().is_empty());
}

#[tokio::test]
async fn show_all_paths_and_list_tenants_work_with_no_flags_at_all() {
    let project = Project::new();
    project.provision().await;
    assert_eq!(
        project
            .run(&["--tenant", "mtn-ghana,client-a", "--create-tenant"])
            .code,
        0
    );

    let shown = project.run_bare(&["--show-all-paths"]);
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    assert!(
        shown
            .stderr
            .contains("📋 backends/aws/production/us-west-2/tenants/mtn-ghana/foundation.hcl")
    );
    assert!(
        shown.stderr.contains(
            "     key:    tenants/mtn-ghana/layers/foundation/production/terraform.tfstate"
        )
    );
    assert!(
        shown
            .stderr
            .contains(&format!("     lock:   {}", project.table()))
    );
    assert!(shown.stderr.contains("✅ Found 10 backend file(s)"));

    let json = project
        .run_bare(&["--show-all-paths", "--output", "json"])
        .json();
    let files = json["files"].as_array().unwrap();
    assert_eq!(files.len(), 10);
    assert_eq!(files[0]["bucket"], project.bucket());
    assert_eq!(files[0]["owner"], "client-a");

    let listed = project.run_bare(&["--list-tenants", "--output", "json"]);
    assert_eq!(listed.code, 0);
    let listed = listed.json();
    let tenants: Vec<&str> = listed["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tenant"].as_str().unwrap())
        .collect();
    assert_eq!(tenants, ["client-a", "mtn-ghana"]);
}

#[test]
fn remove_tenant_asks_refuses_without_a_terminal_and_removes_with_force() {
    let project = Project::new();
    assert_eq!(
        project
            .run(&["--tenant", "acme,globex", "--create-tenant", "--offline"])
            .code,
        0
    );
    let refused = project.run(&["--tenant", "acme", "--remove-tenant"]);
    assert_eq!(refused.code, 4, "{}", refused.stderr);
    assert!(
        refused
            .stderr
            .contains("refusing to remove the backend files of acme without confirmation")
    );
    assert!(project.tenant_file("acme", "foundation").exists());

    let removed = project.run(&["--tenant", "acme", "--remove-tenant", "--force"]);
    assert_eq!(removed.code, 0, "{}", removed.stderr);
    assert!(removed.stderr.contains("the state in S3 is not touched"));
    assert!(!project.tenant_file("acme", "foundation").exists());
    assert!(
        !project
            .tenant_file("acme", "foundation")
            .parent()
            .unwrap()
            .exists(),
        "the empty folder goes too"
    );
    assert!(
        project.tenant_file("globex", "foundation").exists(),
        "other tenants stay"
    );

    let unknown = project.run(&["--tenant", "nobody", "--remove-tenant", "--force"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown
            .stderr
            .contains("tenant `nobody` has no backend files")
    );
}

#[test]
fn the_other_key_schemes_write_their_layouts() {
    let project = Project::new();
    let cc = project.run(&[
        "--key-scheme",
        "client-centric",
        "--tenant",
        "est-test-a",
        "--create-tenant",
        "--offline",
    ]);
    assert_eq!(cc.code, 0, "{}", cc.stderr);
    let root = project.dir.path().join("backends/aws/production/us-west-2");
    for file in [
        "foundation.hcl",
        "platform.hcl",
        "shared-services.hcl",
        "observability.hcl",
        "clients/est-test-a.hcl",
    ] {
        assert!(root.join(file).exists(), "{file}");
    }
    let env = project.run(&[
        "--key-scheme",
        "environment",
        "--tenant",
        "mtn-ghana",
        "--create-tenant",
        "--offline",
    ]);
    assert_eq!(env.code, 0, "{}", env.stderr);
    assert!(
        project
            .dir
            .path()
            .join("backends/shared/backend-configs/production.hcl")
            .exists()
    );
    assert!(
        project
            .dir
            .path()
            .join("backends/production/us-west-2/clients/mtn-ghana.hcl")
            .exists()
    );

    let layer = project.run(&[
        "--key-scheme",
        "layer",
        "--tenant",
        "acme",
        "--create-tenant",
        "--offline",
    ]);
    assert_eq!(layer.code, 2);
    assert!(
        layer
            .stderr
            .contains("the layer key scheme has no per-tenant state")
    );
    let shared = project.run(&["--key-scheme", "layer", "--create-shared", "--offline"]);
    assert_eq!(shared.code, 0, "{}", shared.stderr);
    assert!(
        project
            .dir
            .path()
            .join("providers/aws/regions/us-west-2/layers/01-foundation/production/backend.hcl")
            .exists()
    );
}

#[test]
fn bad_input_exits_2_with_one_clear_error() {
    let project = Project::new();
    let cases: [(&[&str], &str); 5] = [
        (
            &["--tenant", "MTN_Ghana", "--create-tenant"],
            "invalid tenant name `MTN_Ghana`",
        ),
        (
            &["--tenant", "acme"],
            "the following required arguments were not provided",
        ),
        (&["--create-tenant"], "--tenant <NAME>"),
        (
            &["--key-scheme", "flat", "--check-sync"],
            "invalid key scheme `flat`: is not a key scheme",
        ),
        (
            &["--lock", "redis", "--tenant", "a", "--create-tenant"],
            "invalid lock mode `redis`",
        ),
    ];
    for (args, message) in cases {
        let output = project.run(args);
        assert_eq!(output.code, 2, "{args:?}: {}", output.stderr);
        assert!(
            output.stderr.contains(message),
            "{args:?}: {}",
            output.stderr
        );
    }
    let dir = test_support::cli::Workdir::new();
    let nothing = run(BIN, dir.path(), None, &[]);
    assert_eq!(nothing.code, 2);
}

/// Input that was accepted with exit 0 (or half-done): any text as --kms-key-id (written as
/// `kms_key_id = ""`), a key of another region, and a tenant named twice with
/// --remove-tenant (which removed the files, then failed with exit 3). Each is exit 2 and
/// nothing is written or removed.
#[test]
fn keys_and_tenants_that_cannot_work_are_refused_before_anything_is_written() {
    let project = Project::new();
    let offline = ["--tenant", "acme", "--create-tenant", "--offline"];
    for (key, rule) in [
        ("", "is not a KMS key id"),
        ("my key", "is not a KMS key id"),
        (
            "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "is a key in eu-west-1, but the bucket is in us-west-2",
        ),
    ] {
        let output = project.run(&[&offline[..], &["--kms-key-id", key]].concat());
        assert_eq!(output.code, 2, "{key}: {}", output.stderr);
        assert!(output.stderr.contains(rule), "{key}: {}", output.stderr);
        assert!(
            !project.dir.path().join("backends").exists(),
            "{key}: nothing written"
        );
    }
    let good = "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let output = project.run(&[&offline[..], &["--kms-key-id", good]].concat());
    assert_eq!(output.code, 0, "{}", output.stderr);
    let file = std::fs::read_to_string(project.tenant_file("acme", "foundation")).unwrap();
    assert!(
        file.contains(&format!("kms_key_id     = \"{good}\"")),
        "{file}"
    );

    let twice = project.run(&["--tenant", "acme,acme", "--remove-tenant", "--force"]);
    assert_eq!(twice.code, 2, "{}", twice.stderr);
    assert!(
        twice.stderr.contains("--tenant names `acme` twice"),
        "{}",
        twice.stderr
    );
    assert!(
        project.tenant_file("acme", "foundation").exists(),
        "nothing removed"
    );
}

/// A symlinked tenant folder whose files name another bucket: before, --check-sync skipped
/// it ("all in sync", exit 0) while --create-tenant wrote through it. Now every command
/// refuses the link (exit 2, naming it). A FIFO or a link to /dev/zero named `*.hcl` is
/// refused without being opened (before: a hang, or memory filled).
#[test]
fn links_and_special_files_are_refused_alike_by_reads_and_writes() {
    use std::os::unix::fs::symlink;
    let project = Project::new();
    let offline = ["--tenant", "acme", "--create-tenant", "--offline"];
    let created = project.run(&offline);
    assert_eq!(created.code, 0, "{}", created.stderr);
    // Another bucket's files, linked in as tenant `evil`.
    let elsewhere = tempfile::tempdir().unwrap();
    let acme = project.tenant_file("acme", "foundation");
    for entry in std::fs::read_dir(acme.parent().unwrap()).unwrap() {
        let entry = entry.unwrap();
        let text = std::fs::read_to_string(entry.path()).unwrap();
        std::fs::write(
            elsewhere.path().join(entry.file_name()),
            text.replace(&project.bucket(), "someone-elses-bucket"),
        )
        .unwrap();
    }
    let evil = project.tenant_file("evil", "foundation");
    symlink(elsewhere.path(), evil.parent().unwrap()).unwrap();
    for args in [
        &["--check-sync", "--offline"][..],
        &["--show-all-paths"],
        &["--list-tenants"],
        &[
            "--tenant",
            "evil",
            "--create-tenant",
            "--offline",
            "--force",
        ],
        &["--tenant", "evil", "--remove-tenant", "--force"],
    ] {
        let output = project.run(args);
        assert_eq!(output.code, 2, "{args:?}: {}", output.stderr);
        assert!(
            output.stderr.contains("is a symbolic link"),
            "{args:?}: {}",
            output.stderr
        );
    }
    assert_eq!(
        std::fs::read_dir(elsewhere.path()).unwrap().count(),
        5,
        "nothing written or removed through the link"
    );
    std::fs::remove_file(evil.parent().unwrap()).unwrap();

    // A link to /dev/zero and a FIFO, named like backend files.
    let dir = acme.parent().unwrap();
    symlink("/dev/zero", dir.join("zero.hcl")).unwrap();
    let output = project.run(&["--show-all-paths"]);
    assert_eq!(output.code, 2, "{}", output.stderr);
    std::fs::remove_file(dir.join("zero.hcl")).unwrap();
    let fifo = dir.join("pipe.hcl");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let output = project.run(&["--show-all-paths"]);
    assert_eq!(output.code, 2, "{}", output.stderr);
    assert!(
        output.stderr.contains("is a FIFO, not a backend file"),
        "{}",
        output.stderr
    );
}

/// Run from a folder inside the repository, the files still go where the docs say: the
/// layer scheme's `backend.hcl` files at the repository root, the others under its
/// `backends/` (before: under the current folder).
#[test]
fn files_go_under_the_repository_root_from_any_folder_in_it() {
    let project = Project::new();
    let deep = project.dir.path().join("providers/aws/regions");
    std::fs::create_dir_all(&deep).unwrap();
    let run_in = |args: &[&str]| project.run_in(&deep, moto().endpoint(), args);
    let shared = run_in(&["--key-scheme", "layer", "--create-shared", "--offline"]);
    assert_eq!(shared.code, 0, "{}", shared.stderr);
    let root = project.dir.path();
    assert!(
        root.join("providers/aws/regions/us-west-2/layers/01-foundation/production/backend.hcl")
            .exists(),
        "{}",
        shared.stderr
    );
    assert!(
        !deep.join("providers").exists(),
        "nothing under the current folder"
    );
    let tenant = run_in(&["--tenant", "acme", "--create-tenant", "--offline"]);
    assert_eq!(tenant.code, 0, "{}", tenant.stderr);
    assert!(
        project.tenant_file("acme", "foundation").exists(),
        "{}",
        tenant.stderr
    );
    assert!(!deep.join("backends").exists());
}
