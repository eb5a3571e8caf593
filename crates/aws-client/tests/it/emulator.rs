use aws_client::objects::{Entry, Objects, all_versions};
use aws_client::s3::{BucketWrite, Versioning};
use aws_client::{Aws, AwsErrorKind};

/// The toolkit's clients for this process's moto server, in the region test-support's own
/// clients use.
async fn client() -> Aws {
    Aws::connect(&test_support::aws::client_config()).await
}

#[tokio::test]
async fn a_bucket_is_created_versioned_filled_listed_and_emptied() {
    let aws = client().await;
    let bucket = test_support::unique_name("aws-client");
    aws.create_bucket(&bucket, test_support::aws::TEST_REGION)
        .await
        .unwrap();
    assert!(aws.bucket_exists(&bucket).await.unwrap());
    assert_eq!(
        aws.versioning(&bucket).await.unwrap().status,
        Versioning::Never
    );
    aws.write_bucket(&bucket, &BucketWrite::EnableVersioning)
        .await
        .unwrap();
    assert_eq!(
        aws.versioning(&bucket).await.unwrap().status,
        Versioning::Enabled
    );

    let s3 = test_support::aws::s3(&test_support::aws::sdk_config());
    for body in ["first", "second"] {
        s3.put_object()
            .bucket(&bucket)
            .key("state/terraform.tfstate")
            .body(body.as_bytes().to_vec().into())
            .send()
            .await
            .unwrap();
    }
    let entries: Vec<Entry> = all_versions(&aws, &bucket).await.unwrap();
    assert_eq!(entries.len(), 2);
    let latest = entries.iter().find(|e| e.is_latest).unwrap();
    assert_eq!(
        aws.prefix(&bucket, &latest.key, &latest.version_id, 3)
            .await
            .unwrap(),
        "sec"
    );
    assert!(
        aws.delete_objects(&bucket, &entries, false)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(all_versions(&aws, &bucket).await.unwrap().is_empty());
    aws.delete_bucket(&bucket).await.unwrap();
    assert!(!aws.bucket_exists(&bucket).await.unwrap());
    let error = all_versions(&aws, &bucket).await.unwrap_err();
    assert_eq!(
        (error.kind(), error.code()),
        (AwsErrorKind::NotFound, Some("NoSuchBucket"))
    );
}

#[tokio::test]
async fn a_table_is_scanned_page_by_page_and_a_missing_one_is_none() {
    let aws = client().await;
    let table = test_support::unique_name("aws-client-locks");
    let dynamodb = test_support::aws::dynamodb(&test_support::aws::sdk_config());
    test_support::aws::create_table(&dynamodb, &table, "LockID").await;
    for id in ["b/a.tfstate", "b/a.tfstate-md5", "other/x"] {
        test_support::fixtures::put_lock_row(&dynamodb, &table, id).await;
    }
    let rows = aws
        .scan(&table, &["LockID"], Some("b/"))
        .await
        .unwrap()
        .unwrap();
    let mut ids: Vec<_> = rows.iter().map(|row| row["LockID"].clone()).collect();
    ids.sort();
    assert_eq!(ids, ["b/a.tfstate", "b/a.tfstate-md5"]);
    assert_eq!(
        aws.scan("no-such-table", &["LockID"], None).await.unwrap(),
        None
    );
}

#[tokio::test]
async fn once_the_caller_is_known_every_bucket_request_names_the_expected_owner() {
    // P11: S3 honours x-amz-expected-bucket-owner; CreateBucket and ListBuckets take none.
    let proxy = test_support::FaultProxy::start(test_support::moto().endpoint(), Vec::new());
    let aws = Aws::new(&test_support::aws::client_config_for(
        proxy.endpoint(),
        test_support::aws::TEST_REGION,
    ));
    let bucket = test_support::unique_name("owned");
    let account = aws.caller().await.unwrap().account;
    assert_eq!(aws.expected_owner(), Some(account.as_str()));
    aws.create_bucket(&bucket, test_support::aws::TEST_REGION)
        .await
        .unwrap();
    aws.write_bucket(&bucket, &BucketWrite::EnableVersioning)
        .await
        .unwrap();
    aws.versioning(&bucket).await.unwrap();
    aws.policy(&bucket).await.unwrap();
    all_versions(&aws, &bucket).await.unwrap();
    aws.buckets_in_region().await.unwrap();
    let requests = proxy.requests();
    let s3: Vec<_> = requests.iter().filter(|r| r.operation.is_none()).collect();
    assert!(s3.len() >= 6, "{s3:?}");
    for request in s3 {
        let creates_or_lists =
            (request.method == "PUT" && request.query.is_empty()) || request.path == "/";
        let owner = request.header("x-amz-expected-bucket-owner");
        match creates_or_lists {
            true => assert_eq!(owner, None, "{request:?}"),
            false => assert_eq!(owner, Some(account.as_str()), "{request:?}"),
        }
    }
}
