//! The records Terraform's S3 backend keeps beside a state (aws-behaviour.md S1–S4): the
//! lock row and its `Info`, the digest row, and the `.tflock` object.

use chrono::{DateTime, Utc};
use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};

/// The suffix of a digest row's `LockID`: `{bucket}/{key}-md5` (S2).
pub const DIGEST_SUFFIX: &str = "-md5";

/// The suffix of S3-native lock files: `{key}.tflock` (S4).
pub const LOCKFILE_SUFFIX: &str = ".tflock";

/// The `LockID` of a state's lock row: `{bucket}/{key}` (S1).
pub fn lock_id(bucket: &str, key: &str) -> String {
    format!("{bucket}/{key}")
}

/// The `LockID` of a state's digest row: `{bucket}/{key}-md5` (S2).
pub fn digest_id(bucket: &str, key: &str) -> String {
    format!("{bucket}/{key}{DIGEST_SUFFIX}")
}

/// The key of a state's S3 lock file: `{key}.tflock` (S4).
pub fn lockfile_key(key: &str) -> String {
    format!("{key}{LOCKFILE_SUFFIX}")
}

/// The lowercase hex MD5 of `bytes`: what a digest row holds for the exact bytes uploaded.
pub fn md5_hex(bytes: &[u8]) -> String {
    Md5::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Splits a `LockID` into the bucket and the object path it names, and whether it is a
/// digest row; `None` when it names no object (no `/`).
pub fn parse_row_id(lock_id: &str) -> Option<(&str, &str, bool)> {
    let (path, digest) = match lock_id.strip_suffix(DIGEST_SUFFIX) {
        Some(path) => (path, true),
        None => (lock_id, false),
    };
    let (bucket, key) = path.split_once('/')?;
    (!bucket.is_empty() && !key.is_empty()).then_some((bucket, key, digest))
}

/// Terraform's lock record, as it writes it in a lock row's `Info` or a lock file's body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockInfo {
    /// The lock's id (a UUID).
    #[serde(rename = "ID")]
    pub id: String,
    /// What holds it: `OperationTypeApply`, `OperationTypePlan`, ...
    #[serde(rename = "Operation", default)]
    pub operation: String,
    /// Free text (`terraform force-unlock` shows it).
    #[serde(rename = "Info", default)]
    pub info: String,
    /// Who: `user@host`.
    #[serde(rename = "Who", default)]
    pub who: String,
    /// The Terraform version that took it.
    #[serde(rename = "Version", default)]
    pub version: String,
    /// When it was taken (RFC 3339).
    #[serde(rename = "Created", default)]
    pub created: String,
    /// The state it locks: `{bucket}/{key}`.
    #[serde(rename = "Path", default)]
    pub path: String,
}

impl LockInfo {
    /// Parses a lock record; `None` when it is not Terraform's JSON.
    pub fn parse(text: &str) -> Option<LockInfo> {
        serde_json::from_str(text).ok()
    }

    /// When it was taken, if `Created` is RFC 3339.
    pub fn created_at(&self) -> Option<DateTime<Utc>> {
        DateTime::parse_from_rfc3339(&self.created)
            .ok()
            .map(|time| time.with_timezone(&Utc))
    }

    /// The record this toolkit writes while it changes a state: Terraform's shape, so
    /// `terraform` and `force-unlock` show who holds it and why.
    pub fn ours(id: String, operation: &str, path: String, now: DateTime<Utc>) -> LockInfo {
        LockInfo {
            id,
            operation: format!("manage-remote-state {operation}"),
            info: format!("taken by manage-remote-state {operation}"),
            who: who(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            created: now.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true),
            path,
        }
    }

    /// The record as Terraform writes it (compact JSON, its field names).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// `user@host`, as Terraform fills `Who`.
fn who() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".to_owned());
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|host| host.trim().to_owned())
        .filter(|host| !host.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".to_owned());
    format!("{user}@{host}")
}

/// A fresh lock id, in a UUID's shape (from the clock, the process and a counter).
pub fn new_lock_id() -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = Utc::now().timestamp_nanos_opt().unwrap_or_default() as u128;
    let seed = nanos ^ (u128::from(std::process::id()) << 64) ^ (u128::from(count) << 96);
    let hex = md5_hex(&seed.to_le_bytes());
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_terraforms() {
        assert_eq!(lock_id("b", "k/terraform.tfstate"), "b/k/terraform.tfstate");
        assert_eq!(
            digest_id("b", "k/terraform.tfstate"),
            "b/k/terraform.tfstate-md5"
        );
        assert_eq!(lockfile_key("k/t.tfstate"), "k/t.tfstate.tflock");
        assert_eq!(
            parse_row_id("b/env:/dev/k-md5"),
            Some(("b", "env:/dev/k", true))
        );
        assert_eq!(parse_row_id("b/k"), Some(("b", "k", false)));
        assert_eq!(parse_row_id("nothing"), None);
        assert_eq!(parse_row_id("b/"), None);
    }

    #[test]
    fn the_md5_is_lowercase_hex_of_the_bytes() {
        assert_eq!(md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(md5_hex(b"{}"), "99914b932bd37a50b983c5e7c90ae93b");
    }

    #[test]
    fn a_lock_record_round_trips_in_terraforms_shape() {
        let text = r#"{"ID":"9db590f1-b6fe-c5f2-2678-8804f089deba","Operation":"OperationTypeApply","Info":"","Who":"alice@ci-7","Version":"1.0.3","Created":"2026-11-21T08:15:02.123456789Z","Path":"b/k"}"#;
        let info = LockInfo::parse(text).unwrap();
        assert_eq!(info.who, "alice@ci-7");
        assert_eq!(
            info.created_at().unwrap().to_rfc3339(),
            "2026-11-21T08:15:02.123456789+00:00"
        );
        assert_eq!(info.to_json(), text);
        assert_eq!(LockInfo::parse("not json"), None);
        assert_eq!(LockInfo::parse(r#"{"Who":"x"}"#), None, "an ID is required");
    }

    #[test]
    fn our_lock_says_who_and_why_and_ids_differ() {
        let now = Utc::now();
        let ours = LockInfo::ours(new_lock_id(), "restore", "b/k".to_owned(), now);
        assert_eq!(ours.operation, "manage-remote-state restore");
        assert_eq!(ours.created_at(), Some(now));
        assert!(ours.who.contains('@'));
        assert_eq!(ours.id.len(), 36);
        assert_ne!(new_lock_id(), new_lock_id());
    }
}
