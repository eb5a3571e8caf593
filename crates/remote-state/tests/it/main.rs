//! remote-state against moto over HTTP and the real Terraform 1.0.3: states Terraform wrote,
//! their versions restored, their digests broken and repaired, their locks released.

mod locks;
mod records;
mod terraform;

use aws_client::Aws;
use remote_state::{Depth, Survey, Target};
use test_support::{aws, moto, unique_name};

pub(crate) const REGION: &str = "us-east-1";

/// A versioned state bucket and a lock table of a test's own.
pub(crate) struct Place {
    pub(crate) target: Target,
    pub(crate) aws: Aws,
    pub(crate) s3: aws::S3,
    pub(crate) dynamodb: aws::DynamoDb,
}

impl Place {
    pub(crate) async fn new() -> Place {
        let bucket = unique_name("states");
        let table = unique_name("locks");
        let s3 = aws::s3(&aws::sdk_config());
        let dynamodb = aws::dynamodb(&aws::sdk_config());
        test_support::fixtures::versioned_bucket(&s3, &bucket, REGION).await;
        aws::create_table(&dynamodb, &table, "LockID").await;
        Place {
            target: Target {
                bucket,
                table: Some(table),
                lockfiles: false,
            },
            aws: Aws::new(&aws::client_config_for(moto().endpoint(), REGION)),
            s3,
            dynamodb,
        }
    }

    pub(crate) fn bucket(&self) -> &str {
        &self.target.bucket
    }

    pub(crate) fn table(&self) -> &str {
        self.target.table.as_deref().unwrap()
    }

    pub(crate) async fn survey(&self, prefix: &str, depth: Depth) -> Survey {
        remote_state::survey(&self.aws, &self.target, prefix, depth)
            .await
            .expect("the survey reads everything")
    }

    /// The digest row's value, read back with the SDK.
    pub(crate) async fn digest(&self, key: &str) -> Option<String> {
        let item =
            self.dynamodb
                .get_item()
                .table_name(self.table())
                .key(
                    "LockID",
                    aws::aws_sdk_dynamodb::types::AttributeValue::S(
                        remote_state::records::digest_id(self.bucket(), key),
                    ),
                )
                .consistent_read(true)
                .send()
                .await
                .unwrap();
        item.item()
            .and_then(|item| item.get("Digest"))
            .and_then(|value| value.as_s().ok())
            .cloned()
    }

    /// Writes a row as Terraform writes it.
    pub(crate) async fn put_row(&self, lock_id: &str, attribute: &str, value: &str) {
        self.dynamodb
            .put_item()
            .table_name(self.table())
            .item(
                "LockID",
                aws::aws_sdk_dynamodb::types::AttributeValue::S(lock_id.to_owned()),
            )
            .item(
                attribute,
                aws::aws_sdk_dynamodb::types::AttributeValue::S(value.to_owned()),
            )
            .send()
            .await
            .unwrap();
    }
}
