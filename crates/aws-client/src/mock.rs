//! A versioned bucket in memory, answering the [`Objects`] calls as S3 does: versions
//! listed by key, newest first, in pages that end with key and version markers; deleting a
//! version that is not there succeeds; a ranged read returns at most what was asked.

use std::collections::BTreeMap;
use std::sync::Mutex;

use bytes::Bytes;

use crate::error::{AwsError, AwsErrorKind};
use crate::objects::{Entry, KeyError, Objects, Page};

/// One stored version.
#[derive(Debug, Clone)]
struct Stored {
    version_id: String,
    body: Option<Bytes>,
}

/// Buckets of versions in memory.
#[derive(Debug)]
pub struct MockClient {
    /// Bucket → key → versions, oldest first.
    buckets: Mutex<BTreeMap<String, BTreeMap<String, Vec<Stored>>>>,
    page_size: usize,
    next_version: Mutex<u64>,
}

impl Default for MockClient {
    fn default() -> MockClient {
        MockClient::new(1_000)
    }
}

impl MockClient {
    /// An empty store that lists `page_size` entries a page (S3 lists 1,000).
    pub fn new(page_size: usize) -> MockClient {
        MockClient {
            buckets: Mutex::new(BTreeMap::new()),
            page_size: page_size.max(1),
            next_version: Mutex::new(0),
        }
    }

    fn version_id(&self) -> String {
        let mut next = self.next_version.lock().expect("not poisoned");
        *next += 1;
        format!("v{next:06}")
    }

    /// Writes a new version of `key`; its version id.
    pub fn put(&self, bucket: &str, key: &str, body: impl Into<Bytes>) -> String {
        self.store(bucket, key, Some(body.into()))
    }

    /// Puts a delete marker on `key`; its version id.
    pub fn delete_marker(&self, bucket: &str, key: &str) -> String {
        self.store(bucket, key, None)
    }

    fn store(&self, bucket: &str, key: &str, body: Option<Bytes>) -> String {
        let version_id = self.version_id();
        self.buckets
            .lock()
            .expect("not poisoned")
            .entry(bucket.to_owned())
            .or_default()
            .entry(key.to_owned())
            .or_default()
            .push(Stored {
                version_id: version_id.clone(),
                body,
            });
        version_id
    }

    /// Every entry, in S3's order.
    fn entries(&self, bucket: &str) -> Vec<Entry> {
        let buckets = self.buckets.lock().expect("not poisoned");
        let Some(keys) = buckets.get(bucket) else {
            return Vec::new();
        };
        keys.iter()
            .flat_map(|(key, versions)| {
                let newest = versions.len().saturating_sub(1);
                versions
                    .iter()
                    .enumerate()
                    .rev()
                    .map(move |(index, stored)| Entry {
                        key: key.clone(),
                        version_id: stored.version_id.clone(),
                        size: stored.body.as_ref().map_or(0, |body| body.len() as u64),
                        delete_marker: stored.body.is_none(),
                        is_latest: index == newest,
                        archived: false,
                        last_modified: None,
                    })
            })
            .collect()
    }

    fn missing(bucket: &str) -> AwsError {
        AwsError::new(
            "ListObjectVersions",
            bucket,
            AwsErrorKind::NotFound,
            "The specified bucket does not exist",
        )
        .with_code("NoSuchBucket")
    }
}

impl Objects for MockClient {
    async fn list_versions(
        &self,
        bucket: &str,
        marker: Option<&(String, String)>,
    ) -> Result<Page, AwsError> {
        if !self
            .buckets
            .lock()
            .expect("not poisoned")
            .contains_key(bucket)
        {
            return Err(MockClient::missing(bucket));
        }
        let entries = self.entries(bucket);
        let start = match marker {
            None => 0,
            Some((key, version)) => entries
                .iter()
                .position(|entry| &entry.key == key && &entry.version_id == version)
                .map_or(entries.len(), |index| index + 1),
        };
        let page: Vec<Entry> = entries
            .iter()
            .skip(start)
            .take(self.page_size)
            .cloned()
            .collect();
        let next = match start + page.len() < entries.len() {
            true => page
                .last()
                .map(|last| (last.key.clone(), last.version_id.clone())),
            false => None,
        };
        Ok(Page {
            entries: page,
            next,
        })
    }

    async fn prefix(
        &self,
        bucket: &str,
        key: &str,
        version_id: &str,
        bytes: u64,
    ) -> Result<Bytes, AwsError> {
        let buckets = self.buckets.lock().expect("not poisoned");
        let body = buckets
            .get(bucket)
            .and_then(|keys| keys.get(key))
            .and_then(|versions| versions.iter().find(|v| v.version_id == version_id))
            .and_then(|stored| stored.body.clone());
        match body {
            Some(body) => Ok(body.slice(..body.len().min(bytes as usize))),
            None => Err(AwsError::new(
                "GetObject",
                format!("{bucket}/{key}"),
                AwsErrorKind::NotFound,
                "The specified version does not exist.",
            )
            .with_code("NoSuchVersion")),
        }
    }

    async fn delete_objects(
        &self,
        bucket: &str,
        entries: &[Entry],
        _bypass_governance: bool,
    ) -> Result<Vec<KeyError>, AwsError> {
        let mut buckets = self.buckets.lock().expect("not poisoned");
        let keys = buckets
            .get_mut(bucket)
            .ok_or_else(|| MockClient::missing(bucket))?;
        for entry in entries {
            if let Some(versions) = keys.get_mut(&entry.key) {
                versions.retain(|stored| stored.version_id != entry.version_id);
                if versions.is_empty() {
                    keys.remove(&entry.key);
                }
            }
        }
        Ok(Vec::new())
    }
}
