//! The plan as a pure function of hand-built values.

use aws_provisioner::lifecycle::{LifecycleRule, retention_for};
use aws_provisioner::model::{
    BucketPresence, BucketSettings, BucketWrite, Caller, Encryption, KeyAttribute, Logging,
    ObjectOwnership, PublicAccessBlock, TableFacts, TableStatus, Versioning, lock_key,
};
use aws_provisioner::plan::ObservedBucket;
use aws_provisioner::policy::{Policy, tls_statement};
use aws_provisioner::{
    Action, BucketRole, EncryptionSpec, Observed, Options, Scope, Setting, Spec, plan,
};
use naming::{BucketName, ObservabilityKind};
use proptest::prelude::*;
use serde_json::json;

use crate::support::options;

fn caller() -> Caller {
    Caller {
        account: "111122223333".to_owned(),
        arn: "arn:aws:iam::111122223333:user/ops".to_owned(),
    }
}

/// The settings the contract wants on a bucket of `role`, as provisioning leaves them.
fn hardened(spec: &Spec, bucket: &BucketName, role: BucketRole) -> BucketSettings {
    let arn = bucket.arn(naming::Partition::Aws);
    let mut policy = Policy::empty().with_statement(tls_statement(&arn));
    if let Some(source) = spec
        .state_bucket
        .as_ref()
        .filter(|_| Some(bucket) == spec.logs_bucket.as_ref())
    {
        policy = policy.with_statement(aws_provisioner::policy::log_delivery_statement(
            &arn,
            &naming::access_log_prefix(source),
            source.as_str(),
            &source.arn(naming::Partition::Aws),
            &caller().account,
        ));
    }
    BucketSettings {
        versioning: Versioning::Enabled,
        encryption: Some(Encryption::Aes256),
        public_access_block: Some(PublicAccessBlock::ALL_ON),
        ownership: Some(ObjectOwnership::BucketOwnerEnforced),
        policy: Some(policy),
        tags: spec.bucket_tags_for(role),
        request_metrics: true,
        logging: (role == BucketRole::State).then(|| Logging {
            target_bucket: spec.logs_bucket.as_ref().unwrap().to_string(),
            prefix: naming::access_log_prefix(bucket),
        }),
        lifecycle: match role {
            BucketRole::Observability(kind) => vec![LifecycleRule::Retention(retention_for(kind))],
            _ => Vec::new(),
        },
        replication: None,
    }
}

fn owned(settings: BucketSettings, region: &str) -> ObservedBucket {
    ObservedBucket {
        presence: BucketPresence::Owned {
            region: Some(region.to_owned()),
        },
        settings,
    }
}

fn table(spec: &Spec) -> TableFacts {
    TableFacts {
        arn: "arn:aws:dynamodb:us-east-2:111122223333:table/t".to_owned(),
        status: TableStatus::Active,
        key_schema: vec![lock_key()],
        on_demand: true,
        sse: Some(None),
        point_in_time_recovery: Ok(true),
        deletion_protection: true,
        tags: Ok(spec.table_tags()),
    }
}

fn provisioned(spec: &Spec) -> Observed {
    let mut observed = Observed {
        table: Some(table(spec)),
        ..Observed::default()
    };
    for (bucket, role) in spec.managed_buckets() {
        let settings = hardened(spec, &bucket, role);
        observed
            .buckets
            .insert(bucket, owned(settings, "us-east-2"));
    }
    observed
}

#[test]
fn nothing_there_means_everything_is_created_in_a_safe_order() {
    let spec = Spec::new(options(Scope::Full, "us-east-2")).unwrap();
    let plan = plan(&spec, &caller(), &Observed::default());
    assert!(plan.problems.is_empty() && plan.warnings.is_empty());
    assert_eq!(plan.buckets.len(), 5);
    assert!(plan.buckets.iter().all(|b| b.action == Action::Create));
    let state = plan
        .buckets
        .iter()
        .find(|b| b.role == BucketRole::State)
        .unwrap();
    let order: Vec<&str> = state
        .writes
        .iter()
        .map(|w| match w {
            BucketWrite::OwnershipEnforced => "ownership",
            BucketWrite::BlockPublicAccess => "block",
            BucketWrite::Encryption(_) => "encryption",
            BucketWrite::EnableVersioning => "versioning",
            BucketWrite::Tags(_) => "tags",
            BucketWrite::RequestMetrics => "metrics",
            BucketWrite::Lifecycle(_) => "lifecycle",
            BucketWrite::Policy(_) => "policy",
            BucketWrite::Logging(_) => "logging",
            BucketWrite::PrivateAcl => "acl",
            BucketWrite::Replication(_) => "replication",
        })
        .collect();
    // Ownership and the public-access block before anything that could expose the bucket;
    // logging last, once the target's policy grants delivery.
    assert_eq!(
        order,
        [
            "ownership",
            "block",
            "encryption",
            "versioning",
            "tags",
            "metrics",
            "policy",
            "logging"
        ]
    );
    assert_eq!(plan.table.as_ref().unwrap().action, Action::Create);
}

#[test]
fn a_provisioned_project_is_unchanged() {
    let spec = Spec::new(options(Scope::Full, "us-east-2")).unwrap();
    let plan = plan(&spec, &caller(), &provisioned(&spec));
    assert!(plan.is_noop(), "{:#?}", plan.pending());
    assert!(plan.buckets.iter().all(|b| b.writes.is_empty()));
}

#[test]
fn each_drifted_setting_is_named_with_what_it_was() {
    let spec = Spec::new(options(Scope::Full, "us-east-2")).unwrap();
    let mut observed = provisioned(&spec);
    let logs = spec.logs_bucket.clone().unwrap();
    {
        let settings = &mut observed.buckets.get_mut(&logs).unwrap().settings;
        settings.versioning = Versioning::Suspended;
        settings.public_access_block = Some(PublicAccessBlock {
            block_public_policy: false,
            ..PublicAccessBlock::ALL_ON
        });
        settings.ownership = Some(ObjectOwnership::ObjectWriter);
        settings.request_metrics = false;
        settings.tags.remove("ManagedBy");
        settings
            .tags
            .insert("CostCenter".to_owned(), "cc-1".to_owned());
        settings.encryption = None;
    }
    let plan = plan(&spec, &caller(), &observed);
    let logs_plan = plan.buckets.iter().find(|b| b.bucket == logs).unwrap();
    assert_eq!(logs_plan.action, Action::Update);
    let changes: Vec<(Setting, &str, &str)> = logs_plan
        .changes
        .iter()
        .map(|c| (c.setting, c.from.as_str(), c.to.as_str()))
        .collect();
    assert_eq!(
        changes,
        [
            (
                Setting::ObjectOwnership,
                "ObjectWriter",
                "BucketOwnerEnforced"
            ),
            (Setting::PublicAccessBlock, "3 of 4 on", "4 of 4 on"),
            (Setting::Encryption, "not configured", "AES256"),
            (Setting::Versioning, "Suspended", "Enabled"),
            (Setting::Tags, "no ManagedBy", "ManagedBy=tfstate-toolkit"),
            (Setting::RequestMetrics, "off", "on (EntireBucket)"),
        ]
    );
    // The tag write keeps the tag someone else added.
    let tags = logs_plan.writes.iter().find_map(|w| match w {
        BucketWrite::Tags(tags) => Some(tags.clone()),
        _ => None,
    });
    assert_eq!(
        tags.unwrap().get("CostCenter").map(String::as_str),
        Some("cc-1")
    );
    assert_eq!(
        plan.buckets
            .iter()
            .filter(|b| b.action == Action::Update)
            .count(),
        1
    );
}

#[test]
fn existing_encryption_is_adopted_unless_a_kms_key_is_asked_for() {
    let spec = Spec::new(options(Scope::BackendOnly, "us-east-2")).unwrap();
    let mut observed = provisioned(&spec);
    let state = spec.state_bucket.clone().unwrap();
    let kms = Encryption::Kms {
        key_id: Some("alias/theirs".to_owned()),
        bucket_key: false,
    };
    observed
        .buckets
        .get_mut(&state)
        .unwrap()
        .settings
        .encryption = Some(kms);
    observed.buckets.get_mut(&state).unwrap().settings.logging = None;
    let quiet = plan(&spec, &caller(), &observed);
    assert!(
        quiet
            .buckets
            .iter()
            .all(|b| b.changes.iter().all(|c| c.setting != Setting::Encryption))
    );

    let wants_key = Spec {
        encryption: EncryptionSpec::Kms("alias/ours".to_owned()),
        ..spec
    };
    let planned = plan(&wants_key, &caller(), &observed);
    let change = planned.buckets[0]
        .changes
        .iter()
        .find(|c| c.setting == Setting::Encryption)
        .unwrap();
    assert_eq!(
        (change.from.as_str(), change.to.as_str()),
        (
            "aws:kms (alias/theirs)",
            "aws:kms (alias/ours) with bucket key"
        )
    );
}

#[test]
fn an_equivalent_tls_statement_under_another_sid_is_adopted() {
    let spec = Spec::new(options(Scope::ObservabilityOnly, "us-east-2")).unwrap();
    let mut observed = provisioned(&spec);
    let traces = spec.observability[1].1.clone();
    let arn = traces.arn(naming::Partition::Aws);
    let theirs = json!({"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": [format!("{arn}/*"), arn], "Condition": {"Bool": {"aws:SecureTransport": "false"}}});
    observed.buckets.get_mut(&traces).unwrap().settings.policy =
        Some(Policy::empty().with_statement(theirs));
    assert!(plan(&spec, &caller(), &observed).is_noop());
}

#[test]
fn a_bucket_in_another_region_or_account_blocks_the_plan() {
    let spec = Spec::new(options(Scope::BackendOnly, "us-east-2")).unwrap();
    let state = spec.state_bucket.clone().unwrap();
    let mut observed = provisioned(&spec);
    observed.buckets.get_mut(&state).unwrap().presence = BucketPresence::Owned {
        region: Some("eu-west-1".to_owned()),
    };
    let planned = plan(&spec, &caller(), &observed);
    assert_eq!(planned.problems.len(), 1);
    assert_eq!(
        planned.problems[0].message,
        "the bucket exists in eu-west-1, not in us-east-2"
    );
    assert_eq!(
        planned.problems[0].hint.as_deref(),
        Some("run with --region eu-west-1, or choose another --project-name")
    );

    observed.buckets.get_mut(&state).unwrap().presence = BucketPresence::Forbidden;
    let planned = plan(&spec, &caller(), &observed);
    assert!(
        planned.problems[0]
            .message
            .contains("belongs to another AWS account")
    );
    assert!(!planned.problems[0].input);
}

#[test]
fn a_lock_table_with_the_wrong_key_cannot_be_repaired_and_says_so() {
    let spec = Spec::new(options(Scope::BackendOnly, "us-east-2")).unwrap();
    let mut observed = provisioned(&spec);
    observed.table.as_mut().unwrap().key_schema = vec![KeyAttribute {
        name: "id".to_owned(),
        attribute_type: "N".to_owned(),
        key_type: "HASH".to_owned(),
    }];
    let planned = plan(&spec, &caller(), &observed);
    assert!(planned.table.is_none());
    assert_eq!(
        planned.problems[0].message,
        "the table's key schema is id (N, HASH); Terraform needs LockID (S, HASH)"
    );
}

#[test]
fn a_drifted_lock_table_is_repaired_setting_by_setting() {
    let spec = Spec::new(options(Scope::BackendOnly, "us-east-2")).unwrap();
    let mut observed = provisioned(&spec);
    let facts = observed.table.as_mut().unwrap();
    facts.on_demand = false;
    facts.sse = None;
    facts.point_in_time_recovery = Ok(false);
    facts.deletion_protection = false;
    let planned = plan(&spec, &caller(), &observed);
    let settings: Vec<Setting> = planned
        .table
        .unwrap()
        .changes
        .iter()
        .map(|c| c.setting)
        .collect();
    assert_eq!(
        settings,
        [
            Setting::BillingMode,
            Setting::TableEncryption,
            Setting::PointInTimeRecovery,
            Setting::DeletionProtection
        ]
    );
}

#[test]
fn table_facts_the_caller_may_not_read_are_named_and_not_written_blind() {
    // P10: DescribeContinuousBackups and ListTagsOfResource refused, DescribeTable allowed.
    let spec = Spec::new(options(Scope::BackendOnly, "us-east-2")).unwrap();
    let mut observed = provisioned(&spec);
    let facts = observed.table.as_mut().unwrap();
    let denied = |operation| {
        aws_provisioner::AwsError::new(
            operation,
            "locks",
            aws_client::AwsErrorKind::AccessDenied,
            "not authorized",
        )
        .with_code("AccessDeniedException")
    };
    facts.point_in_time_recovery = Err(denied("DescribeContinuousBackups"));
    facts.tags = Err(denied("ListTagsOfResource"));
    let planned = plan(&spec, &caller(), &observed);
    let table = planned.table.unwrap();
    assert_eq!(table.action, Action::Unchanged, "{table:?}");
    let warnings = planned.warnings.join("\n");
    for named in [
        "point-in-time recovery of",
        "DescribeContinuousBackups: AccessDeniedException",
        "dynamodb:DescribeContinuousBackups",
        "the tags of",
        "dynamodb:ListTagsOfResource",
    ] {
        assert!(warnings.contains(named), "{named}: {warnings}");
    }
}

#[test]
fn the_access_log_target_is_the_flag_then_the_logs_bucket_then_none() {
    // Backend only, logs bucket absent: no target, a warning.
    let spec = Spec::new(options(Scope::BackendOnly, "us-east-2")).unwrap();
    let planned = plan(&spec, &caller(), &Observed::default());
    assert_eq!(planned.buckets.len(), 1);
    assert!(
        planned.buckets[0]
            .changes
            .iter()
            .all(|c| c.setting != Setting::AccessLogging)
    );
    assert_eq!(planned.warnings.len(), 1);

    // Backend only, logs bucket exists: it becomes the target, with only the grant managed.
    let mut observed = Observed::default();
    let logs = spec.logs_bucket.clone().unwrap();
    observed
        .buckets
        .insert(logs.clone(), owned(BucketSettings::default(), "us-east-2"));
    let planned = plan(&spec, &caller(), &observed);
    let target = planned.buckets.iter().find(|b| b.bucket == logs).unwrap();
    assert_eq!(target.role, BucketRole::LogTarget);
    assert_eq!(
        target.changes.iter().map(|c| c.setting).collect::<Vec<_>>(),
        [Setting::LogDeliveryPolicy]
    );

    // The flag wins; when that bucket does not exist, it is the user's input at fault.
    let flagged = Spec::new(Options {
        access_log_bucket: Some("central-access-logs".to_owned()),
        ..options(Scope::Full, "us-east-2")
    })
    .unwrap();
    let planned = plan(&flagged, &caller(), &Observed::default());
    assert!(
        planned
            .problems
            .iter()
            .any(|p| p.input && p.resource == "central-access-logs")
    );
    let state = planned
        .buckets
        .iter()
        .find(|b| b.role == BucketRole::State)
        .unwrap();
    assert!(
        state.writes.iter().any(
            |w| matches!(w, BucketWrite::Logging(l) if l.target_bucket == "central-access-logs")
        )
    );
}

proptest! {
    /// Whatever drift a bucket has, the plan's writes, applied to it, leave a bucket the plan
    /// then finds unchanged: one run always converges.
    #[test]
    fn applying_the_planned_writes_always_converges(
        versioning in prop::sample::select(vec![Versioning::Never, Versioning::Enabled, Versioning::Suspended]),
        block in prop::option::of(any::<[bool; 4]>()),
        enforced in any::<bool>(),
        encrypted in any::<bool>(),
        metrics in any::<bool>(),
        tls in any::<bool>(),
        retention in any::<bool>(),
        foreign_tag in any::<bool>(),
    ) {
        let spec = Spec::new(options(Scope::Full, "us-east-2")).unwrap();
        let mut observed = provisioned(&spec);
        let traces = spec.observability.iter().find(|(k, _)| *k == ObservabilityKind::Traces).unwrap().1.clone();
        let settings = &mut observed.buckets.get_mut(&traces).unwrap().settings;
        settings.versioning = versioning;
        settings.public_access_block = block.map(|[a, b, c, d]| PublicAccessBlock {
            block_public_acls: a, ignore_public_acls: b, block_public_policy: c, restrict_public_buckets: d,
        });
        if !enforced { settings.ownership = None; }
        if !encrypted { settings.encryption = None; }
        settings.request_metrics = metrics;
        if !tls { settings.policy = None; }
        if !retention { settings.lifecycle.clear(); }
        if foreign_tag { settings.tags.insert("Team".to_owned(), "x".to_owned()); }

        let first = plan(&spec, &caller(), &observed);
        let bucket_plan = first.buckets.iter().find(|b| b.bucket == traces).unwrap();
        let settings = &mut observed.buckets.get_mut(&traces).unwrap().settings;
        for write in &bucket_plan.writes {
            settings.apply(write);
        }
        let foreign_kept = !foreign_tag || settings.tags.get("Team").map(String::as_str) == Some("x");
        let second = plan(&spec, &caller(), &observed);
        prop_assert!(second.is_noop(), "{:?}", second.pending());
        prop_assert!(foreign_kept);
    }
}
