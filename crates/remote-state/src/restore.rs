//! `restore`: which version becomes current, and why a restore is refused.

use serde::Serialize;

use crate::diff::{Diff, diff};
use crate::model::Observed;
use crate::state::Content;

/// A restore to carry out: copy `version_id` over the current version, then set the digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RestorePlan {
    /// The version that becomes current.
    pub version_id: String,
    /// The version it replaces (`None` when the state is deleted).
    pub replaces: Option<String>,
    /// The digest the row will hold: the MD5 of the restored bytes.
    pub md5: String,
    /// What changes, when both versions are readable.
    pub diff: Option<Diff>,
}

/// Why a restore is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Refusal {
    /// No such version of this state.
    #[error("{state} has no version {version_id}; `manage-remote-state versions {key}` lists them")]
    UnknownVersion {
        /// The state.
        state: String,
        /// Its key.
        key: String,
        /// The version asked for.
        version_id: String,
    },
    /// The version asked for is the current one.
    #[error("version {version_id} is already the current version of {state}")]
    AlreadyCurrent {
        /// The state.
        state: String,
        /// The version.
        version_id: String,
    },
    /// The version is not a state.
    #[error("version {version_id} of {state} is not a state ({reason}); choose another")]
    Invalid {
        /// The state.
        state: String,
        /// The version.
        version_id: String,
        /// Why.
        reason: String,
    },
    /// Someone holds the state's lock.
    #[error(
        "{state} is locked by {holder}; wait for it, or release a dead lock with `unlock` first"
    )]
    Locked {
        /// The state.
        state: String,
        /// Who holds the lock.
        holder: String,
    },
    /// Another lineage: another state, not an earlier version of this one.
    #[error(
        "version {version_id} of {state} has lineage {theirs}, the current one {ours}: it is another state; --force restores it anyway"
    )]
    OtherLineage {
        /// The state.
        state: String,
        /// The version.
        version_id: String,
        /// The chosen version's lineage.
        theirs: String,
        /// The current version's lineage.
        ours: String,
    },
    /// The chosen version's serial is older than the current one.
    #[error(
        "version {version_id} of {state} has serial {theirs}, older than the current serial {ours} (Terraform's `state push` refuses this too); --force goes back"
    )]
    OlderSerial {
        /// The state.
        state: String,
        /// The version.
        version_id: String,
        /// The chosen version's serial.
        theirs: u64,
        /// The current version's serial.
        ours: u64,
    },
}

/// Plans making `version_id` current. The lock is never overridden (not even with
/// `force`: writing under somebody's lock is the race the lock prevents); `force` accepts
/// another lineage and an older serial.
pub fn plan(
    observed: &Observed,
    version_id: &str,
    force: bool,
) -> Result<RestorePlan, Vec<Refusal>> {
    let state = observed.id.to_string();
    let Some(chosen) = observed
        .reads
        .iter()
        .find(|read| read.version_id == version_id)
    else {
        return Err(vec![Refusal::UnknownVersion {
            state,
            key: observed.id.key.clone(),
            version_id: version_id.to_owned(),
        }]);
    };
    let current = observed.current();
    if current.is_some_and(|current| current.id == version_id) {
        return Err(vec![Refusal::AlreadyCurrent {
            state,
            version_id: version_id.to_owned(),
        }]);
    }
    let mut refusals = Vec::new();
    let theirs = match &chosen.content {
        Ok(content) => content,
        Err(error) => {
            return Err(vec![Refusal::Invalid {
                state,
                version_id: version_id.to_owned(),
                reason: error.to_string(),
            }]);
        }
    };
    if let Some(lock) = observed.locks.first() {
        refusals.push(Refusal::Locked {
            state: state.clone(),
            holder: lock.holder(),
        });
    }
    let ours = observed
        .current_read()
        .and_then(|read| read.content.as_ref().ok());
    let (ours, theirs) = match (ours, theirs) {
        (Some(Content::Plain(ours)), Content::Plain(theirs)) => (Some(ours), Some(theirs)),
        _ => (None, None),
    };
    if let (Some(ours), Some(theirs), false) = (ours, theirs, force) {
        if ours.lineage != theirs.lineage {
            refusals.push(Refusal::OtherLineage {
                state: state.clone(),
                version_id: version_id.to_owned(),
                theirs: theirs.lineage.clone(),
                ours: ours.lineage.clone(),
            });
        } else if theirs.serial < ours.serial {
            refusals.push(Refusal::OlderSerial {
                state: state.clone(),
                version_id: version_id.to_owned(),
                theirs: theirs.serial,
                ours: ours.serial,
            });
        }
    }
    if !refusals.is_empty() {
        return Err(refusals);
    }
    Ok(RestorePlan {
        version_id: version_id.to_owned(),
        replaces: current.map(|current| current.id.clone()),
        md5: chosen.md5.clone(),
        diff: match (ours, theirs) {
            (Some(ours), Some(theirs)) => Some(diff(ours, theirs)),
            _ => None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixture::{bytes, lock, state};
    use crate::records::md5_hex;

    #[test]
    fn a_newer_serial_of_the_same_lineage_is_restored_with_its_md5() {
        // Current v1 (serial 1) was an accidental restore; v2 (serial 2) is wanted back.
        let observed = state(&[("v1b", bytes(1, "l")), ("v2", bytes(2, "l"))], None);
        let plan = plan(&observed, "v2", false).unwrap();
        assert_eq!(plan.md5, md5_hex(&bytes(2, "l")));
        assert_eq!(plan.replaces.as_deref(), Some("v1b"));
        assert_eq!(plan.diff.unwrap().outputs.changed, ["n"]);
    }

    #[test]
    fn going_back_a_serial_or_to_another_lineage_needs_force_and_a_lock_is_never_overridden() {
        let observed = state(&[("v2", bytes(2, "l")), ("v1", bytes(1, "l"))], None);
        let refusals = plan(&observed, "v1", false).unwrap_err();
        assert!(matches!(
            &refusals[..],
            [Refusal::OlderSerial {
                theirs: 1,
                ours: 2,
                ..
            }]
        ));
        assert!(
            refusals[0].to_string().contains("--force"),
            "{}",
            refusals[0]
        );
        assert!(plan(&observed, "v1", true).is_ok());

        let other = state(&[("v2", bytes(2, "l")), ("v1", bytes(5, "m"))], None);
        assert!(matches!(
            &plan(&other, "v1", false).unwrap_err()[..],
            [Refusal::OtherLineage { .. }]
        ));

        let mut locked = observed.clone();
        locked.locks.push(lock(chrono::TimeDelta::hours(2)));
        let refusals = plan(&locked, "v1", true).unwrap_err();
        assert!(
            matches!(&refusals[..], [Refusal::Locked { holder, .. }] if holder.contains("alice@ci-7"))
        );
    }

    #[test]
    fn an_unknown_current_or_invalid_version_is_named() {
        let observed = state(&[("v2", bytes(2, "l")), ("v1", b"nope".to_vec())], None);
        let unknown = plan(&observed, "v9", true).unwrap_err();
        assert!(
            unknown[0]
                .to_string()
                .contains("versions k/terraform.tfstate"),
            "{}",
            unknown[0]
        );
        assert!(matches!(
            &plan(&observed, "v2", true).unwrap_err()[..],
            [Refusal::AlreadyCurrent { .. }]
        ));
        assert!(matches!(
            &plan(&observed, "v1", true).unwrap_err()[..],
            [Refusal::Invalid { .. }]
        ));
    }
}
