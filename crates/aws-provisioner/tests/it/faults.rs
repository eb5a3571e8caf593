//! Provisioning converges through throttling, server errors, dropped connections and latency.

use std::time::Duration;

use aws_provisioner::{Outcome, Scope};
use test_support::{Fault, FaultProxy, FaultRule, moto};

use crate::support::{logs_bucket, moto_s3, provision_via, spec};

#[tokio::test]
async fn injected_faults_still_converge() {
    let spec = spec(Scope::Full, "us-east-2");
    let proxy = FaultProxy::start(
        moto().endpoint(),
        vec![
            // About a quarter of all requests fail, far beyond what AWS does. At 43% (1/5,
            // 1/7, 1/11) a HeadBucket once used up its retries in a full parallel run.
            FaultRule::new(Fault::SlowDown, 1.0 / 7.0),
            FaultRule::new(Fault::InternalError, 1.0 / 11.0),
            FaultRule::new(Fault::DropConnection, 1.0 / 13.0),
            FaultRule::new(Fault::Latency(Duration::from_millis(200)), 1.0 / 17.0),
        ],
    );
    let report = provision_via(proxy.endpoint(), &spec, false).await.unwrap();
    assert_eq!(report.outcome, Outcome::Applied);
    let faults: Vec<Fault> = proxy
        .requests()
        .iter()
        .filter_map(|r| r.fault.clone())
        .collect();
    for kind in [
        Fault::SlowDown,
        Fault::InternalError,
        Fault::DropConnection,
        Fault::Latency(Duration::from_millis(200)),
    ] {
        assert!(faults.contains(&kind), "{kind:?} was never injected");
    }
    // Read without faults: everything is in place and nothing is left to do.
    let again = provision_via(moto().endpoint(), &spec, false)
        .await
        .unwrap();
    assert_eq!(again.outcome, Outcome::Unchanged);
}

#[tokio::test]
async fn a_run_stopped_by_faults_halfway_is_finished_by_running_again() {
    let spec = spec(Scope::Full, "eu-west-1");
    // Every PutBucketPolicy fails, so the first run stops with buckets half configured.
    let proxy = FaultProxy::start(
        moto().endpoint(),
        vec![
            FaultRule::new(Fault::InternalError, 1.0)
                .matching(|r| r.method == "PUT" && r.query.contains("policy")),
        ],
    );
    let error = provision_via(proxy.endpoint(), &spec, false)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("PutBucketPolicy"), "{error}");
    let report = provision_via(moto().endpoint(), &spec, false)
        .await
        .unwrap();
    assert_eq!(report.outcome, Outcome::Applied);
    assert!(
        report
            .plan
            .buckets
            .iter()
            .all(|b| b.action == aws_provisioner::Action::Update)
    );
    assert_eq!(
        provision_via(moto().endpoint(), &spec, false)
            .await
            .unwrap()
            .outcome,
        Outcome::Unchanged
    );
}

#[tokio::test]
async fn a_new_lock_table_gets_point_in_time_recovery_once_aws_allows_it() {
    let behaviour = test_support::behaviour::PITR_UNAVAILABLE_AFTER_CREATE;
    let spec = spec(Scope::BackendOnly, "us-east-2");
    let proxy = FaultProxy::start(moto().endpoint(), behaviour.rules());
    let report = provision_via(proxy.endpoint(), &spec, false)
        .await
        .unwrap_or_else(|error| panic!("{} ({}): {error}", behaviour.id, behaviour.summary));
    assert_eq!(report.outcome, Outcome::Applied, "verified after the waits");
    let answers: Vec<u16> = proxy
        .requests()
        .iter()
        .filter(|r| r.operation.as_deref() == Some("UpdateContinuousBackups"))
        .map(|r| r.status)
        .collect();
    assert_eq!(answers, [400, 400, 200], "tried again until AWS allowed it");
}

#[tokio::test]
async fn a_name_taken_in_another_region_is_not_said_to_be_ours() {
    // P7: HeadBucket answers 301 with the bucket's region before it checks who owns it.
    let spec = spec(Scope::BackendOnly, "us-east-2");
    let state = spec.state_bucket.clone().unwrap();
    let proxy = FaultProxy::start(
        moto().endpoint(),
        vec![test_support::behaviour::bucket_in_region(
            state.as_str(),
            "eu-west-1",
        )],
    );
    let error = provision_via(proxy.endpoint(), &spec, false)
        .await
        .unwrap_err();
    let text = error.to_string();
    assert!(
        text.contains("a bucket of this name is in eu-west-1")
            && text.contains("another account's"),
        "{text}"
    );
    assert!(error.hint().unwrap().contains("--region eu-west-1"));
    assert!(
        proxy.requests().iter().all(|r| !r.is_mutating()),
        "nothing was changed"
    );
}

#[tokio::test]
async fn writes_to_a_bucket_created_a_moment_ago_wait_until_s3_sees_it() {
    let behaviour = test_support::behaviour::NO_SUCH_BUCKET_AFTER_CREATE;
    let spec = spec(Scope::BackendOnly, "us-east-2");
    let proxy = FaultProxy::start(moto().endpoint(), behaviour.rules());
    let report = provision_via(proxy.endpoint(), &spec, false)
        .await
        .unwrap_or_else(|error| panic!("{} ({}): {error}", behaviour.id, behaviour.summary));
    assert_eq!(report.outcome, Outcome::Applied, "verified after the waits");
    let refused = proxy
        .requests()
        .iter()
        .filter(|r| r.status == 404 && r.method == "PUT")
        .count();
    assert_eq!(
        refused, 3,
        "the first writes were answered NoSuchBucket and tried again"
    );
}

#[tokio::test]
async fn a_bucket_whose_acl_grants_log_delivery_gets_ownership_enforced_in_a_safe_order() {
    // P4: S3 refuses BucketOwnerEnforced while the ACL grants others, as on a logs bucket
    // the old scripts made with the log-delivery-write ACL.
    let spec = spec(Scope::Full, "us-east-2");
    let logs = logs_bucket(&spec);
    let s3 = moto_s3("us-east-2");
    s3.create_bucket()
        .bucket(&logs)
        .acl(test_support::aws::aws_sdk_s3::types::BucketCannedAcl::from(
            "log-delivery-write",
        ))
        .create_bucket_configuration(
            test_support::aws::aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint("us-east-2".into())
                .build(),
        )
        .send()
        .await
        .unwrap();
    let proxy = FaultProxy::start(
        moto().endpoint(),
        vec![test_support::behaviour::bucket_with_legacy_acl(&logs)],
    );
    let report = provision_via(proxy.endpoint(), &spec, false)
        .await
        .unwrap_or_else(|error| panic!("P4: {error}"));
    assert_eq!(report.outcome, Outcome::Applied);
    let writes: Vec<(String, u16)> = proxy
        .requests()
        .into_iter()
        .filter(|r| {
            r.path.trim_end_matches('/') == format!("/{logs}")
                && r.method == "PUT"
                && !r.query.is_empty()
        })
        .map(|r| {
            (
                r.query.split('=').next().unwrap_or_default().to_owned(),
                r.status,
            )
        })
        .collect();
    let at = |query: &str, status: u16| {
        writes
            .iter()
            .position(|(q, s)| q == query && *s == status)
            .unwrap_or_else(|| panic!("no {query} answered {status}: {writes:?}"))
    };
    assert_eq!(at("ownershipControls", 400), 0, "{writes:?}");
    assert!(
        at("policy", 200) < at("acl", 200),
        "delivery by policy first: {writes:?}"
    );
    assert!(at("acl", 200) < at("ownershipControls", 200), "{writes:?}");
}

#[tokio::test]
async fn a_lock_table_key_given_as_an_alias_converges_on_the_arn_dynamodb_reports() {
    // P1: DynamoDB reports the table's key as its ARN, whatever form --kms-key-id had.
    let alias = format!("alias/{}", test_support::unique_name("locks"));
    let config = test_support::aws::sdk_config_for(moto().endpoint(), "us-east-2");
    let arn = test_support::aws::kms_key_with_alias(&config, &alias).await;
    let spec = aws_provisioner::Spec::new(aws_provisioner::Options {
        kms_key_id: Some(alias.clone()),
        ..crate::support::options(Scope::BackendOnly, "us-east-2")
    })
    .unwrap();
    let proxy = FaultProxy::start(
        moto().endpoint(),
        vec![test_support::behaviour::table_key_reported_as_arn(
            &alias, &arn,
        )],
    );
    let report = provision_via(proxy.endpoint(), &spec, false)
        .await
        .unwrap_or_else(|error| panic!("P1: {error}"));
    assert_eq!(report.outcome, Outcome::Applied);
    let updates = proxy
        .requests()
        .iter()
        .filter(|r| r.operation.as_deref() == Some("UpdateTable"))
        .count();
    assert_eq!(updates, 0, "the key was never written again");
    let again = provision_via(proxy.endpoint(), &spec, false).await.unwrap();
    assert_eq!(again.outcome, Outcome::Unchanged, "{:?}", again.plan.table);
}

#[tokio::test]
async fn a_caller_refused_some_table_reads_still_provisions_and_is_told_what_it_could_not_check() {
    // P10: DescribeContinuousBackups and ListTagsOfResource refused, DescribeTable allowed.
    let behaviour = test_support::behaviour::LEAST_PRIVILEGE_TABLE_READS;
    let spec = spec(Scope::BackendOnly, "us-east-2");
    provision_via(moto().endpoint(), &spec, false)
        .await
        .unwrap();
    let proxy = FaultProxy::start(moto().endpoint(), behaviour.rules());
    let report = provision_via(proxy.endpoint(), &spec, false)
        .await
        .unwrap_or_else(|error| panic!("{}: {error}", behaviour.id));
    assert_eq!(report.outcome, Outcome::Unchanged);
    let warnings = report.plan.warnings.join("\n");
    assert!(
        warnings.contains("point-in-time recovery of") && warnings.contains("the tags of"),
        "{warnings}"
    );
    assert!(proxy.requests().iter().all(|r| !r.is_mutating()));
}

#[tokio::test]
async fn a_stale_read_after_a_write_is_looked_at_again_before_not_converged() {
    let behaviour = test_support::behaviour::STALE_LIFECYCLE_AFTER_PUT;
    let spec = spec(Scope::Full, "us-east-2");
    let proxy = FaultProxy::start(moto().endpoint(), behaviour.rules());
    let report = provision_via(proxy.endpoint(), &spec, false)
        .await
        .unwrap_or_else(|error| panic!("{} ({}): {error}", behaviour.id, behaviour.summary));
    assert_eq!(report.outcome, Outcome::Applied);
    let stale = proxy
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.has_query("lifecycle") && r.fault.is_some())
        .count();
    assert_eq!(stale, 2, "the verification read stale configurations first");
}

#[tokio::test]
async fn rewriting_lifecycle_rules_keeps_the_buckets_minimum_object_size() {
    // P6: a Put without TransitionDefaultMinimumObjectSize resets it to S3's default.
    use test_support::aws::aws_sdk_s3::types as s3t;
    let spec = spec(Scope::Full, "us-east-2");
    let logs = logs_bucket(&spec);
    let s3 = moto_s3("us-east-2");
    test_support::fixtures::versioned_bucket(&s3, &logs, "us-east-2").await;
    let theirs = s3t::LifecycleRule::builder()
        .id("their-rule")
        .status(s3t::ExpirationStatus::Enabled)
        .filter(s3t::LifecycleRuleFilter::builder().prefix("tmp/").build())
        .expiration(s3t::LifecycleExpiration::builder().days(3).build())
        .build()
        .unwrap();
    s3.put_bucket_lifecycle_configuration()
        .bucket(&logs)
        .lifecycle_configuration(
            s3t::BucketLifecycleConfiguration::builder()
                .rules(theirs)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let proxy = FaultProxy::start(
        moto().endpoint(),
        vec![test_support::behaviour::bucket_with_minimum_object_size(
            &logs,
            "varies_by_storage_class",
        )],
    );
    let report = provision_via(proxy.endpoint(), &spec, false)
        .await
        .unwrap_or_else(|error| panic!("P6: {error}"));
    assert_eq!(report.outcome, Outcome::Applied);
    let puts: Vec<Option<String>> = proxy
        .requests()
        .iter()
        .filter(|r| {
            r.method == "PUT"
                && r.path.trim_end_matches('/') == format!("/{logs}")
                && r.has_query("lifecycle")
        })
        .map(|r| {
            r.header("x-amz-transition-default-minimum-object-size")
                .map(str::to_owned)
        })
        .collect();
    assert_eq!(puts, [Some("varies_by_storage_class".to_owned())]);
}

#[tokio::test]
async fn a_public_statement_in_the_policy_is_named_before_anything_changes() {
    // P8: under BlockPublicPolicy, S3 refuses a policy write that keeps a public statement.
    let spec = spec(Scope::BackendOnly, "us-east-2");
    let state = spec.state_bucket.clone().unwrap().to_string();
    let s3 = moto_s3("us-east-2");
    test_support::fixtures::versioned_bucket(&s3, &state, "us-east-2").await;
    let open = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Sid": "Website",
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
        "Resource": format!("arn:aws:s3:::{state}/*")}]});
    s3.put_bucket_policy()
        .bucket(&state)
        .policy(open.to_string())
        .send()
        .await
        .unwrap();
    let proxy = FaultProxy::start(
        moto().endpoint(),
        vec![test_support::behaviour::bucket_blocking_public_policies(
            &state,
        )],
    );
    let error = provision_via(proxy.endpoint(), &spec, false)
        .await
        .unwrap_err();
    let text = error.to_string();
    assert!(
        text.contains("`Website` makes the bucket public") && text.contains("Block Public Access"),
        "P8: {text}"
    );
    let changed: Vec<String> = proxy
        .requests()
        .iter()
        .filter(|r| r.is_mutating() && r.path.contains(&state))
        .map(|r| format!("{} {}?{}", r.method, r.path, r.query))
        .collect();
    assert!(
        changed.is_empty(),
        "nothing of the bucket changed: {changed:?}"
    );
}
