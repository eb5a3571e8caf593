//! `--check-sync`, as pure logic over what was found on disk and what AWS answered: the
//! state bucket answers, the lock table exists with Terraform's key, every file names the
//! expected bucket, table and region, and no two files share a state key.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::path::PathBuf;

use naming::{BucketName, TableName};
use serde::Serialize;

use crate::files::{Found, Target};
use crate::layout::Layout;

/// What AWS says of the state bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BucketState {
    /// It answers HEAD Bucket for the caller's account.
    Reachable,
    /// No such bucket.
    Missing,
    /// Another account's, or the caller may not read it.
    Forbidden,
}

/// What AWS says of the lock table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum TableState {
    /// It exists with the `LockID` (S) hash key.
    Present,
    /// No such table.
    Missing,
    /// It exists with another key schema, which Terraform cannot lock with.
    WrongKeySchema {
        /// The key schema found.
        found: String,
    },
}

/// What the existence probe found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InfraFacts {
    /// The state bucket.
    pub bucket: BucketState,
    /// The lock table, when the lock mode uses one.
    pub table: Option<TableState>,
}

/// An AWS failure while probing (not a missing resource, which is a fact).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ProbeError {
    /// What failed.
    pub message: String,
    /// How to fix it, when known.
    pub hint: Option<String>,
}

/// Asks AWS whether the state bucket and lock table exist; implemented by the AWS side
/// (`aws-provisioner`), by values in tests.
pub trait InfraProbe: Sync {
    /// Probes the bucket and, if given, the table.
    fn probe(
        &self,
        bucket: &BucketName,
        table: Option<&TableName>,
    ) -> impl Future<Output = Result<InfraFacts, ProbeError>> + Send;
}

/// What kind of problem a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// The state bucket does not exist.
    BucketMissing,
    /// The state bucket is another account's or unreadable.
    BucketForbidden,
    /// The lock table does not exist.
    TableMissing,
    /// The lock table's key is not `LockID` (S, HASH).
    TableKeySchema,
    /// A file names another bucket.
    WrongBucket,
    /// A file names another region.
    WrongRegion,
    /// A file names another lock table, or a table the lock mode does not use.
    WrongTable,
    /// A file does not lock the way the lock mode asks.
    LockMissing,
    /// A file has no state key.
    KeyMissing,
    /// Two or more files name the same state key: their stacks would share one state.
    SharedKey,
    /// A file has a setting the S3 backend does not know (Terraform refuses it).
    UnknownSetting,
}

/// One thing out of sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// What kind.
    pub kind: FindingKind,
    /// The file(s) concerned, if any.
    pub paths: Vec<PathBuf>,
    /// What is wrong, in words.
    pub message: String,
}

/// The result of a sync check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    /// What AWS answered.
    pub infra: InfraFacts,
    /// Every problem found.
    pub findings: Vec<Finding>,
    /// How many backend files were checked.
    pub files: usize,
    /// The tenants (or clients) that have backend files.
    pub tenants: Vec<String>,
}

impl SyncReport {
    /// Whether nothing is out of sync.
    pub fn in_sync(&self) -> bool {
        self.findings.is_empty()
    }

    /// Whether the bucket or the table is missing: provisioning would fix it.
    pub fn infrastructure_missing(&self) -> bool {
        self.findings.iter().any(|f| {
            matches!(
                f.kind,
                FindingKind::BucketMissing | FindingKind::TableMissing
            )
        })
    }
}

fn finding(kind: FindingKind, paths: Vec<PathBuf>, message: String) -> Finding {
    Finding {
        kind,
        paths,
        message,
    }
}

/// Checks files against the target and AWS's answers. Pure.
pub fn check(target: &Target, layout: &Layout, infra: &InfraFacts, files: &[Found]) -> SyncReport {
    let mut findings = Vec::new();
    match infra.bucket {
        BucketState::Reachable => {}
        BucketState::Missing => findings.push(finding(
            FindingKind::BucketMissing,
            Vec::new(),
            format!("S3 bucket not found: {}", target.bucket),
        )),
        BucketState::Forbidden => findings.push(finding(
            FindingKind::BucketForbidden,
            Vec::new(),
            format!(
                "S3 bucket {} belongs to another account or may not be read",
                target.bucket
            ),
        )),
    }
    if let (Some(table), Some(state)) = (&target.table, &infra.table) {
        match state {
            TableState::Present => {}
            TableState::Missing => findings.push(finding(
                FindingKind::TableMissing,
                Vec::new(),
                format!("DynamoDB table not found: {table}"),
            )),
            TableState::WrongKeySchema { found } => findings.push(finding(
                FindingKind::TableKeySchema,
                Vec::new(),
                format!(
                    "DynamoDB table {table} has key {found}; Terraform locks with LockID (S, HASH)"
                ),
            )),
        }
    }

    let expected_table = target
        .table
        .as_ref()
        .filter(|_| target.lock.uses_table())
        .map(TableName::as_str);
    let mut keys: BTreeMap<&str, Vec<PathBuf>> = BTreeMap::new();
    for file in files {
        let config = &file.config;
        let path = || vec![file.path.clone()];
        let shown = |value: &Option<String>| value.clone().unwrap_or_else(|| "nothing".to_owned());
        if config.bucket.as_deref() != Some(target.bucket.as_str()) {
            findings.push(finding(
                FindingKind::WrongBucket,
                path(),
                format!(
                    "names bucket {}, expected {}",
                    shown(&config.bucket),
                    target.bucket
                ),
            ));
        }
        if config.region.as_deref() != Some(target.region.name()) {
            findings.push(finding(
                FindingKind::WrongRegion,
                path(),
                format!(
                    "names region {}, expected {}",
                    shown(&config.region),
                    target.region
                ),
            ));
        }
        match (expected_table, config.dynamodb_table.as_deref()) {
            (Some(_), None) => findings.push(finding(
                FindingKind::LockMissing,
                path(),
                "has no dynamodb_table: its state is not locked".to_owned(),
            )),
            (Some(expected), Some(found)) if expected != found => findings.push(finding(
                FindingKind::WrongTable,
                path(),
                format!("names lock table {found}, expected {expected}"),
            )),
            (None, Some(found)) => findings.push(finding(
                FindingKind::WrongTable,
                path(),
                format!(
                    "names lock table {found}, but the lock mode is {} (no table)",
                    target.lock
                ),
            )),
            _ => {}
        }
        if target.lock.uses_lockfile() && config.use_lockfile != Some(true) {
            findings.push(finding(
                FindingKind::LockMissing,
                path(),
                "has no use_lockfile = true, which the lock mode asks for".to_owned(),
            ));
        }
        for key in config.unknown_keys() {
            findings.push(finding(
                FindingKind::UnknownSetting,
                path(),
                format!("has `{key}`, which is not an S3 backend setting (Terraform refuses it)"),
            ));
        }
        match config.key.as_deref() {
            Some(key) => keys.entry(key).or_default().push(file.path.clone()),
            // Seed 002's per-environment file holds only the shared settings.
            None if file.path.starts_with("shared") => {}
            None => findings.push(finding(
                FindingKind::KeyMissing,
                path(),
                "has no state key".to_owned(),
            )),
        }
    }
    for (key, paths) in keys {
        if paths.len() > 1 {
            let count = paths.len();
            findings.push(finding(
                FindingKind::SharedKey,
                paths,
                format!(
                    "{count} files name the state key {key}: their stacks would share one state"
                ),
            ));
        }
    }
    let tenants: BTreeSet<String> = files
        .iter()
        .filter_map(|file| layout.owner_of(&file.path))
        .collect();
    SyncReport {
        infra: infra.clone(),
        findings,
        files: files.len(),
        tenants: tenants.into_iter().collect(),
    }
}
