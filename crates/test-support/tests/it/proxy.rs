use std::time::{Duration, Instant};

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_s3::config::retry::RetryConfig;
use test_support::{Fault, FaultProxy, FaultRule, aws, moto, unique_name};

fn s3_through(proxy: &FaultProxy, attempts: u32) -> aws_sdk_s3::Client {
    let config = aws::sdk_config_for(proxy.endpoint(), aws::TEST_REGION)
        .into_builder()
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(attempts)
                .with_initial_backoff(Duration::from_millis(1)),
        )
        .build();
    aws::s3(&config)
}

#[tokio::test]
async fn slowdown_on_every_other_request_is_retried_through() {
    let proxy = FaultProxy::start(
        moto().endpoint(),
        vec![FaultRule::new(Fault::SlowDown, 0.5)],
    );
    let s3 = s3_through(&proxy, 3);
    let bucket = unique_name("proxy-slowdown");
    s3.create_bucket().bucket(&bucket).send().await.unwrap();
    for n in 0..4 {
        s3.put_object()
            .bucket(&bucket)
            .key(format!("k{n}"))
            .send()
            .await
            .unwrap();
    }
    let requests = proxy.requests();
    let faulted = requests
        .iter()
        .filter(|r| r.fault == Some(Fault::SlowDown))
        .count();
    // Every second request is answered 503 SlowDown: CreateBucket goes through, then each
    // PutObject is refused once and retried.
    assert_eq!((faulted, requests.len()), (4, 9), "{requests:#?}");
    assert!(
        requests
            .iter()
            .filter(|r| r.fault.is_some())
            .all(|r| r.status == 503)
    );
    // What reached moto is all there.
    let listed = aws::s3(&aws::sdk_config())
        .list_objects_v2()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.key_count(), Some(4));
}

#[tokio::test]
async fn slowdown_on_every_request_surfaces_as_slowdown() {
    let proxy = FaultProxy::start(
        moto().endpoint(),
        vec![FaultRule::new(Fault::SlowDown, 1.0)],
    );
    let s3 = s3_through(&proxy, 2);
    let error = s3
        .head_bucket()
        .bucket("any-bucket")
        .send()
        .await
        .unwrap_err();
    let raw = error
        .raw_response()
        .map(|response| response.status().as_u16());
    assert_eq!(raw, Some(503));
    assert_eq!(proxy.requests().len(), 2, "the SDK tried twice");
    let error = s3.list_buckets().send().await.unwrap_err();
    assert_eq!(error.code(), Some("SlowDown"));
}

#[tokio::test]
async fn internal_errors_are_retried_and_dynamodb_throttling_speaks_json() {
    let proxy = FaultProxy::start(
        moto().endpoint(),
        vec![
            FaultRule::new(Fault::InternalError, 1.0).matching(|r| r.operation.is_none()),
            FaultRule::new(Fault::SlowDown, 1.0)
                .matching(|r| r.operation.as_deref() == Some("ListTables")),
        ],
    );
    let s3 = s3_through(&proxy, 2);
    let error = s3.list_buckets().send().await.unwrap_err();
    assert_eq!(error.code(), Some("InternalError"));

    let config = aws::sdk_config_for(proxy.endpoint(), aws::TEST_REGION)
        .into_builder()
        .retry_config(RetryConfig::standard().with_max_attempts(1))
        .build();
    let dynamodb = aws::dynamodb(&config);
    let error = dynamodb.list_tables().send().await.unwrap_err();
    assert_eq!(error.code(), Some("ThrottlingException"));
    // A request the rules do not match goes through untouched.
    dynamodb.describe_limits().send().await.unwrap();
    let operations: Vec<_> = proxy
        .requests()
        .into_iter()
        .filter_map(|r| r.operation)
        .collect();
    assert_eq!(operations, ["ListTables", "DescribeLimits"]);
}

#[tokio::test]
async fn dropped_connections_are_retried_through() {
    let proxy = FaultProxy::start(
        moto().endpoint(),
        vec![FaultRule::new(Fault::DropConnection, 0.5)],
    );
    let s3 = s3_through(&proxy, 3);
    let bucket = unique_name("proxy-drop");
    s3.create_bucket().bucket(&bucket).send().await.unwrap();
    s3.head_bucket().bucket(&bucket).send().await.unwrap();
    let requests = proxy.requests();
    assert!(
        requests
            .iter()
            .any(|r| r.fault == Some(Fault::DropConnection) && r.status == 0)
    );
    assert!(
        requests
            .iter()
            .any(|r| r.fault.is_none() && r.status == 200)
    );
}

#[tokio::test]
async fn latency_delays_but_forwards() {
    let delay = Duration::from_millis(200);
    let proxy = FaultProxy::start(
        moto().endpoint(),
        vec![FaultRule::new(Fault::Latency(delay), 1.0)],
    );
    let s3 = s3_through(&proxy, 1);
    let started = Instant::now();
    s3.list_buckets().send().await.unwrap();
    // A lower bound only: the proxy waited before forwarding.
    assert!(started.elapsed() >= delay);
    assert_eq!(proxy.requests()[0].fault, Some(Fault::Latency(delay)));
}

#[tokio::test]
async fn jittered_latency_waits_around_the_mean_and_forwards() {
    let (mean, jitter) = (Duration::from_millis(40), Duration::from_millis(20));
    let fault = Fault::Jittered { mean, jitter };
    let proxy = FaultProxy::start(moto().endpoint(), vec![FaultRule::new(fault.clone(), 1.0)]);
    let s3 = s3_through(&proxy, 1);
    let mut waits = Vec::new();
    for _ in 0..8 {
        let started = Instant::now();
        s3.list_buckets().send().await.unwrap();
        waits.push(started.elapsed());
    }
    // A lower bound only (the emulator's own time adds to each); the spread of the waits
    // is the unit tests' job.
    assert!(waits.iter().all(|wait| *wait >= mean - jitter), "{waits:?}");
    let requests = proxy.requests();
    assert_eq!(requests.len(), 8);
    assert!(
        requests
            .iter()
            .all(|r| r.status == 200 && r.fault == Some(fault.clone()))
    );
}

#[tokio::test]
async fn the_record_tells_reads_from_writes_across_protocols() {
    let proxy = FaultProxy::start(moto().endpoint(), Vec::new());
    let config = aws::sdk_config_for(proxy.endpoint(), aws::TEST_REGION);
    let s3 = aws::s3(&config);
    let bucket = unique_name("proxy-record");
    s3.create_bucket().bucket(&bucket).send().await.unwrap();
    s3.get_bucket_location()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    aws::dynamodb(&config).list_tables().send().await.unwrap();
    let mutating: Vec<bool> = proxy.requests().iter().map(|r| r.is_mutating()).collect();
    assert_eq!(mutating, [true, false, false]);
    proxy.clear();
    assert!(proxy.requests().is_empty());
}
