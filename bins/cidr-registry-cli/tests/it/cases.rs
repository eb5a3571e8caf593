//! The data-driven cases: each `fixtures/cidr/cases/NAME.yaml` is run as
//! `./cidr-registry.yaml` (with the flags of `NAME.args`, if any), and the exit code and
//! every line on stderr must equal `NAME.out`. `UPDATE_GOLDEN=1` rewrites the `.out` files
//! after a deliberate change; review the diff.

use std::path::PathBuf;

use crate::support::{validate_cidr, with_registry};

fn cases() -> PathBuf {
    test_support::harness::workspace_root().join("fixtures/cidr/cases")
}

#[test]
fn every_case_gives_its_expected_report_and_exit_code() {
    let mut names: Vec<String> = std::fs::read_dir(cases())
        .expect("fixtures/cidr/cases")
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".yaml").map(str::to_owned)
        })
        .collect();
    names.sort();
    assert!(names.len() >= 30, "only {} cases", names.len());
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut failures = Vec::new();
    for name in &names {
        let registry = std::fs::read(cases().join(format!("{name}.yaml"))).expect("case");
        let dir = with_registry("");
        std::fs::write(dir.path().join("cidr-registry.yaml"), registry).expect("write the case");
        let args =
            std::fs::read_to_string(cases().join(format!("{name}.args"))).unwrap_or_default();
        let args: Vec<&str> = args.split_whitespace().collect();
        let output = validate_cidr(dir.path(), &args, &[]);
        let expected_exit = if name.starts_with("error-") {
            [2, 2]
        } else {
            [0, 1]
        };
        if !expected_exit.contains(&output.code) {
            failures.push(format!(
                "{name}: exit {} is not one of {expected_exit:?}\n{}",
                output.code, output.stderr
            ));
        }
        let actual = format!(
            "exit {}\n{}",
            output.code,
            output
                .stderr
                .replace(&dir.path().display().to_string(), "<dir>")
        );
        let golden = cases().join(format!("{name}.out"));
        if update {
            std::fs::write(&golden, &actual).expect("write the expected output");
        }
        let expected =
            std::fs::read_to_string(&golden).unwrap_or_else(|_| format!("(no {name}.out)"));
        if actual != expected {
            failures.push(format!(
                "{name}:\n--- expected\n{expected}\n--- actual\n{actual}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_expected_output_has_its_case() {
    for entry in std::fs::read_dir(cases()).expect("fixtures/cidr/cases") {
        let path = entry.expect("entry").path();
        if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("out" | "args")
        ) {
            assert!(
                path.with_extension("yaml").exists(),
                "{} has no case",
                path.display()
            );
        }
    }
}
