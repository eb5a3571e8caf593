//! The plan: a pure function of the inventory and the options. It lists the steps in the
//! order they must run, or the reasons the bucket cannot be emptied (Object Lock, MFA
//! delete), found before anything is touched.

use aws_client::policy::{Policy, Statement};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::api::Config;
use crate::model::{Counts, Inventory, RetentionMode};

/// What the user asked for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Delete versions under governance-mode retention (`--bypass-governance`).
    pub bypass_governance: bool,
    /// The emergency cleanup: also remove a policy that denies deletion, lifecycle rules and
    /// notifications.
    pub emergency: bool,
    /// Hand the emptying to S3 with lifecycle rules instead of deleting from here.
    pub expire_via_lifecycle: bool,
    /// The inventory's entries were backed up: delete only what the inventory listed, and
    /// stop rather than delete a version written since.
    pub only_listed: bool,
}

/// One step, in the order of [`Plan::steps`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "kebab-case")]
pub enum Step {
    /// Remove a configuration first.
    Remove {
        /// Which.
        config: Config,
        /// Why.
        reason: &'static str,
    },
    /// Abort the in-progress multipart uploads.
    AbortUploads {
        /// How many were listed.
        uploads: u64,
    },
    /// Delete every version and delete marker, listing again until nothing is left.
    DeleteEntries {
        /// Object versions listed.
        versions: u64,
        /// Delete markers listed.
        delete_markers: u64,
        /// Their bytes.
        bytes: u64,
        /// With `x-amz-bypass-governance-retention`.
        bypass_governance: bool,
        /// Only the listed entries (they were backed up); anything written since is kept
        /// and stops the run.
        only_listed: bool,
    },
    /// Put the two expiry rules and leave the rest to S3.
    ExpireViaLifecycle,
    /// Delete the empty bucket.
    DeleteBucket,
}

/// What will be done to one bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// The bucket.
    pub bucket: String,
    /// The steps, in order; empty when the bucket is already gone.
    pub steps: Vec<Step>,
}

/// Why a bucket cannot be emptied as asked; each is reported and the run refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "blocker", rename_all = "kebab-case")]
pub enum Blocker {
    /// Versions under compliance-mode retention: nobody can delete them before the date.
    ComplianceRetention {
        /// How many.
        versions: u64,
        /// The latest retention date.
        until: DateTime<Utc>,
        /// One of them, for the message.
        example: String,
    },
    /// Versions under a legal hold.
    LegalHold {
        /// How many.
        versions: u64,
        /// One of them.
        example: String,
    },
    /// Versions under governance-mode retention, without `--bypass-governance`.
    GovernanceRetention {
        /// How many.
        versions: u64,
        /// One of them.
        example: String,
    },
    /// MFA delete is on: versions can be deleted only with the root user's MFA code.
    MfaDelete,
}

impl Blocker {
    /// What is wrong, in one line.
    pub fn message(&self, bucket: &str) -> String {
        match self {
            Blocker::ComplianceRetention {
                versions,
                until,
                example,
            } => format!(
                "{bucket}: {versions} version(s) under COMPLIANCE retention until {} (e.g. {example}); nobody can delete them before then",
                until.format("%Y-%m-%d %H:%M UTC")
            ),
            Blocker::LegalHold { versions, example } => {
                format!("{bucket}: {versions} version(s) under a legal hold (e.g. {example})")
            }
            Blocker::GovernanceRetention { versions, example } => format!(
                "{bucket}: {versions} version(s) under GOVERNANCE retention (e.g. {example})"
            ),
            Blocker::MfaDelete => format!(
                "{bucket}: MFA delete is on; versions can be deleted only with the root user's MFA code, and S3 runs no lifecycle rule on the bucket"
            ),
        }
    }

    /// What to do about it.
    pub fn hint(&self, bucket: &str) -> String {
        match self {
            Blocker::ComplianceRetention { .. } => {
                "wait until the retention ends, or use --expire-via-lifecycle to let S3 delete the versions when it does".to_owned()
            }
            Blocker::LegalHold { .. } => format!(
                "remove the holds first if that is allowed: aws s3api put-object-legal-hold --bucket {bucket} --key KEY --version-id ID --legal-hold Status=OFF"
            ),
            Blocker::GovernanceRetention { .. } => {
                "pass --bypass-governance (needs s3:BypassGovernanceRetention) to delete them".to_owned()
            }
            Blocker::MfaDelete => format!(
                "as the root user, turn MFA delete off: aws s3api put-bucket-versioning --bucket {bucket} --versioning-configuration Status=Enabled,MFADelete=Disabled --mfa \"SERIAL CODE\""
            ),
        }
    }
}

/// The plan for `inventory`, or every reason it cannot be carried out.
pub fn plan(
    inventory: &Inventory,
    options: Options,
    now: DateTime<Utc>,
) -> Result<Plan, Vec<Blocker>> {
    let bucket = inventory.bucket.clone();
    let Some(settings) = &inventory.settings else {
        return Ok(Plan {
            bucket,
            steps: Vec::new(),
        });
    };
    let counts = inventory.counts();
    let blockers = blockers(inventory, options, now, &counts);
    if !blockers.is_empty() {
        return Err(blockers);
    }
    let mut steps = Vec::new();
    if settings.replication {
        steps.push(Step::Remove {
            config: Config::Replication,
            reason: "S3 does not delete a bucket that replicates",
        });
    }
    if options.emergency {
        if settings.policy.as_deref().is_some_and(denies_deletion) {
            steps.push(Step::Remove {
                config: Config::Policy,
                reason: "its statements that deny deletion; the others are kept",
            });
        }
        if settings.lifecycle && !options.expire_via_lifecycle {
            steps.push(Step::Remove {
                config: Config::Lifecycle,
                reason: "lifecycle rules would act on the bucket while it is emptied",
            });
        }
        if settings.notifications {
            steps.push(Step::Remove {
                config: Config::Notifications,
                reason: "every deletion would send an event",
            });
        }
    }
    if options.expire_via_lifecycle {
        steps.push(Step::ExpireViaLifecycle);
        return Ok(Plan { bucket, steps });
    }
    steps.push(Step::AbortUploads {
        uploads: counts.uploads,
    });
    steps.push(Step::DeleteEntries {
        versions: counts.versions,
        delete_markers: counts.delete_markers,
        bytes: counts.bytes,
        bypass_governance: options.bypass_governance
            && inventory.locks.iter().any(|lock| lock.retention.is_some()),
        only_listed: options.only_listed,
    });
    steps.push(Step::DeleteBucket);
    Ok(Plan { bucket, steps })
}

fn blockers(
    inventory: &Inventory,
    options: Options,
    now: DateTime<Utc>,
    counts: &Counts,
) -> Vec<Blocker> {
    let mut blockers = Vec::new();
    let settings = inventory.settings.as_ref().expect("checked by the caller");
    let has_versions = counts.versions + counts.delete_markers > 0;
    // S3 refuses DeleteObjects on versions without the root user's MFA code, and runs no
    // lifecycle rule on a bucket with MFA delete (T2): both ways are blocked.
    if settings.mfa_delete && has_versions {
        blockers.push(Blocker::MfaDelete);
    }
    let mut compliance = (0, None::<DateTime<Utc>>, String::new());
    let mut governance = (0, String::new());
    let mut held = (0, String::new());
    for lock in &inventory.locks {
        let name = format!("{} (version {})", lock.key, lock.version_id);
        match lock.retention {
            Some((RetentionMode::Compliance, until)) if until > now => {
                compliance.0 += 1;
                compliance.1 = compliance.1.max(Some(until));
                if compliance.2.is_empty() {
                    compliance.2 = name.clone();
                }
            }
            Some((RetentionMode::Governance, until)) if until > now => {
                governance.0 += 1;
                if governance.1.is_empty() {
                    governance.1 = name.clone();
                }
            }
            _ => {}
        }
        if lock.legal_hold {
            held.0 += 1;
            if held.1.is_empty() {
                held.1 = name;
            }
        }
    }
    // Handing the work to S3 is the answer for retention that has to run out; holds stay.
    if let (count @ 1.., Some(until)) = (compliance.0, compliance.1)
        && !options.expire_via_lifecycle
    {
        blockers.push(Blocker::ComplianceRetention {
            versions: count,
            until,
            example: compliance.2,
        });
    }
    if governance.0 > 0 && !options.bypass_governance && !options.expire_via_lifecycle {
        blockers.push(Blocker::GovernanceRetention {
            versions: governance.0,
            example: governance.1,
        });
    }
    if held.0 > 0 {
        blockers.push(Blocker::LegalHold {
            versions: held.0,
            example: held.1,
        });
    }
    blockers
}

/// The deletions a teardown makes.
const DELETIONS: [&str; 3] = [
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "s3:DeleteBucket",
];

/// Whether a statement denies a deletion, beyond the TLS-only statement (which denies only
/// requests without TLS): a Deny whose `Action` matches a deletion under IAM's wildcards
/// (`s3:*`, `s3:Del*`, `s3:*Object`), or whose `NotAction` leaves one out.
pub fn denies_a_deletion(statement: &Statement<'_>) -> bool {
    statement.is_deny() && !statement.covers(&DELETIONS).is_empty() && !statement.only_without_tls()
}

/// Whether a bucket policy denies deleting objects or the bucket, beyond the TLS-only
/// statement.
pub fn denies_deletion(policy: &str) -> bool {
    Policy::parse(policy).is_ok_and(|policy| policy.views().iter().any(denies_a_deletion))
}

/// The policy without its statements that deny deletion, every other statement kept as it
/// was; `None` when nothing else is left (the policy is then deleted).
pub fn without_deletion_denials(policy: &str) -> Option<String> {
    Policy::parse(policy)
        .ok()?
        .without(denies_a_deletion)
        .map(|policy| policy.to_json())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BucketSettings, Entry, Lock, StateSummary, Upload, Versioning};
    use serde_json::Value;

    fn entry(key: &str, version: &str, marker: bool, latest: bool) -> Entry {
        Entry {
            key: key.to_owned(),
            version_id: version.to_owned(),
            size: if marker { 0 } else { 10 },
            delete_marker: marker,
            is_latest: latest,
            archived: false,
            last_modified: None,
        }
    }

    fn inventory(settings: BucketSettings) -> Inventory {
        Inventory {
            bucket: "b".to_owned(),
            settings: Some(settings),
            entries: vec![
                entry("a", "1", false, false),
                entry("a", "2", true, true),
                entry("dir/", "3", false, true),
            ],
            uploads: vec![Upload {
                key: "big".to_owned(),
                upload_id: "u".to_owned(),
            }],
            locks: Vec::new(),
            state: StateSummary::default(),
        }
    }

    fn versioned() -> BucketSettings {
        BucketSettings {
            versioning: Some(Versioning::Enabled),
            ..BucketSettings::default()
        }
    }

    fn now() -> DateTime<Utc> {
        "2026-11-22T12:00:00Z".parse().unwrap()
    }

    fn lock(mode: Option<RetentionMode>, days: i64, hold: bool) -> Lock {
        Lock {
            key: "locked".to_owned(),
            version_id: "v1".to_owned(),
            retention: mode.map(|mode| (mode, now() + chrono::TimeDelta::days(days))),
            legal_hold: hold,
        }
    }

    #[test]
    fn a_plain_bucket_aborts_uploads_deletes_everything_then_the_bucket() {
        let plan = plan(&inventory(versioned()), Options::default(), now()).unwrap();
        assert_eq!(
            plan.steps,
            [
                Step::AbortUploads { uploads: 1 },
                Step::DeleteEntries {
                    versions: 2,
                    delete_markers: 1,
                    bytes: 20,
                    bypass_governance: false,
                    only_listed: false,
                },
                Step::DeleteBucket,
            ]
        );
    }

    #[test]
    fn replication_is_removed_first() {
        let plan = plan(
            &inventory(BucketSettings {
                replication: true,
                ..versioned()
            }),
            Options::default(),
            now(),
        )
        .unwrap();
        assert!(matches!(
            plan.steps[0],
            Step::Remove {
                config: Config::Replication,
                ..
            }
        ));
        assert_eq!(plan.steps.last(), Some(&Step::DeleteBucket));
    }

    #[test]
    fn a_bucket_that_is_gone_needs_nothing() {
        let gone = Inventory {
            settings: None,
            ..inventory(versioned())
        };
        assert!(
            plan(&gone, Options::default(), now())
                .unwrap()
                .steps
                .is_empty()
        );
    }

    #[test]
    fn the_emergency_removes_a_denying_policy_lifecycle_and_notifications_but_not_the_tls_statement()
     {
        let deny = r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":["s3:DeleteBucket","s3:DeleteObject*"],"Resource":"*"}]}"#;
        let tls = r#"{"Statement":[{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":{"AWS":"*"},"Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#;
        let settings = BucketSettings {
            policy: Some(deny.to_owned()),
            lifecycle: true,
            notifications: true,
            ..versioned()
        };
        let emergency = Options {
            emergency: true,
            ..Options::default()
        };
        let removed: Vec<Config> = plan(&inventory(settings.clone()), emergency, now())
            .unwrap()
            .steps
            .iter()
            .filter_map(|step| match step {
                Step::Remove { config, .. } => Some(*config),
                _ => None,
            })
            .collect();
        assert_eq!(
            removed,
            [Config::Policy, Config::Lifecycle, Config::Notifications]
        );
        // The ordinary destroy leaves configurations alone.
        assert_eq!(
            plan(&inventory(settings), Options::default(), now())
                .unwrap()
                .steps
                .len(),
            3
        );
        let with_tls = BucketSettings {
            policy: Some(tls.to_owned()),
            ..versioned()
        };
        assert_eq!(
            plan(&inventory(with_tls), emergency, now())
                .unwrap()
                .steps
                .len(),
            3
        );
    }

    #[test]
    fn policies_that_deny_deletion() {
        for (policy, denies) in [
            (
                r#"{"Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}}"#,
                true,
            ),
            (
                r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}"#,
                true,
            ),
            (
                r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:DeleteObjectVersion","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalArn":"arn:aws:iam::1:role/admin"}}}]}"#,
                true,
            ),
            (
                r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"*"}]}"#,
                false,
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}"#,
                false,
            ),
            (
                r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":false}}}]}"#,
                false,
            ),
            // IAM's wildcards and NotAction, as IAM reads them.
            (
                r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*Object","Resource":"*"}]}"#,
                true,
            ),
            (
                r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":["s3:Del*"],"Resource":"*"}]}"#,
                true,
            ),
            (
                r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"S3:DELETEBUCKET","Resource":"*"}]}"#,
                true,
            ),
            (
                r#"{"Statement":[{"Effect":"Deny","Principal":"*","NotAction":["s3:Get*","s3:List*"],"Resource":"*"}]}"#,
                true,
            ),
            (
                r#"{"Statement":[{"Effect":"Deny","Principal":"*","NotAction":"s3:Delete*","Resource":"*"}]}"#,
                false,
            ),
            (
                r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:Get*","Resource":"*"}]}"#,
                false,
            ),
            ("not json", false),
        ] {
            assert_eq!(denies_deletion(policy), denies, "{policy}");
        }
    }

    #[test]
    fn only_the_statements_that_deny_deletion_are_removed() {
        let policy = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Keep","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:root"},"Action":"s3:GetObject","Resource":"*"},{"Sid":"NoDelete","Effect":"Deny","Principal":"*","Action":"s3:Delete*","Resource":"*"},{"Sid":"TlsOnly","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#;
        let kept: Value = serde_json::from_str(&without_deletion_denials(policy).unwrap()).unwrap();
        let sids: Vec<&str> = kept["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["Sid"].as_str().unwrap())
            .collect();
        assert_eq!(sids, ["Keep", "TlsOnly"]);
        assert_eq!(kept["Version"], "2012-10-17");
        let only_denial =
            r#"{"Statement":{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}}"#;
        assert_eq!(without_deletion_denials(only_denial), None);
    }

    #[test]
    fn expire_via_lifecycle_puts_the_rules_and_stops() {
        let options = Options {
            expire_via_lifecycle: true,
            emergency: true,
            ..Options::default()
        };
        let settings = BucketSettings {
            lifecycle: true,
            ..versioned()
        };
        assert_eq!(
            plan(&inventory(settings), options, now()).unwrap().steps,
            [Step::ExpireViaLifecycle]
        );
    }

    #[test]
    fn object_lock_and_mfa_delete_block_as_they_should() {
        let locked = |locks: Vec<Lock>, mfa: bool| Inventory {
            locks,
            ..inventory(BucketSettings {
                object_lock: true,
                mfa_delete: mfa,
                ..versioned()
            })
        };
        let governance = locked(vec![lock(Some(RetentionMode::Governance), 3, false)], false);
        assert!(matches!(
            plan(&governance, Options::default(), now()).unwrap_err()[..],
            [Blocker::GovernanceRetention { versions: 1, .. }]
        ));
        let bypass = Options {
            bypass_governance: true,
            ..Options::default()
        };
        let steps = plan(&governance, bypass, now()).unwrap().steps;
        assert!(steps.contains(&Step::DeleteEntries {
            versions: 2,
            delete_markers: 1,
            bytes: 20,
            bypass_governance: true,
            only_listed: false,
        }));

        let compliance = locked(
            vec![lock(Some(RetentionMode::Compliance), 30, false)],
            false,
        );
        assert!(matches!(
            plan(&compliance, bypass, now()).unwrap_err()[..],
            [Blocker::ComplianceRetention { versions: 1, .. }]
        ));
        // Retention that has run out blocks nothing.
        let expired = locked(
            vec![lock(Some(RetentionMode::Compliance), -1, false)],
            false,
        );
        assert!(plan(&expired, Options::default(), now()).is_ok());

        let held = locked(vec![lock(None, 0, true)], false);
        for options in [Options::default(), bypass] {
            assert!(matches!(
                plan(&held, options, now()).unwrap_err()[..],
                [Blocker::LegalHold { versions: 1, .. }]
            ));
        }
        let mfa = locked(Vec::new(), true);
        let blockers = plan(&mfa, Options::default(), now()).unwrap_err();
        assert_eq!(blockers, [Blocker::MfaDelete]);
        assert!(blockers[0].hint("b").contains("MFADelete=Disabled"));
        // T2: lifecycle configuration is not supported on MFA-delete buckets, so expiring
        // through lifecycle rules is no way around it.
        let lifecycle = Options {
            expire_via_lifecycle: true,
            ..Options::default()
        };
        assert_eq!(
            plan(&mfa, lifecycle, now()).unwrap_err(),
            [Blocker::MfaDelete]
        );
        assert!(blockers[0].message("b").contains("no lifecycle rule"));
    }
}
