//! Every rule with hand-built facts: hardened buckets pass, each misconfiguration fails
//! exactly its rules.

use aws_client::dynamodb::{KeyAttribute, lock_key};
use aws_client::policy::{Policy, log_delivery_statement, tls_statement};
use aws_client::s3::Logging;
use naming::ObservabilityKind;
use serde_json::json;

use super::*;
use crate::facts::{
    Acl, DigestRow, Grant, LifecycleRule, LockInfo, LockRow, LogTarget, Notifications, Permission,
    VersioningFacts,
};
use crate::facts::{Grantee, Role};
use aws_client::s3::{Encryption, ObjectOwnership, PublicAccessBlock, Versioning};

const OWNER: &str = "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a";
const ACCOUNT: &str = "123456789012";
const LOGS: &str = "p-us-east-2-logs-production";

fn context() -> Context {
    Context {
        account_id: Some(ACCOUNT.to_owned()),
        now: "2026-11-22T12:00:00Z".parse().unwrap(),
        stale_after: TimeDelta::hours(6),
    }
}

fn owner_only() -> Acl {
    Acl {
        owner: Some(OWNER.to_owned()),
        grants: vec![Grant {
            grantee: Grantee::User(OWNER.to_owned()),
            permission: Permission::FullControl,
        }],
    }
}

fn retention_rule(kind: ObservabilityKind) -> LifecycleRule {
    let want = kind.retention();
    LifecycleRule {
        id: Some("tfstate-toolkit-retention".to_owned()),
        enabled: true,
        whole_bucket: true,
        expiration_days: Some(want.expiration_days as u32),
        transitions: want
            .transition
            .iter()
            .map(|(days, class)| (*days as u32, class.clone()))
            .collect(),
        noncurrent_expiration_days: Some(want.noncurrent_expiration_days as u32),
        abort_incomplete_upload_days: Some(want.abort_incomplete_upload_days as u32),
        ..LifecycleRule::default()
    }
}

/// A bucket as provisioning leaves it.
fn hardened(name: &str, role: Role) -> BucketFacts {
    let arn = format!("arn:aws:s3:::{name}");
    let mut policy = Policy::empty().with_statement(tls_statement(&arn));
    if role == Role::Observability(ObservabilityKind::Logs) {
        policy = policy.with_statement(log_delivery_statement(
            &arn,
            "s3-access-logs/state/",
            "state",
            "arn:aws:s3:::state",
            ACCOUNT,
        ));
    }
    let (logging, log_target, lifecycle) = match role {
        Role::State => {
            let logs_policy = Policy::empty().with_statement(log_delivery_statement(
                &format!("arn:aws:s3:::{LOGS}"),
                &format!("s3-access-logs/{name}/"),
                name,
                &arn,
                ACCOUNT,
            ));
            (
                Some(Logging {
                    target_bucket: LOGS.to_owned(),
                    prefix: format!("s3-access-logs/{name}/"),
                }),
                Some(LogTarget {
                    bucket: LOGS.to_owned(),
                    exists: Fact::Known(true),
                    policy: Fact::Known(Some(logs_policy)),
                    acl: Fact::Known(owner_only()),
                    encryption: Fact::Known(Some(Encryption::Aes256)),
                    object_lock: Fact::Known(None),
                    requester_pays: Fact::Known(false),
                }),
                Vec::new(),
            )
        }
        Role::Observability(kind) => (None, None, vec![retention_rule(kind)]),
        Role::LogTarget | Role::Other => (None, None, Vec::new()),
    };
    BucketFacts {
        name: name.to_owned(),
        role,
        partition: naming::Partition::Aws,
        exists: Fact::Known(true),
        public_access_block: Fact::Known(Some(PublicAccessBlock::ALL_ON)),
        encryption: Fact::Known(Some(Encryption::Aes256)),
        versioning: Fact::Known(VersioningFacts {
            status: Versioning::Enabled,
            mfa_delete: false,
        }),
        policy: Fact::Known(Some(policy)),
        policy_status: Fact::Known(Some(false)),
        requester_pays: Fact::Known(false),
        ownership: Fact::Known(Some(ObjectOwnership::BucketOwnerEnforced)),
        logging: Fact::Known(logging),
        acl: Fact::Known(owner_only()),
        metrics: Fact::Known(vec!["EntireBucket".to_owned()]),
        object_lock: Fact::Known(None),
        lifecycle: Fact::Known(lifecycle),
        notifications: Fact::Known(Notifications::default()),
        replication: Fact::Known(None),
        log_target,
        replicas: Vec::new(),
    }
}

const REPLICA: &str = "state-replica-us-west-2";

/// The state bucket replicated as `--replicate-to` leaves it, its replica hardened.
fn replicated() -> BucketFacts {
    let rule = aws_client::s3::ReplicationRule {
        id: "tfstate-toolkit-replica".to_owned(),
        priority: Some(1),
        enabled: true,
        prefix: Some(String::new()),
        destination: format!("arn:aws:s3:::{REPLICA}"),
        delete_markers: true,
        kms_objects: false,
        replica_kms_key: None,
        metrics: true,
    };
    let mut bucket = hardened("state", Role::State);
    bucket.replication = Fact::Known(Some(crate::facts::Replication {
        role: format!("arn:aws:iam::{ACCOUNT}:role/state-replication"),
        rules: vec![rule.clone()],
    }));
    let replica = hardened(REPLICA, Role::State);
    bucket.replicas = vec![crate::facts::ReplicaFacts {
        bucket: REPLICA.to_owned(),
        rule,
        region: Some("us-west-2".to_owned()),
        exists: Fact::Known(true),
        versioning: replica.versioning,
        encryption: replica.encryption,
        public_access_block: replica.public_access_block,
        policy: replica.policy,
        latency: Fact::Known(Some(42.0)),
    }];
    bucket
}

fn outcome<'a>(findings: &'a [Finding], id: &str) -> Option<&'a Outcome> {
    findings
        .iter()
        .find(|finding| finding.rule.id == id)
        .map(|finding| &finding.outcome)
}

#[test]
fn a_replicated_state_bucket_with_a_hardened_replica_passes_and_shows_its_lag() {
    let findings = evaluate_bucket(&replicated(), &context());
    assert_eq!(statuses(&findings, Status::Fail), Vec::<&str>::new());
    assert_eq!(statuses(&findings, Status::Warn), Vec::<&str>::new());
    let rule = outcome(&findings, "replication-rule").unwrap();
    assert_eq!(
        (rule.status, rule.detail.as_str()),
        (Status::Pass, "ACTIVE (1 rule(s), delete markers)")
    );
    assert_eq!(
        outcome(&findings, "replica-hardened").unwrap().status,
        Status::Pass
    );
    let lag = outcome(&findings, "replication-lag").unwrap();
    assert!(lag.detail.contains("at most 42 s"), "{lag:?}");
    // Without replication the three rules do not apply.
    let plain = evaluate_bucket(&hardened("state", Role::State), &context());
    for id in ["replication-rule", "replica-hardened", "replication-lag"] {
        assert!(outcome(&plain, id).is_none(), "{id}");
    }
}

#[test]
fn each_replication_gap_fails_or_warns_its_rule() {
    type Case = (&'static str, fn(&mut BucketFacts), &'static str, Status);
    let cases: &[Case] = &[
        (
            "rule disabled",
            |b| {
                if let Fact::Known(Some(r)) = &mut b.replication {
                    r.rules[0].enabled = false;
                }
                b.replicas.clear();
            },
            "replication-rule",
            Status::Fail,
        ),
        (
            "no delete markers",
            |b| {
                if let Fact::Known(Some(r)) = &mut b.replication {
                    r.rules[0].delete_markers = false;
                }
            },
            "replication-rule",
            Status::Warn,
        ),
        (
            "SSE-KMS objects skipped",
            |b| {
                b.encryption = Fact::Known(Some(Encryption::Kms {
                    key_id: None,
                    bucket_key: true,
                }));
            },
            "replication-rule",
            Status::Fail,
        ),
        (
            "replica missing",
            |b| b.replicas[0].exists = Fact::Known(false),
            "replica-hardened",
            Status::Fail,
        ),
        (
            "replica unversioned",
            |b| {
                b.replicas[0].versioning = Fact::Known(VersioningFacts {
                    status: Versioning::Suspended,
                    mfa_delete: false,
                });
            },
            "replica-hardened",
            Status::Fail,
        ),
        (
            "replica public",
            |b| b.replicas[0].public_access_block = Fact::Known(None),
            "replica-hardened",
            Status::Fail,
        ),
        (
            "replica without TLS-only policy",
            |b| b.replicas[0].policy = Fact::Known(None),
            "replica-hardened",
            Status::Fail,
        ),
        (
            "replica unreadable",
            |b| {
                b.replicas[0].encryption = Fact::unreadable(Some("AccessDenied"), "denied");
            },
            "replica-hardened",
            Status::Warn,
        ),
        (
            "replica behind",
            |b| b.replicas[0].latency = Fact::Known(Some(1800.0)),
            "replication-lag",
            Status::Warn,
        ),
    ];
    for (name, mutate, id, status) in cases {
        let mut bucket = replicated();
        mutate(&mut bucket);
        let findings = evaluate_bucket(&bucket, &context());
        let found = outcome(&findings, id).unwrap_or_else(|| panic!("{name}: no {id}"));
        assert_eq!(found.status, *status, "{name}: {found:?}");
        let others: Vec<&str> = [Status::Fail, Status::Warn]
            .into_iter()
            .flat_map(|s| statuses(&findings, s))
            .filter(|other| other != id)
            .collect();
        assert!(others.is_empty(), "{name}: only {id}, not {others:?}");
    }
}

fn statuses(findings: &[Finding], status: Status) -> Vec<&'static str> {
    findings
        .iter()
        .filter(|finding| finding.outcome.status == status)
        .map(|finding| finding.rule.id)
        .collect()
}

#[test]
fn a_hardened_bucket_of_every_role_passes_every_rule() {
    let roles = [
        Role::State,
        Role::Observability(ObservabilityKind::Logs),
        Role::Observability(ObservabilityKind::Traces),
        Role::Observability(ObservabilityKind::Metrics),
        Role::Observability(ObservabilityKind::AuditLogs),
    ];
    for role in roles {
        let findings = evaluate_bucket(&hardened("state", role), &context());
        assert_eq!(
            statuses(&findings, Status::Fail),
            Vec::<&str>::new(),
            "{role:?}"
        );
        assert_eq!(
            statuses(&findings, Status::Warn),
            Vec::<&str>::new(),
            "{role:?}"
        );
        let infos = statuses(&findings, Status::Info);
        assert!(
            infos.iter().all(|id| [
                "kms-encryption",
                "mfa-delete",
                "object-lock",
                "event-notifications",
                "replication",
                "lifecycle",
                "access-logging"
            ]
            .contains(id)),
            "{role:?}: {infos:?}"
        );
    }
    let state = evaluate_bucket(&hardened("state", Role::State), &context());
    let target = state
        .iter()
        .find(|finding| finding.rule.id == "access-log-target")
        .unwrap();
    assert_eq!(
        target.outcome.detail,
        format!("ACCEPTS DELIVERY (s3://{LOGS}/s3-access-logs/state/)")
    );
}

type Mutation = fn(&mut BucketFacts);

/// Each misconfiguration, and exactly the rules it must fail.
const CASES: &[(&str, Mutation, &[&str])] = &[
    (
        "open policy",
        |b| {
            let policy = b.policy.known().cloned().flatten().unwrap().with_statement(json!({"Sid": "Open", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::state/*"}));
            b.policy = Fact::Known(Some(policy));
        },
        &["policy-public-read"],
    ),
    (
        "public write through policy",
        |b| {
            let policy = b.policy.known().cloned().flatten().unwrap().with_statement(json!({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["s3:PutObject", "s3:DeleteObject"], "Resource": "arn:aws:s3:::state/*"}));
            b.policy = Fact::Known(Some(policy));
        },
        &["policy-public-write"],
    ),
    (
        "public ACL grant (read)",
        |b| {
            b.acl = Fact::Known(Acl {
                owner: None,
                grants: vec![Grant {
                    grantee: Grantee::AllUsers,
                    permission: Permission::Read,
                }],
            });
        },
        &["acl-public-read"],
    ),
    (
        "public ACL grant (write)",
        |b| {
            b.acl = Fact::Known(Acl {
                owner: None,
                grants: vec![Grant {
                    grantee: Grantee::AuthenticatedUsers,
                    permission: Permission::Write,
                }],
            });
        },
        &["acl-public-write"],
    ),
    (
        "public ACL grant (full control)",
        |b| {
            b.acl = Fact::Known(Acl {
                owner: None,
                grants: vec![Grant {
                    grantee: Grantee::AllUsers,
                    permission: Permission::FullControl,
                }],
            });
        },
        &["acl-public-read", "acl-public-write"],
    ),
    (
        "2 of 4 block settings",
        |b| {
            b.public_access_block = Fact::Known(Some(PublicAccessBlock {
                block_public_policy: false,
                restrict_public_buckets: false,
                ..PublicAccessBlock::ALL_ON
            }));
        },
        &["public-access-block"],
    ),
    (
        "no encryption configuration",
        |b| b.encryption = Fact::Known(None),
        &["encryption"],
    ),
    (
        "suspended versioning",
        |b| {
            b.versioning = Fact::Known(VersioningFacts {
                status: Versioning::Suspended,
                mfa_delete: false,
            })
        },
        &["versioning"],
    ),
    (
        "ObjectWriter ownership",
        |b| b.ownership = Fact::Known(Some(ObjectOwnership::ObjectWriter)),
        &["object-ownership"],
    ),
    (
        "cross-account policy",
        |b| {
            let policy = b.policy.known().cloned().flatten().unwrap().with_statement(json!({"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::state/*"}));
            b.policy = Fact::Known(Some(policy));
        },
        &["cross-account"],
    ),
    (
        "no TLS statement",
        |b| b.policy = Fact::Known(None),
        &["tls-only"],
    ),
    (
        "no logging",
        |b| {
            b.logging = Fact::Known(None);
            b.log_target = None;
        },
        &["access-logging"],
    ),
    (
        "no request metrics",
        |b| b.metrics = Fact::Known(Vec::new()),
        &["request-metrics"],
    ),
    (
        "log target gone",
        |b| {
            if let Some(target) = &mut b.log_target {
                target.exists = Fact::Known(false);
            }
        },
        &["access-log-target"],
    ),
    (
        "log target refuses delivery",
        |b| {
            if let Some(target) = &mut b.log_target {
                target.policy = Fact::Known(None);
            }
        },
        &["access-log-target"],
    ),
];

#[test]
fn each_misconfiguration_fails_exactly_its_rules() {
    for (name, mutate, expected) in CASES {
        let mut bucket = hardened("state", Role::State);
        mutate(&mut bucket);
        let findings = evaluate_bucket(&bucket, &context());
        assert_eq!(statuses(&findings, Status::Fail), *expected, "{name}");
        assert_eq!(
            statuses(&findings, Status::Warn),
            Vec::<&str>::new(),
            "{name}"
        );
    }
}

#[test]
fn details_name_the_setting_found() {
    let mut bucket = hardened("state", Role::State);
    bucket.encryption = Fact::Known(Some(Encryption::Kms {
        key_id: Some("alias/tfstate".to_owned()),
        bucket_key: true,
    }));
    let findings = evaluate_bucket(&bucket, &context());
    let detail = |id: &str| {
        findings
            .iter()
            .find(|finding| finding.rule.id == id)
            .unwrap()
            .outcome
            .detail
            .clone()
    };
    assert_eq!(
        detail("public-access-block"),
        "ENABLED (All 4 settings active)"
    );
    assert_eq!(
        detail("encryption"),
        "ENABLED (aws:kms (alias/tfstate) with bucket key)"
    );
    assert_eq!(
        detail("kms-encryption"),
        "ENABLED (aws:kms (alias/tfstate) with bucket key)"
    );
    assert_eq!(detail("versioning"), "ENABLED");
    assert_eq!(
        detail("object-ownership"),
        "BucketOwnerEnforced (ACLs disabled)"
    );
    bucket.public_access_block = Fact::Known(None);
    bucket.versioning = Fact::Known(VersioningFacts {
        status: Versioning::Never,
        mfa_delete: false,
    });
    let findings = evaluate_bucket(&bucket, &context());
    let detail = |id: &str| {
        findings
            .iter()
            .find(|finding| finding.rule.id == id)
            .unwrap()
            .outcome
            .detail
            .clone()
    };
    assert_eq!(detail("public-access-block"), "DISABLED (no configuration)");
    assert_eq!(detail("versioning"), "DISABLED (never enabled)");
}

#[test]
fn a_setting_that_cannot_be_read_is_a_warning_not_a_pass() {
    let mut bucket = hardened("state", Role::State);
    bucket.policy = Fact::unreadable(Some("AccessDenied"), "no s3:GetBucketPolicy");
    let findings = evaluate_bucket(&bucket, &context());
    assert_eq!(
        statuses(&findings, Status::Warn),
        [
            "policy-public-read",
            "tls-only",
            "policy-public-write",
            "cross-account"
        ]
    );
    assert!(
        findings
            .iter()
            .any(|finding| finding.outcome.detail == "UNKNOWN (could not read: AccessDenied)")
    );
}

#[test]
fn a_missing_bucket_fails_once() {
    let findings = evaluate_bucket(
        &BucketFacts::skipped("gone", Role::State, Fact::Known(false)),
        &context(),
    );
    assert_eq!(findings.len(), 1);
    assert_eq!(
        (findings[0].rule.id, findings[0].outcome.status),
        ("bucket-exists", Status::Fail)
    );
}

#[test]
fn wrong_retention_is_named_setting_by_setting() {
    let mut bucket = hardened("traces", Role::Observability(ObservabilityKind::Traces));
    bucket.lifecycle = Fact::Known(vec![LifecycleRule {
        expiration_days: Some(90),
        noncurrent_expiration_days: None,
        ..retention_rule(ObservabilityKind::Traces)
    }]);
    let findings = evaluate_bucket(&bucket, &context());
    let retention = findings
        .iter()
        .find(|finding| finding.rule.id == "retention")
        .unwrap();
    assert_eq!(retention.outcome.status, Status::Fail);
    assert_eq!(
        retention.outcome.detail,
        "WRONG (expires after 90 days, not 30; noncurrent versions expire after never, not 30 days)"
    );
    assert!(
        evaluate_bucket(&hardened("s", Role::State), &context())
            .iter()
            .all(|finding| finding.rule.id != "retention")
    );
}

fn table() -> TableFacts {
    TableFacts {
        name: "locks".to_owned(),
        arn: Some("arn:aws:dynamodb:us-east-2:123456789012:table/locks".to_owned()),
        exists: Fact::Known(true),
        key_schema: vec![lock_key()],
        sse: Some(None),
        point_in_time_recovery: Fact::Known(true),
        deletion_protection: true,
        locks: Fact::Known(Vec::new()),
        digests: Fact::Known(Vec::new()),
    }
}

#[test]
fn the_lock_table_rules() {
    assert_eq!(
        statuses(&evaluate_table(&table(), &context()), Status::Fail),
        Vec::<&str>::new()
    );
    let mut bad = table();
    bad.key_schema = vec![KeyAttribute {
        name: "id".to_owned(),
        attribute_type: "N".to_owned(),
        key_type: "HASH".to_owned(),
    }];
    bad.point_in_time_recovery = Fact::Known(false);
    bad.deletion_protection = false;
    bad.sse = None;
    let findings = evaluate_table(&bad, &context());
    assert_eq!(
        statuses(&findings, Status::Fail),
        [
            "lock-table-key",
            "lock-table-pitr",
            "lock-table-deletion-protection"
        ]
    );
    assert_eq!(statuses(&findings, Status::Warn), ["lock-table-encryption"]);
    let missing = evaluate_table(
        &TableFacts::missing("locks", Fact::Known(false)),
        &context(),
    );
    assert_eq!(statuses(&missing, Status::Fail), ["lock-table-exists"]);
    assert_eq!(missing.len(), 1);
}

#[test]
fn stale_locks_and_orphaned_digests_name_what_to_look_at() {
    let mut facts = table();
    let lock = |id: &str, created: &str| LockRow {
        lock_id: format!("state/{id}/terraform.tfstate"),
        info: Some(LockInfo {
            id: format!("lock-{id}"),
            operation: "OperationTypeApply".to_owned(),
            who: "alice@ci-7".to_owned(),
            version: "1.0.3".to_owned(),
            created: created.to_owned(),
            path: String::new(),
        }),
    };
    facts.locks = Fact::Known(vec![
        lock("old", "2026-11-21T08:15:02.123456789Z"),
        lock("fresh", "2026-11-22T11:30:00Z"),
    ]);
    facts.digests = Fact::Known(vec![
        DigestRow {
            lock_id: "state/gone/terraform.tfstate-md5".to_owned(),
            state_exists: Fact::Known(false),
        },
        DigestRow {
            lock_id: "state/here/terraform.tfstate-md5".to_owned(),
            state_exists: Fact::Known(true),
        },
    ]);
    let findings = evaluate_table(&facts, &context());
    let detail = |id: &str| {
        findings
            .iter()
            .find(|finding| finding.rule.id == id)
            .unwrap()
            .outcome
            .clone()
    };
    assert_eq!(detail("stale-locks").status, Status::Warn);
    assert_eq!(
        detail("stale-locks").detail,
        "1 STALE: state/old/terraform.tfstate held by alice@ci-7 since 2026-11-21T08:15:02.123456789Z (27 hours, OperationTypeApply, lock lock-old)"
    );
    assert_eq!(
        detail("orphaned-digests").detail,
        "1 ORPHANED: state/gone/terraform.tfstate-md5"
    );
}

#[test]
fn the_account_block_and_the_catalogue() {
    let account = AccountFacts {
        account_id: ACCOUNT.to_owned(),
        public_access_block: Fact::Known(None),
    };
    let findings = evaluate_account(&account);
    assert_eq!(
        (findings[0].rule.id, findings[0].outcome.status),
        ("account-public-access-block", Status::Fail)
    );
    let ids: Vec<&str> = all_rules().map(|rule| rule.id).collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "rule ids are unique");
    assert_eq!(ids.len(), 33);
    // The seed's eight, in its order (its ACL check is split into read and write).
    let first: Vec<&str> = BUCKET_RULES[1..10]
        .iter()
        .map(|(rule, _)| rule.id)
        .collect();
    assert_eq!(
        first,
        [
            "public-access-block",
            "encryption",
            "versioning",
            "policy-public-read",
            "object-ownership",
            "access-logging",
            "acl-public-read",
            "acl-public-write",
            "request-metrics"
        ]
    );
    for rule in all_rules() {
        assert!(
            !rule.remediation.is_empty() && !rule.cli.is_empty() && !rule.terraform.is_empty(),
            "{}",
            rule.id
        );
    }
}

#[test]
fn a_bucket_in_china_or_govcloud_is_named_in_its_own_partition() {
    // A2: ARNs carry the partition; a TLS-only statement on arn:aws-cn:s3:::b is the
    // bucket's in China, and one on arn:aws:s3:::b is not.
    let tls = |bucket: &BucketFacts| {
        evaluate_bucket(bucket, &context())
            .into_iter()
            .find(|finding| finding.rule.id == "tls-only")
            .unwrap()
            .outcome
            .status
    };
    for (partition, prefix) in [
        (naming::Partition::China, "aws-cn"),
        (naming::Partition::UsGov, "aws-us-gov"),
    ] {
        let mut bucket = hardened("state", Role::State);
        bucket.partition = partition;
        assert_eq!(bucket.arn(), format!("arn:{prefix}:s3:::state"));
        assert_eq!(
            tls(&bucket),
            Status::Fail,
            "the commercial ARN is another bucket"
        );
        bucket.policy = Fact::Known(Some(
            Policy::empty().with_statement(tls_statement(&bucket.arn())),
        ));
        assert_eq!(tls(&bucket), Status::Pass, "{partition:?}");
    }
}

#[test]
fn a_log_target_that_s3_will_not_deliver_to_fails() {
    // P5: no delivery to an SSE-KMS target, and none to one with Object Lock retention.
    let target_status = |bucket: &BucketFacts| {
        evaluate_bucket(bucket, &context())
            .into_iter()
            .find(|finding| finding.rule.id == "access-log-target")
            .unwrap()
            .outcome
    };
    let hardened = hardened("state", Role::State);
    assert_eq!(target_status(&hardened).status, Status::Pass);
    let mut kms = hardened.clone();
    kms.log_target.as_mut().unwrap().encryption = Fact::Known(Some(Encryption::Kms {
        key_id: Some("alias/logs".to_owned()),
        bucket_key: true,
    }));
    let outcome = target_status(&kms);
    assert_eq!(outcome.status, Status::Fail);
    assert!(outcome.detail.starts_with("SSE-KMS"), "{}", outcome.detail);
    let mut locked = hardened;
    locked.log_target.as_mut().unwrap().object_lock = Fact::Known(Some(crate::facts::ObjectLock {
        enabled: true,
        default_retention: Some((crate::facts::RetentionMode::Governance, 30)),
    }));
    assert_eq!(target_status(&locked).status, Status::Fail);
}
