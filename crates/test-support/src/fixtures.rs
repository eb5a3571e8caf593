//! Buckets filled for teardown tests, demos and benchmarks: versioned keys, delete markers,
//! `/`-terminated keys and open multipart uploads, written concurrently.

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{BucketVersioningStatus, VersioningConfiguration};
use futures::{StreamExt, stream};

/// What to put in a bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fill {
    /// Keys `data/key-NNNNNN.json`.
    pub keys: usize,
    /// Versions of each key.
    pub versions: usize,
    /// Keys (among the first) whose current version becomes a delete marker.
    pub delete_markers: usize,
    /// Keys `folder-N/` (empty "folders" as the console makes them).
    pub folder_keys: usize,
    /// Multipart uploads left open.
    pub uploads: usize,
    /// Bytes of each version.
    pub body_size: usize,
}

impl Default for Fill {
    fn default() -> Fill {
        Fill {
            keys: 20,
            versions: 3,
            delete_markers: 5,
            folder_keys: 3,
            uploads: 2,
            body_size: 64,
        }
    }
}

impl Fill {
    /// Object versions the fill writes.
    pub fn object_versions(&self) -> usize {
        self.keys * self.versions + self.folder_keys
    }
}

/// The key of the `index`-th data key.
pub fn key(index: usize) -> String {
    format!("data/key-{index:06}.json")
}

/// Creates `bucket` in `region` with versioning on.
pub async fn versioned_bucket(s3: &aws_sdk_s3::Client, bucket: &str, region: &str) {
    crate::aws::create_bucket(s3, bucket, region).await;
    s3.put_bucket_versioning()
        .bucket(bucket)
        .versioning_configuration(
            VersioningConfiguration::builder()
                .status(BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .expect("turn versioning on");
}

/// Writes `fill` into `bucket` (versioning must be on for more than one version).
pub async fn fill(s3: &aws_sdk_s3::Client, bucket: &str, fill: &Fill) {
    let writes = (0..fill.versions)
        .flat_map(|version| (0..fill.keys).map(move |index| (key(index), version)));
    let puts = writes.chain((0..fill.folder_keys).map(|index| (format!("folder-{index}/"), 0)));
    stream::iter(puts)
        .map(|(key, version)| async move {
            let mut body = format!("{key} version {version} ").into_bytes();
            body.resize(fill.body_size.max(body.len()), b'.');
            body.truncate(fill.body_size);
            s3.put_object()
                .bucket(bucket)
                .key(&key)
                .body(ByteStream::from(body))
                .send()
                .await
                .unwrap_or_else(|error| panic!("put {key}: {error:?}"));
        })
        .buffer_unordered(32)
        .collect::<Vec<()>>()
        .await;
    stream::iter(0..fill.delete_markers)
        .map(|index| async move {
            s3.delete_object()
                .bucket(bucket)
                .key(key(index))
                .send()
                .await
                .expect("a delete marker");
        })
        .buffer_unordered(32)
        .collect::<Vec<()>>()
        .await;
    for index in 0..fill.uploads {
        s3.create_multipart_upload()
            .bucket(bucket)
            .key(format!("uploads/big-{index}.bin"))
            .send()
            .await
            .expect("start a multipart upload");
    }
}

/// What is left in `bucket`: versions and delete markers, and open uploads; `None` when
/// the bucket does not exist.
pub async fn remaining(s3: &aws_sdk_s3::Client, bucket: &str) -> Option<(usize, usize)> {
    if s3.head_bucket().bucket(bucket).send().await.is_err() {
        return None;
    }
    let mut entries = 0;
    let mut marker: Option<(String, String)> = None;
    loop {
        let mut request = s3.list_object_versions().bucket(bucket);
        if let Some((key, version)) = &marker {
            request = request.key_marker(key).version_id_marker(version);
        }
        let page = request.send().await.expect("list versions");
        entries += page.versions().len() + page.delete_markers().len();
        match (page.is_truncated(), page.next_key_marker()) {
            (Some(true), Some(key)) => {
                marker = Some((
                    key.to_owned(),
                    page.next_version_id_marker().unwrap_or_default().to_owned(),
                ))
            }
            _ => break,
        }
    }
    let uploads = s3
        .list_multipart_uploads()
        .bucket(bucket)
        .send()
        .await
        .expect("list uploads")
        .uploads()
        .len();
    Some((entries, uploads))
}

/// Puts one object.
pub async fn put(s3: &aws_sdk_s3::Client, bucket: &str, key: &str, body: &[u8]) {
    s3.put_object()
        .bucket(bucket)
        .key(key)
        .body(ByteStream::from(body.to_vec()))
        .send()
        .await
        .unwrap_or_else(|error| panic!("put {key}: {error:?}"));
}

/// The ways a Deny on deletion is commonly written besides a plain list of actions: a name
/// and the statement's action field.
pub const DELETION_DENIALS: [(&str, &str); 3] = [
    ("wildcard-suffix", r#""Action": "s3:*Object""#),
    ("wildcard-prefix", r#""Action": ["s3:Del*"]"#),
    ("not-action", r#""NotAction": ["s3:Get*", "s3:List*"]"#),
];

/// A policy for `bucket` that denies deletion to everyone with `actions` (one of
/// [`DELETION_DENIALS`]), after `others` (statements as JSON, comma-separated).
pub fn denying_policy(bucket: &str, actions: &str, others: &str) -> String {
    let others = if others.is_empty() {
        String::new()
    } else {
        format!("{others},")
    };
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{others}{{"Sid":"NoDeletes","Effect":"Deny","Principal":"*",{actions},"Resource":["arn:aws:s3:::{bucket}","arn:aws:s3:::{bucket}/*"]}}]}}"#
    )
}

/// What makes a bucket hard to delete: a policy denying deletion to everyone, a lifecycle
/// rule and an event notification.
pub async fn make_stuck(s3: &aws_sdk_s3::Client, bucket: &str) {
    use aws_sdk_s3::types as t;
    let deny = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"NoDeletes","Effect":"Deny","Principal":"*","Action":["s3:DeleteBucket","s3:DeleteObject","s3:DeleteObjectVersion"],"Resource":["arn:aws:s3:::{bucket}","arn:aws:s3:::{bucket}/*"]}}]}}"#
    );
    s3.put_bucket_policy()
        .bucket(bucket)
        .policy(deny)
        .send()
        .await
        .expect("put the policy");
    let rule = t::LifecycleRule::builder()
        .id("archive")
        .status(t::ExpirationStatus::Enabled)
        .filter(t::LifecycleRuleFilter::builder().prefix("").build())
        .expiration(t::LifecycleExpiration::builder().days(365).build())
        .build()
        .expect("a rule");
    s3.put_bucket_lifecycle_configuration()
        .bucket(bucket)
        .lifecycle_configuration(
            t::BucketLifecycleConfiguration::builder()
                .rules(rule)
                .build()
                .expect("a configuration"),
        )
        .send()
        .await
        .expect("put lifecycle");
    let queue = t::QueueConfiguration::builder()
        .queue_arn("arn:aws:sqs:us-east-2:123456789012:events")
        .events(t::Event::S3ObjectCreated)
        .build()
        .expect("a queue configuration");
    s3.put_bucket_notification_configuration()
        .bucket(bucket)
        .notification_configuration(
            t::NotificationConfiguration::builder()
                .queue_configurations(queue)
                .build(),
        )
        .send()
        .await
        .expect("put notifications");
}

/// Whether the bucket has a policy.
pub async fn has_policy(s3: &aws_sdk_s3::Client, bucket: &str) -> bool {
    s3.get_bucket_policy().bucket(bucket).send().await.is_ok()
}

/// The ids of the bucket's lifecycle rules.
pub async fn lifecycle_rule_ids(s3: &aws_sdk_s3::Client, bucket: &str) -> Vec<String> {
    s3.get_bucket_lifecycle_configuration()
        .bucket(bucket)
        .send()
        .await
        .map(|output| {
            output
                .rules()
                .iter()
                .filter_map(|rule| rule.id().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The size of the object at `key`, if there is one.
pub async fn object_size(s3: &aws_sdk_s3::Client, bucket: &str, key: &str) -> Option<i64> {
    let head = s3.head_object().bucket(bucket).key(key).send().await.ok()?;
    head.content_length()
}

/// The `Digest` of the lock table's row `lock_id` (Terraform's `{bucket}/{key}-md5` row),
/// if there is one.
pub async fn lock_digest(
    dynamodb: &aws_sdk_dynamodb::Client,
    table: &str,
    lock_id: &str,
) -> Option<String> {
    let row = dynamodb
        .get_item()
        .table_name(table)
        .key(
            "LockID",
            aws_sdk_dynamodb::types::AttributeValue::S(lock_id.to_owned()),
        )
        .send()
        .await
        .ok()?;
    row.item?.get("Digest")?.as_s().ok().cloned()
}

/// Object Lock protection for [`locked_bucket`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protection {
    /// Governance-mode retention for a day.
    Governance,
    /// Compliance-mode retention for a day.
    Compliance,
    /// A legal hold.
    LegalHold,
}

/// Creates `bucket` with Object Lock and puts `locked.json` under `protection` and
/// `free.json` without.
pub async fn locked_bucket(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    region: &str,
    protection: Protection,
) {
    use aws_sdk_s3::types as t;
    let mut create = s3
        .create_bucket()
        .bucket(bucket)
        .object_lock_enabled_for_bucket(true);
    if region != "us-east-1" {
        create = create.create_bucket_configuration(
            t::CreateBucketConfiguration::builder()
                .location_constraint(t::BucketLocationConstraint::from(region))
                .build(),
        );
    }
    create.send().await.expect("a bucket with Object Lock");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    let until = aws_sdk_s3::primitives::DateTime::from_secs(now as i64 + 86_400);
    let mut put = s3
        .put_object()
        .bucket(bucket)
        .key("locked.json")
        .body(ByteStream::from_static(b"{}"));
    put = match protection {
        Protection::Governance => put
            .object_lock_mode(t::ObjectLockMode::Governance)
            .object_lock_retain_until_date(until),
        Protection::Compliance => put
            .object_lock_mode(t::ObjectLockMode::Compliance)
            .object_lock_retain_until_date(until),
        Protection::LegalHold => {
            put.object_lock_legal_hold_status(t::ObjectLockLegalHoldStatus::On)
        }
    };
    put.send().await.expect("a locked object");
    put_free(s3, bucket).await;
}

async fn put_free(s3: &aws_sdk_s3::Client, bucket: &str) {
    put(s3, bucket, "free.json", b"{}").await;
}

/// Tags `bucket` with one tag (replacing its tag set).
pub async fn tag(s3: &aws_sdk_s3::Client, bucket: &str, key: &str, value: &str) {
    use aws_sdk_s3::types::{Tag, Tagging};
    let tag = Tag::builder()
        .key(key)
        .value(value)
        .build()
        .expect("a complete tag");
    s3.put_bucket_tagging()
        .bucket(bucket)
        .tagging(Tagging::builder().tag_set(tag).build().expect("a tag set"))
        .send()
        .await
        .expect("PutBucketTagging");
}

/// Deletes `key` without a version: in a versioned bucket, a delete marker becomes current.
pub async fn delete(s3: &aws_sdk_s3::Client, bucket: &str, key: &str) {
    s3.delete_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .expect("DeleteObject");
}

/// Puts a row with `lock_id` into the lock table `table` (a lock when it ends in the state
/// key, a digest row when it ends in `-md5`).
pub async fn put_lock_row(dynamodb: &aws_sdk_dynamodb::Client, table: &str, lock_id: &str) {
    use aws_sdk_dynamodb::types::AttributeValue;
    dynamodb
        .put_item()
        .table_name(table)
        .item("LockID", AttributeValue::S(lock_id.to_owned()))
        .item(
            "Digest",
            AttributeValue::S("0123456789abcdef0123456789abcdef".to_owned()),
        )
        .send()
        .await
        .expect("PutItem");
}

/// Puts a lock row (`LockID` and Terraform's `Info` JSON) into the lock table `table`.
pub async fn put_lock(dynamodb: &aws_sdk_dynamodb::Client, table: &str, lock_id: &str, info: &str) {
    use aws_sdk_dynamodb::types::AttributeValue;
    dynamodb
        .put_item()
        .table_name(table)
        .item("LockID", AttributeValue::S(lock_id.to_owned()))
        .item("Info", AttributeValue::S(info.to_owned()))
        .send()
        .await
        .expect("PutItem");
}
