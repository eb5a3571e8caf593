//! Integrity: what `verify` finds in a state and its records, and the fixes `repair` may
//! make safely. Pure functions of [`Observed`].

use serde::Serialize;

use crate::model::Observed;
use crate::state::{Content, StateId};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing; Terraform works.
    Warning,
    /// Terraform refuses the state, or its history is not one state's.
    Error,
}

/// One thing wrong with a state or the lock table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Finding {
    /// The digest row does not hold the MD5 of the current bytes: Terraform refuses the
    /// state ("state data in S3 does not have the expected content").
    DigestMismatch {
        /// The state.
        state: String,
        /// What the row holds.
        stored: String,
        /// The MD5 of the current bytes.
        actual: String,
    },
    /// No digest row: Terraform only warns, but cannot tell a stale read.
    DigestMissing {
        /// The state.
        state: String,
    },
    /// A version's bytes are not a state.
    Invalid {
        /// The state.
        state: String,
        /// The version.
        version_id: String,
        /// Whether it is the current version (Terraform cannot read the state).
        current: bool,
        /// Why.
        reason: String,
    },
    /// A newer version has a lower serial than the one before it (a restore, or a forced
    /// push).
    SerialWentBack {
        /// The state.
        state: String,
        /// The newer version and its serial.
        newer: (String, u64),
        /// The older version and its serial.
        older: (String, u64),
    },
    /// A newer version has another lineage: two states were written under one key.
    LineageChanged {
        /// The state.
        state: String,
        /// The newer version and its lineage.
        newer: (String, String),
        /// The older version and its lineage.
        older: (String, String),
    },
    /// A digest row whose state does not exist.
    OrphanDigest {
        /// The row's `LockID`.
        lock_id: String,
        /// What it holds (its removal is conditional on it).
        digest: String,
    },
    /// A lock row whose state does not exist (a first `apply` in progress, or one that
    /// died before it wrote anything).
    OrphanLock {
        /// The row's `LockID`.
        lock_id: String,
    },
}

impl Finding {
    /// How bad it is.
    pub fn severity(&self) -> Severity {
        match self {
            Finding::DigestMismatch { .. } | Finding::LineageChanged { .. } => Severity::Error,
            Finding::Invalid { current, .. } if *current => Severity::Error,
            _ => Severity::Warning,
        }
    }

    /// One line for people.
    pub fn describe(&self) -> String {
        match self {
            Finding::DigestMismatch {
                state,
                stored,
                actual,
            } => format!(
                "{state}: the digest row holds {stored}, the state's bytes are {actual}: Terraform refuses it"
            ),
            Finding::DigestMissing { state } => format!("{state}: no digest row"),
            Finding::Invalid {
                state,
                version_id,
                current,
                reason,
            } => format!(
                "{state}: version {version_id}{} is {reason}",
                if *current { " (current)" } else { "" }
            ),
            Finding::SerialWentBack {
                state,
                newer,
                older,
            } => format!(
                "{state}: serial went back from {} (version {}) to {} (version {})",
                older.1, older.0, newer.1, newer.0
            ),
            Finding::LineageChanged {
                state,
                newer,
                older,
            } => format!(
                "{state}: lineage changed from {} (version {}) to {} (version {})",
                older.1, older.0, newer.1, newer.0
            ),
            Finding::OrphanDigest { lock_id, .. } => {
                format!("{lock_id}: a digest row whose state does not exist")
            }
            Finding::OrphanLock { lock_id } => {
                format!("{lock_id}: a lock row whose state does not exist")
            }
        }
    }
}

/// What one state's versions and records show.
pub fn check(observed: &Observed) -> Vec<Finding> {
    let state = observed.id.to_string();
    let mut findings = Vec::new();
    let Some(current) = observed.current() else {
        return findings;
    };
    for read in &observed.reads {
        if let Err(error) = &read.content {
            findings.push(Finding::Invalid {
                state: state.clone(),
                version_id: read.version_id.clone(),
                current: read.version_id == current.id,
                reason: error.to_string(),
            });
        }
    }
    if let Some(read) = observed.current_read() {
        match &observed.digest {
            Some(stored) if *stored != read.md5 => findings.push(Finding::DigestMismatch {
                state: state.clone(),
                stored: stored.clone(),
                actual: read.md5.clone(),
            }),
            Some(_) => {}
            None => findings.push(Finding::DigestMissing {
                state: state.clone(),
            }),
        }
    }
    // Consecutive readable versions, newest first: serials only grow, lineage never changes.
    let readable: Vec<(&str, u64, &str)> = observed
        .reads
        .iter()
        .filter_map(|read| match &read.content {
            Ok(Content::Plain(summary)) => Some((
                read.version_id.as_str(),
                summary.serial,
                summary.lineage.as_str(),
            )),
            _ => None,
        })
        .collect();
    for pair in readable.windows(2) {
        let ((newer, newer_serial, newer_lineage), (older, older_serial, older_lineage)) =
            (pair[0], pair[1]);
        if newer_lineage != older_lineage {
            findings.push(Finding::LineageChanged {
                state: state.clone(),
                newer: (newer.to_owned(), newer_lineage.to_owned()),
                older: (older.to_owned(), older_lineage.to_owned()),
            });
        } else if newer_serial < older_serial {
            findings.push(Finding::SerialWentBack {
                state: state.clone(),
                newer: (newer.to_owned(), newer_serial),
                older: (older.to_owned(), older_serial),
            });
        }
    }
    findings
}

/// The rows of the lock table that name no existing state: `rows` are each `LockID` with
/// its `Digest`, `exists` says whether a state exists (its current version is an object).
pub fn orphans(
    rows: &[(String, Option<String>)],
    exists: impl Fn(&str, &str) -> bool,
) -> Vec<Finding> {
    rows.iter()
        .filter_map(|(lock_id, digest)| {
            let (bucket, key, is_digest) = crate::records::parse_row_id(lock_id)?;
            if exists(bucket, key) {
                return None;
            }
            Some(match is_digest {
                true => Finding::OrphanDigest {
                    lock_id: lock_id.clone(),
                    digest: digest.clone().unwrap_or_default(),
                },
                false => Finding::OrphanLock {
                    lock_id: lock_id.clone(),
                },
            })
        })
        .collect()
}

/// A change `repair` makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Fix {
    /// Set the state's digest row to the MD5 of its current bytes.
    SetDigest {
        /// The state.
        state: StateId,
        /// The digest to write.
        md5: String,
        /// What the row held (`None`: no row).
        was: Option<String>,
    },
    /// Delete a digest row whose state does not exist (only while it holds `digest`).
    RemoveDigest {
        /// The row's `LockID`.
        lock_id: String,
        /// What it holds.
        digest: String,
    },
}

impl Fix {
    /// One line for people.
    pub fn describe(&self) -> String {
        match self {
            Fix::SetDigest { state, md5, was } => match was {
                Some(was) => format!("{state}: set the digest row from {was} to {md5}"),
                None => format!("{state}: write the digest row {md5}"),
            },
            Fix::RemoveDigest { lock_id, .. } => {
                format!("{lock_id}: delete the orphaned digest row")
            }
        }
    }
}

/// Why a finding is left for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Left {
    /// The finding.
    pub finding: Finding,
    /// Why `repair` does not touch it.
    pub reason: String,
}

/// The safe fixes for `findings` of `observed` (one state), and what is left alone and why:
/// a digest is set only when the current version is a state (or OpenTofu's envelope) and
/// nobody holds its lock.
pub fn repairs(observed: &Observed, findings: &[Finding]) -> (Vec<Fix>, Vec<Left>) {
    let (mut fixes, mut left) = (Vec::new(), Vec::new());
    for finding in findings {
        match finding {
            Finding::DigestMismatch { .. } | Finding::DigestMissing { .. } => {
                let read = observed.current_read();
                let reason = match (read, observed.locks.first()) {
                    (_, Some(lock)) => Some(format!(
                        "the state is locked by {}; run again once it is released",
                        lock.holder()
                    )),
                    (Some(read), None) if read.content.is_err() => {
                        Some("the current version is not a valid state".to_owned())
                    }
                    (None, None) => Some("the current version could not be read".to_owned()),
                    _ => None,
                };
                match (reason, read) {
                    (None, Some(read)) => fixes.push(Fix::SetDigest {
                        state: observed.id.clone(),
                        md5: read.md5.clone(),
                        was: observed.digest.clone(),
                    }),
                    (reason, _) => left.push(Left {
                        finding: finding.clone(),
                        reason: reason.unwrap_or_default(),
                    }),
                }
            }
            other => left.push(Left {
                finding: other.clone(),
                reason: unfixable(other).to_owned(),
            }),
        }
    }
    (fixes, left)
}

/// The fixes for orphaned rows: digest rows go; lock rows are left to `unlock`.
pub fn repair_orphans(findings: &[Finding]) -> (Vec<Fix>, Vec<Left>) {
    let (mut fixes, mut left) = (Vec::new(), Vec::new());
    for finding in findings {
        match finding {
            Finding::OrphanDigest { lock_id, digest } => fixes.push(Fix::RemoveDigest {
                lock_id: lock_id.clone(),
                digest: digest.clone(),
            }),
            other => left.push(Left {
                finding: other.clone(),
                reason: unfixable(other).to_owned(),
            }),
        }
    }
    (fixes, left)
}

fn unfixable(finding: &Finding) -> &'static str {
    match finding {
        Finding::OrphanLock { .. } => {
            "a lock may belong to a first apply still running: release it with `unlock` once you know"
        }
        Finding::Invalid { .. } => {
            "its bytes are what was written; restore a good version with `restore`"
        }
        Finding::SerialWentBack { .. } | Finding::LineageChanged { .. } => {
            "history is kept as it is; restore the version you want with `restore`"
        }
        _ => "not a change repair makes",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixture::{bytes, lock, state};
    use crate::records::md5_hex;

    #[test]
    fn a_sound_state_has_no_findings() {
        let current = bytes(2, "l");
        let observed = state(
            &[("v2", current.clone()), ("v1", bytes(1, "l"))],
            Some(&md5_hex(&current)),
        );
        assert_eq!(check(&observed), []);
    }

    #[test]
    fn a_stale_digest_is_an_error_and_repair_sets_the_current_bytes_md5() {
        let current = bytes(2, "l");
        let observed = state(&[("v2", current.clone())], Some("0123"));
        let findings = check(&observed);
        assert_eq!(
            findings,
            [Finding::DigestMismatch {
                state: "s3://b/k/terraform.tfstate".to_owned(),
                stored: "0123".to_owned(),
                actual: md5_hex(&current),
            }]
        );
        assert_eq!(findings[0].severity(), Severity::Error);
        let (fixes, left) = repairs(&observed, &findings);
        assert_eq!(
            fixes,
            [Fix::SetDigest {
                state: observed.id.clone(),
                md5: md5_hex(&current),
                was: Some("0123".to_owned()),
            }]
        );
        assert!(left.is_empty());
        assert!(
            fixes[0].describe().contains("from 0123 to"),
            "{}",
            fixes[0].describe()
        );
    }

    #[test]
    fn a_locked_or_invalid_state_keeps_its_digest() {
        let mut observed = state(&[("v2", bytes(2, "l"))], Some("0123"));
        observed.locks.push(lock(chrono::TimeDelta::hours(1)));
        let (fixes, left) = repairs(&observed, &check(&observed));
        assert!(fixes.is_empty());
        assert!(left[0].reason.contains("alice@ci-7"), "{:?}", left[0]);

        let broken = state(&[("v2", b"{ truncated".to_vec())], Some("0123"));
        let findings = check(&broken);
        assert!(matches!(
            &findings[0],
            Finding::Invalid { current: true, .. }
        ));
        assert_eq!(findings[0].severity(), Severity::Error);
        let (fixes, left) = repairs(&broken, &findings);
        assert!(fixes.is_empty());
        assert_eq!(left.len(), 2, "{left:?}");
    }

    #[test]
    fn history_must_be_one_state_whose_serial_only_grows() {
        let current = bytes(3, "l");
        let digest = md5_hex(&current);
        let back = state(
            &[("v3", bytes(1, "l")), ("v2", bytes(2, "l"))],
            Some(&md5_hex(&bytes(1, "l"))),
        );
        assert!(matches!(
            &check(&back)[..],
            [Finding::SerialWentBack { newer, older, .. }] if newer.1 == 1 && older.1 == 2
        ));
        let other = state(&[("v3", current), ("v2", bytes(2, "other"))], Some(&digest));
        let findings = check(&other);
        assert!(
            matches!(&findings[..], [Finding::LineageChanged { .. }]),
            "{findings:?}"
        );
        assert_eq!(findings[0].severity(), Severity::Error);
    }

    #[test]
    fn rows_without_a_state_are_orphans_and_only_digests_are_removed() {
        let rows = vec![
            (
                "b/live/terraform.tfstate-md5".to_owned(),
                Some("aa".to_owned()),
            ),
            (
                "b/gone/terraform.tfstate-md5".to_owned(),
                Some("bb".to_owned()),
            ),
            ("b/gone/terraform.tfstate".to_owned(), None),
            ("not-a-path".to_owned(), None),
        ];
        let found = orphans(&rows, |bucket, key| {
            bucket == "b" && key == "live/terraform.tfstate"
        });
        assert_eq!(found.len(), 2);
        let (fixes, left) = repair_orphans(&found);
        assert_eq!(
            fixes,
            [Fix::RemoveDigest {
                lock_id: "b/gone/terraform.tfstate-md5".to_owned(),
                digest: "bb".to_owned()
            }]
        );
        assert!(matches!(left[0].finding, Finding::OrphanLock { .. }));
    }
}
