//! The rules: each an id, a severity, a title, the matching AWS Security Hub control, a
//! remediation (in words, as an aws CLI command and as the Terraform resource), and a check
//! that is a pure function of the facts.
//!
//! First the seed's eight checks, in the seed's order; then what the best scanners also
//! check; then what none of them checks and a Terraform platform needs (the lock table and
//! its contents, the state bucket's log target, the observability buckets' retention).

mod catalogue;
mod checks;
#[cfg(test)]
mod tests;

use std::fmt;

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

pub use self::catalogue::{ACCOUNT_RULES, BUCKET_RULES, TABLE_RULES};

use self::catalogue::{BucketCheck, TableCheck};
use crate::facts::{AccountFacts, BucketFacts, Fact, TableFacts};

/// How much a failed check matters (Security Hub's scale).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing.
    Informational,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical: data open to the internet.
    Critical,
}

impl Severity {
    /// Every severity, lowest first.
    pub const ALL: [Severity; 5] = [
        Severity::Informational,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Informational => "informational",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The result of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    /// Compliant.
    Pass,
    /// Not compliant.
    Fail,
    /// Not compliant in a way that needs a look, or the setting could not be read.
    Warn,
    /// Not applicable, or worth knowing.
    Info,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Warn => "WARN",
            Status::Info => "INFO",
        })
    }
}

/// What a rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Subject {
    /// A bucket.
    Bucket,
    /// The account.
    Account,
    /// The lock table.
    LockTable,
}

/// A rule's description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// A stable id, such as `public-access-block`.
    pub id: &'static str,
    /// The name the seed's output uses, such as `Public Access Block`.
    pub label: &'static str,
    /// What compliance means, in one line.
    pub title: &'static str,
    /// How much a failure matters.
    pub severity: Severity,
    /// What it looks at.
    pub subject: Subject,
    /// The AWS Security Hub control, where one exists (`S3.8`).
    pub security_hub: Option<&'static str>,
    /// What to do, in words.
    pub remediation: &'static str,
    /// The aws CLI command that fixes it (`{bucket}`, `{account}`, `{table}` filled in).
    pub cli: &'static str,
    /// The Terraform resource that manages it.
    pub terraform: &'static str,
    /// Whether `--fix` applies it.
    pub fixable: bool,
}

/// A check's answer: a status and the setting found, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// The status.
    pub status: Status,
    /// What was found, such as `ENABLED (AES256)`.
    pub detail: String,
}

impl Outcome {
    fn new(status: Status, detail: impl Into<String>) -> Outcome {
        Outcome {
            status,
            detail: detail.into(),
        }
    }
}

fn pass(detail: impl Into<String>) -> Option<Outcome> {
    Some(Outcome::new(Status::Pass, detail))
}

fn fail(detail: impl Into<String>) -> Option<Outcome> {
    Some(Outcome::new(Status::Fail, detail))
}

fn warn(detail: impl Into<String>) -> Option<Outcome> {
    Some(Outcome::new(Status::Warn, detail))
}

fn info(detail: impl Into<String>) -> Option<Outcome> {
    Some(Outcome::new(Status::Info, detail))
}

/// A fact that could not be read is a warning naming the error; `None` for a known fact. A
/// bucket in another region says which, and how to audit it there.
fn unread<T>(fact: &Fact<T>) -> Result<&T, Option<Outcome>> {
    match fact {
        Fact::Known(value) => Ok(value),
        Fact::Unreadable { code, message } if code.as_deref() == Some("PermanentRedirect") => {
            Err(warn(format!(
                "UNKNOWN (could not read: PermanentRedirect: {message})"
            )))
        }
        Fact::Unreadable { code, message } => Err(warn(format!(
            "UNKNOWN (could not read: {})",
            code.as_deref().unwrap_or(message)
        ))),
    }
}

/// What the checks need besides the facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    /// The account the audit runs in.
    pub account_id: Option<String>,
    /// When the audit runs (locks older than `stale_after` are stale).
    pub now: DateTime<Utc>,
    /// How long a lock may be held before it counts as stale.
    pub stale_after: TimeDelta,
}

/// One rule's result for one subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule.
    pub rule: &'static Rule,
    /// The status and what was found.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// Every bucket rule that applies, in order; a bucket that is missing (or could not be
/// looked at) gets only `bucket-exists`.
pub fn evaluate_bucket(bucket: &BucketFacts, context: &Context) -> Vec<Finding> {
    let rules: &[(Rule, BucketCheck)] = if bucket.exists == Fact::Known(true) {
        BUCKET_RULES
    } else {
        &BUCKET_RULES[..1]
    };
    rules
        .iter()
        .filter_map(|(rule, check)| check(bucket, context).map(|outcome| Finding { rule, outcome }))
        .collect()
}

/// The account rules.
pub fn evaluate_account(account: &AccountFacts) -> Vec<Finding> {
    ACCOUNT_RULES
        .iter()
        .filter_map(|(rule, check)| check(account).map(|outcome| Finding { rule, outcome }))
        .collect()
}

/// Every lock-table rule; a table that is missing (or could not be described) gets only
/// `lock-table-exists`.
pub fn evaluate_table(table: &TableFacts, context: &Context) -> Vec<Finding> {
    let rules: &[(Rule, TableCheck)] = if table.exists == Fact::Known(true) {
        TABLE_RULES
    } else {
        &TABLE_RULES[..1]
    };
    rules
        .iter()
        .filter_map(|(rule, check)| check(table, context).map(|outcome| Finding { rule, outcome }))
        .collect()
}

/// Every rule, for listings and SARIF.
pub fn all_rules() -> impl Iterator<Item = &'static Rule> {
    BUCKET_RULES
        .iter()
        .map(|(rule, _)| rule)
        .chain(ACCOUNT_RULES.iter().map(|(rule, _)| rule))
        .chain(TABLE_RULES.iter().map(|(rule, _)| rule))
}
