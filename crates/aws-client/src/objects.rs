//! Objects and their versions: listing, reading, Object Lock state, and deleting in
//! batches. The calls teardown and the remote-state tools repeat thousands of times are
//! behind the [`Objects`] trait, which [`crate::mock::MockClient`] (versions in memory) and
//! [`crate::failure::FailureClient`] (errors on cue) also implement, so the code around
//! them is tested without a server.

use std::future::Future;
use std::pin::Pin;

use aws_sdk_s3::types as s3t;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::{Stream, stream};
use serde::Serialize;

use crate::Aws;
use crate::error::{AwsError, AwsErrorKind, classify, optional, status};
use crate::s3::RetentionMode;

/// One entry of ListObjectVersions: an object version or a delete marker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The key, `/`-terminated "folder" keys included.
    pub key: String,
    /// The version id; `null` for objects written before versioning was turned on.
    pub version_id: String,
    /// Bytes (0 for a delete marker).
    pub size: u64,
    /// A delete marker rather than an object version.
    pub delete_marker: bool,
    /// The current version of its key.
    pub is_latest: bool,
    /// In an archive storage class (GLACIER, DEEP_ARCHIVE): unreadable until restored.
    pub archived: bool,
    /// When this version was written (`None` where a store leaves it out).
    pub last_modified: Option<DateTime<Utc>>,
}

/// An in-progress multipart upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Upload {
    /// The key being uploaded.
    pub key: String,
    /// Its upload id.
    pub upload_id: String,
}

/// The Object Lock protection of one object version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lock {
    /// The key.
    pub key: String,
    /// The version.
    pub version_id: String,
    /// Retention, with the date it ends.
    pub retention: Option<(RetentionMode, DateTime<Utc>)>,
    /// A legal hold is on.
    pub legal_hold: bool,
}

/// One page of ListObjectVersions, and where the next starts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page {
    /// Versions and delete markers, in S3's order.
    pub entries: Vec<Entry>,
    /// The key and version markers of the next page; `None` on the last.
    pub next: Option<(String, String)>,
}

/// A key the DeleteObjects answer lists under `Error` (the request itself succeeded).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyError {
    /// The key.
    pub key: String,
    /// The version.
    pub version_id: String,
    /// S3's error code, such as `SlowDown`, `InternalError`, `AccessDenied`.
    pub code: String,
    /// S3's message.
    pub message: String,
}

impl KeyError {
    /// Whether trying the key again may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.code.as_str(),
            "SlowDown"
                | "InternalError"
                | "ServiceUnavailable"
                | "RequestTimeout"
                | "OperationAborted"
                | "Throttling"
        )
    }
}

/// An object's content, chunk by chunk.
pub type Body = Pin<Box<dyn Stream<Item = Result<Bytes, AwsError>> + Send>>;

/// The storage classes whose objects GetObject refuses (403 `InvalidObjectState`) until
/// they are restored. GLACIER_IR is read like any other class.
pub const ARCHIVE_CLASSES: [&str; 2] = ["GLACIER", "DEEP_ARCHIVE"];

/// The most keys one DeleteObjects request takes (S3's limit).
pub const MAX_DELETE_BATCH: usize = 1_000;

/// The object calls made per entry, by the thousand.
pub trait Objects: Send + Sync {
    /// One page of versions and delete markers, from `marker` (the start when `None`).
    fn list_versions(
        &self,
        bucket: &str,
        marker: Option<&(String, String)>,
    ) -> impl Future<Output = Result<Page, AwsError>> + Send;
    /// The first `bytes` bytes of one version (fewer when it is shorter).
    fn prefix(
        &self,
        bucket: &str,
        key: &str,
        version_id: &str,
        bytes: u64,
    ) -> impl Future<Output = Result<Bytes, AwsError>> + Send;
    /// DeleteObjects for at most [`MAX_DELETE_BATCH`] versions; the keys the answer lists
    /// as errors.
    fn delete_objects(
        &self,
        bucket: &str,
        entries: &[Entry],
        bypass_governance: bool,
    ) -> impl Future<Output = Result<Vec<KeyError>, AwsError>> + Send;
}

/// Every version and delete marker of `bucket`, page after page.
pub async fn all_versions<C: Objects>(client: &C, bucket: &str) -> Result<Vec<Entry>, AwsError> {
    let mut entries = Vec::new();
    let mut marker = None;
    loop {
        let page = client.list_versions(bucket, marker.as_ref()).await?;
        entries.extend(page.entries);
        match page.next {
            Some(next) => marker = Some(next),
            None => return Ok(entries),
        }
    }
}

fn chrono_time(time: &aws_smithy_types::DateTime) -> DateTime<Utc> {
    DateTime::from_timestamp(time.secs(), time.subsec_nanos()).unwrap_or_default()
}

impl Aws {
    /// One page of ListObjectVersions, of the keys under `prefix` when given.
    async fn versions_page(
        &self,
        bucket: &str,
        prefix: Option<&str>,
        marker: Option<&(String, String)>,
    ) -> Result<Page, AwsError> {
        // No max-keys: S3 answers 1,000 entries a page, its maximum, and a compatible store
        // may answer more (moto's cost is per request, not per entry).
        // URL-encoded keys: XML 1.0 cannot carry every character a key may hold (T7).
        let mut request = self
            .s3
            .list_object_versions()
            .bucket(bucket)
            .encoding_type(s3t::EncodingType::Url)
            .set_prefix(prefix.map(str::to_owned));
        if let Some((key, version)) = marker {
            request = request.key_marker(key).version_id_marker(version);
        }
        let output = request
            .send()
            .await
            .map_err(|error| classify("ListObjectVersions", bucket, error))?;
        let key = |raw: Option<&str>| listed_key(raw, output.encoding_type());
        let mut entries =
            Vec::with_capacity(output.versions().len() + output.delete_markers().len());
        for version in output.versions() {
            entries.push(Entry {
                key: key(version.key()),
                version_id: version.version_id().unwrap_or("null").to_owned(),
                size: version.size().unwrap_or_default().max(0) as u64,
                delete_marker: false,
                is_latest: version.is_latest().unwrap_or_default(),
                archived: version
                    .storage_class()
                    .is_some_and(|class| ARCHIVE_CLASSES.contains(&class.as_str())),
                last_modified: version.last_modified().map(chrono_time),
            });
        }
        for marker in output.delete_markers() {
            entries.push(Entry {
                key: key(marker.key()),
                version_id: marker.version_id().unwrap_or("null").to_owned(),
                size: 0,
                delete_marker: true,
                is_latest: marker.is_latest().unwrap_or_default(),
                archived: false,
                last_modified: marker.last_modified().map(chrono_time),
            });
        }
        let next = match (output.is_truncated(), output.next_key_marker()) {
            (Some(true), Some(marker)) => Some((
                key(Some(marker)),
                output
                    .next_version_id_marker()
                    .unwrap_or_default()
                    .to_owned(),
            )),
            _ => None,
        };
        Ok(Page { entries, next })
    }

    /// Every version and delete marker of the keys under `prefix`, every page.
    pub async fn versions_under(&self, bucket: &str, prefix: &str) -> Result<Vec<Entry>, AwsError> {
        let mut entries = Vec::new();
        let mut marker = None;
        loop {
            let page = self
                .versions_page(bucket, Some(prefix), marker.as_ref())
                .await?;
            entries.extend(page.entries);
            match page.next {
                Some(next) => marker = Some(next),
                None => return Ok(entries),
            }
        }
    }
}

/// One object version's bytes, read whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectBytes {
    /// The bytes.
    pub bytes: Bytes,
    /// The version they are (`null` in an unversioned bucket).
    pub version_id: String,
    /// The ETag, quotes included, for a conditional write or delete of this version.
    pub etag: Option<String>,
}

/// What a CopyObject made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    /// The new version's id.
    pub version_id: String,
    /// The new object's ETag, without its quotes: the MD5 of its bytes when it is neither
    /// KMS-encrypted nor multipart.
    pub etag: Option<String>,
}

/// What a conditional write or delete found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    /// The condition held and the request took effect.
    Held,
    /// The condition did not hold (412 Precondition Failed, 409 ConditionalRequestConflict):
    /// nothing changed.
    Failed,
}

/// The key of a copy source, as CopyObject wants it: `bucket/key?versionId=v`, the key
/// URL-encoded (slashes kept).
fn copy_source(bucket: &str, key: &str, version_id: &str) -> String {
    const KEY: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'/')
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    let key = percent_encoding::utf8_percent_encode(key, KEY);
    match version_id {
        "null" => format!("{bucket}/{key}"),
        version => format!("{bucket}/{key}?versionId={version}"),
    }
}

/// Whether an error is a condition that did not hold.
fn condition_failed<E>(
    error: &aws_sdk_s3::error::SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
) -> bool {
    matches!(status(error), Some(412 | 409))
}

impl Aws {
    /// One version (the current one when `version_id` is `None`) of an object, whole, or an
    /// error naming its size when it is larger than `max_bytes`, before any byte is read.
    pub async fn object_bytes(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
        max_bytes: u64,
    ) -> Result<ObjectBytes, AwsError> {
        let resource = format!("{bucket}/{key}");
        let output = self
            .s3
            .get_object()
            .bucket(bucket)
            .key(key)
            .set_version_id(version_id.filter(|v| *v != "null").map(str::to_owned))
            .send()
            .await
            .map_err(|error| classify("GetObject", &resource, error))?;
        let size = output.content_length().unwrap_or_default().max(0) as u64;
        if size > max_bytes {
            return Err(AwsError::invalid(
                "GetObject",
                resource,
                format!("{size} bytes, more than the {max_bytes} a state may have here"),
            ));
        }
        let version = output.version_id().unwrap_or("null").to_owned();
        let etag = output.e_tag().map(str::to_owned);
        let body = output.body.collect().await.map_err(|error| {
            AwsError::new(
                "GetObject",
                &resource,
                AwsErrorKind::Network,
                error.to_string(),
            )
        })?;
        Ok(ObjectBytes {
            bytes: body.into_bytes(),
            version_id: version,
            etag,
        })
    }

    /// Copies `version_id` of `key` to `to_key` of the same bucket, as a new current version
    /// there (onto `key` itself, it makes an old version current again and the history
    /// keeps every version); the new version's id.
    pub async fn copy_version(
        &self,
        bucket: &str,
        key: &str,
        version_id: &str,
        to_key: &str,
    ) -> Result<Copied, AwsError> {
        let output = self
            .s3
            .copy_object()
            .bucket(bucket)
            .key(to_key)
            .copy_source(copy_source(bucket, key, version_id))
            .send()
            .await
            .map_err(|error| classify("CopyObject", &format!("{bucket}/{to_key}"), error))?;
        Ok(Copied {
            version_id: output.version_id().unwrap_or("null").to_owned(),
            etag: output
                .copy_object_result()
                .and_then(|result| result.e_tag())
                .map(|etag| etag.trim_matches('"').to_owned()),
        })
    }

    /// Deletes `key`'s current version the way a plain DeleteObject does: in a versioned
    /// bucket a delete marker goes on top and every version stays. The marker's version id.
    pub async fn delete_current(&self, bucket: &str, key: &str) -> Result<String, AwsError> {
        let output = self
            .s3
            .delete_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map_err(|error| classify("DeleteObject", &format!("{bucket}/{key}"), error))?;
        Ok(output.version_id().unwrap_or("null").to_owned())
    }

    /// Deletes one version of an object for good.
    pub async fn delete_version(
        &self,
        bucket: &str,
        key: &str,
        version_id: &str,
    ) -> Result<(), AwsError> {
        self.s3
            .delete_object()
            .bucket(bucket)
            .key(key)
            .version_id(version_id)
            .send()
            .await
            .map(drop)
            .map_err(|error| classify("DeleteObject", &format!("{bucket}/{key}"), error))
    }

    /// Writes `body` to `key` as its new current version (the SDK's checksum of the body
    /// is checked by S3 on arrival).
    pub async fn put_object(
        &self,
        bucket: &str,
        key: &str,
        body: Vec<u8>,
        content_type: &str,
    ) -> Result<(), AwsError> {
        self.s3
            .put_object()
            .bucket(bucket)
            .key(key)
            .content_type(content_type)
            .body(body.into())
            .send()
            .await
            .map(drop)
            .map_err(|error| classify("PutObject", &format!("{bucket}/{key}"), error))
    }

    /// Writes `body` to `key` only if no object is there (`If-None-Match: *`), as Terraform
    /// takes an S3 lock file.
    pub async fn put_if_absent(
        &self,
        bucket: &str,
        key: &str,
        body: Vec<u8>,
    ) -> Result<Condition, AwsError> {
        let result = self
            .s3
            .put_object()
            .bucket(bucket)
            .key(key)
            .if_none_match("*")
            .content_type("application/json")
            .body(body.into())
            .send()
            .await;
        match result {
            Ok(_) => Ok(Condition::Held),
            Err(error) if condition_failed(&error) => Ok(Condition::Failed),
            Err(error) => Err(classify("PutObject", &format!("{bucket}/{key}"), error)),
        }
    }

    /// Deletes `key` (a lock file) only while it is still the object whose ETag is `etag`.
    pub async fn delete_if_match(
        &self,
        bucket: &str,
        key: &str,
        etag: &str,
    ) -> Result<Condition, AwsError> {
        let result = self
            .s3
            .delete_object()
            .bucket(bucket)
            .key(key)
            .if_match(etag)
            .send()
            .await;
        match result {
            Ok(_) => Ok(Condition::Held),
            Err(error) if condition_failed(&error) => Ok(Condition::Failed),
            Err(error) => Err(classify("DeleteObject", &format!("{bucket}/{key}"), error)),
        }
    }
}

impl Objects for Aws {
    async fn list_versions(
        &self,
        bucket: &str,
        marker: Option<&(String, String)>,
    ) -> Result<Page, AwsError> {
        self.versions_page(bucket, None, marker).await
    }

    async fn prefix(
        &self,
        bucket: &str,
        key: &str,
        version_id: &str,
        bytes: u64,
    ) -> Result<Bytes, AwsError> {
        let resource = format!("{bucket}/{key}");
        let mut request = self
            .s3
            .get_object()
            .bucket(bucket)
            .key(key)
            .range(format!("bytes=0-{}", bytes.saturating_sub(1)));
        if version_id != "null" {
            request = request.version_id(version_id);
        }
        let output = request
            .send()
            .await
            .map_err(|error| classify("GetObject", &resource, error))?;
        let body = output.body.collect().await.map_err(|error| {
            AwsError::new(
                "GetObject",
                resource,
                AwsErrorKind::Network,
                error.to_string(),
            )
        })?;
        Ok(body.into_bytes())
    }

    async fn delete_objects(
        &self,
        bucket: &str,
        entries: &[Entry],
        bypass_governance: bool,
    ) -> Result<Vec<KeyError>, AwsError> {
        let objects = entries
            .iter()
            .map(|entry| {
                s3t::ObjectIdentifier::builder()
                    .key(&entry.key)
                    .version_id(&entry.version_id)
                    .build()
                    .map_err(|error| AwsError::invalid("DeleteObjects", bucket, error.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let delete = s3t::Delete::builder()
            .set_objects(Some(objects))
            .quiet(true)
            .build()
            .map_err(|error| AwsError::invalid("DeleteObjects", bucket, error.to_string()))?;
        let mut request = self.s3.delete_objects().bucket(bucket).delete(delete);
        if bypass_governance {
            request = request.bypass_governance_retention(true);
        }
        let output = request
            .send()
            .await
            .map_err(|error| classify("DeleteObjects", bucket, error))?;
        Ok(output
            .errors()
            .iter()
            .map(|error| KeyError {
                key: error.key().unwrap_or_default().to_owned(),
                version_id: error.version_id().unwrap_or("null").to_owned(),
                code: error.code().unwrap_or("Unknown").to_owned(),
                message: error.message().unwrap_or_default().to_owned(),
            })
            .collect())
    }
}

impl Aws {
    /// Every in-progress multipart upload.
    pub async fn list_uploads(&self, bucket: &str) -> Result<Vec<Upload>, AwsError> {
        let mut uploads = Vec::new();
        let mut markers: Option<(String, String)> = None;
        loop {
            let mut request = self
                .s3
                .list_multipart_uploads()
                .bucket(bucket)
                .encoding_type(s3t::EncodingType::Url);
            if let Some((key, upload)) = &markers {
                request = request.key_marker(key).upload_id_marker(upload);
            }
            let output = request
                .send()
                .await
                .map_err(|error| classify("ListMultipartUploads", bucket, error))?;
            let key = |raw: Option<&str>| listed_key(raw, output.encoding_type());
            uploads.extend(output.uploads().iter().map(|upload| Upload {
                key: key(upload.key()),
                upload_id: upload.upload_id().unwrap_or_default().to_owned(),
            }));
            match (output.is_truncated(), output.next_key_marker()) {
                (Some(true), Some(marker)) => {
                    markers = Some((
                        key(Some(marker)),
                        output
                            .next_upload_id_marker()
                            .unwrap_or_default()
                            .to_owned(),
                    ));
                }
                _ => return Ok(uploads),
            }
        }
    }

    /// Aborts one multipart upload (one already gone is not an error).
    pub async fn abort_upload(&self, bucket: &str, upload: &Upload) -> Result<(), AwsError> {
        let result = self
            .s3
            .abort_multipart_upload()
            .bucket(bucket)
            .key(&upload.key)
            .upload_id(&upload.upload_id)
            .send()
            .await;
        optional("AbortMultipartUpload", bucket, result, &["NoSuchUpload"]).map(drop)
    }

    /// The retention and legal hold of one version, from GetObjectRetention and
    /// GetObjectLegalHold (sent together). HeadObject would take one request, but S3 leaves
    /// the Object Lock headers out for a caller not allowed to read them, so that a locked
    /// version looks free (aws-behaviour.md T1); these two fail loudly instead, with
    /// AccessDenied, and the run stops before it deletes anything.
    pub async fn lock(&self, bucket: &str, entry: &Entry) -> Result<Lock, AwsError> {
        let resource = format!("{bucket}/{}", entry.key);
        let version = (entry.version_id != "null").then_some(entry.version_id.as_str());
        let retention = self
            .s3
            .get_object_retention()
            .bucket(bucket)
            .key(&entry.key)
            .set_version_id(version.map(str::to_owned))
            .send();
        let hold = self
            .s3
            .get_object_legal_hold()
            .bucket(bucket)
            .key(&entry.key)
            .set_version_id(version.map(str::to_owned))
            .send();
        let (retention, hold) = futures::join!(retention, hold);
        // A version that never had a retention or a hold answers
        // NoSuchObjectLockConfiguration.
        let none = ["NoSuchObjectLockConfiguration"];
        let retention = optional("GetObjectRetention", &resource, retention, &none)?
            .and_then(|output| output.retention().cloned())
            .and_then(|retention| {
                let mode = match retention.mode()? {
                    s3t::ObjectLockRetentionMode::Compliance => RetentionMode::Compliance,
                    _ => RetentionMode::Governance,
                };
                Some((mode, chrono_time(retention.retain_until_date()?)))
            });
        let legal_hold = optional("GetObjectLegalHold", &resource, hold, &none)?
            .and_then(|output| output.legal_hold().and_then(|hold| hold.status().cloned()))
            == Some(s3t::ObjectLockLegalHoldStatus::On);
        Ok(Lock {
            key: entry.key.clone(),
            version_id: entry.version_id.clone(),
            retention,
            legal_hold,
        })
    }

    /// The id of `key`'s current version (HEAD Object): `None` when there is no object or
    /// a delete marker is on top.
    pub async fn current_version(
        &self,
        bucket: &str,
        key: &str,
    ) -> Result<Option<String>, AwsError> {
        match self.s3.head_object().bucket(bucket).key(key).send().await {
            Ok(output) => Ok(Some(output.version_id().unwrap_or("null").to_owned())),
            Err(error) if status(&error) == Some(404) => Ok(None),
            Err(error) => Err(classify("HeadObject", &format!("{bucket}/{key}"), error)),
        }
    }

    /// Whether an object exists (HEAD Object).
    pub async fn object_exists(&self, bucket: &str, key: &str) -> Result<bool, AwsError> {
        match self.s3.head_object().bucket(bucket).key(key).send().await {
            Ok(_) => Ok(true),
            Err(error) if status(&error) == Some(404) => Ok(false),
            Err(error) => Err(classify("HeadObject", &format!("{bucket}/{key}"), error)),
        }
    }

    /// One version's content, as it arrives.
    pub async fn body(&self, bucket: &str, key: &str, version_id: &str) -> Result<Body, AwsError> {
        let mut request = self.s3.get_object().bucket(bucket).key(key);
        if version_id != "null" {
            request = request.version_id(version_id);
        }
        let output = request
            .send()
            .await
            .map_err(|error| classify("GetObject", &format!("{bucket}/{key}"), error))?;
        let resource = format!("{bucket}/{key}");
        let chunks = stream::unfold(Some(output.body), move |body| {
            let resource = resource.clone();
            async move {
                let mut body = body?;
                match body.next().await {
                    None => None,
                    Some(Ok(bytes)) => Some((Ok(bytes), Some(body))),
                    Some(Err(error)) => Some((
                        Err(AwsError::new(
                            "GetObject",
                            resource,
                            AwsErrorKind::Network,
                            error.to_string(),
                        )),
                        None,
                    )),
                }
            }
        });
        Ok(Box::pin(chunks))
    }
}

/// A key as a listing gave it: decoded when the answer says it is URL-encoded (S3 encodes
/// as a form does, a space as `+`); as it came otherwise (a store that ignores
/// `encoding-type=url` sends keys as they are, and decoding those would change them).
fn listed_key(raw: Option<&str>, encoding: Option<&s3t::EncodingType>) -> String {
    let raw = raw.unwrap_or_default();
    match encoding {
        Some(s3t::EncodingType::Url) => {
            percent_encoding::percent_decode_str(&raw.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned()
        }
        _ => raw.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_copy_source_encodes_the_key_and_names_the_version() {
        use super::copy_source;
        assert_eq!(
            copy_source("b", "env:/dev/a b/terraform.tfstate", "v1"),
            "b/env%3A/dev/a%20b/terraform.tfstate?versionId=v1"
        );
        assert_eq!(copy_source("b", "k", "null"), "b/k");
    }

    use super::*;

    #[test]
    fn a_url_encoded_key_is_decoded_and_a_plain_one_kept() {
        let url = Some(&s3t::EncodingType::Url);
        assert_eq!(
            listed_key(Some("dir/a+b%2Bc%2520d%26%C3%BC%01"), url),
            "dir/a b+c%20d&ü\u{1}"
        );
        assert_eq!(listed_key(Some("a+b%20c"), None), "a+b%20c");
        assert_eq!(listed_key(None, url), "");
    }
}
