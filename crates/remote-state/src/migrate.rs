//! Moving states to new keys: where each state goes (from one key scheme to another, or a
//! file of old and new keys), the plan of every move with what refuses it, what a re-run
//! finds already done, and which old states `--finish` may retire.
//!
//! A move copies versions; it never rewrites one. What a target already holds is compared
//! by MD5, oldest version first: a target holding the first versions of its source is a
//! move that stopped midway and goes on from there, one holding anything else is another
//! state, and the move is refused.

use std::collections::BTreeMap;

use naming::{Deployment, KeyOwner, KeyScheme, Layer};
use serde::Serialize;

use crate::model::Observed;
use crate::state::{StateId, WORKSPACE_PREFIX, Workspace};

/// A bad `--map` file or `--layer-map`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MapError {
    /// A line is not `OLD-KEY NEW-KEY`.
    #[error("line {line}: `{text}` is not `OLD-KEY NEW-KEY` (two state keys separated by spaces)")]
    Line {
        /// The line number, from 1.
        line: usize,
        /// The line.
        text: String,
    },
    /// A key is not a state's path.
    #[error("line {line}: `{key}` is not a state's key (it must end in .tfstate)")]
    NotState {
        /// The line number, from 1.
        line: usize,
        /// The key.
        key: String,
    },
    /// One old key is mapped twice.
    #[error("line {line}: `{key}` is mapped a second time")]
    Twice {
        /// The line number, from 1.
        line: usize,
        /// The key.
        key: String,
    },
    /// A `--layer-map` entry is not `old=new` with two layer names.
    #[error("`{entry}` in --layer-map is not `old=new` with two layer names")]
    Layer {
        /// The entry.
        entry: String,
    },
}

/// Where each state goes: old backend key → new backend key (workspaces move with their
/// state: `env:/{ws}/{old}` goes to `env:/{ws}/{new}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mapping {
    /// From one key scheme to another for one deployment, layers renamed as asked.
    Schemes {
        /// The scheme the states are in.
        from: KeyScheme,
        /// The scheme they go to.
        to: KeyScheme,
        /// The deployment whose keys move.
        deployment: Deployment,
        /// Layers renamed on the way (`--layer-map old=new`).
        layers: BTreeMap<String, Layer>,
    },
    /// Old key → new key, as a file gave them.
    Keys(BTreeMap<String, String>),
}

/// Where one state goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// The new backend key.
    To(String),
    /// The mapping does not cover this state: it stays where it is.
    Stays,
    /// The mapping covers it but cannot place it; why.
    Unplaceable(String),
}

/// Reads `--layer-map old=new,old=new`.
pub fn parse_layer_map(text: &str) -> Result<BTreeMap<String, Layer>, MapError> {
    text.split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            let bad = || MapError::Layer {
                entry: entry.to_owned(),
            };
            let (old, new) = entry.split_once('=').ok_or_else(bad)?;
            Layer::new(old.trim()).map_err(|_| bad())?;
            Ok((
                old.trim().to_owned(),
                Layer::new(new.trim()).map_err(|_| bad())?,
            ))
        })
        .collect()
}

/// Reads a `--map` file: one `OLD-KEY NEW-KEY` pair a line; blank lines and lines starting
/// with `#` are skipped.
pub fn parse_map(text: &str) -> Result<Mapping, MapError> {
    let mut keys = BTreeMap::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = trimmed.split_whitespace().collect();
        let [old, new] = fields.as_slice() else {
            return Err(MapError::Line {
                line,
                text: trimmed.to_owned(),
            });
        };
        for key in [old, new] {
            if !crate::state::is_state_key(key) {
                return Err(MapError::NotState {
                    line,
                    key: (*key).to_owned(),
                });
            }
        }
        if keys.insert((*old).to_owned(), (*new).to_owned()).is_some() {
            return Err(MapError::Twice {
                line,
                key: (*old).to_owned(),
            });
        }
    }
    Ok(Mapping::Keys(keys))
}

impl Mapping {
    /// Where the state whose backend key is `backend_key` goes.
    pub fn destination(&self, backend_key: &str) -> Destination {
        match self {
            Mapping::Keys(keys) => keys
                .get(backend_key)
                .map_or(Destination::Stays, |new| Destination::To(new.clone())),
            Mapping::Schemes {
                from,
                to,
                deployment,
                layers,
            } => {
                let Some(owner) = from.owner_of_key(deployment, backend_key) else {
                    return Destination::Stays;
                };
                let renamed = |layer: &Layer| layers.get(layer.as_str()).unwrap_or(layer).clone();
                let key = match &owner {
                    KeyOwner::Shared(layer) => to.shared_key(deployment, &renamed(layer)),
                    KeyOwner::Client(client, layer) => {
                        to.client_key(deployment, client, layer.as_ref().map(renamed).as_ref())
                    }
                };
                match key {
                    Ok(key) => Destination::To(key.to_string()),
                    Err(error) => Destination::Unplaceable(format!(
                        "the {to} scheme has no key for it ({error}); give it one with --map"
                    )),
                }
            }
        }
    }
}

/// The object path of `backend_key` in `workspace`.
pub fn object_key(workspace: &Workspace, backend_key: &str) -> String {
    match workspace {
        Workspace::Default => backend_key.to_owned(),
        Workspace::Named(name) => format!("{WORKSPACE_PREFIX}/{name}/{backend_key}"),
    }
}

/// One version to copy: its id at the old key and the MD5 of its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Copy {
    /// The version at the old key.
    pub version_id: String,
    /// The MD5 of its bytes, checked again on the copy.
    pub md5: String,
}

/// One state's move.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Move {
    /// The state as it is.
    pub from: StateId,
    /// Where it goes.
    pub to: StateId,
    /// The old key's current version, which must still be current when the move runs.
    pub source_current: String,
    /// The new key's current version when planned (`None`: nothing there), likewise.
    pub target_current: Option<String>,
    /// What is still to copy, oldest first (empty when the move is done).
    pub copies: Vec<Copy>,
    /// How many versions the move carries in all.
    pub versions: usize,
    /// The digest the new key's row gets: the MD5 of the current version.
    pub digest: String,
    /// Whether the new key's digest row already holds it.
    pub digest_set: bool,
}

impl Move {
    /// Whether nothing is left to do.
    pub fn is_done(&self) -> bool {
        self.copies.is_empty() && self.digest_set
    }
}

/// Why a migration does not start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "refusal", rename_all = "snake_case")]
pub enum Refusal {
    /// Two states go to one key.
    Collision {
        /// The new key.
        to: String,
        /// The states that go there.
        from: Vec<String>,
    },
    /// The new key holds a state that is not this one's copy.
    Occupied {
        /// The state that would move.
        from: String,
        /// The key that holds another state.
        to: String,
    },
    /// A state (old or new key) is locked.
    Locked {
        /// The locked state.
        state: String,
        /// Who holds it.
        holder: String,
    },
    /// The mapping covers a state but cannot place it.
    Unplaceable {
        /// The state.
        state: String,
        /// Why.
        reason: String,
    },
    /// A state goes to a key another state leaves: moves must not chain.
    Chained {
        /// The key that is both left and taken.
        key: String,
    },
    /// A version to copy could not be read.
    Unread {
        /// The state.
        state: String,
    },
}

impl Refusal {
    /// One line for a person.
    pub fn describe(&self) -> String {
        match self {
            Refusal::Collision { to, from } => {
                format!(
                    "{} states would go to {to}: {}",
                    from.len(),
                    from.join(", ")
                )
            }
            Refusal::Occupied { from, to } => format!(
                "{to} already holds a state that is not a copy of {from}'s: move or remove it first (if it is the copy, written since at its new key, the move is done: `migrate --finish` retires the old key)"
            ),
            Refusal::Locked { state, holder } => {
                format!("{state} is locked by {holder}: wait for it, or unlock it")
            }
            Refusal::Unplaceable { state, reason } => format!("{state}: {reason}"),
            Refusal::Chained { key } => format!(
                "{key} is both a state that moves and where another state goes: move one first, then the other"
            ),
            Refusal::Unread { state } => format!("{state}: its versions were not all read"),
        }
    }
}

/// Every move, or why none may start.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MigrationPlan {
    /// The moves, by old key.
    pub moves: Vec<Move>,
    /// What refuses the migration; nothing is written while there is any.
    pub refusals: Vec<Refusal>,
    /// States the mapping does not cover (they stay), the moves' new keys not counted.
    pub staying: usize,
}

/// MD5s of `state`'s versions that count, oldest first: every object version, or the
/// current one only.
fn history(state: &Observed, all_versions: bool) -> Option<Vec<Copy>> {
    let versions: Vec<&str> = if all_versions {
        let mut ids: Vec<&str> = state.object_versions().map(|v| v.id.as_str()).collect();
        ids.reverse();
        ids
    } else {
        state.current().map(|v| v.id.as_str()).into_iter().collect()
    };
    versions
        .into_iter()
        .map(|id| {
            let read = state.reads.iter().find(|read| read.version_id == id)?;
            Some(Copy {
                version_id: id.to_owned(),
                md5: read.md5.clone(),
            })
        })
        .collect()
}

/// The surveyed states by object path.
fn by_key(states: &[Observed]) -> BTreeMap<&str, &Observed> {
    states
        .iter()
        .map(|state| (state.id.key.as_str(), state))
        .collect()
}

/// The plan of moving every state `mapping` covers. `states` is a survey of the bucket
/// (with every version read when `all_versions`).
pub fn plan(states: &[Observed], mapping: &Mapping, all_versions: bool) -> MigrationPlan {
    let by_key = by_key(states);
    let mut found = MigrationPlan {
        moves: Vec::new(),
        refusals: Vec::new(),
        staying: 0,
    };
    let mut targets: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut staying = Vec::new();
    for state in states.iter().filter(|state| state.current().is_some()) {
        let new_backend_key = match mapping.destination(&state.id.backend_key) {
            Destination::Stays => {
                staying.push(state.id.key.as_str());
                continue;
            }
            Destination::Unplaceable(reason) => {
                found.refusals.push(Refusal::Unplaceable {
                    state: state.id.to_string(),
                    reason,
                });
                continue;
            }
            Destination::To(key) if key == state.id.backend_key => {
                staying.push(state.id.key.as_str());
                continue;
            }
            Destination::To(key) => key,
        };
        let to = StateId::new(
            &state.id.bucket,
            &object_key(&state.id.workspace, &new_backend_key),
        );
        targets
            .entry(to.key.clone())
            .or_default()
            .push(state.id.key.clone());
        let target = by_key.get(to.key.as_str()).copied();
        for (observed, id) in [(Some(state), &state.id), (target, &to)] {
            if let Some(lock) = observed.and_then(|observed| observed.locks.first()) {
                found.refusals.push(Refusal::Locked {
                    state: id.to_string(),
                    holder: lock.holder(),
                });
            }
        }
        let Some(source) = history(state, all_versions) else {
            found.refusals.push(Refusal::Unread {
                state: state.id.to_string(),
            });
            continue;
        };
        let digest = source
            .last()
            .map(|copy| copy.md5.clone())
            .unwrap_or_default();
        // What the new key holds, oldest first; `None` when it is not a state's versions
        // (versions under a delete marker).
        let held = match target {
            None => Some(Vec::new()),
            Some(target) if target.versions.is_empty() => Some(Vec::new()),
            Some(target) if target.current().is_some() => {
                let Some(held) = history(target, all_versions) else {
                    found.refusals.push(Refusal::Unread {
                        state: to.to_string(),
                    });
                    continue;
                };
                Some(held)
            }
            Some(_) => None,
        };
        let carried = match held {
            None => None,
            // A move that stopped midway left the first versions: go on after them.
            Some(held) if all_versions => (held.len() <= source.len()
                && held
                    .iter()
                    .zip(&source)
                    .all(|(held, copy)| held.md5 == copy.md5))
            .then_some(held.len()),
            Some(held) => match held.last() {
                None => Some(0),
                Some(last) if last.md5 == digest => Some(1),
                Some(_) => None,
            },
        };
        let Some(carried) = carried else {
            found.refusals.push(Refusal::Occupied {
                from: state.id.to_string(),
                to: to.to_string(),
            });
            continue;
        };
        found.moves.push(Move {
            source_current: state.current().map(|v| v.id.clone()).unwrap_or_default(),
            target_current: target.and_then(|t| t.current()).map(|v| v.id.clone()),
            versions: source.len(),
            copies: source[carried..].to_vec(),
            digest_set: target.and_then(|t| t.digest.as_deref()) == Some(digest.as_str()),
            digest,
            from: state.id.clone(),
            to,
        });
    }
    // The new keys a re-run finds are not states that stay.
    found.staying = staying
        .iter()
        .filter(|key| !targets.contains_key(**key))
        .count();
    let leaving: Vec<&str> = found.moves.iter().map(|m| m.from.key.as_str()).collect();
    for to in targets.keys().filter(|to| leaving.contains(&to.as_str())) {
        found.refusals.push(Refusal::Chained { key: to.clone() });
    }
    for (to, from) in targets {
        if from.len() > 1 {
            found.refusals.push(Refusal::Collision { to, from });
        }
    }
    found
}

/// What `--finish` does with one old state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Finish {
    /// The new key holds it: the old key's current version is retired (a delete marker, so
    /// its history stays) and its digest row removed.
    Retire {
        /// The old state.
        from: StateId,
        /// Its current version, which must still be current.
        version_id: String,
        /// The new key.
        to: String,
    },
    /// Not moved yet: left alone.
    NotMoved {
        /// The old state.
        from: String,
        /// The new key.
        to: String,
    },
    /// Written since it was moved (its current bytes are in no version of the new key):
    /// left alone.
    WrittenSince {
        /// The old state.
        from: String,
        /// The new key.
        to: String,
    },
    /// Locked: left alone.
    Locked {
        /// The old state.
        from: String,
        /// Who holds it.
        holder: String,
    },
}

/// What `--finish` does with each old state `mapping` covers.
pub fn finish(states: &[Observed], mapping: &Mapping) -> Vec<Finish> {
    let by_key = by_key(states);
    let mut outcomes = Vec::new();
    for state in states {
        let (Some(current), Some(read)) = (state.current(), state.current_read()) else {
            continue;
        };
        let Destination::To(new_backend_key) = mapping.destination(&state.id.backend_key) else {
            continue;
        };
        if new_backend_key == state.id.backend_key {
            continue;
        }
        let to = object_key(&state.id.workspace, &new_backend_key);
        let target = by_key.get(to.as_str()).filter(|t| t.current().is_some());
        let outcome = match target {
            _ if !state.locks.is_empty() => Finish::Locked {
                from: state.id.to_string(),
                holder: state.locks[0].holder(),
            },
            None => Finish::NotMoved {
                from: state.id.to_string(),
                to,
            },
            Some(target) if target.reads.iter().any(|r| r.md5 == read.md5) => Finish::Retire {
                from: state.id.clone(),
                version_id: current.id.clone(),
                to,
            },
            Some(_) => Finish::WrittenSince {
                from: state.id.to_string(),
                to,
            },
        };
        outcomes.push(outcome);
    }
    outcomes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixture::{bytes, lock, state};
    use crate::records::md5_hex;

    fn at(key: &str, mut observed: Observed) -> Observed {
        observed.id = StateId::new("b", key);
        observed
    }

    fn keys(pairs: &[(&str, &str)]) -> Mapping {
        Mapping::Keys(
            pairs
                .iter()
                .map(|(old, new)| ((*old).to_owned(), (*new).to_owned()))
                .collect(),
        )
    }

    const OLD: &str = "old/terraform.tfstate";
    const NEW: &str = "new/terraform.tfstate";

    fn three() -> Vec<(&'static str, Vec<u8>)> {
        vec![
            ("v3", bytes(3, "l")),
            ("v2", bytes(2, "l")),
            ("v1", bytes(1, "l")),
        ]
    }

    #[test]
    fn a_move_copies_the_current_version_or_every_version_oldest_first() {
        let states = [at(OLD, state(&three(), None))];
        let current = plan(&states, &keys(&[(OLD, NEW)]), false);
        assert!(current.refusals.is_empty(), "{:?}", current.refusals);
        let [only] = current.moves.as_slice() else {
            panic!("{current:?}")
        };
        assert_eq!((only.from.key.as_str(), only.to.key.as_str()), (OLD, NEW));
        let ids: Vec<&str> = only.copies.iter().map(|c| c.version_id.as_str()).collect();
        assert_eq!(ids, ["v3"]);
        assert_eq!(only.digest, md5_hex(&bytes(3, "l")));
        assert_eq!(
            (only.source_current.as_str(), only.target_current.as_deref()),
            ("v3", None)
        );
        let every = plan(&states, &keys(&[(OLD, NEW)]), true);
        let ids: Vec<&str> = every.moves[0]
            .copies
            .iter()
            .map(|c| c.version_id.as_str())
            .collect();
        assert_eq!(ids, ["v1", "v2", "v3"]);
    }

    #[test]
    fn a_re_run_goes_on_after_what_was_copied_and_never_copies_twice() {
        // The first two versions were copied (new ids at the new key) before the run stopped.
        let partial = at(
            NEW,
            state(&[("n2", bytes(2, "l")), ("n1", bytes(1, "l"))], None),
        );
        let states = [at(OLD, state(&three(), None)), partial];
        let resumed = plan(&states, &keys(&[(OLD, NEW)]), true);
        assert!(resumed.refusals.is_empty(), "{:?}", resumed.refusals);
        let ids: Vec<&str> = resumed.moves[0]
            .copies
            .iter()
            .map(|c| c.version_id.as_str())
            .collect();
        assert_eq!(ids, ["v3"]);
        assert_eq!(resumed.moves[0].target_current.as_deref(), Some("n2"));

        // Everything copied and the digest set: nothing left.
        let digest = md5_hex(&bytes(3, "l"));
        let whole = at(
            NEW,
            state(
                &[
                    ("n3", bytes(3, "l")),
                    ("n2", bytes(2, "l")),
                    ("n1", bytes(1, "l")),
                ],
                Some(&digest),
            ),
        );
        let states = [at(OLD, state(&three(), None)), whole];
        for all_versions in [true, false] {
            let done = plan(&states, &keys(&[(OLD, NEW)]), all_versions);
            assert!(done.moves[0].is_done(), "{all_versions}: {done:?}");
        }
    }

    #[test]
    fn collisions_occupied_keys_and_locks_refuse_the_whole_migration() {
        let two = [
            at("a/terraform.tfstate", state(&three(), None)),
            at("b/terraform.tfstate", state(&three(), None)),
        ];
        let collision = plan(
            &two,
            &keys(&[("a/terraform.tfstate", NEW), ("b/terraform.tfstate", NEW)]),
            false,
        );
        assert_eq!(
            collision.refusals,
            [Refusal::Collision {
                to: NEW.to_owned(),
                from: vec![
                    "a/terraform.tfstate".to_owned(),
                    "b/terraform.tfstate".to_owned()
                ],
            }]
        );

        let another = at(NEW, state(&[("x1", bytes(9, "other"))], None));
        let occupied = plan(
            &[at(OLD, state(&three(), None)), another.clone()],
            &keys(&[(OLD, NEW)]),
            false,
        );
        assert!(matches!(
            occupied.refusals.as_slice(),
            [Refusal::Occupied { .. }]
        ));
        // With every version, a target that is not a prefix of the source is another state.
        let occupied = plan(
            &[at(OLD, state(&three(), None)), another],
            &keys(&[(OLD, NEW)]),
            true,
        );
        assert!(matches!(
            occupied.refusals.as_slice(),
            [Refusal::Occupied { .. }]
        ));

        let mut locked = at(OLD, state(&three(), None));
        locked.locks.push(lock(chrono::TimeDelta::minutes(3)));
        let refused = plan(&[locked], &keys(&[(OLD, NEW)]), false);
        assert!(
            matches!(refused.refusals.as_slice(), [Refusal::Locked { holder, .. }] if holder.contains("alice@ci-7")),
            "{refused:?}"
        );
    }

    #[test]
    fn moves_must_not_chain() {
        let states = [
            at("a/terraform.tfstate", state(&three(), None)),
            at("b/terraform.tfstate", state(&three(), None)),
        ];
        let chained = plan(
            &states,
            &keys(&[
                ("a/terraform.tfstate", "b/terraform.tfstate"),
                ("b/terraform.tfstate", "c/terraform.tfstate"),
            ]),
            false,
        );
        assert!(
            chained.refusals.contains(&Refusal::Chained {
                key: "b/terraform.tfstate".to_owned()
            }),
            "{chained:?}"
        );
    }

    #[test]
    fn workspaces_move_with_their_state_and_unmapped_states_stay() {
        let states = [
            at(OLD, state(&three(), None)),
            at(&format!("env:/dev/{OLD}"), state(&three(), None)),
            at("elsewhere/terraform.tfstate", state(&three(), None)),
        ];
        let found = plan(&states, &keys(&[(OLD, NEW)]), false);
        let moved: Vec<&str> = found.moves.iter().map(|m| m.to.key.as_str()).collect();
        assert_eq!(moved, [NEW.to_owned(), format!("env:/dev/{NEW}")]);
        assert_eq!(found.staying, 1);
    }

    #[test]
    fn tenant_states_become_client_states_with_layers_renamed_as_asked() {
        let deployment = Deployment::parse("ohio-01", "production", "us-east-2").unwrap();
        let mapping = Mapping::Schemes {
            from: KeyScheme::Tenant,
            to: KeyScheme::ClientCentric,
            deployment,
            layers: parse_layer_map("platform=02-platform").unwrap(),
        };
        assert_eq!(
            mapping.destination("tenants/acme/layers/foundation/production/terraform.tfstate"),
            Destination::To(
                "providers/aws/regions/us-east-2/clients/acme/layers/foundation/terraform.tfstate"
                    .to_owned()
            )
        );
        assert_eq!(
            mapping.destination("tenants/acme/layers/platform/production/terraform.tfstate"),
            Destination::To(
                "providers/aws/regions/us-east-2/clients/acme/layers/02-platform/terraform.tfstate"
                    .to_owned()
            )
        );
        assert_eq!(
            mapping.destination("tenants/acme/layers/platform/staging/terraform.tfstate"),
            Destination::Stays
        );
        let to_layer = Mapping::Schemes {
            from: KeyScheme::Tenant,
            to: KeyScheme::Layer,
            deployment: Deployment::parse("ohio-01", "production", "us-east-2").unwrap(),
            layers: BTreeMap::new(),
        };
        assert!(matches!(
            to_layer.destination("tenants/acme/layers/platform/production/terraform.tfstate"),
            Destination::Unplaceable(reason) if reason.contains("--map")
        ));
    }

    #[test]
    fn map_files_and_layer_maps_name_what_is_wrong() {
        let good = parse_map(&format!("# moves\n\n{OLD}   {NEW}\n")).unwrap();
        assert_eq!(good, keys(&[(OLD, NEW)]));
        assert_eq!(
            parse_map(&format!("{OLD}\n")).unwrap_err().to_string(),
            format!(
                "line 1: `{OLD}` is not `OLD-KEY NEW-KEY` (two state keys separated by spaces)"
            )
        );
        assert!(matches!(
            parse_map(&format!("{OLD} new/main.tf")),
            Err(MapError::NotState { line: 1, .. })
        ));
        assert!(matches!(
            parse_map(&format!("{OLD} {NEW}\n{OLD} x/terraform.tfstate")),
            Err(MapError::Twice { line: 2, .. })
        ));
        assert!(parse_layer_map("a=b,c").is_err());
        assert!(parse_layer_map("A=b").is_err());
    }

    #[test]
    fn finish_retires_only_what_the_new_key_holds() {
        let old = at(OLD, state(&three(), None));
        let moved = at(NEW, state(&[("n1", bytes(3, "l"))], None));
        let outcomes = finish(&[old.clone(), moved], &keys(&[(OLD, NEW)]));
        assert!(
            matches!(outcomes.as_slice(), [Finish::Retire { version_id, .. }] if version_id == "v3")
        );
        let elsewhere = at(NEW, state(&[("n1", bytes(2, "l"))], None));
        let outcomes = finish(&[old.clone(), elsewhere], &keys(&[(OLD, NEW)]));
        assert!(matches!(outcomes.as_slice(), [Finish::WrittenSince { .. }]));
        let outcomes = finish(&[old], &keys(&[(OLD, NEW)]));
        assert!(matches!(outcomes.as_slice(), [Finish::NotMoved { .. }]));
    }
}
