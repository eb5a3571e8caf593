//! The script's lines: a block per bucket (`╭─ Verifying bucket: …`), `Checking …` then
//! `✓ …: ENABLED`, failures with their remediation, and a verdict.

use std::io::Write;

use aws_client::AwsError;
use cli_support::{Failure, Reporter};
use s3_audit::fix::Fix;
use s3_audit::report::{SubjectReport, fill};
use s3_audit::rules::{Finding, Subject};
use s3_audit::{Audit, Status};

fn heading(subject: &SubjectReport) -> String {
    match subject.kind {
        Subject::Bucket => format!("Verifying bucket: {}", subject.name),
        Subject::Account => format!(
            "Verifying account: {} (account-level settings)",
            subject.name
        ),
        Subject::LockTable => format!("Verifying lock table: {}", subject.name),
    }
}

fn finding(reporter: &Reporter, audit: &Audit, subject: &SubjectReport, finding: &Finding) {
    let rule = finding.rule;
    let detail = &finding.outcome.detail;
    reporter.info(format!("Checking {}...", rule.label));
    match finding.outcome.status {
        Status::Pass => reporter.success(format!("✓ {}: {detail}", rule.label)),
        Status::Fail if audit.is_failing(finding) => {
            let control = rule
                .security_hub
                .map_or(String::new(), |control| format!(", Security Hub {control}"));
            reporter.error(format!(
                "✗ {}: {detail} [{}{control}]",
                rule.label, rule.severity
            ));
            reporter.hint(rule.remediation);
            reporter.raw(&format!("  fix: {}", fill(rule.cli, subject)));
            reporter.raw(&format!("  terraform: {}", rule.terraform));
        }
        Status::Fail => reporter.warning(format!(
            "✗ {}: {detail} [{}, below --severity {}]",
            rule.label, rule.severity, audit.threshold
        )),
        Status::Warn => reporter.warning(format!("⚠ {}: {detail}", rule.label)),
        Status::Info => reporter.info(format!("ℹ {}: {detail}", rule.label)),
    }
}

/// Every subject's block, then the verdict.
pub(crate) fn report(reporter: &Reporter, audit: &Audit) {
    for subject in &audit.subjects {
        reporter.heading(heading(subject));
        for item in &subject.findings {
            finding(reporter, audit, subject, item);
        }
    }
    let summary = audit.summary();
    let counts = format!(
        "{} passed, {} failed, {} warnings, {} informational",
        summary.pass, summary.fail, summary.warn, summary.info
    );
    if audit.passed() {
        reporter.success(format!("Security verification: PASSED ({counts})"));
    } else {
        reporter.error(format!(
            "Security verification: FAILED ({} failed at or above {}; {counts})",
            summary.failing, audit.threshold
        ));
    }
}

/// The safe fixes planned.
pub(crate) fn fixes(reporter: &Reporter, fixes: &[Fix], dry_run: bool) {
    if fixes.is_empty() {
        reporter.info("No safe fix to apply: what fails needs a person (see each remediation)");
        return;
    }
    reporter.heading(if dry_run {
        "Safe fixes (dry run: nothing is changed)"
    } else {
        "Safe fixes"
    });
    for fix in fixes {
        reporter.raw(&format!("  {} ({})", fix.describe(), fix.rules.join(", ")));
    }
}

/// What applying them did.
pub(crate) fn applied(reporter: &Reporter, results: &[(Fix, Result<(), AwsError>)]) {
    for (fix, result) in results {
        match result {
            Ok(()) => reporter.success(format!("Fixed: {}", fix.describe())),
            Err(error) => reporter.error(format!("Could not fix: {}: {error}", fix.describe())),
        }
    }
    reporter.info("Auditing again after the fixes...");
}

/// Writes a document (JUnit XML) to stdout.
pub(crate) fn print_stdout(document: &str) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(document.as_bytes())?;
    if !document.ends_with('\n') {
        stdout.write_all(b"\n")?;
    }
    stdout.flush()?;
    Ok(())
}
