//! The real client: the generated files drive Terraform 1.0.3 against moto.

use std::io::Write;
use std::time::{Duration, Instant};

use test_support::terraform::Stack;
use test_support::{aws, moto, terraform};

use crate::support::Project;

/// For each key scheme: the generated file, unchanged, plus the endpoint override, drives
/// `terraform init` and `apply`; the state lands at exactly the generated key and the lock
/// table holds its digest row.
#[tokio::test]
async fn every_key_scheme_s_files_drive_terraform_to_the_generated_key() {
    let cases = [
        (
            "tenant",
            "--create-tenant",
            "backends/aws/production/us-west-2/tenants/acme/platform.hcl",
        ),
        (
            "client-centric",
            "--create-tenant",
            "backends/aws/production/us-west-2/clients/acme.hcl",
        ),
        (
            "layer",
            "--create-shared",
            "providers/aws/regions/us-west-2/layers/02-platform/production/backend.hcl",
        ),
        (
            "environment",
            "--create-tenant",
            "backends/production/us-west-2/clients/acme.hcl",
        ),
    ];
    for (scheme, action, file) in cases {
        let project = Project::new();
        project.provision().await;
        let mut args = vec!["--key-scheme", scheme, action];
        if action == "--create-tenant" {
            args.extend(["--tenant", "acme"]);
        }
        let output = project.run(&args);
        assert_eq!(output.code, 0, "{scheme}: {}", output.stderr);
        let backend_file = project.dir.path().join(file);
        let key = backend_hcl::BackendConfig::read(&backend_file)
            .unwrap()
            .key
            .unwrap();

        let stack = Stack::new(&terraform(), moto().endpoint(), scheme);
        let init = stack.init(&backend_file);
        assert_eq!(init.code, 0, "{scheme}: {}{}", init.stdout, init.stderr);
        let apply = stack.apply();
        assert_eq!(apply.code, 0, "{scheme}: {}{}", apply.stdout, apply.stderr);

        assert_eq!(
            aws::object_keys(&project.s3(), &project.bucket()).await,
            std::slice::from_ref(&key),
            "{scheme}"
        );
        let rows = aws::lock_ids(&project.dynamodb(), &project.table()).await;
        assert_eq!(
            rows,
            [format!("{}/{key}-md5", project.bucket())],
            "{scheme}"
        );
    }
}

/// Two applies on one key: the first holds the lock at its approval prompt, the second fails
/// on the lock.
#[tokio::test]
async fn a_second_apply_on_the_same_key_fails_on_the_lock() {
    let project = Project::new();
    project.provision().await;
    assert_eq!(
        project.run(&["--tenant", "acme", "--create-tenant"]).code,
        0
    );
    let backend_file = project.tenant_file("acme", "foundation");
    let first = Stack::new(&terraform(), moto().endpoint(), "first");
    let second = Stack::new(&terraform(), moto().endpoint(), "second");
    for stack in [&first, &second] {
        let init = stack.init(&backend_file);
        assert_eq!(init.code, 0, "{}", init.stderr);
    }

    let mut holder = first.apply_waiting_for_approval();
    let lock_id = format!(
        "{}/tenants/acme/layers/foundation/production/terraform.tfstate",
        project.bucket()
    );
    let started = Instant::now();
    while !aws::lock_ids(&project.dynamodb(), &project.table())
        .await
        .contains(&lock_id)
    {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the first apply never took the lock"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let blocked = second.apply();
    assert_eq!(blocked.code, 1);
    assert!(
        blocked.stderr.contains("Error acquiring the state lock"),
        "{}",
        blocked.stderr
    );

    holder.stdin.take().unwrap().write_all(b"no\n").unwrap();
    let finished = holder.wait_with_output().unwrap();
    assert!(String::from_utf8_lossy(&finished.stdout).contains("Apply cancelled"));
    assert!(
        !aws::lock_ids(&project.dynamodb(), &project.table())
            .await
            .contains(&lock_id),
        "the lock is released"
    );
}

/// What `terraform fmt` makes of a generated file is the file itself.
#[tokio::test]
async fn terraform_fmt_leaves_generated_files_as_they_are() {
    let project = Project::new();
    let output = project.run(&[
        "--tenant",
        "acme",
        "--create-tenant",
        "--offline",
        "--lock",
        "both",
        "--kms-key-id",
        "alias/tf",
    ]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    let file = project.tenant_file("acme", "shared-services");
    let text = std::fs::read_to_string(&file).unwrap();
    let mut fmt = std::process::Command::new(terraform())
        .args(["fmt", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    fmt.stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let formatted = fmt.wait_with_output().unwrap();
    assert!(formatted.status.success());
    assert_eq!(String::from_utf8(formatted.stdout).unwrap(), text);
    assert!(
        text.contains("use_lockfile   = true") && text.contains("kms_key_id     = \"alias/tf\""),
        "{text}"
    );
}
