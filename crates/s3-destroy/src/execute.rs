//! The executor: carries out a [`Plan`] through [`Store`].
//!
//! Entries are deleted in DeleteObjects batches of at most 1,000, several batches in flight
//! while the listing continues. Each key the answer lists as an error is retried when the
//! error is transient (SlowDown, InternalError) and reported when it is not; a throttled or
//! failed request is backed off and sent again. A listing that breaks while keys are deleted
//! under it (S3 and moto can both answer an empty page early) does not end the run: passes
//! go on until one finds nothing. An interrupted run is finished by running it again.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use aws_client::{AwsError, AwsErrorKind};
use futures::{StreamExt, stream};
use serde::Serialize;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::api::{Config, KeyError, Store};
use crate::model::{Entry, Inventory};
use crate::plan::{Plan, Step};

/// S3's limit of keys in one DeleteObjects request.
pub const BATCH_LIMIT: usize = 1000;

/// How hard the executor works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tuning {
    /// DeleteObjects requests in flight at once.
    pub batches_in_flight: usize,
    /// Keys per DeleteObjects request (at most [`BATCH_LIMIT`]).
    pub batch_size: usize,
    /// Attempts per key (and per request) before giving up on it.
    pub attempts: u32,
    /// Listing passes before concluding that objects keep appearing.
    pub max_passes: u32,
    /// The first back-off; it doubles with every attempt, up to 5 seconds.
    pub backoff: Duration,
}

impl Default for Tuning {
    fn default() -> Tuning {
        Tuning {
            batches_in_flight: 8,
            batch_size: BATCH_LIMIT,
            attempts: 10,
            max_passes: 25,
            backoff: Duration::from_millis(100),
        }
    }
}

impl Tuning {
    /// The emergency cleanup's: more attempts and passes.
    pub fn persistent() -> Tuning {
        Tuning {
            attempts: 30,
            max_passes: 100,
            ..Tuning::default()
        }
    }
}

/// Told about every batch that is deleted: entries and bytes.
pub trait Progress: Send + Sync {
    /// `entries` more entries, `bytes` more bytes are gone.
    fn deleted(&self, entries: u64, bytes: u64);
}

impl<F: Fn(u64, u64) + Send + Sync> Progress for F {
    fn deleted(&self, entries: u64, bytes: u64) {
        self(entries, bytes);
    }
}

/// What was done to one bucket.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// The bucket.
    pub bucket: String,
    /// Configurations removed.
    pub removed: Vec<Config>,
    /// Multipart uploads aborted.
    pub uploads_aborted: u64,
    /// Object versions deleted.
    pub versions_deleted: u64,
    /// Delete markers deleted.
    pub delete_markers_deleted: u64,
    /// Bytes deleted.
    pub bytes_deleted: u64,
    /// Keys sent again after a transient per-key error or a failed request.
    pub keys_retried: u64,
    /// Listing passes made after the inventory's.
    pub listing_passes: u32,
    /// The expiry rules were put (`--expire-via-lifecycle`).
    pub expiry_rules_put: bool,
    /// The bucket was deleted.
    pub bucket_deleted: bool,
}

/// Why a run did not finish; what was deleted before is in the tally of the next run.
#[derive(Debug, thiserror::Error)]
pub enum ExecuteError {
    /// An AWS call failed in a way retrying does not fix.
    #[error(transparent)]
    Aws(#[from] AwsError),
    /// Keys S3 refused to delete.
    #[error("{bucket}: {} key(s) could not be deleted, e.g. {}", failed.len(), failed.first().map(|e| format!("{} (version {}): {}: {}", e.key, e.version_id, e.code, e.message)).unwrap_or_default())]
    Keys {
        /// The bucket.
        bucket: String,
        /// The keys and S3's reasons.
        failed: Vec<KeyError>,
        /// What was done before.
        tally: Box<Tally>,
    },
    /// Versions were written after the backup; they were kept, and so was the bucket.
    #[error(
        "{bucket}: {count} version(s) were written after the backup (such as {example}); they were not deleted, and neither was the bucket: stop the writers and run again (a new run backs them up first)"
    )]
    Written {
        /// The bucket.
        bucket: String,
        /// Versions and delete markers not in the backup.
        count: u64,
        /// One of them, as `key (version id)`.
        example: String,
        /// What was done before.
        tally: Box<Tally>,
    },
    /// Objects kept appearing: every listing pass found some.
    #[error(
        "{bucket}: objects are still being written ({passes} listing passes each found some); stop the writers and run again"
    )]
    NotEmpty {
        /// The bucket.
        bucket: String,
        /// The passes made.
        passes: u32,
    },
}

/// Carries out `plan` for the bucket of `inventory` (whose entries are deleted first, without
/// listing them again).
pub async fn execute<S: Store>(
    store: Arc<S>,
    plan: &Plan,
    inventory: &Inventory,
    tuning: Tuning,
    progress: Arc<dyn Progress>,
) -> Result<Tally, ExecuteError> {
    let bucket = plan.bucket.as_str();
    let mut tally = Tally {
        bucket: bucket.to_owned(),
        ..Tally::default()
    };
    let mut run = Run {
        store,
        bucket: Arc::from(bucket),
        tuning,
        progress,
        bypass: false,
        listed: None,
    };
    for step in &plan.steps {
        match step {
            Step::Remove { config, .. } => {
                run.store.remove(bucket, *config).await?;
                tally.removed.push(*config);
            }
            Step::AbortUploads { .. } => run.abort_uploads(&mut tally, &inventory.uploads).await?,
            Step::DeleteEntries {
                bypass_governance,
                only_listed,
                ..
            } => {
                run.bypass = *bypass_governance;
                if *only_listed {
                    run.listed = Some(
                        inventory
                            .entries
                            .iter()
                            .map(|entry| (entry.key.clone(), entry.version_id.clone()))
                            .collect(),
                    );
                }
                run.delete_batches(&mut tally, inventory.entries.clone())
                    .await?;
                run.delete_until_empty(&mut tally).await?;
            }
            Step::ExpireViaLifecycle => {
                run.store.expire_everything(bucket).await?;
                tally.expiry_rules_put = true;
            }
            Step::DeleteBucket => run.delete_bucket(&mut tally).await?,
        }
    }
    Ok(tally)
}

struct Run<S> {
    store: Arc<S>,
    bucket: Arc<str>,
    tuning: Tuning,
    progress: Arc<dyn Progress>,
    bypass: bool,
    /// When only the inventory's entries may be deleted: their keys and version ids.
    listed: Option<HashSet<(String, String)>>,
}

/// What one batch came to.
#[derive(Debug, Default)]
struct BatchOutcome {
    versions: u64,
    markers: u64,
    bytes: u64,
    retried: u64,
    failed: Vec<KeyError>,
}

impl<S: Store> Run<S> {
    /// Aborts `listed` and then whatever a new listing still finds.
    async fn abort_uploads(
        &self,
        tally: &mut Tally,
        listed: &[crate::model::Upload],
    ) -> Result<(), AwsError> {
        let mut uploads = listed.to_vec();
        for _ in 0..self.tuning.max_passes {
            let aborted: Vec<Result<(), AwsError>> = stream::iter(uploads.iter())
                .map(|upload| self.store.abort_upload(&self.bucket, upload))
                .buffer_unordered(16)
                .collect()
                .await;
            for result in aborted {
                result?;
                tally.uploads_aborted += 1;
            }
            uploads = self.store.list_uploads(&self.bucket).await?;
            if uploads.is_empty() {
                return Ok(());
            }
        }
        Err(AwsError::new(
            "AbortMultipartUpload",
            self.bucket.to_string(),
            AwsErrorKind::Conflict,
            "uploads are still being started",
        ))
    }

    /// Listing passes, each deleting what it finds, until one finds nothing.
    async fn delete_until_empty(&self, tally: &mut Tally) -> Result<(), ExecuteError> {
        for _ in 0..self.tuning.max_passes {
            tally.listing_passes += 1;
            if self.list_and_delete(tally).await? == 0 {
                return Ok(());
            }
        }
        Err(ExecuteError::NotEmpty {
            bucket: self.bucket.to_string(),
            passes: tally.listing_passes,
        })
    }

    /// One listing pass, deleting each page's entries while the next page is listed; how
    /// many entries it found.
    async fn list_and_delete(&self, tally: &mut Tally) -> Result<u64, ExecuteError> {
        let mut batches = Batches::new(self);
        let mut found = 0;
        let mut marker = None;
        let mut pending = Vec::new();
        let mut unlisted: Vec<Entry> = Vec::new();
        loop {
            let page = match self
                .store
                .list_versions(&self.bucket, marker.as_ref())
                .await
            {
                Ok(page) => page,
                // A listing that fails under the deletions ends this pass, not the run.
                Err(error) if transient(&error) && found > 0 => {
                    tracing::debug!(%error, "listing broke while deleting; next pass");
                    break;
                }
                Err(error) => return Err(error.into()),
            };
            found += page.entries.len() as u64;
            match &self.listed {
                Some(listed) => {
                    let (known, new): (Vec<Entry>, Vec<Entry>) =
                        page.entries.into_iter().partition(|entry| {
                            listed.contains(&(entry.key.clone(), entry.version_id.clone()))
                        });
                    pending.extend(known);
                    unlisted.extend(new);
                }
                None => pending.extend(page.entries),
            }
            while pending.len() >= self.tuning.batch_size {
                let rest = pending.split_off(self.tuning.batch_size);
                batches.send(std::mem::replace(&mut pending, rest)).await?;
            }
            match page.next {
                Some(next) => marker = Some(next),
                None => break,
            }
        }
        if !pending.is_empty() {
            batches.send(pending).await?;
        }
        batches.finish(tally).await?;
        if let Some(first) = unlisted.first() {
            return Err(ExecuteError::Written {
                bucket: self.bucket.to_string(),
                count: unlisted.len() as u64,
                example: format!("{} ({})", first.key, first.version_id),
                tally: Box::new(tally.clone()),
            });
        }
        Ok(found)
    }

    /// Deletes `entries` in concurrent batches.
    async fn delete_batches(
        &self,
        tally: &mut Tally,
        entries: Vec<Entry>,
    ) -> Result<(), ExecuteError> {
        let mut batches = Batches::new(self);
        for chunk in entries.chunks(self.tuning.batch_size) {
            batches.send(chunk.to_vec()).await?;
        }
        batches.finish(tally).await
    }

    async fn delete_bucket(&self, tally: &mut Tally) -> Result<(), ExecuteError> {
        for pass in 0..self.tuning.max_passes {
            match self.store.delete_bucket(&self.bucket).await {
                Ok(()) => {
                    tally.bucket_deleted = true;
                    return Ok(());
                }
                Err(error) if error.kind() == AwsErrorKind::NotFound => return Ok(()),
                // Something was written meanwhile (or a listing missed it): empty it again.
                // S3 also answers BucketNotEmpty for a while after the last delete (T6), so
                // the next try waits longer each time, up to the back-off's cap.
                Err(error) if error.kind() == AwsErrorKind::Conflict => {
                    tracing::debug!(%error, "the bucket is not empty yet");
                    self.delete_until_empty(tally).await?;
                    self.abort_uploads(tally, &[]).await?;
                    tokio::time::sleep(backoff(self.tuning.backoff, pass + 1)).await;
                }
                Err(error) => return Err(error.into()),
            }
        }
        Err(ExecuteError::NotEmpty {
            bucket: self.bucket.to_string(),
            passes: tally.listing_passes,
        })
    }
}

/// Batches in flight, at most `batches_in_flight` at once.
struct Batches<'a, S> {
    run: &'a Run<S>,
    tasks: JoinSet<Result<BatchOutcome, AwsError>>,
    slots: Arc<Semaphore>,
    done: BatchOutcome,
}

impl<'a, S: Store> Batches<'a, S> {
    fn new(run: &'a Run<S>) -> Batches<'a, S> {
        Batches {
            run,
            tasks: JoinSet::new(),
            slots: Arc::new(Semaphore::new(run.tuning.batches_in_flight.max(1))),
            done: BatchOutcome::default(),
        }
    }

    /// Starts a batch once a slot is free; fails early if a finished batch failed.
    async fn send(&mut self, batch: Vec<Entry>) -> Result<(), AwsError> {
        let slot = Arc::clone(&self.slots)
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        let (store, bucket, tuning, progress, bypass) = (
            Arc::clone(&self.run.store),
            Arc::clone(&self.run.bucket),
            self.run.tuning,
            Arc::clone(&self.run.progress),
            self.run.bypass,
        );
        self.tasks.spawn(async move {
            let outcome = delete_batch(&*store, &bucket, batch, bypass, tuning, &*progress).await;
            drop(slot);
            outcome
        });
        while let Some(joined) = self.tasks.try_join_next() {
            self.absorb(joined)?;
        }
        Ok(())
    }

    fn absorb(
        &mut self,
        joined: Result<Result<BatchOutcome, AwsError>, tokio::task::JoinError>,
    ) -> Result<(), AwsError> {
        let outcome = match joined {
            Ok(outcome) => outcome?,
            Err(error) => std::panic::resume_unwind(error.into_panic()),
        };
        self.done.versions += outcome.versions;
        self.done.markers += outcome.markers;
        self.done.bytes += outcome.bytes;
        self.done.retried += outcome.retried;
        self.done.failed.extend(outcome.failed);
        Ok(())
    }

    /// Waits for every batch; adds them to `tally`.
    async fn finish(mut self, tally: &mut Tally) -> Result<(), ExecuteError> {
        let mut first_error = None;
        while let Some(joined) = self.tasks.join_next().await {
            if let Err(error) = self.absorb(joined) {
                first_error.get_or_insert(error);
            }
        }
        tally.versions_deleted += self.done.versions;
        tally.delete_markers_deleted += self.done.markers;
        tally.bytes_deleted += self.done.bytes;
        tally.keys_retried += self.done.retried;
        if let Some(error) = first_error {
            return Err(error.into());
        }
        if !self.done.failed.is_empty() {
            return Err(ExecuteError::Keys {
                bucket: self.run.bucket.to_string(),
                failed: self.done.failed,
                tally: Box::new(tally.clone()),
            });
        }
        Ok(())
    }
}

/// Whether an AWS failure may go away if the request is sent again.
fn transient(error: &AwsError) -> bool {
    matches!(
        error.kind(),
        AwsErrorKind::Throttled | AwsErrorKind::Service | AwsErrorKind::Network
    )
}

/// The delay before retry `attempt`: doubling from `base`, at most 5 s, with jitter.
fn backoff(base: Duration, attempt: u32) -> Duration {
    aws_client::wait::backoff(base, attempt, Duration::from_secs(5))
}

/// Deletes one batch, sending the keys that failed transiently again.
async fn delete_batch<S: Store>(
    store: &S,
    bucket: &str,
    batch: Vec<Entry>,
    bypass: bool,
    tuning: Tuning,
    progress: &dyn Progress,
) -> Result<BatchOutcome, AwsError> {
    let mut outcome = BatchOutcome::default();
    let mut todo = batch;
    let mut last_problem = String::new();
    for attempt in 1..=tuning.attempts {
        match store.delete_objects(bucket, &todo, bypass).await {
            Ok(errors) => {
                let errors: HashMap<(&str, &str), &KeyError> = errors
                    .iter()
                    .map(|error| ((error.key.as_str(), error.version_id.as_str()), error))
                    .collect();
                let mut again = Vec::new();
                let (mut entries, mut bytes) = (0, 0);
                for entry in &todo {
                    match errors.get(&(entry.key.as_str(), entry.version_id.as_str())) {
                        // Already gone: what the run wanted.
                        None => {
                            entries += 1;
                            bytes += entry.size;
                            if entry.delete_marker {
                                outcome.markers += 1;
                            } else {
                                outcome.versions += 1;
                            }
                        }
                        Some(error)
                            if matches!(error.code.as_str(), "NoSuchKey" | "NoSuchVersion") => {}
                        Some(error) if error.is_retryable() => {
                            last_problem = format!("{}: {}", error.code, error.message);
                            again.push(entry.clone());
                        }
                        Some(error) => outcome.failed.push((*error).clone()),
                    }
                }
                outcome.bytes += bytes;
                progress.deleted(entries, bytes);
                todo = again;
            }
            Err(error) if transient(&error) => {
                last_problem = error.to_string();
            }
            Err(error) => return Err(error),
        }
        if todo.is_empty() {
            return Ok(outcome);
        }
        outcome.retried += todo.len() as u64;
        tracing::debug!(keys = todo.len(), attempt, %last_problem, "sending keys again");
        tokio::time::sleep(backoff(tuning.backoff, attempt)).await;
    }
    outcome
        .failed
        .extend(todo.into_iter().map(|entry| KeyError {
            key: entry.key,
            version_id: entry.version_id,
            code: "GaveUp".to_owned(),
            message: format!(
                "still failing after {} attempts: {last_problem}",
                tuning.attempts
            ),
        }));
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;
    use crate::api::{Body, Page};
    use crate::model::{BucketSettings, Lock, StateSummary, Upload};
    use crate::plan::{Options, plan};

    /// A bucket in memory that misbehaves as S3 and moto can: listings that end early with
    /// an empty page while keys are deleted, per-key errors, writers that keep writing.
    #[derive(Default)]
    struct Memory {
        entries: Mutex<BTreeMap<(String, String), Entry>>,
        /// Listings left that answer an empty page although entries remain.
        broken_listings: AtomicU32,
        /// DeleteObjects requests left whose every key fails with SlowDown.
        failing_deletes: AtomicU32,
        /// A new entry appears with every listing.
        writer: bool,
        page: usize,
        deleted_bucket: Mutex<bool>,
    }

    impl Memory {
        fn with(count: usize, page: usize) -> Memory {
            let memory = Memory {
                page,
                ..Memory::default()
            };
            for index in 0..count {
                memory.put(&format!("key-{index:05}"), index % 3 == 0);
            }
            memory
        }

        fn put(&self, key: &str, marker: bool) {
            let entry = Entry {
                key: key.to_owned(),
                version_id: "v1".to_owned(),
                size: if marker { 0 } else { 10 },
                delete_marker: marker,
                is_latest: true,
                archived: false,
                last_modified: None,
            };
            self.entries
                .lock()
                .unwrap()
                .insert((entry.key.clone(), entry.version_id.clone()), entry);
        }

        fn left(&self) -> usize {
            self.entries.lock().unwrap().len()
        }
    }

    impl aws_client::Objects for Memory {
        async fn list_versions(
            &self,
            _: &str,
            marker: Option<&(String, String)>,
        ) -> Result<Page, AwsError> {
            if self.writer {
                let index = self.left();
                self.put(&format!("late-{index}"), false);
            }
            if self.broken_listings.load(Ordering::SeqCst) > 0 && marker.is_some() {
                self.broken_listings.fetch_sub(1, Ordering::SeqCst);
                return Ok(Page::default());
            }
            let entries = self.entries.lock().unwrap();
            let page: Vec<Entry> = entries
                .iter()
                .filter(|(id, _)| marker.is_none_or(|m| *id > m))
                .take(self.page)
                .map(|(_, entry)| entry.clone())
                .collect();
            let next = (page.len() == self.page)
                .then(|| page.last().map(|e| (e.key.clone(), e.version_id.clone())))
                .flatten();
            Ok(Page {
                entries: page,
                next,
            })
        }

        async fn delete_objects(
            &self,
            _: &str,
            entries: &[Entry],
            _: bool,
        ) -> Result<Vec<KeyError>, AwsError> {
            assert!(entries.len() <= BATCH_LIMIT, "S3 takes at most 1,000 keys");
            if self.failing_deletes.load(Ordering::SeqCst) > 0 {
                self.failing_deletes.fetch_sub(1, Ordering::SeqCst);
                return Ok(entries
                    .iter()
                    .map(|e| KeyError {
                        key: e.key.clone(),
                        version_id: e.version_id.clone(),
                        code: "SlowDown".to_owned(),
                        message: String::new(),
                    })
                    .collect());
            }
            let mut stored = self.entries.lock().unwrap();
            for entry in entries {
                stored.remove(&(entry.key.clone(), entry.version_id.clone()));
            }
            Ok(Vec::new())
        }

        async fn prefix(
            &self,
            _: &str,
            _: &str,
            _: &str,
            _: u64,
        ) -> Result<bytes::Bytes, AwsError> {
            Ok(bytes::Bytes::new())
        }
    }

    impl Store for Memory {
        async fn settings(&self, _: &str) -> Result<Option<BucketSettings>, AwsError> {
            Ok(Some(BucketSettings::default()))
        }

        async fn list_uploads(&self, _: &str) -> Result<Vec<Upload>, AwsError> {
            Ok(Vec::new())
        }

        async fn lock(&self, _: &str, entry: &Entry) -> Result<Lock, AwsError> {
            Ok(Lock {
                key: entry.key.clone(),
                version_id: entry.version_id.clone(),
                retention: None,
                legal_hold: false,
            })
        }

        async fn body(&self, _: &str, _: &str, _: &str) -> Result<Body, AwsError> {
            Ok(Box::pin(futures::stream::empty()))
        }

        async fn abort_upload(&self, _: &str, _: &Upload) -> Result<(), AwsError> {
            Ok(())
        }

        async fn remove(&self, _: &str, _: Config) -> Result<(), AwsError> {
            Ok(())
        }

        async fn expire_everything(&self, _: &str) -> Result<(), AwsError> {
            Ok(())
        }

        async fn delete_bucket(&self, bucket: &str) -> Result<(), AwsError> {
            if self.left() > 0 {
                return Err(AwsError::new(
                    "DeleteBucket",
                    bucket,
                    AwsErrorKind::Conflict,
                    "The bucket you tried to delete is not empty",
                )
                .with_code("BucketNotEmpty"));
            }
            *self.deleted_bucket.lock().unwrap() = true;
            Ok(())
        }

        async fn tags(
            &self,
            _: &str,
        ) -> Result<std::collections::BTreeMap<String, String>, AwsError> {
            Ok(std::collections::BTreeMap::new())
        }

        async fn lock_rows(&self, _: &str, _: &str) -> Result<u64, AwsError> {
            Ok(0)
        }
    }

    fn fast() -> Tuning {
        Tuning {
            batch_size: 10,
            batches_in_flight: 3,
            backoff: Duration::from_millis(1),
            max_passes: 5,
            ..Tuning::default()
        }
    }

    /// Runs the whole plan against `store` with an inventory that saw only `seen` entries.
    async fn run(store: Arc<Memory>, seen: usize) -> Result<Tally, ExecuteError> {
        let mut entries: Vec<Entry> = store.entries.lock().unwrap().values().cloned().collect();
        entries.truncate(seen);
        let inventory = Inventory {
            bucket: "b".to_owned(),
            settings: Some(BucketSettings::default()),
            entries,
            uploads: Vec::new(),
            locks: Vec::new(),
            state: StateSummary::default(),
        };
        let plan = plan(&inventory, Options::default(), chrono::Utc::now()).unwrap();
        execute(
            store,
            &plan,
            &inventory,
            fast(),
            Arc::new(|_: u64, _: u64| {}),
        )
        .await
    }

    #[tokio::test]
    async fn listings_that_end_early_do_not_end_the_run() {
        let store = Arc::new(Memory::with(95, 20));
        store.broken_listings.store(3, Ordering::SeqCst);
        // The inventory itself was cut short: it saw only the first 20 entries.
        let tally = run(Arc::clone(&store), 20).await.unwrap();
        assert_eq!(store.left(), 0);
        assert!(*store.deleted_bucket.lock().unwrap());
        assert_eq!(tally.versions_deleted + tally.delete_markers_deleted, 95);
        assert!(tally.listing_passes >= 2, "{tally:?}");
    }

    #[tokio::test]
    async fn keys_failing_inside_a_200_are_sent_again_until_they_go() {
        let store = Arc::new(Memory::with(40, 100));
        store.failing_deletes.store(3, Ordering::SeqCst);
        let tally = run(Arc::clone(&store), 40).await.unwrap();
        assert_eq!(store.left(), 0);
        assert_eq!(
            tally.versions_deleted + tally.delete_markers_deleted,
            40,
            "each counted once"
        );
        assert_eq!(tally.keys_retried, 30, "three batches of ten sent again");
    }

    #[tokio::test]
    async fn objects_that_keep_appearing_stop_the_run_with_the_bucket_kept() {
        let store = Arc::new(Memory {
            writer: true,
            ..Memory::with(5, 100)
        });
        match run(Arc::clone(&store), 5).await {
            Err(ExecuteError::NotEmpty { passes, .. }) => assert_eq!(passes, 5),
            other => panic!("expected NotEmpty, got {other:?}"),
        }
        assert!(!*store.deleted_bucket.lock().unwrap());
    }

    #[test]
    fn transient_per_key_errors_are_the_retryable_codes() {
        let error = |code: &str| KeyError {
            key: "k".to_owned(),
            version_id: "v".to_owned(),
            code: code.to_owned(),
            message: String::new(),
        };
        assert!(error("SlowDown").is_retryable());
        assert!(error("InternalError").is_retryable());
        assert!(!error("AccessDenied").is_retryable());
    }
}
