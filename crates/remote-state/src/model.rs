//! What is read about a state, as values: its versions, the content of each version read,
//! its lock and its digest row. The judgements ([`crate::verify`], [`crate::restore`],
//! [`crate::unlock`], [`crate::prune`]) are pure functions of these.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use crate::records::LockInfo;
use crate::state::{Content, StateError, StateId};

/// One version of a state object (or a delete marker over it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Version {
    /// The version id (`null` in an unversioned bucket).
    pub id: String,
    /// The current version.
    pub is_latest: bool,
    /// A delete marker: the state was deleted at this point.
    pub delete_marker: bool,
    /// Bytes.
    pub size: u64,
    /// When it was written.
    pub last_modified: Option<DateTime<Utc>>,
}

/// One version's bytes, judged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Read {
    /// The version read.
    pub version_id: String,
    /// The lowercase hex MD5 of its bytes.
    pub md5: String,
    /// What the bytes are.
    #[serde(serialize_with = "content_or_error")]
    pub content: Result<Content, StateError>,
}

fn content_or_error<S: serde::Serializer>(
    content: &Result<Content, StateError>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match content {
        Ok(content) => content.serialize(serializer),
        Err(error) => serializer.collect_str(&format_args!("invalid: {error}")),
    }
}

/// How a lock is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LockKind {
    /// A row of the lock table: `LockID` = `{bucket}/{key}` (S1).
    Row,
    /// An S3 lock file: `{key}.tflock` (S4).
    File,
}

/// A lock on a state, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lock {
    /// Row or file.
    pub kind: LockKind,
    /// The state it locks: `{bucket}/{key}`.
    pub path: String,
    /// The record as stored (the row's `Info`, the file's body): what a conditional delete
    /// compares.
    pub raw: String,
    /// The record, parsed; `None` when it is not Terraform's JSON.
    pub info: Option<LockInfo>,
    /// The lock file's ETag, for its conditional delete.
    #[serde(skip)]
    pub etag: Option<String>,
}

impl Lock {
    /// How long it has been held, when its record says when it was taken.
    pub fn age(&self, now: DateTime<Utc>) -> Option<TimeDelta> {
        self.info
            .as_ref()
            .and_then(LockInfo::created_at)
            .map(|created| now - created)
    }

    /// Who holds it, for people.
    pub fn holder(&self) -> String {
        match &self.info {
            Some(info) => format!(
                "{} ({}, Terraform {})",
                info.who, info.operation, info.version
            ),
            None => "unknown (the lock record is not Terraform's JSON)".to_owned(),
        }
    }
}

/// Everything read about one state.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Observed {
    /// Which state.
    pub id: StateId,
    /// Its versions, newest first (delete markers included).
    pub versions: Vec<Version>,
    /// The versions read, newest first: the current one first when it exists.
    pub reads: Vec<Read>,
    /// Its digest row's `Digest`, when there is one.
    pub digest: Option<String>,
    /// Its locks (a row, a file, or both).
    pub locks: Vec<Lock>,
}

impl Observed {
    /// The current version, unless the state is deleted (a delete marker on top) or gone.
    pub fn current(&self) -> Option<&Version> {
        self.versions
            .iter()
            .find(|version| version.is_latest)
            .filter(|version| !version.delete_marker)
    }

    /// The current version's bytes, judged, when read.
    pub fn current_read(&self) -> Option<&Read> {
        let current = self.current()?;
        self.reads.iter().find(|read| read.version_id == current.id)
    }

    /// Every version that is an object (not a delete marker), newest first.
    pub fn object_versions(&self) -> impl Iterator<Item = &Version> {
        self.versions
            .iter()
            .filter(|version| !version.delete_marker)
    }
}

/// Observed states built from values, for the judgements' tests.
#[cfg(test)]
pub(crate) mod fixture {
    use super::*;
    use crate::records::{LockInfo, md5_hex};
    use crate::state::{StateId, parse};

    /// A state's bytes with `serial` and `lineage`.
    pub(crate) fn bytes(serial: u64, lineage: &str) -> Vec<u8> {
        format!(
            r#"{{"version":4,"serial":{serial},"lineage":"{lineage}","terraform_version":"1.0.3","outputs":{{"n":{{"value":{serial}}}}},"resources":[]}}"#
        )
        .into_bytes()
    }

    /// A state whose versions are `versions` (id, bytes), newest first, all read, with
    /// `digest` in its digest row.
    pub(crate) fn state(versions: &[(&str, Vec<u8>)], digest: Option<&str>) -> Observed {
        let now = chrono::Utc::now();
        Observed {
            id: StateId::new("b", "k/terraform.tfstate"),
            versions: versions
                .iter()
                .enumerate()
                .map(|(index, (id, bytes))| Version {
                    id: (*id).to_owned(),
                    is_latest: index == 0,
                    delete_marker: false,
                    size: bytes.len() as u64,
                    last_modified: Some(now - chrono::TimeDelta::days(index as i64 * 10)),
                })
                .collect(),
            reads: versions
                .iter()
                .map(|(id, bytes)| Read {
                    version_id: (*id).to_owned(),
                    md5: md5_hex(bytes),
                    content: parse(bytes),
                })
                .collect(),
            digest: digest.map(str::to_owned),
            locks: Vec::new(),
        }
    }

    /// A lock row taken `age` ago.
    pub(crate) fn lock(age: chrono::TimeDelta) -> Lock {
        let info = LockInfo {
            id: "9db590f1-b6fe-c5f2-2678-8804f089deba".to_owned(),
            operation: "OperationTypeApply".to_owned(),
            info: String::new(),
            who: "alice@ci-7".to_owned(),
            version: "1.0.3".to_owned(),
            created: (chrono::Utc::now() - age).to_rfc3339(),
            path: "b/k/terraform.tfstate".to_owned(),
        };
        Lock {
            kind: LockKind::Row,
            path: "b/k/terraform.tfstate".to_owned(),
            raw: info.to_json(),
            info: Some(info),
            etag: None,
        }
    }
}
