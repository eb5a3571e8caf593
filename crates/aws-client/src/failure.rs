//! A client that fails on cue: it wraps any [`Objects`] client and answers the `n`th call
//! of an operation (counted from 1) with the error given, every other call through the
//! client it wraps. Tests use it to check what the code around a call does when that call
//! fails halfway through a job.

use std::collections::BTreeMap;
use std::sync::Mutex;

use bytes::Bytes;

use crate::error::AwsError;
use crate::objects::{Entry, KeyError, Objects, Page};

/// The operations a fault can target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Operation {
    /// ListObjectVersions.
    ListVersions,
    /// A ranged GetObject.
    Prefix,
    /// DeleteObjects.
    DeleteObjects,
}

/// An [`Objects`] client with faults.
#[derive(Debug)]
pub struct FailureClient<C> {
    inner: C,
    faults: Mutex<BTreeMap<(Operation, usize), AwsError>>,
    calls: Mutex<BTreeMap<Operation, usize>>,
}

impl<C: Objects> FailureClient<C> {
    /// `inner`, with no fault yet.
    pub fn new(inner: C) -> FailureClient<C> {
        FailureClient {
            inner,
            faults: Mutex::new(BTreeMap::new()),
            calls: Mutex::new(BTreeMap::new()),
        }
    }

    /// The `nth` call of `operation` (from 1) fails with `error`.
    pub fn fail(self, operation: Operation, nth: usize, error: AwsError) -> FailureClient<C> {
        self.faults
            .lock()
            .expect("not poisoned")
            .insert((operation, nth), error);
        self
    }

    /// How many calls of `operation` were made.
    pub fn calls(&self, operation: Operation) -> usize {
        self.calls
            .lock()
            .expect("not poisoned")
            .get(&operation)
            .copied()
            .unwrap_or(0)
    }

    /// The client it wraps.
    pub fn inner(&self) -> &C {
        &self.inner
    }

    fn check(&self, operation: Operation) -> Result<(), AwsError> {
        let nth = {
            let mut calls = self.calls.lock().expect("not poisoned");
            let count = calls.entry(operation).or_insert(0);
            *count += 1;
            *count
        };
        match self
            .faults
            .lock()
            .expect("not poisoned")
            .remove(&(operation, nth))
        {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }
}

impl<C: Objects> Objects for FailureClient<C> {
    async fn list_versions(
        &self,
        bucket: &str,
        marker: Option<&(String, String)>,
    ) -> Result<Page, AwsError> {
        self.check(Operation::ListVersions)?;
        self.inner.list_versions(bucket, marker).await
    }

    async fn prefix(
        &self,
        bucket: &str,
        key: &str,
        version_id: &str,
        bytes: u64,
    ) -> Result<Bytes, AwsError> {
        self.check(Operation::Prefix)?;
        self.inner.prefix(bucket, key, version_id, bytes).await
    }

    async fn delete_objects(
        &self,
        bucket: &str,
        entries: &[Entry],
        bypass_governance: bool,
    ) -> Result<Vec<KeyError>, AwsError> {
        self.check(Operation::DeleteObjects)?;
        self.inner
            .delete_objects(bucket, entries, bypass_governance)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AwsErrorKind;
    use crate::mock::MockClient;
    use crate::objects::all_versions;

    fn store() -> MockClient {
        let mock = MockClient::new(2);
        for key in ["a", "b", "c"] {
            mock.put("bucket", key, "one");
            mock.put("bucket", key, "two");
        }
        mock.delete_marker("bucket", "b");
        mock
    }

    #[tokio::test]
    async fn every_page_is_listed_in_s3s_order() {
        let mock = store();
        let entries = all_versions(&mock, "bucket").await.unwrap();
        let listed: Vec<_> = entries
            .iter()
            .map(|e| (e.key.as_str(), e.is_latest, e.delete_marker))
            .collect();
        assert_eq!(
            listed,
            [
                ("a", true, false),
                ("a", false, false),
                ("b", true, true),
                ("b", false, false),
                ("b", false, false),
                ("c", true, false),
                ("c", false, false),
            ]
        );
        assert_eq!(
            mock.prefix("bucket", "a", &entries[0].version_id, 2)
                .await
                .unwrap(),
            "tw"
        );
        mock.delete_objects("bucket", &entries[..3], false)
            .await
            .unwrap();
        assert_eq!(all_versions(&mock, "bucket").await.unwrap().len(), 4);
    }

    #[tokio::test]
    async fn a_failed_page_stops_the_listing_with_its_error() {
        let throttled = AwsError::new(
            "ListObjectVersions",
            "bucket",
            AwsErrorKind::Throttled,
            "Please reduce your request rate.",
        )
        .with_code("SlowDown");
        let client =
            FailureClient::new(store()).fail(Operation::ListVersions, 3, throttled.clone());
        assert_eq!(
            all_versions(&client, "bucket").await.unwrap_err(),
            throttled
        );
        assert_eq!(client.calls(Operation::ListVersions), 3);
        // The fault fires once: the next listing goes through.
        assert_eq!(all_versions(&client, "bucket").await.unwrap().len(), 7);
        assert_eq!(
            all_versions(client.inner(), "missing")
                .await
                .unwrap_err()
                .code(),
            Some("NoSuchBucket")
        );
    }
}
