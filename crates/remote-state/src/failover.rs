//! Failover to the replica, judged from values: which digest rows the replica region's lock
//! table needs, and how far the replica is behind the source where the source can still be
//! read.
//!
//! Terraform's digest row is keyed by the bucket's name (`{bucket}/{key}-md5`,
//! aws-behaviour.md S2), so the source table's rows say nothing about the replica bucket:
//! a replica is usable only once its own rows hold the MD5 of the replica's bytes
//! (hashicorp/terraform#32190, #32960). Those bytes are what Terraform will read, so the
//! digest comes from them, never from the source's row, which may be ahead of a replica
//! that lags.

use serde::Serialize;

use crate::model::Observed;
use crate::verify::Fix;

/// How a state of the source stands on the replica.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Lag {
    /// The replica's current bytes are not the source's: replication has not caught up.
    Behind {
        /// The state's object path.
        key: String,
        /// The MD5 of the source's current bytes.
        source_md5: String,
        /// The MD5 of the replica's current bytes.
        replica_md5: String,
    },
    /// The source has the state; the replica has none yet.
    Missing {
        /// The state's object path.
        key: String,
    },
}

impl Lag {
    /// One line for people.
    pub fn describe(&self) -> String {
        match self {
            Lag::Behind {
                key,
                source_md5,
                replica_md5,
            } => format!(
                "{key}: the replica holds {replica_md5}, the source {source_md5}: replication \
                 has not caught up"
            ),
            Lag::Missing { key } => format!("{key}: not on the replica yet"),
        }
    }
}

/// What failing over to the replica takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct FailoverPlan {
    /// The replica's states (with a current version) Terraform can use once the plan is
    /// carried out.
    pub states: Vec<String>,
    /// The digest rows to write in the replica region's table.
    pub digests: Vec<Fix>,
    /// How the replica stands against the source (empty when the source was not read).
    pub lag: Vec<Lag>,
}

/// The plan for `replica`'s states, against `source`'s when the source region answers.
pub fn plan(replica: &[Observed], source: Option<&[Observed]>) -> FailoverPlan {
    let mut plan = FailoverPlan::default();
    for state in replica {
        let Some(read) = state.current_read() else {
            continue;
        };
        plan.states.push(state.id.key.clone());
        if state.digest.as_deref() != Some(read.md5.as_str()) {
            plan.digests.push(Fix::SetDigest {
                state: state.id.clone(),
                md5: read.md5.clone(),
                was: state.digest.clone(),
            });
        }
    }
    for state in source.unwrap_or_default() {
        let Some(read) = state.current_read() else {
            continue;
        };
        let on_replica = replica
            .iter()
            .find(|r| r.id.key == state.id.key)
            .and_then(Observed::current_read);
        match on_replica {
            None => plan.lag.push(Lag::Missing {
                key: state.id.key.clone(),
            }),
            Some(replica) if replica.md5 != read.md5 => plan.lag.push(Lag::Behind {
                key: state.id.key.clone(),
                source_md5: read.md5.clone(),
                replica_md5: replica.md5.clone(),
            }),
            Some(_) => {}
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixture::{bytes, state};
    use crate::records::md5_hex;
    use crate::state::StateId;

    fn at(bucket: &str, key: &str, mut observed: Observed) -> Observed {
        observed.id = StateId::new(bucket, key);
        observed
    }

    #[test]
    fn every_replica_state_gets_the_digest_of_the_replicas_own_bytes() {
        let replica = [
            at(
                "r",
                "a/terraform.tfstate",
                state(&[("v2", bytes(2, "a"))], None),
            ),
            at(
                "r",
                "b/terraform.tfstate",
                state(&[("v1", bytes(1, "b"))], Some(&md5_hex(&bytes(1, "b")))),
            ),
            at(
                "r",
                "c/terraform.tfstate",
                state(&[("v1", bytes(1, "c"))], Some("stale")),
            ),
        ];
        let plan = plan(&replica, None);
        assert_eq!(plan.states.len(), 3);
        let set: Vec<(&str, &str, Option<&str>)> = plan
            .digests
            .iter()
            .map(|fix| match fix {
                Fix::SetDigest { state, md5, was } => {
                    (state.key.as_str(), md5.as_str(), was.as_deref())
                }
                other => panic!("{other:?}"),
            })
            .collect();
        let (a, c) = (md5_hex(&bytes(2, "a")), md5_hex(&bytes(1, "c")));
        assert_eq!(
            set,
            [
                ("a/terraform.tfstate", a.as_str(), None),
                ("c/terraform.tfstate", c.as_str(), Some("stale")),
            ],
            "b's row is right already"
        );
        assert!(plan.lag.is_empty(), "no source read, no lag");
    }

    #[test]
    fn a_replica_behind_the_source_or_missing_a_state_is_named() {
        let replica = [at(
            "r",
            "a/terraform.tfstate",
            state(&[("v1", bytes(1, "a"))], None),
        )];
        let source = [
            at(
                "s",
                "a/terraform.tfstate",
                state(&[("v2", bytes(2, "a")), ("v1", bytes(1, "a"))], None),
            ),
            at(
                "s",
                "new/terraform.tfstate",
                state(&[("v1", bytes(1, "n"))], None),
            ),
        ];
        let plan = plan(&replica, Some(&source));
        assert_eq!(
            plan.lag,
            [
                Lag::Behind {
                    key: "a/terraform.tfstate".to_owned(),
                    source_md5: md5_hex(&bytes(2, "a")),
                    replica_md5: md5_hex(&bytes(1, "a")),
                },
                Lag::Missing {
                    key: "new/terraform.tfstate".to_owned()
                },
            ]
        );
        // The replica's digest is still its own bytes', not the source's newer one.
        assert!(
            matches!(&plan.digests[0], Fix::SetDigest { md5, .. } if *md5 == md5_hex(&bytes(1, "a")))
        );
    }
}
