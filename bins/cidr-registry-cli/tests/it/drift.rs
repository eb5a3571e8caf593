//! `--tfvars`: the registry against every layer's `clients.auto.tfvars` of
//! `fixtures/cidr/repo` (seed 003's layout), which the real Terraform reads the same way.

use std::path::Path;

use test_support::cli::Workdir;

use crate::support::{console_json, terraform_console, validate_cidr};

const FOUNDATION: &str =
    "providers/aws/regions/us-east-2/layers/01-foundation/production/clients.auto.tfvars";
const PLATFORM: &str =
    "providers/aws/regions/us-east-2/layers/02-platform/production/clients.auto.tfvars";
const DATABASE: &str =
    "providers/aws/regions/us-east-2/layers/03-database/production/clients.auto.tfvars";

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// A copy of the fixture repository.
fn repository() -> Workdir {
    let dir = Workdir::new();
    copy_tree(
        &test_support::harness::workspace_root().join("fixtures/cidr/repo"),
        dir.path(),
    );
    dir
}

fn edit(dir: &Workdir, file: &str, from: &str, to: &str) {
    let path = dir.path().join(file);
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.contains(from), "{file} has no {from:?}");
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
}

#[test]
fn the_fixture_repository_has_no_drift_and_terraform_reads_the_same_blocks() {
    let dir = repository();
    let output = validate_cidr(dir.path(), &["--quiet", "--tfvars"], &[]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert!(output.stderr.contains("[INFO] Compared with 3 clients.auto.tfvars files\n[SUCCESS] Terraform's clients.auto.tfvars match the registry\n"), "{}", output.stderr);
    // Terraform itself, with the file as a variables file of a root module.
    let layer = dir
        .path()
        .join(FOUNDATION)
        .parent()
        .expect("layer")
        .to_owned();
    std::fs::write(
        layer.join("variables.tf"),
        "variable \"clients\" {\n  type = any\n}\n",
    )
    .expect("variables.tf");
    let blocks = console_json(&terraform_console(
        &layer,
        "jsonencode({ for name, client in var.clients : name => client.network.vpc_cidr })",
    ));
    assert_eq!(
        blocks,
        serde_json::json!({"acme": "10.100.0.0/16", "beta-corp": "10.101.0.0/16", "gamma": "10.102.0.0/16"})
    );
}

#[test]
fn every_kind_of_drift_is_reported_with_its_files() {
    let dir = repository();
    edit(
        &dir,
        PLATFORM,
        "vpc_cidr    = \"10.101.0.0/16\"",
        "vpc_cidr    = \"10.111.0.0/16\"",
    );
    edit(&dir, FOUNDATION, "max_size       = 5", "max_size       = 6");
    edit(
        &dir,
        DATABASE,
        "\"gamma\" = {",
        "\"delta\" = {\n    network = { vpc_cidr = \"10.103.0.0/16\" }\n  }\n  \"gamma-old\" = {",
    );
    edit(
        &dir,
        "cidr-registry.yaml",
        "cidr_offset: 102",
        "cidr_offset: 7",
    );
    let output = validate_cidr(
        dir.path(),
        &[
            "--quiet",
            "--tfvars",
            "providers/aws/regions/*/layers/*/*/clients.auto.tfvars",
        ],
        &[],
    );
    assert_eq!(output.code, 1, "{}", output.stderr);
    let errors: Vec<&str> = output
        .stderr
        .lines()
        .filter(|line| line.starts_with("[ERROR]"))
        .collect();
    assert_eq!(
        errors,
        [
            format!("[ERROR] client `acme` differs between {FOUNDATION} and {PLATFORM}: eks.max_size: 6 vs 5").as_str(),
            &format!("[ERROR] client `acme` differs between {FOUNDATION} and {DATABASE}: eks.max_size: 6 vs 5"),
            &format!("[ERROR] client `beta-corp` differs between {FOUNDATION} and {PLATFORM}: network.vpc_cidr: \"10.101.0.0/16\" vs \"10.111.0.0/16\""),
            &format!("[ERROR] client `delta` is in {DATABASE} but missing from {FOUNDATION}, {PLATFORM}"),
            &format!("[ERROR] client `delta` is in {DATABASE} but not in the registry"),
            &format!("[ERROR] client `gamma` is in {FOUNDATION} but missing from {DATABASE}"),
            &format!("[ERROR] client `gamma`: network.cidr_offset 102 in {FOUNDATION} differs from the registry's 7 (line 23)"),
            &format!("[ERROR] client `gamma-old` is in {DATABASE} but missing from {FOUNDATION}, {PLATFORM}"),
            &format!("[ERROR] client `gamma-old` is in {DATABASE} but not in the registry"),
            "[ERROR] CIDR Registry Validation: FAILED (9 errors)",
        ]
    );
}

#[test]
fn unreadable_tfvars_and_patterns_that_match_nothing_are_exit_2() {
    let dir = repository();
    let nothing = validate_cidr(dir.path(), &["--tfvars", "nowhere/*.tfvars"], &[]);
    assert_eq!(nothing.code, 2, "{}", nothing.stderr);
    assert!(
        nothing
            .stderr
            .contains("[ERROR] --tfvars pattern `nowhere/*.tfvars` matches no file\n"),
        "{}",
        nothing.stderr
    );
    edit(&dir, PLATFORM, "clients = {", "clients = {{");
    let broken = validate_cidr(dir.path(), &["--tfvars"], &[]);
    assert_eq!(broken.code, 2, "{}", broken.stderr);
    assert!(
        broken
            .stderr
            .contains(&format!("[ERROR] {PLATFORM}: not valid HCL at line ")),
        "{}",
        broken.stderr
    );
}
