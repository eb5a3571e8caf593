//! Whole buckets emptied and deleted.

use s3_destroy::model::Versioning;
use s3_destroy::{Options, Step, Tuning};
use test_support::aws::aws_sdk_s3::types as s3t;
use test_support::fixtures::{self, Fill};
use test_support::{Stores, on_both_stores, unique_name};

use crate::{REGION, destroy, s3, store, store_on};

on_both_stores!(
    a_full_versioned_replicating_bucket_ends_gone_with_nothing_left,
    small_batches_and_a_bucket_that_is_gone_already,
    an_unversioned_bucket_and_expiry_via_lifecycle,
    keys_of_any_character_are_listed_url_encoded_and_all_deleted,
);

/// Replicates `bucket` to a new bucket (S3 wants versioning on both and a role ARN).
async fn replicate(
    stores: &Stores,
    s3: &test_support::aws::aws_sdk_s3::Client,
    bucket: &str,
) -> String {
    let target = unique_name("replica");
    fixtures::versioned_bucket(s3, &target, REGION).await;
    let rule = s3t::ReplicationRule::builder()
        .id("everything")
        .status(s3t::ReplicationRuleStatus::Enabled)
        .priority(1)
        .filter(s3t::ReplicationRuleFilter::builder().prefix("").build())
        .delete_marker_replication(
            s3t::DeleteMarkerReplication::builder()
                .status(s3t::DeleteMarkerReplicationStatus::Disabled)
                .build(),
        )
        .destination(
            s3t::Destination::builder()
                .bucket(format!("arn:aws:s3:::{target}"))
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    s3.put_bucket_replication()
        .bucket(bucket)
        .replication_configuration(
            s3t::ReplicationConfiguration::builder()
                .role(format!("arn:aws:iam::{}:role/replication", stores.account))
                .rules(rule)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("put replication");
    target
}

async fn a_full_versioned_replicating_bucket_ends_gone_with_nothing_left(stores: Stores) {
    let s3 = stores.s3(REGION);
    let bucket = unique_name("full");
    fixtures::versioned_bucket(&s3, &bucket, REGION).await;
    let fill = Fill {
        keys: 1200,
        versions: 2,
        delete_markers: 40,
        folder_keys: 4,
        uploads: 3,
        body_size: 32,
    };
    fixtures::fill(&s3, &bucket, &fill).await;
    let replica = replicate(&stores, &s3, &bucket).await;

    let store = store_on(&stores);
    let inventory = s3_destroy::inventory(&*store, &bucket).await.unwrap();
    let settings = inventory.settings.clone().unwrap();
    assert_eq!(settings.versioning, Some(Versioning::Enabled));
    assert!(settings.replication);
    let counts = inventory.counts();
    assert_eq!(counts.versions, fill.object_versions() as u64);
    assert_eq!(counts.delete_markers, 40);
    assert_eq!(counts.folder_keys, 4);
    assert_eq!(counts.uploads, 3);
    assert_eq!(counts.bytes, 32 * fill.object_versions() as u64);
    let plan = s3_destroy::plan(&inventory, Options::default(), chrono::Utc::now()).unwrap();
    assert!(
        matches!(plan.steps[0], Step::Remove { .. }),
        "replication goes first: {plan:?}"
    );

    let (tally, counted) = destroy(store, &bucket, Options::default(), Tuning::default()).await;
    assert_eq!(tally.versions_deleted, fill.object_versions() as u64);
    assert_eq!(tally.delete_markers_deleted, 40);
    assert_eq!(tally.uploads_aborted, 3);
    assert_eq!(counted, fill.object_versions() as u64 + 40);
    assert!(tally.bucket_deleted);
    assert_eq!(
        fixtures::remaining(&s3, &bucket).await,
        None,
        "the bucket is gone"
    );
    // The replica is another bucket: untouched.
    assert_eq!(fixtures::remaining(&s3, &replica).await, Some((0, 0)));
}

async fn small_batches_and_a_bucket_that_is_gone_already(stores: Stores) {
    let s3 = stores.s3(REGION);
    let bucket = unique_name("small-batches");
    fixtures::versioned_bucket(&s3, &bucket, REGION).await;
    let fill = Fill {
        keys: 30,
        versions: 3,
        delete_markers: 10,
        folder_keys: 2,
        uploads: 1,
        body_size: 8,
    };
    fixtures::fill(&s3, &bucket, &fill).await;
    let tuning = Tuning {
        batch_size: 7,
        batches_in_flight: 3,
        ..Tuning::default()
    };
    let (tally, _) = destroy(store_on(&stores), &bucket, Options::default(), tuning).await;
    assert_eq!(
        tally.versions_deleted + tally.delete_markers_deleted,
        30 * 3 + 2 + 10
    );
    assert_eq!(fixtures::remaining(&s3, &bucket).await, None);

    // Running again finds nothing to do.
    let (again, _) = destroy(
        store_on(&stores),
        &bucket,
        Options::default(),
        Tuning::default(),
    )
    .await;
    assert_eq!((again.versions_deleted, again.bucket_deleted), (0, false));
}

async fn an_unversioned_bucket_and_expiry_via_lifecycle(stores: Stores) {
    let s3 = stores.s3(REGION);
    let plain = unique_name("plain");
    test_support::aws::create_bucket(&s3, &plain, REGION).await;
    fixtures::fill(
        &s3,
        &plain,
        &Fill {
            keys: 15,
            versions: 1,
            delete_markers: 0,
            folder_keys: 1,
            uploads: 0,
            body_size: 4,
        },
    )
    .await;
    let (tally, _) = destroy(
        store_on(&stores),
        &plain,
        Options::default(),
        Tuning::default(),
    )
    .await;
    assert_eq!(tally.versions_deleted, 16);
    assert_eq!(fixtures::remaining(&s3, &plain).await, None);

    let large = unique_name("large");
    fixtures::versioned_bucket(&s3, &large, REGION).await;
    fixtures::fill(&s3, &large, &Fill::default()).await;
    let options = Options {
        expire_via_lifecycle: true,
        emergency: true,
        ..Options::default()
    };
    let (tally, _) = destroy(store_on(&stores), &large, options, Tuning::default()).await;
    assert!(tally.expiry_rules_put && !tally.bucket_deleted);
    let rules = s3
        .get_bucket_lifecycle_configuration()
        .bucket(&large)
        .send()
        .await
        .unwrap();
    let rules = rules.rules();
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[0].expiration().and_then(|e| e.days()), Some(1));
    assert_eq!(
        rules[0]
            .noncurrent_version_expiration()
            .and_then(|e| e.noncurrent_days()),
        Some(1)
    );
    assert_eq!(
        rules[0]
            .abort_incomplete_multipart_upload()
            .and_then(|a| a.days_after_initiation()),
        Some(1)
    );
    assert_eq!(
        rules[1]
            .expiration()
            .and_then(|e| e.expired_object_delete_marker()),
        Some(true)
    );
    // Nothing was deleted from here.
    assert_eq!(
        fixtures::remaining(&s3, &large).await,
        Some((Fill::default().object_versions() + 5, 2))
    );
}

#[tokio::test]
async fn a_denial_written_with_wildcards_or_not_action_is_removed_and_the_rest_kept() {
    use s3_destroy::Store;
    use s3_destroy::api::Config;
    let s3 = s3();
    for (name, actions) in test_support::fixtures::DELETION_DENIALS {
        let bucket = test_support::unique_name(&format!("deny-{name}"));
        test_support::fixtures::versioned_bucket(&s3, &bucket, REGION).await;
        let readers = format!(
            r#"{{"Sid":"Readers","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::123456789012:root"}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::{bucket}/*"}}"#
        );
        let policy = test_support::fixtures::denying_policy(&bucket, actions, &readers);
        s3.put_bucket_policy()
            .bucket(&bucket)
            .policy(&policy)
            .send()
            .await
            .unwrap();
        assert!(s3_destroy::plan::denies_deletion(&policy), "{name}");

        store().remove(&bucket, Config::Policy).await.unwrap();

        let kept = s3.get_bucket_policy().bucket(&bucket).send().await.unwrap();
        let kept: serde_json::Value = serde_json::from_str(kept.policy().unwrap()).unwrap();
        let sids: Vec<&str> = kept["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .map(|statement| statement["Sid"].as_str().unwrap())
            .collect();
        assert_eq!(sids, ["Readers"], "{name}: only the denial goes");
    }
}

async fn keys_of_any_character_are_listed_url_encoded_and_all_deleted(stores: Stores) {
    // T7: without encoding-type=url a listing cannot carry every character a key holds.
    // LocalStack encodes listings as S3 does; moto ignores the parameter, so the proxy's
    // rule encodes for it.
    let behaviour = test_support::behaviour::LISTINGS_URL_ENCODED;
    let rules = match stores.is_moto() {
        true => behaviour.rules(),
        false => Vec::new(),
    };
    let bucket = test_support::unique_name("encoded");
    let s3 = stores.s3(REGION);
    test_support::fixtures::versioned_bucket(&s3, &bucket, crate::REGION).await;
    let keys = [
        "dir/a b+c%20d&e.tfstate",
        "tenants/ünïcødé ✓/terraform.tfstate",
        "odd/<angle> 'quote' \"double\"",
    ];
    for key in keys {
        test_support::fixtures::put(&s3, &bucket, key, b"{}").await;
        test_support::fixtures::put(&s3, &bucket, key, b"{ }").await;
    }
    let proxy = test_support::FaultProxy::start(stores.s3, rules);
    let store = std::sync::Arc::new(aws_client::Aws::new(
        &stores.client_config_via(proxy.endpoint(), REGION),
    ));
    let inventory = s3_destroy::inventory(&*store, &bucket).await.unwrap();
    let mut listed: Vec<&str> = inventory.entries.iter().map(|e| e.key.as_str()).collect();
    listed.dedup();
    let mut expected = keys.to_vec();
    expected.sort();
    listed.sort();
    listed.dedup();
    assert_eq!(listed, expected, "{}: the keys as they are", behaviour.id);
    let (tally, _) = crate::destroy(
        store,
        &bucket,
        s3_destroy::Options::default(),
        s3_destroy::Tuning::default(),
    )
    .await;
    assert_eq!(tally.versions_deleted, 6);
    assert_eq!(test_support::fixtures::remaining(&s3, &bucket).await, None);
    let listings: Vec<_> = proxy
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.has_query("versions"))
        .collect();
    assert!(
        !listings.is_empty()
            && listings
                .iter()
                .all(|r| r.query.split('&').any(|pair| pair == "encoding-type=url")),
        "{listings:?}"
    );
}
