//! Backups of every state to another bucket (possibly in another account or region): what
//! a run copies, the manifest that records every copy, and whether a backup is complete and
//! fresh against its source.
//!
//! A backup bucket holds, under `{source-bucket}/`, one object a state version,
//! `{source-bucket}/{key}/{version-id}`, and `manifest.json`: every copy's key, version,
//! size, MD5 and source time, and when the last run finished. A version id names the same
//! bytes for ever, so a re-run copies only versions the manifest does not hold; in an
//! unversioned source bucket (version `null`) a version is told by its size and time.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{Observed, Version};

/// The manifest's name under the source bucket's prefix.
pub const MANIFEST: &str = "manifest.json";

/// The format of the manifest this version writes.
pub const FORMAT: u32 = 1;

/// What a backup holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: u32,
    /// The bucket the states come from.
    pub source_bucket: String,
    /// When the last run finished.
    pub taken_at: DateTime<Utc>,
    /// Every copy, by key then version.
    pub entries: Vec<Entry>,
}

/// One state version in the backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The state's key in the source bucket.
    pub key: String,
    /// Its version there (`null` in an unversioned bucket).
    pub version_id: String,
    /// Bytes.
    pub size: u64,
    /// The lowercase hex MD5 of its bytes.
    pub md5: String,
    /// When it was written to the source.
    pub last_modified: Option<DateTime<Utc>>,
    /// The copy's key in the backup bucket.
    pub object: String,
    /// Whether it was the state's current version at the last run.
    pub current: bool,
}

/// The prefix everything of `source_bucket` is under in a backup bucket.
pub fn prefix(source_bucket: &str) -> String {
    format!("{source_bucket}/")
}

/// Where the manifest of `source_bucket`'s backup is.
pub fn manifest_key(source_bucket: &str) -> String {
    format!("{}{MANIFEST}", prefix(source_bucket))
}

/// Where one version's copy goes: by version id, or (unversioned) by its MD5.
pub fn object_key(source_bucket: &str, key: &str, version_id: &str, md5: &str) -> String {
    match version_id {
        "null" => format!("{}{key}/null-{md5}", prefix(source_bucket)),
        version => format!("{}{key}/{version}", prefix(source_bucket)),
    }
}

/// One version to copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Copy {
    /// The state's key.
    pub key: String,
    /// The version.
    pub version_id: String,
    /// Bytes, from the listing.
    pub size: u64,
    /// When it was written.
    pub last_modified: Option<DateTime<Utc>>,
    /// Whether it is the state's current version.
    pub current: bool,
}

fn held(manifest: Option<&Manifest>, key: &str, version: &Version) -> bool {
    manifest.is_some_and(|manifest| {
        manifest
            .entries
            .iter()
            .any(|entry| entry.key == key && held_by(entry, version))
    })
}

/// The versions a run copies: each state's current version (every version with
/// `all_versions`) that the manifest does not hold.
pub fn plan(states: &[Observed], manifest: Option<&Manifest>, all_versions: bool) -> Vec<Copy> {
    let mut copies = Vec::new();
    for state in states {
        let Some(current) = state.current() else {
            continue;
        };
        let wanted: Vec<&Version> = if all_versions {
            state.object_versions().collect()
        } else {
            vec![current]
        };
        for version in wanted {
            if !held(manifest, &state.id.key, version) {
                copies.push(Copy {
                    key: state.id.key.clone(),
                    version_id: version.id.clone(),
                    size: version.size,
                    last_modified: version.last_modified,
                    current: version.id == current.id,
                });
            }
        }
    }
    copies
}

/// The manifest after a run: what it held, with the run's copies added and each entry's
/// `current` flag as the source is now. Entries of states deleted since stay: a backup
/// keeps what it took.
pub fn updated(
    source_bucket: &str,
    before: Option<Manifest>,
    copied: Vec<Entry>,
    states: &[Observed],
    now: DateTime<Utc>,
) -> Manifest {
    let mut entries = before.map(|manifest| manifest.entries).unwrap_or_default();
    entries.extend(copied);
    for entry in &mut entries {
        entry.current = states.iter().any(|state| {
            state.id.key == entry.key
                && state
                    .current()
                    .is_some_and(|current| held_by(entry, current))
        });
    }
    entries.sort_by(|a, b| (&a.key, &a.version_id).cmp(&(&b.key, &b.version_id)));
    entries.dedup_by(|a, b| a.key == b.key && a.object == b.object);
    Manifest {
        format: FORMAT,
        source_bucket: source_bucket.to_owned(),
        taken_at: now,
        entries,
    }
}

fn held_by(entry: &Entry, version: &Version) -> bool {
    entry.version_id == version.id
        && (version.id != "null"
            || (entry.size == version.size && entry.last_modified == version.last_modified))
}

/// What makes a backup incomplete or stale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "gap", rename_all = "snake_case")]
pub enum Gap {
    /// No manifest: nothing was backed up (or not to this bucket).
    NoManifest,
    /// A state's current version is not in the backup.
    Missing {
        /// The state.
        key: String,
        /// Its current version.
        version_id: String,
    },
    /// The last run is older than the age allowed.
    Stale {
        /// When it finished.
        taken_at: DateTime<Utc>,
        /// The age allowed.
        max_age_seconds: i64,
    },
    /// A copy is not what the manifest says.
    Damaged {
        /// The copy.
        object: String,
        /// What is wrong.
        reason: String,
    },
}

impl Gap {
    /// One line for a person.
    pub fn describe(&self) -> String {
        match self {
            Gap::NoManifest => {
                "no backup manifest in the backup bucket: run backup first".to_owned()
            }
            Gap::Missing { key, version_id } => {
                format!("{key}: its current version {version_id} is not in the backup")
            }
            Gap::Stale {
                taken_at,
                max_age_seconds,
            } => format!(
                "the last backup finished {} ago, more than the {} allowed",
                crate::unlock::human(Utc::now() - *taken_at),
                crate::unlock::human(TimeDelta::seconds(*max_age_seconds))
            ),
            Gap::Damaged { object, reason } => format!("{object}: {reason}"),
        }
    }
}

/// Whether the backup `manifest` describes holds every state's current version, and (with
/// `max_age`) was taken recently enough. The copies themselves are checked by reading them.
pub fn gaps(
    states: &[Observed],
    manifest: Option<&Manifest>,
    now: DateTime<Utc>,
    max_age: Option<TimeDelta>,
) -> Vec<Gap> {
    let Some(manifest) = manifest else {
        return vec![Gap::NoManifest];
    };
    let mut gaps: Vec<Gap> = states
        .iter()
        .filter_map(|state| {
            let current = state.current()?;
            let backed_up = manifest
                .entries
                .iter()
                .any(|entry| entry.key == state.id.key && held_by(entry, current));
            (!backed_up).then(|| Gap::Missing {
                key: state.id.key.clone(),
                version_id: current.id.clone(),
            })
        })
        .collect();
    if let Some(max_age) = max_age
        && now - manifest.taken_at > max_age
    {
        gaps.push(Gap::Stale {
            taken_at: manifest.taken_at,
            max_age_seconds: max_age.num_seconds(),
        });
    }
    gaps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixture::{bytes, state};
    use crate::records::md5_hex;

    fn entry(key: &str, version_id: &str, md5: String) -> Entry {
        Entry {
            key: key.to_owned(),
            version_id: version_id.to_owned(),
            size: 1,
            md5: md5.clone(),
            last_modified: None,
            object: object_key("b", key, version_id, &md5),
            current: false,
        }
    }

    #[test]
    fn a_run_copies_what_the_manifest_does_not_hold_and_a_re_run_nothing() {
        let states = [state(&[("v2", bytes(2, "l")), ("v1", bytes(1, "l"))], None)];
        let first = plan(&states, None, false);
        assert_eq!(first.len(), 1);
        assert!(first[0].current && first[0].version_id == "v2");
        let every = plan(&states, None, true);
        assert_eq!(every.len(), 2);
        let key = &states[0].id.key;
        let manifest = updated(
            "b",
            None,
            vec![entry(key, "v2", md5_hex(&bytes(2, "l")))],
            &states,
            Utc::now(),
        );
        assert!(manifest.entries[0].current);
        assert_eq!(plan(&states, Some(&manifest), false), []);
        // With every version, only the one not held yet.
        let rest = plan(&states, Some(&manifest), true);
        assert_eq!(rest.len(), 1);
        assert_eq!(rest[0].version_id, "v1");
        assert!(gaps(&states, Some(&manifest), Utc::now(), None).is_empty());
    }

    #[test]
    fn a_changed_state_is_missing_and_an_old_backup_stale() {
        let before = [state(&[("v1", bytes(1, "l"))], None)];
        let key = before[0].id.key.clone();
        let taken = Utc::now() - TimeDelta::hours(30);
        let manifest = updated(
            "b",
            None,
            vec![entry(&key, "v1", md5_hex(&bytes(1, "l")))],
            &before,
            taken,
        );
        let after = [state(&[("v2", bytes(2, "l")), ("v1", bytes(1, "l"))], None)];
        assert_eq!(
            gaps(&after, Some(&manifest), Utc::now(), None),
            [Gap::Missing {
                key: key.clone(),
                version_id: "v2".to_owned()
            }]
        );
        assert_eq!(plan(&after, Some(&manifest), false).len(), 1);
        let stale = gaps(
            &before,
            Some(&manifest),
            Utc::now(),
            Some(TimeDelta::hours(25)),
        );
        assert!(matches!(stale.as_slice(), [Gap::Stale { .. }]), "{stale:?}");
        assert!(
            gaps(
                &before,
                Some(&manifest),
                Utc::now(),
                Some(TimeDelta::hours(31))
            )
            .is_empty()
        );
        assert_eq!(gaps(&before, None, Utc::now(), None), [Gap::NoManifest]);
        // The old version stays in the manifest, no longer current.
        let again = updated("b", Some(manifest), Vec::new(), &after, Utc::now());
        assert_eq!(again.entries.len(), 1);
        assert!(!again.entries[0].current);
    }

    #[test]
    fn copies_are_named_by_version_or_by_md5_when_unversioned() {
        assert_eq!(
            object_key("src", "k/terraform.tfstate", "3HL4", "abc"),
            "src/k/terraform.tfstate/3HL4"
        );
        assert_eq!(
            object_key("src", "k/terraform.tfstate", "null", "abc"),
            "src/k/terraform.tfstate/null-abc"
        );
        assert_eq!(manifest_key("src"), "src/manifest.json");
    }
}
