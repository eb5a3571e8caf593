//! An audit's result: every subject with its findings, the verdict against a severity
//! threshold, and the machine formats — one JSON document (its schema is
//! `docs/schemas/verify-s3-security.schema.json`), SARIF 2.1.0 for code-scanning dashboards,
//! JUnit XML for CI.

use chrono::{DateTime, SecondsFormat, Utc};
use quick_junit::{NonSuccessKind, Report as JunitReport, TestCase, TestCaseStatus, TestSuite};
use serde::Serialize;
use serde_json::json;

use crate::facts::{Facts, Role};
use crate::rules::{
    Context, Finding, Rule, Severity, Status, Subject, all_rules, evaluate_account,
    evaluate_bucket, evaluate_table,
};

/// One audited thing and what the rules found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubjectReport {
    /// A bucket, the account or the lock table.
    pub kind: Subject,
    /// Its name (the account id for the account).
    pub name: String,
    /// A bucket's role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// The findings, in rule order.
    pub findings: Vec<Finding>,
}

impl SubjectReport {
    /// The ARN-like name used in SARIF and JUnit.
    pub fn locator(&self) -> String {
        match self.kind {
            Subject::Bucket => format!("arn:aws:s3:::{}", self.name),
            Subject::Account => format!("aws-account:{}", self.name),
            Subject::LockTable => format!("dynamodb-table:{}", self.name),
        }
    }
}

/// Counts of findings by status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Summary {
    /// PASS.
    pub pass: usize,
    /// FAIL.
    pub fail: usize,
    /// WARN.
    pub warn: usize,
    /// INFO.
    pub info: usize,
    /// FAIL at or above the threshold: what decides the exit code.
    pub failing: usize,
}

/// A whole audit.
#[derive(Debug, Clone, PartialEq)]
pub struct Audit {
    /// The account audited, if known.
    pub account_id: Option<String>,
    /// When it ran.
    pub generated_at: DateTime<Utc>,
    /// FAIL findings at or above this severity fail the audit.
    pub threshold: Severity,
    /// The subjects: buckets in the order asked, then the account, then the lock table.
    pub subjects: Vec<SubjectReport>,
}

/// Evaluates every rule against `facts`.
pub fn evaluate(facts: &Facts, context: &Context, threshold: Severity) -> Audit {
    let mut subjects: Vec<SubjectReport> = facts
        .buckets
        .iter()
        .map(|bucket| SubjectReport {
            kind: Subject::Bucket,
            name: bucket.name.clone(),
            role: Some(bucket.role),
            findings: evaluate_bucket(bucket, context),
        })
        .collect();
    if let Some(account) = &facts.account {
        subjects.push(SubjectReport {
            kind: Subject::Account,
            name: account.account_id.clone(),
            role: None,
            findings: evaluate_account(account),
        });
    }
    if let Some(table) = &facts.table {
        subjects.push(SubjectReport {
            kind: Subject::LockTable,
            name: table.name.clone(),
            role: None,
            findings: evaluate_table(table, context),
        });
    }
    Audit {
        account_id: context.account_id.clone(),
        generated_at: context.now,
        threshold,
        subjects,
    }
}

impl Audit {
    /// Every finding, with its subject.
    pub fn findings(&self) -> impl Iterator<Item = (&SubjectReport, &Finding)> {
        self.subjects.iter().flat_map(|subject| {
            subject
                .findings
                .iter()
                .map(move |finding| (subject, finding))
        })
    }

    /// Whether a finding fails the audit.
    pub fn is_failing(&self, finding: &Finding) -> bool {
        finding.outcome.status == Status::Fail && finding.rule.severity >= self.threshold
    }

    /// The counts.
    pub fn summary(&self) -> Summary {
        let mut summary = Summary::default();
        for (_, finding) in self.findings() {
            match finding.outcome.status {
                Status::Pass => summary.pass += 1,
                Status::Fail => summary.fail += 1,
                Status::Warn => summary.warn += 1,
                Status::Info => summary.info += 1,
            }
            summary.failing += usize::from(self.is_failing(finding));
        }
        summary
    }

    /// Whether nothing fails at or above the threshold.
    pub fn passed(&self) -> bool {
        self.summary().failing == 0
    }

    /// The JSON document of `--output json`.
    pub fn to_json(&self, tool_version: &str) -> serde_json::Value {
        json!({
            "tool": "verify-s3-security",
            "version": tool_version,
            "generated_at": self.generated_at.to_rfc3339_opts(SecondsFormat::Secs, true),
            "account_id": self.account_id,
            "threshold": self.threshold,
            "passed": self.passed(),
            "summary": self.summary(),
            "subjects": self.subjects.iter().map(|subject| json!({
                "kind": subject.kind,
                "name": subject.name,
                "role": subject.role,
                "findings": subject.findings.iter().map(|finding| json!({
                    "rule": finding.rule.id,
                    "title": finding.rule.title,
                    "label": finding.rule.label,
                    "severity": finding.rule.severity,
                    "status": finding.outcome.status,
                    "detail": finding.outcome.detail,
                    "failing": self.is_failing(finding),
                    "security_hub": finding.rule.security_hub,
                    "remediation": {
                        "text": finding.rule.remediation,
                        "cli": fill(finding.rule.cli, subject),
                        "terraform": finding.rule.terraform,
                    },
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })
    }

    /// The SARIF 2.1.0 log of `--output sarif`: every rule in the driver, one result per
    /// finding (FAIL as `error`/`warning` by severity, WARN as `warning`, PASS and INFO as
    /// `kind: pass` / `informational`), located at the resource.
    pub fn to_sarif(&self, tool_version: &str) -> serde_json::Value {
        let rules: Vec<&Rule> = all_rules().collect();
        let results: Vec<serde_json::Value> = self
            .findings()
            .map(|(subject, finding)| {
                let index = rules.iter().position(|rule| rule.id == finding.rule.id).unwrap_or(0);
                let (kind, level) = match finding.outcome.status {
                    Status::Fail if finding.rule.severity >= Severity::High => ("fail", "error"),
                    Status::Fail => ("fail", "warning"),
                    Status::Warn => ("review", "warning"),
                    Status::Pass => ("pass", "none"),
                    Status::Info => ("informational", "none"),
                };
                json!({
                    "ruleId": finding.rule.id,
                    "ruleIndex": index,
                    "kind": kind,
                    "level": level,
                    "message": { "text": format!("{} {}: {}", subject.name, finding.rule.label, finding.outcome.detail) },
                    "locations": [{
                        "physicalLocation": { "artifactLocation": { "uri": subject.locator() } },
                        "logicalLocations": [{ "name": subject.name, "fullyQualifiedName": subject.locator(), "kind": "resource" }],
                    }],
                    "properties": { "status": finding.outcome.status, "failing": self.is_failing(finding) },
                })
            })
            .collect();
        json!({
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{
                "tool": { "driver": {
                    "name": "verify-s3-security",
                    "version": tool_version,
                    "informationUri": "https://github.com/tfstate-toolkit/tfstate-toolkit",
                    "rules": rules.iter().map(|rule| sarif_rule(rule)).collect::<Vec<_>>(),
                }},
                "invocations": [{ "executionSuccessful": true, "endTimeUtc": self.generated_at.to_rfc3339_opts(SecondsFormat::Secs, true) }],
                "results": results,
            }],
        })
    }

    /// The JUnit XML of `--output junit`: a test suite per subject, a test case per rule;
    /// FAIL at or above the threshold is a failure, below it and WARN are recorded in the
    /// case's output.
    pub fn to_junit(&self) -> String {
        let mut report = JunitReport::new("verify-s3-security");
        report.set_timestamp(self.generated_at.fixed_offset());
        for subject in &self.subjects {
            let mut suite = TestSuite::new(format!("{} {}", kind_name(subject.kind), subject.name));
            for finding in &subject.findings {
                let status = if self.is_failing(finding) {
                    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    status.set_message(finding.outcome.detail.clone());
                    status.set_type(finding.rule.severity.as_str());
                    status.set_description(format!(
                        "{}\n{}\n{}",
                        finding.rule.remediation,
                        fill(finding.rule.cli, subject),
                        finding.rule.terraform
                    ));
                    status
                } else {
                    TestCaseStatus::success()
                };
                let mut case = TestCase::new(
                    format!("{}: {}", finding.rule.id, finding.rule.title),
                    status,
                );
                case.set_classname(subject.locator());
                case.set_system_out(format!(
                    "{} {}",
                    finding.outcome.status, finding.outcome.detail
                ));
                suite.add_test_case(case);
            }
            report.add_test_suite(suite);
        }
        report.to_string().unwrap_or_default()
    }
}

fn kind_name(kind: Subject) -> &'static str {
    match kind {
        Subject::Bucket => "bucket",
        Subject::Account => "account",
        Subject::LockTable => "lock table",
    }
}

/// A rule's CLI command with the subject's name filled in.
pub fn fill(template: &str, subject: &SubjectReport) -> String {
    let placeholder = match subject.kind {
        Subject::Bucket => "{bucket}",
        Subject::Account => "{account}",
        Subject::LockTable => "{table}",
    };
    template.replace(placeholder, &subject.name)
}

/// Security Hub's numbers for GitHub's `security-severity`.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Informational => "0.0",
    }
}

fn sarif_rule(rule: &Rule) -> serde_json::Value {
    let mut tags = vec!["security".to_owned(), "aws".to_owned(), "s3".to_owned()];
    if let Some(control) = rule.security_hub {
        tags.push(format!("security-hub:{control}"));
    }
    let level = match rule.severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium | Severity::Low => "warning",
        Severity::Informational => "note",
    };
    json!({
        "id": rule.id,
        "name": rule.label.replace(' ', ""),
        "shortDescription": { "text": rule.title },
        "fullDescription": { "text": rule.remediation },
        "help": {
            "text": format!("{}\naws CLI: {}\nTerraform: {}", rule.remediation, rule.cli, rule.terraform),
            "markdown": format!("{}\n\n```sh\n{}\n```\n\nTerraform: `{}`", rule.remediation, rule.cli, rule.terraform),
        },
        "defaultConfiguration": { "level": level },
        "properties": {
            "security-severity": security_severity(rule.severity),
            "severity": rule.severity,
            "tags": tags,
        },
    })
}
