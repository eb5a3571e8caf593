//! `prune`: which noncurrent versions go. Never the current version, never a version of a
//! locked state, never a delete marker that hides a deleted state's history.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use crate::model::Observed;

/// What the user keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Keep {
    /// The newest noncurrent versions kept, whatever their age.
    pub newest: Option<usize>,
    /// Noncurrent versions younger than this are kept.
    pub younger_than: Option<TimeDelta>,
}

/// The versions of one state that go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pruning {
    /// The state's key.
    pub key: String,
    /// The versions deleted (ids), oldest last.
    pub versions: Vec<String>,
    /// Their bytes.
    pub bytes: u64,
    /// Why the state is left whole, when it is.
    pub skipped: Option<String>,
}

/// The noncurrent object versions of `observed` beyond what `keep` keeps: a version goes
/// when it is outside the newest `keep.newest` noncurrent ones and older than
/// `keep.younger_than` (each limit, when given, keeps what it names).
pub fn plan(observed: &Observed, keep: Keep, now: DateTime<Utc>) -> Pruning {
    let key = observed.id.key.clone();
    if let Some(lock) = observed.locks.first() {
        return Pruning {
            key,
            versions: Vec::new(),
            bytes: 0,
            skipped: Some(format!("locked by {}", lock.holder())),
        };
    }
    if observed.current().is_none() {
        return Pruning {
            key,
            versions: Vec::new(),
            bytes: 0,
            skipped: Some("deleted: its history is all that is left of it".to_owned()),
        };
    }
    let mut versions = Vec::new();
    let mut bytes = 0;
    let noncurrent = observed
        .object_versions()
        .filter(|version| !version.is_latest);
    for (index, version) in noncurrent.enumerate() {
        let kept_by_count = keep.newest.is_some_and(|newest| index < newest);
        let kept_by_age = keep.younger_than.is_some_and(|limit| {
            version
                .last_modified
                .is_none_or(|written| now - written < limit)
        });
        if !kept_by_count && !kept_by_age {
            versions.push(version.id.clone());
            bytes += version.size;
        }
    }
    Pruning {
        key,
        versions,
        bytes,
        skipped: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixture::{bytes, lock, state};

    fn five() -> Observed {
        // Written 0, 10, 20, 30 and 40 days ago.
        state(
            &[
                ("v5", bytes(5, "l")),
                ("v4", bytes(4, "l")),
                ("v3", bytes(3, "l")),
                ("v2", bytes(2, "l")),
                ("v1", bytes(1, "l")),
            ],
            None,
        )
    }

    #[test]
    fn keeps_the_newest_n_or_what_is_younger_and_never_the_current_version() {
        let now = Utc::now();
        let keep_two = Keep {
            newest: Some(2),
            younger_than: None,
        };
        assert_eq!(plan(&five(), keep_two, now).versions, ["v2", "v1"]);
        let young = Keep {
            newest: None,
            younger_than: Some(TimeDelta::days(25)),
        };
        assert_eq!(plan(&five(), young, now).versions, ["v2", "v1"]);
        let everything = Keep {
            newest: Some(0),
            younger_than: None,
        };
        assert_eq!(
            plan(&five(), everything, now).versions,
            ["v4", "v3", "v2", "v1"]
        );
    }

    #[test]
    fn a_locked_or_deleted_state_is_left_whole() {
        let now = Utc::now();
        let keep = Keep {
            newest: Some(0),
            younger_than: None,
        };
        let mut locked = five();
        locked.locks.push(lock(TimeDelta::hours(1)));
        let pruning = plan(&locked, keep, now);
        assert!(pruning.versions.is_empty());
        assert!(pruning.skipped.unwrap().contains("alice@ci-7"));
        let mut deleted = five();
        deleted.versions.insert(
            0,
            crate::model::Version {
                id: "marker".to_owned(),
                is_latest: true,
                delete_marker: true,
                size: 0,
                last_modified: Some(now),
            },
        );
        deleted.versions[1].is_latest = false;
        assert!(plan(&deleted, keep, now).versions.is_empty());
    }
}
