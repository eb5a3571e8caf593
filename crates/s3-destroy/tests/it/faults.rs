//! Faults between the SDK and S3: every key still ends deleted, exactly the planned ones,
//! and a bucket that was not named is never touched.

use std::sync::Arc;

use aws_client::Aws as DestroyAws;
use s3_destroy::{Options, Tuning};
use test_support::fixtures::{self, Fill};
use test_support::{Fault, FaultProxy, FaultRule, aws, moto, unique_name};

use crate::{REGION, destroy, s3};

fn deletes(record: &test_support::RequestRecord) -> bool {
    record.method == "POST"
        && record
            .query
            .split('&')
            .any(|pair| pair.starts_with("delete"))
}

#[tokio::test]
async fn slowdown_per_key_errors_and_dropped_connections_still_delete_every_key() {
    let s3 = s3();
    let bucket = unique_name("faulty");
    let bystander = unique_name("bystander");
    let fill = Fill {
        keys: 400,
        versions: 2,
        delete_markers: 50,
        folder_keys: 3,
        uploads: 2,
        body_size: 16,
    };
    for name in [&bucket, &bystander] {
        fixtures::versioned_bucket(&s3, name, REGION).await;
        fixtures::fill(&s3, name, &fill).await;
    }
    let before = fixtures::remaining(&s3, &bystander).await;

    let proxy = FaultProxy::start(
        moto().endpoint(),
        vec![
            FaultRule::new(Fault::SlowDown, 1.0 / 3.0).matching(deletes),
            FaultRule::new(Fault::KeyErrors, 1.0 / 2.0).matching(deletes),
            FaultRule::new(Fault::DropConnection, 1.0 / 7.0),
        ],
    );
    let store = Arc::new(DestroyAws::new(&aws::client_config_for(
        proxy.endpoint(),
        REGION,
    )));
    let tuning = Tuning {
        batch_size: 50,
        backoff: std::time::Duration::from_millis(5),
        ..Tuning::default()
    };
    let (tally, counted) = destroy(store, &bucket, Options::default(), tuning).await;

    let planned = (fill.object_versions() + 50) as u64;
    assert_eq!(
        tally.versions_deleted + tally.delete_markers_deleted,
        planned
    );
    assert_eq!(counted, planned, "each entry counted once");
    assert!(
        tally.keys_retried > 0,
        "the per-key errors were retried: {tally:?}"
    );
    assert!(tally.bucket_deleted);
    assert_eq!(fixtures::remaining(&s3, &bucket).await, None);

    let records = proxy.requests();
    for fault in [Fault::SlowDown, Fault::KeyErrors, Fault::DropConnection] {
        assert!(
            records.iter().any(|r| r.fault.as_ref() == Some(&fault)),
            "{fault:?} was injected"
        );
    }
    let touched: Vec<_> = records
        .iter()
        .filter(|r| r.path.trim_start_matches('/').split('/').next() == Some(bystander.as_str()))
        .collect();
    assert!(touched.is_empty(), "the bystander was sent {touched:?}");
    assert_eq!(fixtures::remaining(&s3, &bystander).await, before);
}

#[tokio::test]
async fn a_key_s3_refuses_is_reported_and_the_bucket_kept() {
    let s3 = s3();
    let bucket = unique_name("refused");
    fixtures::versioned_bucket(&s3, &bucket, REGION).await;
    fixtures::fill(
        &s3,
        &bucket,
        &Fill {
            keys: 5,
            versions: 1,
            delete_markers: 0,
            folder_keys: 0,
            uploads: 0,
            body_size: 4,
        },
    )
    .await;
    // Every DeleteObjects fails every key, more often than the attempts allow.
    let proxy = FaultProxy::start(
        moto().endpoint(),
        vec![FaultRule::new(Fault::KeyErrors, 1.0).matching(deletes)],
    );
    let store = Arc::new(DestroyAws::new(&aws::client_config_for(
        proxy.endpoint(),
        REGION,
    )));
    let inventory = s3_destroy::inventory(&*store, &bucket).await.unwrap();
    let plan = s3_destroy::plan(&inventory, Options::default(), chrono::Utc::now()).unwrap();
    let tuning = Tuning {
        attempts: 3,
        backoff: std::time::Duration::from_millis(1),
        ..Tuning::default()
    };
    let error = s3_destroy::execute(
        store,
        &plan,
        &inventory,
        tuning,
        Arc::new(|_: u64, _: u64| {}),
    )
    .await
    .unwrap_err();
    match error {
        s3_destroy::ExecuteError::Keys { failed, .. } => {
            assert_eq!(failed.len(), 5);
            assert!(
                failed
                    .iter()
                    .all(|key| key.code == "GaveUp" && key.message.contains("after 3 attempts"))
            );
        }
        other => panic!("expected the keys to be reported, got {other}"),
    }
    assert_eq!(
        fixtures::remaining(&s3, &bucket).await,
        Some((5, 0)),
        "nothing deleted, the bucket kept"
    );
}

#[tokio::test]
async fn a_bucket_that_reads_as_not_empty_for_a_while_after_the_last_delete_is_still_deleted() {
    let behaviour = test_support::behaviour::BUCKET_NOT_EMPTY_AFTER_DELETES;
    let s3 = s3();
    let bucket = unique_name("settling");
    fixtures::versioned_bucket(&s3, &bucket, REGION).await;
    fixtures::fill(&s3, &bucket, &Fill::default()).await;
    let proxy = FaultProxy::start(moto().endpoint(), behaviour.rules());
    let store = Arc::new(DestroyAws::new(&aws::client_config_for(
        proxy.endpoint(),
        REGION,
    )));
    let (tally, _) = destroy(store, &bucket, Options::default(), Tuning::default()).await;
    assert!(tally.bucket_deleted, "{}: {tally:?}", behaviour.id);
    let answers: Vec<u16> = proxy
        .requests()
        .iter()
        .filter(|r| {
            r.method == "DELETE" && r.query.is_empty() && r.path.trim_matches('/') == bucket
        })
        .map(|r| r.status)
        .collect();
    assert_eq!(answers.first(), Some(&409), "{answers:?}");
    assert_eq!(answers.last(), Some(&204), "{answers:?}");
    assert_eq!(fixtures::remaining(&s3, &bucket).await, None);
}
