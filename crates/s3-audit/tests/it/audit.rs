//! Hardened buckets pass; each misconfiguration fails exactly its rules; the lock table's
//! contents are judged; the safe fixes turn failures into passes.

use aws_client::Aws as AuditAws;
use naming::ObservabilityKind;
use s3_audit::Status;
use s3_audit::facts::Role;
use serde_json::json;
use test_support::aws::aws_sdk_dynamodb::types::AttributeValue;
use test_support::aws::aws_sdk_s3::types::{
    BucketCannedAcl, BucketLoggingStatus, BucketVersioningStatus, ObjectOwnership,
    OwnershipControls, OwnershipControlsRule, PublicAccessBlockConfiguration,
    VersioningConfiguration,
};

use test_support::{Stores, on_both_stores};

use crate::support::{Project, REGION, audit, audit_on, audit_with, request, s3, with_status};

on_both_stores!(
    a_provisioned_project_passes_every_rule,
    each_misconfiguration_fails_exactly_the_rules_it_should,
    a_stale_lock_and_an_orphaned_digest_are_reported,
    the_safe_fixes_turn_failures_into_passes_and_leave_the_rest_alone,
);

/// The rules `stores` cannot judge because its S3 lacks the API they read: each is a WARN
/// (an unknown fact), never a FAIL nor a PASS.
fn unjudged(stores: &Stores) -> Vec<&'static str> {
    match stores.lacks("GetBucketPolicyStatus") {
        true => vec!["policy-public-status"],
        false => Vec::new(),
    }
}

/// `rules` without those `stores` cannot judge.
fn judged<'a>(stores: &Stores, rules: &[&'a str]) -> Vec<&'a str> {
    let unjudged = unjudged(stores);
    rules
        .iter()
        .copied()
        .filter(|rule| !unjudged.contains(rule))
        .collect()
}

async fn a_provisioned_project_passes_every_rule(stores: Stores) {
    let project = Project::provisioned_on(&stores).await;
    let (_, audit) = audit_on(&stores, &request(project.buckets(), Some(project.table()))).await;
    assert_eq!(audit.subjects.len(), 6);
    for subject in &audit.subjects {
        assert_eq!(
            with_status(&audit, &subject.name, Status::Fail),
            Vec::<&str>::new(),
            "{}",
            subject.name
        );
        let unjudged = match subject.name == project.table() {
            true => Vec::new(),
            false => unjudged(&stores),
        };
        assert_eq!(
            with_status(&audit, &subject.name, Status::Warn),
            unjudged,
            "{}",
            subject.name
        );
    }
    assert!(audit.passed());
    let state = &audit.subjects[0];
    let detail = |id: &str| {
        state
            .findings
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
    assert_eq!(detail("encryption"), "ENABLED (AES256)");
    assert_eq!(detail("versioning"), "ENABLED");
    assert!(
        detail("access-log-target").starts_with("ACCEPTS DELIVERY"),
        "{}",
        detail("access-log-target")
    );
    let table = audit.subjects.last().unwrap();
    assert_eq!(table.name, project.table());
    assert_eq!(with_status(&audit, &project.table(), Status::Pass).len(), 7);
}

/// What a misconfiguration does through the SDK.
enum Break {
    OpenPolicy,
    PublicWritePolicy,
    PublicAclRead,
    PublicAclWrite,
    TwoOfFourBlocks,
    NoEncryption,
    SuspendedVersioning,
    ObjectWriter,
    CrossAccountPolicy,
    NoTlsStatement,
    NoLogging,
}

async fn apply(stores: &Stores, bucket: &str, breakage: &Break) {
    let s3 = stores.s3(REGION);
    let tls = json!({"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*",
        "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}});
    let put_policy = |extra: serde_json::Value| {
        let document =
            json!({"Version": "2012-10-17", "Statement": [tls.clone(), extra]}).to_string();
        s3.put_bucket_policy()
            .bucket(bucket)
            .policy(document)
            .send()
    };
    let ownership = |ownership: ObjectOwnership| {
        s3.put_bucket_ownership_controls()
            .bucket(bucket)
            .ownership_controls(
                OwnershipControls::builder()
                    .rules(
                        OwnershipControlsRule::builder()
                            .object_ownership(ownership)
                            .build()
                            .unwrap(),
                    )
                    .build()
                    .unwrap(),
            )
            .send()
    };
    match breakage {
        Break::OpenPolicy => {
            put_policy(json!({"Sid": "Open", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": format!("arn:aws:s3:::{bucket}/*")})).await.unwrap();
        }
        Break::PublicWritePolicy => {
            put_policy(json!({"Sid": "Drop", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:PutObject", "Resource": format!("arn:aws:s3:::{bucket}/*")})).await.unwrap();
        }
        Break::PublicAclRead | Break::PublicAclWrite => {
            ownership(ObjectOwnership::ObjectWriter).await.unwrap();
            let acl = if matches!(breakage, Break::PublicAclRead) {
                BucketCannedAcl::PublicRead
            } else {
                BucketCannedAcl::AuthenticatedRead
            };
            s3.put_bucket_acl()
                .bucket(bucket)
                .acl(acl)
                .send()
                .await
                .unwrap();
            if matches!(breakage, Break::PublicAclWrite) {
                // moto stores the canned `public-read-write` as read only: grant WRITE itself.
                s3.put_bucket_acl()
                    .bucket(bucket)
                    .grant_write("uri=\"http://acs.amazonaws.com/groups/global/AllUsers\"")
                    .send()
                    .await
                    .unwrap();
            }
        }
        Break::TwoOfFourBlocks => {
            let config = PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .ignore_public_acls(true)
                .block_public_policy(false)
                .restrict_public_buckets(false)
                .build();
            s3.put_public_access_block()
                .bucket(bucket)
                .public_access_block_configuration(config)
                .send()
                .await
                .unwrap();
        }
        Break::NoEncryption => {
            s3.delete_bucket_encryption()
                .bucket(bucket)
                .send()
                .await
                .unwrap();
        }
        Break::SuspendedVersioning => {
            s3.put_bucket_versioning()
                .bucket(bucket)
                .versioning_configuration(
                    VersioningConfiguration::builder()
                        .status(BucketVersioningStatus::Suspended)
                        .build(),
                )
                .send()
                .await
                .unwrap();
        }
        Break::ObjectWriter => {
            ownership(ObjectOwnership::ObjectWriter).await.unwrap();
        }
        Break::CrossAccountPolicy => {
            put_policy(json!({"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject", "Resource": format!("arn:aws:s3:::{bucket}/*")})).await.unwrap();
        }
        Break::NoTlsStatement => {
            s3.delete_bucket_policy()
                .bucket(bucket)
                .send()
                .await
                .unwrap();
        }
        Break::NoLogging => {
            s3.put_bucket_logging()
                .bucket(bucket)
                .bucket_logging_status(BucketLoggingStatus::builder().build())
                .send()
                .await
                .unwrap();
        }
    }
}

async fn each_misconfiguration_fails_exactly_the_rules_it_should(stores: Stores) {
    let cases: [(Break, &[&str]); 11] = [
        (
            Break::OpenPolicy,
            &["policy-public-read", "policy-public-status"],
        ),
        (
            Break::PublicWritePolicy,
            &["policy-public-write", "policy-public-status"],
        ),
        // S3 accepts ACL grants only once ACLs are enabled again: ownership fails too.
        (
            Break::PublicAclRead,
            &["object-ownership", "acl-public-read"],
        ),
        (
            Break::PublicAclWrite,
            &["object-ownership", "acl-public-write"],
        ),
        (Break::TwoOfFourBlocks, &["public-access-block"]),
        (Break::NoEncryption, &["encryption"]),
        (Break::SuspendedVersioning, &["versioning"]),
        (Break::ObjectWriter, &["object-ownership"]),
        (Break::CrossAccountPolicy, &["cross-account"]),
        (Break::NoTlsStatement, &["tls-only"]),
        (Break::NoLogging, &["access-logging"]),
    ];
    let runs = cases.iter().map(|(breakage, expected)| async move {
        let project = Project::provisioned_on(&stores).await;
        let bucket = project.state();
        apply(&stores, &bucket, breakage).await;
        let (_, audit) =
            audit_on(&stores, &request(vec![(bucket.clone(), Role::State)], None)).await;
        (
            with_status(&audit, &bucket, Status::Fail),
            with_status(&audit, &bucket, Status::Warn),
            *expected,
        )
    });
    for (failed, warned, expected) in futures::future::join_all(runs).await {
        assert_eq!(failed, judged(&stores, expected));
        assert_eq!(warned, unjudged(&stores), "{expected:?}");
    }
}

async fn a_stale_lock_and_an_orphaned_digest_are_reported(stores: Stores) {
    let project = Project::provisioned_on(&stores).await;
    let (state, table) = (project.state(), project.table());
    let s3 = stores.s3(REGION);
    s3.put_object()
        .bucket(&state)
        .key("live/terraform.tfstate")
        .body(b"{}".to_vec().into())
        .send()
        .await
        .unwrap();
    let rows = [
        (
            "{state}/stuck/terraform.tfstate",
            Some(
                r#"{"ID":"9db590f1","Operation":"OperationTypeApply","Info":"","Who":"alice@ci-7","Version":"1.0.3","Created":"2026-01-05T08:00:00.000000000Z","Path":"{state}/stuck/terraform.tfstate"}"#,
            ),
        ),
        ("{state}/live/terraform.tfstate-md5", None),
        ("{state}/gone/terraform.tfstate-md5", None),
    ];
    let dynamodb = stores.dynamodb(REGION);
    for (lock_id, info) in rows {
        let mut item = dynamodb.put_item().table_name(&table).item(
            "LockID",
            AttributeValue::S(lock_id.replace("{state}", &state)),
        );
        item = match info {
            Some(info) => item.item("Info", AttributeValue::S(info.replace("{state}", &state))),
            None => item.item(
                "Digest",
                AttributeValue::S("d41d8cd98f00b204e9800998ecf8427e".to_owned()),
            ),
        };
        item.send().await.unwrap();
    }
    let (_, audit) = audit_on(&stores, &request(Vec::new(), Some(table.clone()))).await;
    assert_eq!(
        with_status(&audit, &table, Status::Warn),
        ["stale-locks", "orphaned-digests"]
    );
    let findings = &audit.subjects[0].findings;
    let detail = |id: &str| {
        findings
            .iter()
            .find(|finding| finding.rule.id == id)
            .unwrap()
            .outcome
            .detail
            .clone()
    };
    assert!(detail("stale-locks").starts_with(&format!("1 STALE: {state}/stuck/terraform.tfstate held by alice@ci-7 since 2026-01-05T08:00:00.000000000Z")), "{}", detail("stale-locks"));
    assert_eq!(
        detail("orphaned-digests"),
        format!("1 ORPHANED: {state}/gone/terraform.tfstate-md5")
    );
}

async fn the_safe_fixes_turn_failures_into_passes_and_leave_the_rest_alone(stores: Stores) {
    let project = Project::provisioned_on(&stores).await;
    let state = project.state();
    let logs = project.bucket(ObservabilityKind::Logs);
    for breakage in [
        Break::TwoOfFourBlocks,
        Break::NoEncryption,
        Break::SuspendedVersioning,
        Break::PublicAclWrite,
    ] {
        apply(&stores, &state, &breakage).await;
    }
    // Only an open statement and a user's own encryption-enforcing Deny that happens to be
    // called `DenyInsecureTransport`: the TLS-only statement (and the log-delivery grant)
    // gone.
    let theirs = json!({"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": format!("arn:aws:s3:::{logs}/*"), "Condition": {"Null": {"s3:x-amz-server-side-encryption": "true"}}});
    let open = json!({"Version": "2012-10-17", "Statement": [{"Sid": "Open", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": format!("arn:aws:s3:::{logs}/*")}, theirs.clone()]});
    let s3 = stores.s3(REGION);
    s3.put_bucket_policy()
        .bucket(&logs)
        .policy(open.to_string())
        .send()
        .await
        .unwrap();
    let api = AuditAws::new(&stores.client_config(REGION));
    let targets = request(
        vec![
            (state.clone(), Role::State),
            (logs.clone(), Role::Observability(ObservabilityKind::Logs)),
        ],
        None,
    );
    let (facts, before) = audit_with(&api, &targets).await;
    let fixes = s3_audit::fix::plan(&before, &facts);
    let described: Vec<String> = fixes.iter().map(s3_audit::fix::Fix::describe).collect();
    assert_eq!(
        described,
        [
            format!("{state}: reset the ACL to private"),
            format!("{state}: turn on all four public-access-block settings"),
            format!("{state}: set default encryption AES256"),
            format!("{state}: enable versioning"),
            format!("{state}: set object ownership BucketOwnerEnforced"),
            format!("{logs}: add the TLS-only statement to the bucket policy"),
        ]
    );
    for (fix, result) in s3_audit::fix::apply(&api, &fixes, &facts).await {
        result.unwrap_or_else(|error| panic!("{}: {error}", fix.describe()));
    }
    let (_, after) = audit_with(&api, &targets).await;
    // Replacing the logs bucket's policy dropped its log-delivery grant: the state bucket's
    // log target refuses delivery, which is not a fix the audit makes on its own.
    assert_eq!(
        with_status(&before, &state, Status::Fail),
        [
            "public-access-block",
            "encryption",
            "versioning",
            "object-ownership",
            "acl-public-write",
            "access-log-target"
        ]
    );
    assert_eq!(
        with_status(&after, &state, Status::Fail),
        ["access-log-target"]
    );
    // The open statement is not the audit's to remove: it is reported, and kept.
    assert_eq!(
        with_status(&after, &logs, Status::Fail),
        judged(&stores, &["policy-public-read", "policy-public-status"])
    );
    let policy = s3.get_bucket_policy().bucket(&logs).send().await.unwrap();
    let text = policy.policy().unwrap();
    assert!(
        text.contains("\"Open\"") && text.contains(aws_provisioner::policy::TLS_SID),
        "{text}"
    );
    // A foreign statement is never replaced, whatever its Sid.
    let after: serde_json::Value = serde_json::from_str(text).unwrap();
    assert!(
        after["Statement"].as_array().unwrap().contains(&theirs),
        "the user's statement is kept as it was: {text}"
    );
}

#[tokio::test]
async fn an_api_an_s3_compatible_store_lacks_is_one_unknown_fact_not_a_failed_audit() {
    let behaviour = test_support::behaviour::S3_COMPATIBLE_STORE;
    let project = Project::provisioned().await;
    let proxy = test_support::FaultProxy::start(test_support::moto().endpoint(), behaviour.rules());
    let api = AuditAws::new(&test_support::aws::client_config_for(
        proxy.endpoint(),
        crate::support::REGION,
    ));
    let (facts, audit) =
        audit_with(&api, &request(vec![(project.state(), Role::State)], None)).await;
    let bucket = &facts.buckets[0];
    for fact in [
        bucket.metrics.known().is_none(),
        bucket.ownership.known().is_none(),
        bucket.policy_status.known().is_none(),
    ] {
        assert!(fact, "{}: {bucket:?}", behaviour.id);
    }
    assert_eq!(
        bucket.encryption.known().map(Option::is_some),
        Some(true),
        "the rest is read"
    );
    let details: Vec<&str> = audit.subjects[0]
        .findings
        .iter()
        .map(|finding| finding.outcome.detail.as_str())
        .filter(|detail| detail.contains("NotImplemented"))
        .collect();
    assert!(!details.is_empty(), "{:?}", audit.subjects[0].findings);
}

#[tokio::test]
async fn a_table_read_the_caller_may_not_make_is_one_unknown_fact_not_an_unreadable_table() {
    let behaviour = test_support::behaviour::LEAST_PRIVILEGE_TABLE_READS;
    let project = Project::provisioned().await;
    let proxy = test_support::FaultProxy::start(test_support::moto().endpoint(), behaviour.rules());
    let api = AuditAws::new(&test_support::aws::client_config_for(
        proxy.endpoint(),
        crate::support::REGION,
    ));
    let (facts, audit) = audit_with(&api, &request(Vec::new(), Some(project.table()))).await;
    let table = facts.table.as_ref().expect("the table was read");
    assert_eq!(table.exists.known(), Some(&true), "{}", behaviour.id);
    assert!(table.point_in_time_recovery.known().is_none(), "{table:?}");
    assert_eq!(
        with_status(&audit, &project.table(), Status::Warn),
        ["lock-table-pitr"],
        "only the fact that could not be read is unknown"
    );
    assert_eq!(with_status(&audit, &project.table(), Status::Pass).len(), 6);
}

#[tokio::test]
async fn s3s_own_verdict_judges_a_public_policy_the_audit_cannot_read_as_public() {
    // A1: a home-made reading of "public" misses cases; GetBucketPolicyStatus is S3's.
    let project = Project::provisioned().await;
    let bucket = project.state();
    let proxy = test_support::FaultProxy::start(
        test_support::moto().endpoint(),
        vec![test_support::behaviour::policy_judged_public(&bucket)],
    );
    let api = AuditAws::new(&test_support::aws::client_config_for(
        proxy.endpoint(),
        crate::support::REGION,
    ));
    let (_, audit) = audit_with(&api, &request(vec![(bucket.clone(), Role::State)], None)).await;
    assert_eq!(
        with_status(&audit, &bucket, Status::Fail),
        ["policy-public-status"]
    );
    let finding = audit.subjects[0]
        .findings
        .iter()
        .find(|finding| finding.rule.id == "policy-public-status")
        .unwrap();
    assert!(
        finding.outcome.detail.starts_with("PUBLIC (S3's verdict"),
        "{}",
        finding.outcome.detail
    );
}

#[tokio::test]
async fn a_requester_pays_log_target_is_one_s3_refuses() {
    // P5: S3 refuses a Requester Pays bucket as a server access log target.
    use test_support::aws::aws_sdk_s3::types::{Payer, RequestPaymentConfiguration};
    let project = Project::provisioned().await;
    let (state, logs) = (project.state(), project.bucket(ObservabilityKind::Logs));
    s3().put_bucket_request_payment()
        .bucket(&logs)
        .request_payment_configuration(
            RequestPaymentConfiguration::builder()
                .payer(Payer::Requester)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let (_, audit) = audit(&request(project.buckets(), None)).await;
    assert_eq!(
        with_status(&audit, &state, Status::Fail),
        ["access-log-target"]
    );
    let finding = audit
        .subjects
        .iter()
        .find(|subject| subject.name == state)
        .and_then(|subject| {
            subject
                .findings
                .iter()
                .find(|finding| finding.rule.id == "access-log-target")
        })
        .unwrap();
    assert!(
        finding.outcome.detail.starts_with("REQUESTER PAYS"),
        "{}",
        finding.outcome.detail
    );
}
