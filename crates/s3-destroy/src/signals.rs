//! Whether a bucket holds Terraform state, by every sign there is, so that teardown never
//! takes a state bucket for an ordinary one: the provisioner's `Purpose` tag, a `.tflock`
//! lock file, lock or digest rows naming the bucket in the lock table, and any version of
//! any object whose content is a Terraform or OpenTofu state (read, not guessed from the
//! key). The caller adds what only it knows (the name against the naming patterns).
//! [`ContentScan::StateKeys`] narrows the content read to keys ending in `.tfstate`, for
//! buckets of many objects where a GET a version costs more than it is worth; what it did
//! not read is counted, so the report can say so.

use futures::{StreamExt, stream};
use serde::Serialize;

use crate::api::Store;
use crate::model::{Entry, Inventory};

/// How many bytes of each version are read to tell a state by its content.
pub const PREFIX_BYTES: u64 = 1024;

/// The smallest object that can be a state: the least a Terraform state writes (`version`,
/// `serial`, a 36-character `lineage`, `outputs` and `resources` or `modules`) is over 100
/// bytes, and OpenTofu's envelope of it more; smaller objects are not read.
pub const MIN_STATE_BYTES: u64 = 64;

/// Reads in flight while looking for state by content.
const READS_IN_FLIGHT: usize = 32;

/// One sign that a bucket holds Terraform state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "signal", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum StateSignal {
    /// Its name fits the state-bucket naming pattern.
    Name {
        /// The pattern.
        pattern: String,
    },
    /// The provisioner tagged it as the state bucket.
    Tag {
        /// The tag's key.
        key: String,
        /// Its value.
        value: String,
    },
    /// A version of an object in it is a Terraform or OpenTofu state.
    State {
        /// The key.
        key: String,
        /// The version.
        version_id: String,
    },
    /// It holds a Terraform S3 lock file.
    LockFile {
        /// The key.
        key: String,
    },
    /// The lock table holds lock or digest rows naming it.
    LockRows {
        /// The table.
        table: String,
        /// How many.
        rows: u64,
    },
}

impl StateSignal {
    /// The sign in words, for reports.
    pub fn describe(&self) -> String {
        match self {
            StateSignal::Name { pattern } => {
                format!("its name fits the state-bucket pattern `{pattern}`")
            }
            StateSignal::Tag { key, value } => format!("it is tagged {key}={value}"),
            StateSignal::State { key, version_id } => {
                format!("{key} (version {version_id}) is a Terraform state")
            }
            StateSignal::LockFile { key } => format!("{key} is a Terraform lock file"),
            StateSignal::LockRows { table, rows } => {
                format!("the lock table {table} holds {rows} lock or digest row(s) naming it")
            }
        }
    }
}

/// Which versions the search reads to tell a state by its content.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ContentScan {
    /// The start of every version big enough to be a state (a GET each).
    #[default]
    Every,
    /// Only the versions of keys ending in `.tfstate`; the others are counted in
    /// [`Signals::unscanned`], not read.
    StateKeys,
}

impl ContentScan {
    /// Whether a version of `key` is read.
    fn reads(self, key: &str) -> bool {
        match self {
            ContentScan::Every => true,
            ContentScan::StateKeys => key.ends_with(".tfstate"),
        }
    }
}

/// What the search found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Signals {
    /// The signs found (the search stops at the first one that needs reading objects).
    pub signals: Vec<StateSignal>,
    /// Versions that could not be read to rule state out (archived, or access denied).
    pub unreadable: u64,
    /// Versions big enough to be a state that were not read, as [`ContentScan::StateKeys`]
    /// asked.
    pub unscanned: u64,
    /// Facts that could not be read (the tags, the lock table), with why.
    pub warnings: Vec<String>,
}

impl Signals {
    /// Whether anything says the bucket holds state.
    pub fn holds_state(&self) -> bool {
        !self.signals.is_empty()
    }
}

/// Whether the first bytes of an object are a Terraform state (JSON with a lineage or a
/// Terraform version, which every format since 0.9 writes first) or an OpenTofu encrypted
/// state (its `{"meta":{"key_provider.…":…},"encrypted_data":…}` envelope: the key
/// providers' metadata comes first and can be long, so either part is enough).
pub fn looks_like_state(prefix: &[u8]) -> bool {
    let text = prefix.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(prefix);
    let start = text.iter().position(|b| !b.is_ascii_whitespace());
    if start.is_none_or(|start| text[start] != b'{') {
        return false;
    }
    let contains = |needle: &[u8]| text.windows(needle.len()).any(|window| window == needle);
    contains(b"\"terraform_version\"")
        || contains(b"\"lineage\"")
        || contains(b"\"encrypted_data\"")
        || contains(b"\"key_provider.")
}

/// Looks for every sign of state in `inventory`'s bucket beyond `known` (which the caller
/// found): its tags, its `.tflock` keys, rows of `lock_table` naming it, then (when nothing
/// else has) the content of the versions `scan` names.
pub async fn state_signals<S: Store>(
    store: &S,
    inventory: &Inventory,
    lock_table: Option<&str>,
    known: Vec<StateSignal>,
    scan: ContentScan,
) -> Signals {
    let bucket = inventory.bucket.as_str();
    let mut found = Signals {
        signals: known,
        ..Signals::default()
    };
    if !inventory.exists() {
        return found;
    }
    // The tags and the lock table are asked at once (a round trip each on AWS).
    let lock_rows = async {
        match lock_table {
            Some(table) => Some((table, store.lock_rows(table, bucket).await)),
            None => None,
        }
    };
    let (tags, lock_rows) = futures::join!(store.tags(bucket), lock_rows);
    match tags {
        Ok(tags) => {
            if let Some(value) = tags.get("Purpose").filter(|v| *v == naming::STATE_PURPOSE) {
                found.signals.push(StateSignal::Tag {
                    key: "Purpose".to_owned(),
                    value: value.clone(),
                });
            }
        }
        Err(error) => found.warnings.push(format!("its tags: {error}")),
    }
    let entries = || {
        inventory
            .entries
            .iter()
            .filter(|entry| !entry.delete_marker)
    };
    if let Some(lock) = entries().find(|entry| entry.key.ends_with(".tflock")) {
        found.signals.push(StateSignal::LockFile {
            key: lock.key.clone(),
        });
    }
    if let Some((table, rows)) = lock_rows {
        match rows {
            Ok(0) => {}
            Ok(rows) => found.signals.push(StateSignal::LockRows {
                table: table.to_owned(),
                rows,
            }),
            Err(error) => found
                .warnings
                .push(format!("the lock table {table}: {error}")),
        }
    }
    if let Some(file) = entries()
        .find(|entry| entry.is_latest && entry.key.ends_with(".tfstate"))
        .filter(|_| inventory.state.holds_state())
    {
        found.signals.push(StateSignal::State {
            key: file.key.clone(),
            version_id: file.version_id.clone(),
        });
    }
    if found.holds_state() {
        return found;
    }
    // Nothing cheaper says so: read the start of every version until one is a state.
    let (read, unread): (Vec<&Entry>, Vec<&Entry>) = entries()
        .filter(|entry| entry.size >= MIN_STATE_BYTES)
        .partition(|entry| scan.reads(&entry.key));
    found.unscanned = unread.len() as u64;
    let mut reads = stream::iter(read)
        .map(|entry| async move {
            let read = store
                .prefix(bucket, &entry.key, &entry.version_id, PREFIX_BYTES)
                .await;
            (entry, read)
        })
        .buffer_unordered(READS_IN_FLIGHT);
    while let Some((entry, read)) = reads.next().await {
        match read {
            Ok(bytes) if looks_like_state(&bytes) => {
                found.signals.push(StateSignal::State {
                    key: entry.key.clone(),
                    version_id: entry.version_id.clone(),
                });
                return found;
            }
            Ok(_) => {}
            Err(error) => {
                tracing::debug!(%error, key = %entry.key, "cannot read to rule out state");
                found.unreadable += 1;
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_are_told_by_their_content() {
        assert!(looks_like_state(
            b"{\n  \"version\": 4,\n  \"terraform_version\": \"1.0.3\",\n  \"serial\": 1,"
        ));
        assert!(looks_like_state(
            br#"{"version":3,"serial":2,"lineage":"abc"}"#
        ));
        assert!(looks_like_state(
            b"\xEF\xBB\xBF  {\"serial\":1,\"lineage\":\"x\",\"meta\":{},\"encrypted_data\":\"AAAA"
        ));
        // OpenTofu's envelope whose key-provider metadata fills the first KiB.
        let mut tofu = br#"{"meta":{"key_provider.pbkdf2.main":""#.to_vec();
        tofu.extend(std::iter::repeat_n(b'A', 2000));
        assert!(looks_like_state(&tofu[..1024]));
        assert!(!looks_like_state(br#"{"level":"info","msg":"GET /"}"#));
        assert!(!looks_like_state(b"lineage terraform_version"));
        assert!(!looks_like_state(b""));
    }

    #[test]
    fn a_state_keys_scan_reads_only_keys_ending_in_tfstate() {
        assert!(ContentScan::Every.reads("logs/2026/access.log"));
        assert!(ContentScan::StateKeys.reads("env/prod/terraform.tfstate"));
        assert!(!ContentScan::StateKeys.reads("env/prod/terraform.tfstate.backup"));
        assert!(!ContentScan::StateKeys.reads("logs/2026/access.log"));
    }
}
