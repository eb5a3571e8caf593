//! The machine formats of a real audit: JSON against `docs/schemas/`, SARIF against the
//! SARIF 2.1.0 schema (as the `serde-sarif` crate ships it) and into its typed model, JUnit
//! back through quick-junit's reader.

use std::path::PathBuf;

use s3_audit::Severity;
use serde_json::Value;

use crate::support::{Project, audit, request, s3};

/// Validates `document`; `formats` also checks `format` keywords (date-time, uri, ...).
fn validate(schema: &Value, document: &Value, formats: bool) {
    let validator = jsonschema::options()
        .should_validate_formats(formats)
        .build(schema)
        .expect("a valid schema");
    let errors: Vec<String> = validator
        .iter_errors(document)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{}\n{}",
        errors.join("\n"),
        serde_json::to_string_pretty(document).unwrap()
    );
}

/// The SARIF 2.1.0 schema in the source of the `serde-sarif` crate, found with `cargo metadata`.
fn sarif_schema() -> Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = std::process::Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    let metadata: Value = serde_json::from_slice(&output.stdout).expect("cargo metadata's JSON");
    let manifest = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|package| package["name"] == "serde-sarif")
        .and_then(|package| package["manifest_path"].as_str())
        .expect("serde-sarif among the dependencies");
    let path = PathBuf::from(manifest)
        .with_file_name("src")
        .join("schema.json");
    // The one erratum of the 2.1.0 schema: `run.language`'s pattern has a stray `]` and is
    // not a regex, which a strict validator refuses; it is the pattern later errata give.
    let text = std::fs::read_to_string(&path)
        .expect("the SARIF schema")
        .replace(
            "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$",
            "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$",
        );
    serde_json::from_str(&text).expect("JSON")
}

#[tokio::test]
async fn json_sarif_and_junit_of_a_failing_audit_are_well_formed() {
    let project = Project::provisioned().await;
    let state = project.state();
    s3().delete_bucket_encryption()
        .bucket(&state)
        .send()
        .await
        .unwrap();
    s3().delete_bucket_policy()
        .bucket(&state)
        .send()
        .await
        .unwrap();
    let (facts, audit) = audit(&request(project.buckets(), Some(project.table()))).await;
    assert!(!audit.passed());

    let json = audit.to_json("0.1.0");
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            test_support::harness::workspace_root()
                .join("docs/schemas/verify-s3-security.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    validate(&schema, &json, true);
    assert_eq!(json["summary"]["failing"], 2);
    assert_eq!(json["subjects"][0]["role"], "state");
    assert_eq!(json["subjects"][1]["role"]["observability"], "logs");

    let sarif = audit.to_sarif("0.1.0");
    validate(&sarif_schema(), &sarif, true);
    let typed: serde_sarif::sarif::Sarif =
        serde_json::from_value(sarif.clone()).expect("serde-sarif reads it");
    let run = &typed.runs[0];
    let rules = run.tool.driver.rules.as_ref().unwrap();
    assert_eq!(rules.len(), s3_audit::rules::all_rules().count());
    let errors: Vec<&Value> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|result| result["level"] == "error")
        .collect();
    assert_eq!(errors.len(), 1, "encryption is high, tls-only medium");
    assert_eq!(errors[0]["ruleId"], "encryption");
    assert_eq!(
        errors[0]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        format!("arn:aws:s3:::{state}")
    );

    let junit = audit.to_junit();
    let report =
        quick_junit::Report::deserialize_from_str(&junit).expect("JUnit XML that reads back");
    assert_eq!(report.test_suites.len(), 6);
    assert_eq!(report.failures, 2);

    // The threshold decides: encryption is high, tls-only medium.
    let context = crate::support::context(audit.account_id.clone());
    assert_eq!(
        s3_audit::evaluate(&facts, &context, Severity::High)
            .summary()
            .failing,
        1
    );
    assert!(s3_audit::evaluate(&facts, &context, Severity::Critical).passed());
}
