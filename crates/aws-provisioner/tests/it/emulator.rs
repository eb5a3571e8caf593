//! Whole runs against moto over HTTP; every setting is read back with the plain SDK. The
//! key scenarios run on LocalStack's S3 too (`on_both_stores!`).

use aws_provisioner::lifecycle::{RULE_ID, retention_for};
use aws_provisioner::{Action, BucketRole, Options, Outcome, ProvisionError, Scope, Setting, Spec};
use naming::{BucketName, Company, LockMode, ObservabilityKind};
use serde_json::{Value, json};
use test_support::aws::aws_sdk_dynamodb::types::{
    BillingMode, PointInTimeRecoveryStatus, SseStatus,
};
use test_support::aws::aws_sdk_s3::types as s3t;
use test_support::{RecordingStores, Stores, aws, moto, on_both_stores, unique_name};

use crate::support::{dynamodb, options, provision, provision_on, provision_recorded, s3, spec};

on_both_stores!(
    a_fresh_provision_sets_every_setting_of_the_contract,
    a_second_run_sends_no_mutating_request_and_reports_everything_unchanged,
    drift_is_repaired_by_name_and_foreign_policy_statements_and_rules_survive,
    a_dry_run_mutates_nothing,
    kms_encryption_uses_the_key_with_a_bucket_key_on_buckets_and_table,
);

async fn policy_of(s3: &aws::aws_sdk_s3::Client, bucket: &str) -> Value {
    let text = s3.get_bucket_policy().bucket(bucket).send().await.unwrap();
    serde_json::from_str(text.policy().unwrap()).unwrap()
}

fn statements(policy: &Value) -> Vec<Value> {
    match &policy["Statement"] {
        Value::Array(items) => items.clone(),
        item => vec![item.clone()],
    }
}

/// Asserts every bucket setting of the contract, read with the SDK.
async fn assert_hardened(
    s3: &aws::aws_sdk_s3::Client,
    bucket: &BucketName,
    role: BucketRole,
    tags: &[(&str, &str)],
) {
    let name = bucket.as_str();
    assert_eq!(
        aws::versioning_status(s3, name).await.as_deref(),
        Some("Enabled"),
        "{name}"
    );

    let encryption = s3
        .get_bucket_encryption()
        .bucket(name)
        .send()
        .await
        .unwrap();
    let rule = &encryption
        .server_side_encryption_configuration()
        .unwrap()
        .rules()[0];
    let default = rule.apply_server_side_encryption_by_default().unwrap();
    assert_eq!(
        default.sse_algorithm(),
        &s3t::ServerSideEncryption::Aes256,
        "{name}"
    );

    let block = s3
        .get_public_access_block()
        .bucket(name)
        .send()
        .await
        .unwrap();
    let block = block.public_access_block_configuration().unwrap();
    assert_eq!(
        (
            block.block_public_acls(),
            block.ignore_public_acls(),
            block.block_public_policy(),
            block.restrict_public_buckets()
        ),
        (Some(true), Some(true), Some(true), Some(true)),
        "{name}"
    );

    let ownership = s3
        .get_bucket_ownership_controls()
        .bucket(name)
        .send()
        .await
        .unwrap();
    assert_eq!(
        ownership.ownership_controls().unwrap().rules()[0].object_ownership(),
        &s3t::ObjectOwnership::BucketOwnerEnforced,
        "{name}"
    );

    let policy = policy_of(s3, name).await;
    let arn = format!("arn:aws:s3:::{name}");
    let tls = statements(&policy)
        .into_iter()
        .find(|s| s["Sid"] == aws_provisioner::policy::TLS_SID)
        .unwrap();
    assert_eq!(tls["Effect"], "Deny");
    assert_eq!(tls["Condition"]["Bool"]["aws:SecureTransport"], "false");
    assert_eq!(tls["Resource"], json!([arn, format!("{arn}/*")]));

    let tagging = s3.get_bucket_tagging().bucket(name).send().await.unwrap();
    let found: Vec<(&str, &str)> = tagging
        .tag_set()
        .iter()
        .map(|t| (t.key(), t.value()))
        .collect();
    for tag in tags {
        assert!(found.contains(tag), "{name} lacks tag {tag:?}: {found:?}");
    }

    let metrics = s3
        .get_bucket_metrics_configuration()
        .bucket(name)
        .id("EntireBucket")
        .send()
        .await
        .unwrap();
    assert_eq!(
        metrics.metrics_configuration().unwrap().id(),
        "EntireBucket"
    );

    if let BucketRole::Observability(kind) = role {
        let lifecycle = s3
            .get_bucket_lifecycle_configuration()
            .bucket(name)
            .send()
            .await
            .unwrap();
        let rule = lifecycle
            .rules()
            .iter()
            .find(|rule| rule.id() == Some(RULE_ID))
            .unwrap();
        let wanted = retention_for(kind);
        assert_eq!(
            rule.expiration().unwrap().days(),
            Some(wanted.expiration_days),
            "{name}"
        );
        assert_eq!(
            rule.noncurrent_version_expiration()
                .unwrap()
                .noncurrent_days(),
            Some(wanted.noncurrent_expiration_days)
        );
        assert_eq!(
            rule.abort_incomplete_multipart_upload()
                .unwrap()
                .days_after_initiation(),
            Some(7)
        );
        let transitions: Vec<_> = rule
            .transitions()
            .iter()
            .map(|t| {
                (
                    t.days().unwrap(),
                    t.storage_class().unwrap().as_str().to_owned(),
                )
            })
            .collect();
        assert_eq!(
            transitions,
            wanted.transition.into_iter().collect::<Vec<_>>(),
            "{name}"
        );
    }
}

async fn a_fresh_provision_sets_every_setting_of_the_contract(stores: Stores) {
    let spec = Spec::new(Options {
        company: Some(Company::new("Ohio Corp").unwrap()),
        ..options(Scope::Full, "us-east-2")
    })
    .unwrap();
    let region = spec.deployment.region.name();
    let report = provision_on(&stores, &spec).await.unwrap();
    assert_eq!(report.outcome, Outcome::Applied);
    assert_eq!(report.caller.account, stores.account);
    assert!(
        report
            .plan
            .buckets
            .iter()
            .all(|b| b.action == Action::Create)
    );
    assert_eq!(report.plan.table.as_ref().unwrap().action, Action::Create);

    let s3 = stores.s3(region);
    let project = spec.deployment.project.to_string();
    let tags = [
        ("Project", project.as_str()),
        ("Environment", "production"),
        ("ManagedBy", "tfstate-toolkit"),
        ("Company", "Ohio Corp"),
    ];
    for (bucket, role) in spec.managed_buckets() {
        assert_hardened(&s3, &bucket, role, &tags).await;
        // The state bucket says what it is, so teardown can tell it by its tags too.
        let tagging = s3
            .get_bucket_tagging()
            .bucket(bucket.as_str())
            .send()
            .await
            .unwrap();
        let purpose = tagging
            .tag_set()
            .iter()
            .find(|tag| tag.key() == "Purpose")
            .map(|tag| tag.value().to_owned());
        let expected = (role == BucketRole::State).then(|| "terraform-state".to_owned());
        assert_eq!(purpose, expected, "{bucket}");
    }

    // The state bucket logs into the logs bucket, which grants S3's log delivery by policy.
    let state = spec.state_bucket.clone().unwrap();
    let logging = s3
        .get_bucket_logging()
        .bucket(state.as_str())
        .send()
        .await
        .unwrap();
    let enabled = logging.logging_enabled().unwrap();
    let logs = spec.logs_bucket.clone().unwrap();
    assert_eq!(enabled.target_bucket(), logs.as_str());
    assert_eq!(enabled.target_prefix(), format!("s3-access-logs/{state}/"));
    let policy = policy_of(&s3, logs.as_str()).await;
    let grant = statements(&policy)
        .into_iter()
        .find(|s| s["Principal"]["Service"] == "logging.s3.amazonaws.com")
        .unwrap();
    assert_eq!(
        grant["Condition"]["ArnLike"]["aws:SourceArn"],
        format!("arn:aws:s3:::{state}")
    );
    assert_eq!(
        grant["Condition"]["StringEquals"]["aws:SourceAccount"],
        stores.account
    );

    // The lock table.
    let table = spec.lock_table.clone().unwrap();
    let dynamodb = stores.dynamodb(region);
    let described = dynamodb
        .describe_table()
        .table_name(table.as_str())
        .send()
        .await
        .unwrap();
    let description = described.table().unwrap();
    let key = &description.key_schema()[0];
    assert_eq!(
        (key.attribute_name(), key.key_type().as_str()),
        ("LockID", "HASH")
    );
    assert_eq!(
        description.attribute_definitions()[0]
            .attribute_type()
            .as_str(),
        "S"
    );
    assert_eq!(
        description.billing_mode_summary().unwrap().billing_mode(),
        Some(&BillingMode::PayPerRequest)
    );
    assert_eq!(
        description.sse_description().unwrap().status(),
        Some(&SseStatus::Enabled)
    );
    assert_eq!(description.deletion_protection_enabled(), Some(true));
    let backups = dynamodb
        .describe_continuous_backups()
        .table_name(table.as_str())
        .send()
        .await
        .unwrap();
    let pitr = backups
        .continuous_backups_description()
        .unwrap()
        .point_in_time_recovery_description()
        .unwrap();
    assert_eq!(
        pitr.point_in_time_recovery_status(),
        Some(&PointInTimeRecoveryStatus::Enabled)
    );
    let tags = dynamodb
        .list_tags_of_resource()
        .resource_arn(description.table_arn().unwrap())
        .send()
        .await
        .unwrap();
    let tags: Vec<_> = tags.tags().iter().map(|t| (t.key(), t.value())).collect();
    assert!(tags.contains(&("ManagedBy", "tfstate-toolkit")), "{tags:?}");
}

async fn a_second_run_sends_no_mutating_request_and_reports_everything_unchanged(stores: Stores) {
    let spec = spec(Scope::Full, "eu-west-1");
    provision_on(&stores, &spec).await.unwrap();

    let proxy = RecordingStores::start(stores);
    let report = provision_recorded(&proxy, &spec, false).await.unwrap();
    assert_eq!(report.outcome, Outcome::Unchanged);
    assert!(report.plan.is_noop());
    assert!(
        report
            .plan
            .buckets
            .iter()
            .all(|b| b.action == Action::Unchanged)
    );
    let requests = proxy.requests();
    assert!(
        requests.len() > 40,
        "the run read every setting: {} requests",
        requests.len()
    );
    let mutating: Vec<_> = requests.iter().filter(|r| r.is_mutating()).collect();
    assert!(
        mutating.is_empty(),
        "mutating requests on a no-op run: {mutating:#?}"
    );
}

async fn drift_is_repaired_by_name_and_foreign_policy_statements_and_rules_survive(stores: Stores) {
    let spec = spec(Scope::Full, "us-west-2");
    provision_on(&stores, &spec).await.unwrap();
    let s3 = stores.s3(spec.deployment.region.name());
    let bucket = |kind: ObservabilityKind| {
        spec.observability
            .iter()
            .find(|(k, _)| *k == kind)
            .unwrap()
            .1
            .to_string()
    };
    let (logs, traces, metrics) = (
        bucket(ObservabilityKind::Logs),
        bucket(ObservabilityKind::Traces),
        bucket(ObservabilityKind::Metrics),
    );
    let state = spec.state_bucket.clone().unwrap().to_string();

    // Versioning suspended on traces.
    assert_eq!(
        aws::versioning_status(&s3, &traces).await.as_deref(),
        Some("Enabled")
    );
    s3.put_bucket_versioning()
        .bucket(&traces)
        .versioning_configuration(
            s3t::VersioningConfiguration::builder()
                .status(s3t::BucketVersioningStatus::Suspended)
                .build(),
        )
        .send()
        .await
        .unwrap();
    // The public-access block deleted on metrics.
    s3.delete_public_access_block()
        .bucket(&metrics)
        .send()
        .await
        .unwrap();
    // The logs lifecycle changed: our rule shortened, a rule of someone else's added.
    let foreign_rule = s3t::LifecycleRule::builder()
        .id("team-scratch")
        .status(s3t::ExpirationStatus::Enabled)
        .filter(
            s3t::LifecycleRuleFilter::builder()
                .prefix("scratch/")
                .build(),
        )
        .expiration(s3t::LifecycleExpiration::builder().days(3).build())
        .build()
        .unwrap();
    let shortened = s3t::LifecycleRule::builder()
        .id(RULE_ID)
        .status(s3t::ExpirationStatus::Enabled)
        .filter(s3t::LifecycleRuleFilter::builder().prefix("").build())
        .expiration(s3t::LifecycleExpiration::builder().days(5).build())
        .build()
        .unwrap();
    s3.put_bucket_lifecycle_configuration()
        .bucket(&logs)
        .lifecycle_configuration(
            s3t::BucketLifecycleConfiguration::builder()
                .rules(foreign_rule)
                .rules(shortened)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    // The state bucket's policy replaced by someone else's statement alone.
    let foreign = json!({
        "Sid": "AuditorsRead", "Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{}:role/auditor", stores.account)},
        "Action": "s3:GetObject", "Resource": format!("arn:aws:s3:::{state}/*")
    });
    s3.put_bucket_policy()
        .bucket(&state)
        .policy(json!({"Version": "2012-10-17", "Statement": [foreign]}).to_string())
        .send()
        .await
        .unwrap();

    let report = provision_on(&stores, &spec).await.unwrap();
    assert_eq!(report.outcome, Outcome::Applied);
    let repaired: Vec<(String, Vec<Setting>)> = report
        .plan
        .buckets
        .iter()
        .filter(|b| b.action == Action::Update)
        .map(|b| {
            (
                b.bucket.to_string(),
                b.changes.iter().map(|c| c.setting).collect(),
            )
        })
        .collect();
    let mut expected = vec![
        (state.clone(), vec![Setting::TlsPolicy]),
        (logs.clone(), vec![Setting::Lifecycle]),
        (traces.clone(), vec![Setting::Versioning]),
        (metrics.clone(), vec![Setting::PublicAccessBlock]),
    ];
    expected.sort();
    let mut repaired = repaired;
    repaired.sort();
    assert_eq!(repaired, expected);
    let versioning = &report
        .plan
        .buckets
        .iter()
        .find(|b| b.bucket.as_str() == traces)
        .unwrap()
        .changes[0];
    assert_eq!(
        (versioning.from.as_str(), versioning.to.as_str()),
        ("Suspended", "Enabled")
    );

    // The foreign statement and the foreign rule survived, next to ours.
    let policy = policy_of(&s3, &state).await;
    let sids: Vec<_> = statements(&policy)
        .iter()
        .map(|s| s["Sid"].clone())
        .collect();
    assert_eq!(
        sids,
        [
            json!("AuditorsRead"),
            json!(aws_provisioner::policy::TLS_SID)
        ]
    );
    let lifecycle = s3
        .get_bucket_lifecycle_configuration()
        .bucket(&logs)
        .send()
        .await
        .unwrap();
    let ids: Vec<_> = lifecycle
        .rules()
        .iter()
        .map(|r| r.id().unwrap_or_default())
        .collect();
    assert_eq!(ids, ["team-scratch", RULE_ID]);
    let ours = lifecycle
        .rules()
        .iter()
        .find(|r| r.id() == Some(RULE_ID))
        .unwrap();
    assert_eq!(ours.expiration().unwrap().days(), Some(90));
}

async fn a_dry_run_mutates_nothing(stores: Stores) {
    let spec = spec(Scope::Full, "us-east-2");
    let region = spec.deployment.region.name();
    let proxy = RecordingStores::start(stores);
    let report = provision_recorded(&proxy, &spec, true).await.unwrap();
    assert_eq!(report.outcome, Outcome::DryRun);
    assert_eq!(report.plan.buckets.len(), 5);
    assert!(
        report
            .plan
            .buckets
            .iter()
            .all(|b| b.action == Action::Create)
    );
    assert!(
        proxy.requests().iter().all(|r| !r.is_mutating()),
        "{:#?}",
        proxy.requests()
    );
    let s3 = stores.s3(region);
    for (bucket, _) in spec.managed_buckets() {
        assert!(
            s3.head_bucket()
                .bucket(bucket.as_str())
                .send()
                .await
                .is_err(),
            "{bucket} exists"
        );
    }
    let table = stores
        .dynamodb(region)
        .describe_table()
        .table_name(spec.lock_table.unwrap().as_str())
        .send()
        .await;
    assert!(table.is_err(), "the table exists");
}

#[tokio::test]
async fn two_provisions_at_once_both_succeed() {
    let spec = spec(Scope::Full, "ap-southeast-2");
    let (first, second) = tokio::join!(provision(&spec), provision(&spec));
    let outcomes = [first.unwrap().outcome, second.unwrap().outcome];
    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o, Outcome::Applied | Outcome::Unchanged)),
        "{outcomes:?}"
    );
    assert_eq!(provision(&spec).await.unwrap().outcome, Outcome::Unchanged);
}

async fn exists(s3: &aws::aws_sdk_s3::Client, bucket: &BucketName) -> bool {
    s3.head_bucket()
        .bucket(bucket.as_str())
        .send()
        .await
        .is_ok()
}

#[tokio::test]
async fn each_scope_creates_exactly_its_subset() {
    for (scope, lock, buckets, table) in [
        (Scope::BackendOnly, LockMode::Dynamodb, 1, true),
        (Scope::ObservabilityOnly, LockMode::Dynamodb, 4, false),
        (Scope::Full, LockMode::S3, 5, false),
    ] {
        let chosen = Options {
            lock,
            ..options(scope, "us-east-2")
        };
        let spec = Spec::new(chosen.clone()).unwrap();
        let everything = Spec::new(Options {
            scope: Scope::Full,
            lock: LockMode::Dynamodb,
            ..chosen
        })
        .unwrap();
        provision(&spec).await.unwrap();
        let s3 = s3(&spec);
        let mut present = Vec::new();
        for (bucket, _) in everything.managed_buckets() {
            if exists(&s3, &bucket).await {
                present.push(bucket);
            }
        }
        let wanted: Vec<BucketName> = spec.managed_buckets().into_iter().map(|(b, _)| b).collect();
        assert_eq!(present, wanted, "{scope:?} {lock:?}");
        assert_eq!(present.len(), buckets);
        let table_name = everything.lock_table.unwrap();
        let table_exists = dynamodb(&spec)
            .describe_table()
            .table_name(table_name.as_str())
            .send()
            .await
            .is_ok();
        assert_eq!(table_exists, table, "{scope:?} {lock:?}");
    }
}

#[tokio::test]
async fn a_bucket_name_owned_by_another_account_is_a_clear_error() {
    let spec = spec(Scope::BackendOnly, "us-east-2");
    let state = spec.state_bucket.clone().unwrap();
    let other = aws::s3_as_account(
        &aws::sdk_config_for(moto().endpoint(), "us-east-2"),
        "999999999999",
    );
    other
        .create_bucket()
        .bucket(state.as_str())
        .create_bucket_configuration(
            s3t::CreateBucketConfiguration::builder()
                .location_constraint(s3t::BucketLocationConstraint::UsEast2)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let error = provision(&spec).await.unwrap_err();
    let ProvisionError::Blocked(problems) = &error else {
        panic!("expected a blocked plan, got {error:?}");
    };
    assert_eq!(problems[0].resource, state.as_str());
    assert!(
        problems[0]
            .message
            .contains("belongs to another AWS account"),
        "{error}"
    );
    assert!(!error.is_input(), "this is AWS's state, exit 3");
    assert!(
        error
            .hint()
            .unwrap()
            .contains("choose another --project-name")
    );
    // Nothing was written to their bucket.
    assert_eq!(aws::versioning_status(&other, state.as_str()).await, None);
}

#[tokio::test]
async fn us_east_1_buckets_are_created_without_a_location_constraint() {
    let spec = spec(Scope::BackendOnly, "us-east-1");
    assert_eq!(provision(&spec).await.unwrap().outcome, Outcome::Applied);
    let location = s3(&spec)
        .get_bucket_location()
        .bucket(spec.state_bucket.clone().unwrap().as_str())
        .send()
        .await
        .unwrap();
    // S3 answers no constraint for us-east-1; moto an empty one.
    let constraint = location
        .location_constraint()
        .map(|c| c.as_str().to_owned())
        .unwrap_or_default();
    assert_eq!(constraint, "");
    assert_eq!(provision(&spec).await.unwrap().outcome, Outcome::Unchanged);
}

async fn kms_encryption_uses_the_key_with_a_bucket_key_on_buckets_and_table(stores: Stores) {
    let key = format!(
        "arn:aws:kms:us-east-2:{}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        stores.account
    );
    let key = key.as_str();
    let spec = Spec::new(Options {
        kms_key_id: Some(key.to_owned()),
        ..options(Scope::BackendOnly, "us-east-2")
    })
    .unwrap();
    let region = spec.deployment.region.name();
    provision_on(&stores, &spec).await.unwrap();
    let encryption = stores
        .s3(region)
        .get_bucket_encryption()
        .bucket(spec.state_bucket.clone().unwrap().as_str())
        .send()
        .await
        .unwrap();
    let rule = &encryption
        .server_side_encryption_configuration()
        .unwrap()
        .rules()[0];
    let default = rule.apply_server_side_encryption_by_default().unwrap();
    assert_eq!(default.sse_algorithm(), &s3t::ServerSideEncryption::AwsKms);
    assert_eq!(default.kms_master_key_id(), Some(key));
    assert_eq!(rule.bucket_key_enabled(), Some(true));
    let table = stores
        .dynamodb(region)
        .describe_table()
        .table_name(spec.lock_table.clone().unwrap().as_str())
        .send()
        .await
        .unwrap();
    let sse = table.table().unwrap().sse_description().unwrap();
    assert_eq!(sse.sse_type().map(|t| t.as_str()), Some("KMS"));
    assert_eq!(
        provision_on(&stores, &spec).await.unwrap().outcome,
        Outcome::Unchanged
    );
}

#[tokio::test]
async fn an_existing_bucket_with_kms_encryption_is_adopted_not_downgraded() {
    let spec = spec(Scope::BackendOnly, "us-east-2");
    let state = spec.state_bucket.clone().unwrap();
    let s3 = s3(&spec);
    s3.create_bucket()
        .bucket(state.as_str())
        .create_bucket_configuration(
            s3t::CreateBucketConfiguration::builder()
                .location_constraint(s3t::BucketLocationConstraint::UsEast2)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let kms = s3t::ServerSideEncryptionByDefault::builder()
        .sse_algorithm(s3t::ServerSideEncryption::AwsKms)
        .build()
        .unwrap();
    s3.put_bucket_encryption()
        .bucket(state.as_str())
        .server_side_encryption_configuration(
            s3t::ServerSideEncryptionConfiguration::builder()
                .rules(
                    s3t::ServerSideEncryptionRule::builder()
                        .apply_server_side_encryption_by_default(kms)
                        .build(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let report = provision(&spec).await.unwrap();
    let plan = report
        .plan
        .buckets
        .iter()
        .find(|b| b.bucket == state)
        .unwrap();
    assert_eq!(plan.action, Action::Update, "the bucket existed");
    assert!(
        plan.changes
            .iter()
            .all(|c| c.setting != Setting::Encryption)
    );
    let encryption = s3
        .get_bucket_encryption()
        .bucket(state.as_str())
        .send()
        .await
        .unwrap();
    let rule = &encryption
        .server_side_encryption_configuration()
        .unwrap()
        .rules()[0];
    assert_eq!(
        rule.apply_server_side_encryption_by_default()
            .unwrap()
            .sse_algorithm(),
        &s3t::ServerSideEncryption::AwsKms
    );
}

#[tokio::test]
async fn alarms_are_set_when_a_topic_is_given_and_left_alone_on_a_rerun() {
    let topic = "arn:aws:sns:us-east-2:123456789012:terraform-alerts";
    let spec = Spec::new(Options {
        alarm_topic_arn: Some(topic.to_owned()),
        ..options(Scope::BackendOnly, "us-east-2")
    })
    .unwrap();
    let report = provision(&spec).await.unwrap();
    assert_eq!(report.plan.alarms.len(), 3);
    let cloudwatch =
        aws::aws_sdk_cloudwatch::Client::new(&aws::sdk_config_for(moto().endpoint(), "us-east-2"));
    let names: Vec<String> = spec.alarms().into_iter().map(|a| a.name).collect();
    let found = cloudwatch
        .describe_alarms()
        .set_alarm_names(Some(names.clone()))
        .send()
        .await
        .unwrap();
    let mut found: Vec<_> = found
        .metric_alarms()
        .iter()
        .map(|a| {
            (
                a.alarm_name().unwrap().to_owned(),
                a.metric_name().unwrap().to_owned(),
                a.alarm_actions().to_vec(),
            )
        })
        .collect();
    found.sort();
    let state = spec.state_bucket.clone().unwrap();
    let mut expected = vec![
        (
            format!("{state}-4xx-errors"),
            "4xxErrors".to_owned(),
            vec![topic.to_owned()],
        ),
        (
            format!("{state}-5xx-errors"),
            "5xxErrors".to_owned(),
            vec![topic.to_owned()],
        ),
        (
            format!("locks-{}-write-throttles", spec.deployment.project),
            "WriteThrottleEvents".to_owned(),
            vec![topic.to_owned()],
        ),
    ];
    expected.sort();
    assert_eq!(found, expected);
    let again = provision(&spec).await.unwrap();
    assert_eq!(again.outcome, Outcome::Unchanged);
}

#[tokio::test]
async fn an_access_log_bucket_of_ones_own_gets_only_the_delivery_grant() {
    let base = options(Scope::BackendOnly, "us-east-2");
    let target = unique_name("access-logs");
    let s3 = aws::s3(&aws::sdk_config_for(moto().endpoint(), "us-east-2"));
    s3.create_bucket()
        .bucket(&target)
        .create_bucket_configuration(
            s3t::CreateBucketConfiguration::builder()
                .location_constraint(s3t::BucketLocationConstraint::UsEast2)
                .build(),
        )
        .send()
        .await
        .unwrap();
    // (moto's log-delivery check crashes on a statement whose Principal is the string "*",
    // valid as it is; the object form is equivalent.)
    let theirs = json!({"Sid": "KeepMe", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:DeleteBucket",
        "Resource": format!("arn:aws:s3:::{target}")});
    s3.put_bucket_policy()
        .bucket(&target)
        .policy(json!({"Version": "2012-10-17", "Statement": [theirs.clone()]}).to_string())
        .send()
        .await
        .unwrap();
    let spec = Spec::new(Options {
        access_log_bucket: Some(target.clone()),
        ..base
    })
    .unwrap();
    let report = provision(&spec).await.unwrap();
    let target_plan = report
        .plan
        .buckets
        .iter()
        .find(|b| b.bucket.as_str() == target)
        .unwrap();
    assert_eq!(target_plan.role, BucketRole::LogTarget);
    assert_eq!(
        target_plan
            .changes
            .iter()
            .map(|c| c.setting)
            .collect::<Vec<_>>(),
        [Setting::LogDeliveryPolicy]
    );

    let state = spec.state_bucket.clone().unwrap();
    let logging = s3
        .get_bucket_logging()
        .bucket(state.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(logging.logging_enabled().unwrap().target_bucket(), target);
    let policy = policy_of(&s3, &target).await;
    let statements = statements(&policy);
    assert_eq!(statements[0], theirs);
    assert_eq!(statements.len(), 2);
    // The target's other settings are the user's business.
    assert_eq!(aws::versioning_status(&s3, &target).await, None);

    let missing = Spec::new(Options {
        access_log_bucket: Some(unique_name("no-such-logs")),
        ..options(Scope::BackendOnly, "us-east-2")
    })
    .unwrap();
    let error = provision(&missing).await.unwrap_err();
    assert!(error.is_input(), "{error}");
    assert!(
        error
            .to_string()
            .contains("the --access-log-bucket does not exist")
    );
}

#[tokio::test]
async fn backend_only_without_a_logs_bucket_warns_that_access_logging_is_not_set() {
    let spec = spec(Scope::BackendOnly, "us-east-2");
    let report = provision(&spec).await.unwrap();
    assert_eq!(report.plan.warnings.len(), 1);
    assert!(
        report.plan.warnings[0].contains("server access logging of the state bucket is not set")
    );
    // Provisioning the observability buckets later turns logging on for the state bucket.
    let full = Spec::new(Options {
        deployment: spec.deployment.clone(),
        rules: naming::NamingRules::new(None, None, Some("locks-{project}")).unwrap(),
        ..options(Scope::Full, "us-east-2")
    })
    .unwrap();
    let report = provision(&full).await.unwrap();
    let state = report
        .plan
        .buckets
        .iter()
        .find(|b| b.role == BucketRole::State)
        .unwrap();
    assert_eq!(
        state.changes.iter().map(|c| c.setting).collect::<Vec<_>>(),
        [Setting::AccessLogging]
    );
}

#[tokio::test]
async fn with_a_kms_key_the_log_target_stays_on_sse_s3_and_a_warning_says_why() {
    // P5: S3 delivers no server access logs to a bucket encrypted with SSE-KMS.
    let key = "arn:aws:kms:us-east-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let spec = Spec::new(Options {
        kms_key_id: Some(key.to_owned()),
        ..options(Scope::Full, "us-east-2")
    })
    .unwrap();
    let report = provision(&spec).await.unwrap();
    assert!(
        report
            .plan
            .warnings
            .iter()
            .any(|warning| warning.contains("stays on SSE-S3")),
        "{:?}",
        report.plan.warnings
    );
    let algorithm = |bucket: &BucketName| {
        let s3 = s3(&spec);
        let bucket = bucket.to_string();
        async move {
            s3.get_bucket_encryption()
                .bucket(bucket)
                .send()
                .await
                .unwrap()
                .server_side_encryption_configuration()
                .unwrap()
                .rules()[0]
                .apply_server_side_encryption_by_default()
                .unwrap()
                .sse_algorithm()
                .clone()
        }
    };
    for (kind, bucket) in &spec.observability {
        let expected = match kind {
            ObservabilityKind::Logs => s3t::ServerSideEncryption::Aes256,
            _ => s3t::ServerSideEncryption::AwsKms,
        };
        assert_eq!(algorithm(bucket).await, expected, "{kind}");
    }
    assert_eq!(
        algorithm(spec.state_bucket.as_ref().unwrap()).await,
        s3t::ServerSideEncryption::AwsKms
    );
    assert_eq!(provision(&spec).await.unwrap().outcome, Outcome::Unchanged);
}
