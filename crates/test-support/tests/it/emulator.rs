use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
    ScalarAttributeType,
};
use aws_sdk_s3::primitives::ByteStream;
use test_support::{aws, moto, terraform, unique_name};

#[tokio::test]
async fn a_bucket_created_through_the_sdk_is_read_back() {
    let config = aws::sdk_config();
    let s3 = aws::s3(&config);
    let bucket = unique_name("harness-bucket");

    s3.create_bucket().bucket(&bucket).send().await.unwrap();
    s3.put_object()
        .bucket(&bucket)
        .key("providers/aws/regions/us-east-1/terraform.tfstate")
        .body(ByteStream::from_static(b"{\"version\": 4}"))
        .send()
        .await
        .unwrap();

    let listed = s3.list_buckets().send().await.unwrap();
    assert!(
        listed
            .buckets()
            .iter()
            .any(|b| b.name() == Some(bucket.as_str()))
    );
    let object = s3
        .get_object()
        .bucket(&bucket)
        .key("providers/aws/regions/us-east-1/terraform.tfstate")
        .send()
        .await
        .unwrap();
    let body = object.body.collect().await.unwrap().into_bytes();
    assert_eq!(&body[..], b"{\"version\": 4}");
}

#[tokio::test]
async fn a_bucket_outside_us_east_1_keeps_its_location() {
    let config = aws::sdk_config_for(moto().endpoint(), "eu-west-1");
    let s3 = aws::s3(&config);
    let bucket = unique_name("harness-eu");
    s3.create_bucket()
        .bucket(&bucket)
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::EuWest1)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let location = s3
        .get_bucket_location()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    assert_eq!(
        location.location_constraint(),
        Some(&aws_sdk_s3::types::BucketLocationConstraint::EuWest1)
    );
}

#[tokio::test]
async fn a_lock_table_created_through_the_sdk_is_read_back() {
    let dynamodb = aws::dynamodb(&aws::sdk_config());
    let table = unique_name("harness-locks");

    dynamodb
        .create_table()
        .table_name(&table)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("LockID")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("LockID")
                .key_type(KeyType::Hash)
                .build()
                .unwrap(),
        )
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .unwrap();
    dynamodb
        .put_item()
        .table_name(&table)
        .item("LockID", AttributeValue::S("bucket/key-md5".to_owned()))
        .item("Digest", AttributeValue::S("0123".to_owned()))
        .send()
        .await
        .unwrap();

    let described = dynamodb
        .describe_table()
        .table_name(&table)
        .send()
        .await
        .unwrap();
    let description = described.table().unwrap();
    let key = &description.key_schema()[0];
    assert_eq!(
        (key.attribute_name(), key.key_type()),
        ("LockID", &KeyType::Hash)
    );
    assert_eq!(
        description
            .billing_mode_summary()
            .and_then(|b| b.billing_mode()),
        Some(&BillingMode::PayPerRequest)
    );
    let item = dynamodb
        .get_item()
        .table_name(&table)
        .key("LockID", AttributeValue::S("bucket/key-md5".to_owned()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        item.item().unwrap().get("Digest"),
        Some(&AttributeValue::S("0123".to_owned()))
    );
}

#[test]
fn terraform_1_0_3_runs() {
    let output = std::process::Command::new(terraform())
        .arg("version")
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.starts_with("Terraform v1.0.3"), "{text}");
}

#[test]
fn every_test_of_this_binary_shares_one_server() {
    assert_eq!(moto().endpoint(), moto().endpoint());
    assert!(moto().endpoint().starts_with("http://127.0.0.1:"));
    let (status, _) = moto().control("GET", "/moto-api/data.json").unwrap();
    assert_eq!(status, 200);
}

#[test]
fn a_server_started_here_reports_the_cpu_time_it_used() {
    use test_support::{Harness, MotoOptions, MotoServer};
    let server = MotoServer::start(&Harness::locate().unwrap(), &MotoOptions::default()).unwrap();
    let before = server
        .cpu_seconds()
        .expect("the CPU time of a server this process started");
    // Enough requests for the emulator to spend well over one clock tick (10 ms).
    for _ in 0..300 {
        let (status, _) = server.control("GET", "/moto-api/data.json").unwrap();
        assert_eq!(status, 200);
    }
    let after = server.cpu_seconds().unwrap();
    assert!(after > before, "{before} s, then {after} s");
    let external = MotoServer::external(server.endpoint()).unwrap();
    assert_eq!(external.cpu_seconds(), None, "not this process's child");
}
