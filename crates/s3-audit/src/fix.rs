//! `--fix`: the remediations that are safe to apply without a human — they only close
//! access or turn protection on, never remove a grant someone may rely on, never delete
//! data — planned as plain values from the failing findings, then applied in a safe order.
//!
//! Not fixed (reported with their remediation instead): public or cross-account policy
//! statements, logging (it needs a target), KMS, MFA delete, Object Lock, lifecycle and
//! retention (they delete data), replication, notifications, stale locks, digest rows.

use aws_client::AwsError;
use aws_client::dynamodb::TableWrite;
use aws_client::policy::{Policy, tls_statement};
use aws_client::s3::{BucketWrite, Encryption};
use serde::Serialize;

use crate::api::Remedy;
use crate::facts::Facts;
use crate::report::Audit;
use crate::rules::{Status, Subject};

/// One change.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "action")]
pub enum Action {
    /// Reset the bucket ACL to private (before ownership: S3 refuses BucketOwnerEnforced
    /// while the ACL grants anyone else).
    AclPrivate,
    /// All four bucket public-access-block settings.
    BlockPublicAccess,
    /// Default encryption AES256.
    DefaultEncryption,
    /// Versioning on.
    EnableVersioning,
    /// Object ownership BucketOwnerEnforced.
    OwnershipEnforced,
    /// The `EntireBucket` request-metrics configuration.
    RequestMetrics,
    /// The bucket policy with the TLS-only statement merged in.
    TlsOnly {
        /// The whole policy to put.
        #[serde(skip)]
        policy: Policy,
    },
    /// All four account public-access-block settings.
    AccountBlockPublicAccess,
    /// KMS encryption of the lock table (the AWS-managed key).
    TableEncryption,
    /// Point-in-time recovery of the lock table.
    TablePointInTimeRecovery,
    /// Deletion protection of the lock table.
    TableDeletionProtection,
}

/// A change to one subject, and the rules it makes pass.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fix {
    /// A bucket, the account or the lock table.
    pub kind: Subject,
    /// Its name.
    pub subject: String,
    /// The change.
    #[serde(flatten)]
    pub action: Action,
    /// The rules it fixes.
    pub rules: Vec<&'static str>,
}

impl Fix {
    /// The change in words, for confirmations and reports.
    pub fn describe(&self) -> String {
        let what = match &self.action {
            Action::AclPrivate => "reset the ACL to private",
            Action::BlockPublicAccess => "turn on all four public-access-block settings",
            Action::DefaultEncryption => "set default encryption AES256",
            Action::EnableVersioning => "enable versioning",
            Action::OwnershipEnforced => "set object ownership BucketOwnerEnforced",
            Action::RequestMetrics => "add the EntireBucket request metrics",
            Action::TlsOnly { .. } => "add the TLS-only statement to the bucket policy",
            Action::AccountBlockPublicAccess => {
                "turn on all four account-level public-access-block settings"
            }
            Action::TableEncryption => "turn on KMS encryption",
            Action::TablePointInTimeRecovery => "turn on point-in-time recovery",
            Action::TableDeletionProtection => "turn on deletion protection",
        };
        format!("{}: {what}", self.subject)
    }
}

/// The safe fixes for what `audit` found failing (whatever the threshold), in the order
/// they must be applied.
pub fn plan(audit: &Audit, facts: &Facts) -> Vec<Fix> {
    let mut fixes = Vec::new();
    for subject in &audit.subjects {
        let failing: Vec<&'static str> = subject
            .findings
            .iter()
            .filter(|finding| finding.outcome.status == Status::Fail && finding.rule.fixable)
            .map(|finding| finding.rule.id)
            .collect();
        let fix = |action: Action, rules: &[&'static str]| Fix {
            kind: subject.kind,
            subject: subject.name.clone(),
            action,
            rules: rules
                .iter()
                .copied()
                .filter(|rule| failing.contains(rule))
                .collect(),
        };
        let has = |rule: &str| failing.contains(&rule);
        match subject.kind {
            Subject::Bucket => {
                if has("acl-public-read") || has("acl-public-write") {
                    fixes.push(fix(
                        Action::AclPrivate,
                        &["acl-public-read", "acl-public-write"],
                    ));
                }
                if has("public-access-block") {
                    fixes.push(fix(Action::BlockPublicAccess, &["public-access-block"]));
                }
                if has("encryption") {
                    fixes.push(fix(Action::DefaultEncryption, &["encryption"]));
                }
                if has("versioning") {
                    fixes.push(fix(Action::EnableVersioning, &["versioning"]));
                }
                if has("object-ownership") {
                    fixes.push(fix(Action::OwnershipEnforced, &["object-ownership"]));
                }
                if has("request-metrics") {
                    fixes.push(fix(Action::RequestMetrics, &["request-metrics"]));
                }
                let bucket = facts
                    .buckets
                    .iter()
                    .find(|bucket| bucket.name == subject.name);
                if let (true, Some(bucket)) = (has("tls-only"), bucket) {
                    // Only with the policy read: a policy that could not be read is never
                    // overwritten.
                    if let Some(current) = bucket.policy.known() {
                        let base = current.clone().unwrap_or_else(Policy::empty);
                        let policy = base.with_statement(tls_statement(&bucket.arn()));
                        fixes.push(fix(Action::TlsOnly { policy }, &["tls-only"]));
                    }
                }
            }
            Subject::Account => {
                if has("account-public-access-block") {
                    fixes.push(fix(
                        Action::AccountBlockPublicAccess,
                        &["account-public-access-block"],
                    ));
                }
            }
            Subject::LockTable => {
                if has("lock-table-encryption") {
                    fixes.push(fix(Action::TableEncryption, &["lock-table-encryption"]));
                }
                if has("lock-table-pitr") {
                    fixes.push(fix(Action::TablePointInTimeRecovery, &["lock-table-pitr"]));
                }
                if has("lock-table-deletion-protection") {
                    fixes.push(fix(
                        Action::TableDeletionProtection,
                        &["lock-table-deletion-protection"],
                    ));
                }
            }
        }
    }
    fixes
}

/// Applies `fixes` in order, each on its own: one failure does not stop the others. The
/// lock table's ARN comes from `facts`.
pub async fn apply<R: Remedy>(
    remedy: &R,
    fixes: &[Fix],
    facts: &Facts,
) -> Vec<(Fix, Result<(), AwsError>)> {
    let table_arn = facts
        .table
        .as_ref()
        .and_then(|table| table.arn.clone())
        .unwrap_or_default();
    let mut results = Vec::with_capacity(fixes.len());
    for fix in fixes {
        let name = fix.subject.as_str();
        let result = match &fix.action {
            Action::AclPrivate => remedy.make_acl_private(name).await,
            Action::BlockPublicAccess => {
                remedy
                    .write_bucket(name, &BucketWrite::BlockPublicAccess)
                    .await
            }
            Action::DefaultEncryption => {
                remedy
                    .write_bucket(name, &BucketWrite::Encryption(Encryption::Aes256))
                    .await
            }
            Action::EnableVersioning => {
                remedy
                    .write_bucket(name, &BucketWrite::EnableVersioning)
                    .await
            }
            Action::OwnershipEnforced => {
                remedy
                    .write_bucket(name, &BucketWrite::OwnershipEnforced)
                    .await
            }
            Action::RequestMetrics => {
                remedy
                    .write_bucket(name, &BucketWrite::RequestMetrics)
                    .await
            }
            Action::TlsOnly { policy } => {
                remedy
                    .write_bucket(name, &BucketWrite::Policy(policy.clone()))
                    .await
            }
            Action::AccountBlockPublicAccess => remedy.block_account_public_access(name).await,
            Action::TableEncryption => {
                remedy
                    .write_table(name, &table_arn, &TableWrite::Encryption(None))
                    .await
            }
            Action::TablePointInTimeRecovery => {
                remedy
                    .write_table(name, &table_arn, &TableWrite::PointInTimeRecovery)
                    .await
            }
            Action::TableDeletionProtection => {
                remedy
                    .write_table(name, &table_arn, &TableWrite::DeletionProtection)
                    .await
            }
        };
        results.push((fix.clone(), result));
    }
    results
}
