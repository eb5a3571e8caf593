//! Where the registry comes from, and input that is hostile, huge, broken or large.

use std::fmt::Write as _;
use std::process::Command;

use test_support::cli::Workdir;

use crate::support::{BIN, validate_cidr, with_registry};

const VALID: &str = "clients:\n  acme:\n    vpc_cidr: \"10.42.0.0/16\"\n    region: us-east-2\n    environment: production\n    allocated_date: \"2026-01-05\"\n";

#[test]
fn the_registry_is_the_argument_else_cidr_registry_else_the_current_directorys() {
    let dir = with_registry(VALID);
    dir.write(
        "other/registry.yaml",
        &VALID.replace("10.42.0.0", "10.43.0.0"),
    );
    let default = validate_cidr(dir.path(), &[], &[]);
    assert_eq!(default.code, 0, "{}", default.stderr);
    assert!(
        default.stderr.contains("✓ Valid CIDR: 10.42.0.0/16"),
        "{}",
        default.stderr
    );
    let from_env = validate_cidr(dir.path(), &[], &[("CIDR_REGISTRY", "other/registry.yaml")]);
    assert!(
        from_env.stderr.contains("✓ Valid CIDR: 10.43.0.0/16"),
        "{}",
        from_env.stderr
    );
    assert!(
        from_env.stderr.starts_with(&format!(
            "[INFO] Validating CIDR registry: {}/other/registry.yaml\n",
            dir.path().display()
        )),
        "{}",
        from_env.stderr
    );
    let argument = validate_cidr(
        dir.path(),
        &["cidr-registry.yaml"],
        &[("CIDR_REGISTRY", "other/registry.yaml")],
    );
    assert!(
        argument.stderr.contains("10.42.0.0/16"),
        "{}",
        argument.stderr
    );
}

#[test]
fn a_missing_or_unreadable_registry_is_exit_2_with_the_ways_to_name_it() {
    let dir = Workdir::new();
    let missing = validate_cidr(dir.path(), &[], &[]);
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    assert_eq!(
        missing.stderr,
        "[ERROR] the registry cidr-registry.yaml does not exist\n\
         hint: pass its path, set CIDR_REGISTRY, or create cidr-registry.yaml with `clients: {}`\n"
    );
    std::fs::create_dir(dir.path().join("a-directory")).expect("mkdir");
    let directory = validate_cidr(dir.path(), &["a-directory"], &[]);
    assert_eq!(directory.code, 2, "{}", directory.stderr);
    let json = validate_cidr(dir.path(), &["--output", "json"], &[]);
    assert_eq!(json.code, 2);
    assert_eq!(json.json()["error"]["exit_code"], 2);
}

#[test]
fn a_huge_file_is_refused_before_it_is_read() {
    let dir = Workdir::new();
    let file = std::fs::File::create(dir.path().join("cidr-registry.yaml")).expect("create");
    file.set_len(300 * 1024 * 1024)
        .expect("a sparse 300 MiB file");
    let output = validate_cidr(dir.path(), &[], &[]);
    assert_eq!(output.code, 2, "{}", output.stderr);
    assert!(
        output.stderr.starts_with("[ERROR] cidr-registry.yaml: the registry is 300 MiB; registries larger than 256 MiB are refused\n"),
        "{}",
        output.stderr
    );
}

#[test]
fn deep_nesting_and_bytes_that_are_not_text_are_exit_2() {
    let deep = format!(
        "clients:\n  acme:\n    vpc_cidr: 10.0.0.0/16\n    extra: {}{}\n",
        "[".repeat(200_000),
        "]".repeat(200_000)
    );
    let output = validate_cidr(with_registry(&deep).path(), &[], &[]);
    assert_eq!(output.code, 2, "{}", output.stderr);
    assert!(
        output.stderr.contains("nested deeper than 32 levels"),
        "{}",
        output.stderr
    );

    let dir = Workdir::new();
    std::fs::write(
        dir.path().join("cidr-registry.yaml"),
        b"clients:\n  acme:\n    notes: \"caf\xe9\"\n",
    )
    .expect("write");
    let output = validate_cidr(dir.path(), &[], &[]);
    assert_eq!(output.code, 2, "{}", output.stderr);
    assert_eq!(
        output.stderr,
        "[ERROR] cidr-registry.yaml: line 3: not UTF-8 text\nhint: save the file as UTF-8\n"
    );
}

/// 40,000 clients (over the size from which the loader cuts the registry into pieces read in
/// parallel), with a comment, a folded note and an overlap near the end.
#[test]
fn a_large_registry_is_read_in_pieces_with_the_right_lines() {
    let mut text = String::from("# generated\nclients:\n");
    for index in 0..40_000u32 {
        let _ = write!(
            text,
            "  client-{index:05}:\n    vpc_cidr: \"10.{}.{}.0/24\"\n    region: us-east-2\n    environment: production\n    allocated_date: \"2026-01-05\"\n",
            index / 256,
            index % 256
        );
        if index == 30_000 {
            text.push_str(
                "    notes: >\n      folded\n      notes\n  # a comment between clients\n",
            );
        }
    }
    text.push_str("  late:\n    vpc_cidr: \"10.100.7.0/24\"\n    region: us-east-2\n    environment: production\n    allocated_date: \"2026-01-05\"\n");
    assert!(text.len() > 1 << 20);
    let output = validate_cidr(
        with_registry(&text).path(),
        &["--quiet", "--output", "json"],
        &[],
    );
    assert_eq!(output.code, 1, "{}", output.stderr);
    let document = output.json();
    assert_eq!(document["clients"], 40_001);
    let overlaps: Vec<&serde_json::Value> = document["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|finding| finding["check"] == "duplicate")
        .collect();
    assert_eq!(overlaps.len(), 1, "{overlaps:?}");
    // client-25607 (index 25607 = 100 * 256 + 7) is on line 3 + 5 * 25607 + 1.
    assert_eq!(
        overlaps[0]["message"],
        format!(
            "Duplicate CIDR 10.100.7.0/24: client-25607 (line {}) and late (line {})",
            2 + 5 * 25_607 + 2,
            2 + 5 * 40_000 + 4 + 2
        )
    );
}

#[test]
fn as_a_pre_commit_hook_it_stops_a_commit_that_breaks_the_registry() {
    let dir = with_registry(VALID);
    let git = |args: &[&str]| {
        Command::new("git")
            .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
            .args(args)
            .current_dir(dir.path())
            .env(
                "PATH",
                format!(
                    "{}:{}",
                    std::path::Path::new(BIN)
                        .parent()
                        .expect("bin dir")
                        .display(),
                    std::env::var("PATH").unwrap_or_default()
                ),
            )
            .output()
            .expect("git runs")
    };
    std::fs::remove_dir(dir.path().join(".git")).expect("an empty .git");
    assert!(git(&["init", "-q"]).status.success());
    dir.write(
        ".git/hooks/pre-commit",
        "#!/bin/sh\nvalidate-cidr --quiet || exit 1\n",
    );
    let hook = dir.path().join(".git/hooks/pre-commit");
    std::fs::set_permissions(&hook, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    assert!(git(&["add", "."]).status.success());
    let good = git(&["commit", "-q", "-m", "registry"]);
    assert!(
        good.status.success(),
        "{}",
        String::from_utf8_lossy(&good.stderr)
    );
    dir.write(
        "cidr-registry.yaml",
        &format!("{VALID}  beta:\n    vpc_cidr: \"10.42.128.0/17\"\n"),
    );
    assert!(git(&["add", "."]).status.success());
    let bad = git(&["commit", "-q", "-m", "overlapping client"]);
    assert!(!bad.status.success(), "the hook let an overlap through");
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.contains(
            "Overlapping CIDRs: acme 10.42.0.0/16 (line 3) contains beta 10.42.128.0/17 (line 8)"
        ),
        "{stderr}"
    );
}

#[test]
fn generate_prints_the_man_page_alone_and_refuses_anything_else() {
    let dir = with_registry(VALID);
    let man = validate_cidr(dir.path(), &["--generate", "man"], &[]);
    assert_eq!(man.code, 0, "{}", man.stderr);
    assert!(man.stdout.starts_with(".ie"), "{}", man.stdout);
    assert!(man.stdout.contains(".TH validate-cidr 1"));
    assert!(man.stdout.contains(".SH \"EXIT STATUS\""));
    // A shell it cannot write, or --generate beside other flags, is a usage error.
    for args in [
        &["--generate", "powershell"][..],
        &["--generate", "bash", "--quiet"][..],
    ] {
        let refused = validate_cidr(dir.path(), args, &[]);
        assert_eq!(refused.code, 2, "{args:?}: {}", refused.stderr);
        assert!(refused.stderr.contains("--generate"), "{}", refused.stderr);
        assert!(refused.stdout.is_empty());
    }
}

/// Writing the man page or a completion script to a full disk is exit 3 with a message
/// (before: completions panicked, exit 101).
#[test]
fn generate_into_a_full_disk_is_an_io_failure_not_a_panic() {
    test_support::cli::assert_generate_into_a_full_disk_fails_cleanly(crate::support::BIN);
}

/// Many identical CIDRs: every pair is still counted as an error, but each client's pairs
/// are listed at most ten times with a count of the rest, in text and JSON (before: 3,000
/// entries made 2.3 GB of JSON).
#[test]
fn many_identical_cidrs_make_a_report_that_grows_with_the_clients_not_the_pairs() {
    const CLIENTS: usize = 1500;
    let mut text = String::from("clients:\n");
    for index in 0..CLIENTS {
        text.push_str(&format!(
            "  c{index}:\n    vpc_cidr: \"10.0.0.0/16\"\n    region: \"us-east-2\"\n    environment: \"production\"\n    allocated_date: \"2026-01-05\"\n"
        ));
    }
    let dir = crate::support::with_registry(&text);
    let json = validate_cidr(dir.path(), &["--output", "json"], &[]);
    assert_eq!(json.code, 1, "{}", json.stderr);
    assert!(
        json.stdout.len() < 10 << 20,
        "{} bytes of JSON",
        json.stdout.len()
    );
    let document = json.json();
    let pairs = CLIENTS * (CLIENTS - 1) / 2;
    assert_eq!(document["errors"], pairs, "every pair is an error");
    let listed = document["findings"].as_array().unwrap().len();
    let unlisted: u64 = document["unlisted_pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|more| more["pairs"].as_u64().unwrap())
        .sum();
    assert_eq!(
        listed as u64 + unlisted,
        pairs as u64,
        "listed and counted add up"
    );
    let mut per_client = std::collections::HashMap::<String, usize>::new();
    for finding in document["findings"].as_array().unwrap() {
        for client in finding["clients"].as_array().unwrap() {
            *per_client
                .entry(client["name"].as_str().unwrap().to_owned())
                .or_default() += 1;
        }
    }
    assert!(
        per_client.values().all(|&n| n <= 10),
        "at most ten pairs listed a client"
    );
    let text = validate_cidr(dir.path(), &[], &[]);
    assert_eq!(text.code, 1);
    assert!(
        text.stderr.len() < 10 << 20,
        "{} bytes of text",
        text.stderr.len()
    );
    assert!(
        text.stderr
            .contains("more duplicate or overlapping pair(s), not listed"),
        "{}",
        &text.stderr[..2000]
    );
}
