//! The I/O around the judgements: a survey of every state (versions listed, bytes and
//! records read concurrently), and each change made under the state's lock, taken the way
//! Terraform takes it, released after, whatever happened in between.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use futures::{StreamExt, TryStreamExt};

use aws_client::AwsError;

use crate::api::{Condition, Entry, Row, RowWrite, Store, Transacted};
use crate::model::{Lock, LockKind, Observed, Read, Version};
use crate::records::{
    LOCKFILE_SUFFIX, LockInfo, digest_id, lock_id, lockfile_key, md5_hex, new_lock_id,
};
use crate::restore::RestorePlan;
use crate::state::{self, MAX_STATE_BYTES, StateId, is_state_key};
use crate::verify::Fix;

/// How many reads are in flight at once.
pub const CONCURRENCY: usize = 32;

/// Where the states and their records are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The state bucket.
    pub bucket: String,
    /// The lock table, when DynamoDB locking is in use.
    pub table: Option<String>,
    /// Whether S3 lock files (`.tflock`, `use_lockfile`) are in use.
    pub lockfiles: bool,
}

/// Which versions a survey reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// Only the current version of each state.
    Current,
    /// Every object version.
    Every,
}

/// Every state under a prefix, and the lock table's rows for the bucket.
#[derive(Debug, Clone, PartialEq)]
pub struct Survey {
    /// The states, by key.
    pub states: Vec<Observed>,
    /// Each row of the lock table for this bucket (under the prefix) with its `Digest`;
    /// `None` when there is no lock table.
    pub rows: Option<Vec<(String, Option<String>)>>,
}

impl Survey {
    /// Whether a state exists at `key` of `bucket` (its current version is an object).
    pub fn exists(&self, bucket: &str, key: &str) -> bool {
        self.states.iter().any(|state| {
            state.id.bucket == bucket && state.id.key == key && state.current().is_some()
        })
    }

    /// The table's rows that name no existing state.
    pub fn orphans(&self) -> Vec<crate::verify::Finding> {
        match &self.rows {
            Some(rows) => crate::verify::orphans(rows, |bucket, key| self.exists(bucket, key)),
            None => Vec::new(),
        }
    }
}

/// Something went wrong talking to AWS, or a state's lock is taken.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpError {
    /// An AWS call failed.
    #[error(transparent)]
    Aws(#[from] AwsError),
    /// Someone else holds the state's lock.
    #[error("{state} is locked by someone else ({kind}); nothing was changed")]
    Locked {
        /// The state.
        state: String,
        /// The lock that is taken: `lock row` or `lock file`.
        kind: &'static str,
    },
    /// The lock this run held was taken from it (unlocked by someone else) while it worked.
    #[error(
        "{state}'s lock was taken from this run while it worked (someone unlocked it); what was copied stays, but its digest row was not written: see who holds the lock (`manage-remote-state locks`), then run again"
    )]
    LockLost {
        /// The state.
        state: String,
    },
    /// The state changed between the plan and the change.
    #[error(
        "{state} changed since it was read (its current version is now {now}); nothing was changed: run again to see the new plan"
    )]
    Changed {
        /// The state.
        state: String,
        /// The version that is current now.
        now: String,
    },
    /// The bytes written are not the bytes meant.
    #[error(
        "{state}: the restored version's MD5 is {found}, not {expected}; the digest row was not written"
    )]
    NotVerified {
        /// The state.
        state: String,
        /// The MD5 meant.
        expected: String,
        /// The MD5 found.
        found: String,
    },
    /// A backup's manifest is not one.
    #[error(
        "{object} is not a backup manifest ({reason}); move it away or back up to another bucket"
    )]
    BadManifest {
        /// The manifest's bucket and key.
        object: String,
        /// Why.
        reason: String,
    },
}

/// Reads every state under `prefix` (a single key when `prefix` is one, `""` for the
/// bucket): versions, `depth`'s bytes, digest rows and locks.
pub async fn survey<S: Store>(
    store: &S,
    target: &Target,
    prefix: &str,
    depth: Depth,
) -> Result<Survey, OpError> {
    let bucket = target.bucket.as_str();
    let (entries, rows) = futures::join!(
        store.versions(bucket, prefix),
        table_rows(store, target, prefix)
    );
    let (entries, rows) = (entries?, rows?);
    let mut by_key: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
    for entry in entries {
        by_key.entry(entry.key.clone()).or_default().push(entry);
    }
    let lockfiles: Vec<(String, Entry)> = by_key
        .iter()
        .filter(|_| target.lockfiles)
        .filter_map(|(key, entries)| {
            let state = key.strip_suffix(LOCKFILE_SUFFIX)?;
            let current = entries.iter().find(|e| e.is_latest && !e.delete_marker)?;
            Some((state.to_owned(), current.clone()))
        })
        .collect();
    let mut states: Vec<Observed> = by_key
        .into_iter()
        .filter(|(key, _)| is_state_key(key))
        .map(|(key, entries)| observed(bucket, &key, entries))
        .collect();
    // Every read at once, a bounded number in flight.
    let wanted: Vec<(usize, String)> = states
        .iter()
        .enumerate()
        .flat_map(|(index, state)| {
            let versions: Vec<String> = match depth {
                Depth::Current => state.current().map(|v| v.id.clone()).into_iter().collect(),
                Depth::Every => state.object_versions().map(|v| v.id.clone()).collect(),
            };
            versions.into_iter().map(move |version| (index, version))
        })
        .collect();
    let reads: Vec<(usize, Read)> = futures::stream::iter(wanted)
        .map(|(index, version)| {
            let key = states[index].id.key.clone();
            async move {
                let object = store
                    .read(bucket, &key, Some(&version), MAX_STATE_BYTES)
                    .await?;
                Ok::<_, OpError>((index, judge(&version, &object.bytes)))
            }
        })
        .buffered(CONCURRENCY)
        .try_collect()
        .await?;
    for (index, read) in reads {
        states[index].reads.push(read);
    }
    let locks: Vec<(String, Lock)> = futures::stream::iter(lockfiles)
        .map(|(state_key, entry)| async move {
            let object = store
                .read(bucket, &entry.key, Some(&entry.version_id), 1024 * 1024)
                .await?;
            let raw = String::from_utf8_lossy(&object.bytes).into_owned();
            Ok::<_, OpError>((
                state_key.clone(),
                Lock {
                    kind: LockKind::File,
                    path: lock_id(bucket, &state_key),
                    info: LockInfo::parse(&raw),
                    raw,
                    etag: object.etag,
                },
            ))
        })
        .buffered(CONCURRENCY)
        .try_collect()
        .await?;
    let row_of: BTreeMap<&str, &Row> = rows
        .iter()
        .flatten()
        .filter_map(|row| Some((row.get("LockID")?.as_str(), row)))
        .collect();
    for state in &mut states {
        let id = lock_id(bucket, &state.id.key);
        state.digest = row_of
            .get(digest_id(bucket, &state.id.key).as_str())
            .and_then(|row| row.get("Digest").cloned());
        for (state_key, lock) in &locks {
            if *state_key == state.id.key {
                state.locks.push(lock.clone());
            }
        }
        if let Some(raw) = row_of.get(id.as_str()).and_then(|row| row.get("Info")) {
            state.locks.push(Lock {
                kind: LockKind::Row,
                path: id.clone(),
                info: LockInfo::parse(raw),
                raw: raw.clone(),
                etag: None,
            });
        }
    }
    Ok(Survey {
        states,
        rows: rows.map(|rows| {
            rows.into_iter()
                .filter_map(|mut row| Some((row.remove("LockID")?, row.remove("Digest"))))
                .collect()
        }),
    })
}

/// The lock table's rows for `prefix` of the bucket: a Scan for a survey, a BatchGetItem of
/// the two rows of one state when `prefix` is a state's key.
async fn table_rows<S: Store>(
    store: &S,
    target: &Target,
    prefix: &str,
) -> Result<Option<Vec<Row>>, OpError> {
    let Some(table) = &target.table else {
        return Ok(None);
    };
    let bucket = &target.bucket;
    if is_state_key(prefix) {
        let ids = [lock_id(bucket, prefix), digest_id(bucket, prefix)];
        let found = store.rows(table, &ids).await?;
        return Ok(Some(
            found
                .into_iter()
                .map(|(id, mut row)| {
                    row.insert("LockID".to_owned(), id);
                    row
                })
                .collect(),
        ));
    }
    Ok(store.scan(table, &lock_id(bucket, prefix)).await?)
}

/// One key's entries as a state's versions, newest first.
fn observed(bucket: &str, key: &str, mut entries: Vec<Entry>) -> Observed {
    entries.sort_by(|a, b| {
        b.is_latest
            .cmp(&a.is_latest)
            .then(b.last_modified.cmp(&a.last_modified))
    });
    Observed {
        id: StateId::new(bucket, key),
        versions: entries
            .into_iter()
            .map(|entry| Version {
                id: entry.version_id,
                is_latest: entry.is_latest,
                delete_marker: entry.delete_marker,
                size: entry.size,
                last_modified: entry.last_modified,
            })
            .collect(),
        reads: Vec::new(),
        digest: None,
        locks: Vec::new(),
    }
}

/// One version's bytes, judged.
pub fn judge(version_id: &str, bytes: &[u8]) -> Read {
    Read {
        version_id: version_id.to_owned(),
        md5: md5_hex(bytes),
        content: state::parse(bytes),
    }
}

/// A state's lock, held by this run.
#[derive(Debug)]
pub struct Held {
    state: StateId,
    info: LockInfo,
    row: bool,
    file: bool,
}

/// Takes `state`'s lock as Terraform does: the `.tflock` file first (`If-None-Match: *`)
/// when lock files are in use, then the lock row (`attribute_not_exists(LockID)`).
pub async fn take_lock<S: Store>(
    store: &S,
    target: &Target,
    state: &StateId,
    operation: &str,
    now: DateTime<Utc>,
) -> Result<Held, OpError> {
    let mut held = take_locks(store, target, &[state], operation, now).await?;
    Ok(held.remove(0))
}

/// Takes every one of `states`' locks, or none: the `.tflock` files first, one by one,
/// when lock files are in use, then the lock rows, each with `attribute_not_exists(LockID)`
/// as Terraform takes it, several in one TransactWriteItems (all or none, so at most
/// [`aws_client::dynamodb::MAX_TRANSACTION_WRITES`] states). What was taken before a
/// refusal is released.
pub async fn take_locks<S: Store>(
    store: &S,
    target: &Target,
    states: &[&StateId],
    operation: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Held>, OpError> {
    let mut held: Vec<Held> = states
        .iter()
        .map(|state| Held {
            state: (*state).clone(),
            info: LockInfo::ours(
                new_lock_id(),
                operation,
                lock_id(&state.bucket, &state.key),
                now,
            ),
            row: false,
            file: false,
        })
        .collect();
    let refused = |state: &StateId, kind| OpError::Locked {
        state: state.to_string(),
        kind,
    };
    for index in (0..held.len()).filter(|_| target.lockfiles) {
        let lock = &held[index];
        let taken = store
            .put_if_absent(
                &lock.state.bucket,
                &lockfile_key(&lock.state.key),
                lock.info.to_json().into_bytes(),
            )
            .await;
        let error = match taken {
            Ok(Condition::Held) => {
                held[index].file = true;
                continue;
            }
            Ok(Condition::Failed) => refused(&held[index].state, "lock file"),
            Err(error) => error.into(),
        };
        release_all(store, target, held).await?;
        return Err(error);
    }
    let Some(table) = target.table.as_ref().filter(|_| !held.is_empty()) else {
        return Ok(held);
    };
    let taken = match held.as_slice() {
        [one] => {
            let row = Row::from([("Info".to_owned(), one.info.to_json())]);
            store
                .put_row_if_absent(table, &lock_id(&one.state.bucket, &one.state.key), &row)
                .await
                .map(|condition| match condition {
                    Condition::Held => Transacted::Written,
                    Condition::Failed => Transacted::Refused(vec![0]),
                })
        }
        many => {
            let writes: Vec<RowWrite> = many
                .iter()
                .map(|lock| RowWrite::PutIfAbsent {
                    lock_id: lock_id(&lock.state.bucket, &lock.state.key),
                    row: Row::from([("Info".to_owned(), lock.info.to_json())]),
                })
                .collect();
            store.write_rows(table, &writes).await
        }
    };
    let error = match taken {
        Ok(Transacted::Written) => {
            for lock in &mut held {
                lock.row = true;
            }
            return Ok(held);
        }
        Ok(Transacted::Refused(failed)) => refused(
            &held[failed.first().copied().unwrap_or(0)].state,
            "lock row",
        ),
        Err(error) => error.into(),
    };
    release_all(store, target, held).await?;
    Err(error)
}

/// Releases a lock this run holds, each part only while it is still ours.
pub async fn release<S: Store>(store: &S, target: &Target, held: Held) -> Result<(), OpError> {
    release_all(store, target, vec![held]).await
}

/// Releases locks this run holds, each part only while it is still ours: the rows, then
/// the files.
pub async fn release_all<S: Store>(
    store: &S,
    target: &Target,
    held: Vec<Held>,
) -> Result<(), OpError> {
    if let Some(table) = &target.table {
        for lock in held.iter().filter(|lock| lock.row) {
            let body = lock.info.to_json();
            store
                .delete_row(
                    table,
                    &lock_id(&lock.state.bucket, &lock.state.key),
                    Some(("Info", &body)),
                )
                .await?;
        }
    }
    for lock in held.iter().filter(|lock| lock.file) {
        let body = lock.info.to_json();
        let key = lockfile_key(&lock.state.key);
        let object = store
            .read(&lock.state.bucket, &key, None, 1024 * 1024)
            .await?;
        if object.bytes == body.as_bytes()
            && let Some(etag) = &object.etag
        {
            store
                .delete_if_match(&lock.state.bucket, &key, etag)
                .await?;
        }
    }
    Ok(())
}

/// Writes `rows` (none when there is no lock table) and releases `held` in one
/// TransactWriteItems, so the rows are written only while every lock is still this run's;
/// then releases the lock files. When a lock row is no longer ours, nothing of `rows` is
/// written, what is still ours is released, and the state whose lock was taken is named.
pub async fn write_and_release<S: Store>(
    store: &S,
    target: &Target,
    rows: Vec<(String, Row)>,
    mut held: Vec<Held>,
) -> Result<(), OpError> {
    let Some(table) = target
        .table
        .as_ref()
        .filter(|_| held.iter().any(|lock| lock.row))
    else {
        return release_all(store, target, held).await;
    };
    let puts = rows.len();
    let writes: Vec<RowWrite> = rows
        .into_iter()
        .map(|(lock_id, row)| RowWrite::Put { lock_id, row })
        .chain(
            held.iter()
                .filter(|lock| lock.row)
                .map(|lock| RowWrite::DeleteIf {
                    lock_id: lock_id(&lock.state.bucket, &lock.state.key),
                    name: "Info".to_owned(),
                    value: lock.info.to_json(),
                }),
        )
        .collect();
    match store.write_rows(table, &writes).await {
        Ok(Transacted::Written) => {
            for lock in &mut held {
                lock.row = false;
            }
            release_all(store, target, held).await
        }
        Ok(Transacted::Refused(failed)) => {
            let with_rows: Vec<&Held> = held.iter().filter(|lock| lock.row).collect();
            let lost = failed
                .iter()
                .filter_map(|index| index.checked_sub(puts))
                .filter_map(|index| with_rows.get(index))
                .map(|lock| lock.state.to_string())
                .next()
                .unwrap_or_default();
            release_all(store, target, held).await?;
            Err(OpError::LockLost { state: lost })
        }
        Err(error) => {
            release_all(store, target, held).await?;
            Err(error.into())
        }
    }
}

/// Runs `change` under `state`'s lock, and releases the lock whatever it returns.
async fn locked<S, T, F>(
    store: &S,
    target: &Target,
    state: &StateId,
    operation: &str,
    change: F,
) -> Result<T, OpError>
where
    S: Store,
    F: std::future::Future<Output = Result<T, OpError>>,
{
    let held = take_lock(store, target, state, operation, Utc::now()).await?;
    let result = change.await;
    let released = release(store, target, held).await;
    let value = result?;
    released?;
    Ok(value)
}

/// The current version of `state` now, checked to be `expected`.
async fn still_current<S: Store>(
    store: &S,
    state: &StateId,
    expected: Option<&str>,
) -> Result<(), OpError> {
    let now = store.current_version(&state.bucket, &state.key).await?;
    if now.as_deref() != expected {
        return Err(OpError::Changed {
            state: state.to_string(),
            now: now.unwrap_or_else(|| "none (deleted)".to_owned()),
        });
    }
    Ok(())
}

/// Carries out `plan` for `state`: under its lock, checks nobody wrote since the plan,
/// copies the chosen version over the current one, verifies the new current bytes, then
/// sets the digest row. The new version's id.
pub async fn restore<S: Store>(
    store: &S,
    target: &Target,
    state: &StateId,
    plan: &RestorePlan,
) -> Result<String, OpError> {
    locked(store, target, state, "restore", async {
        still_current(store, state, plan.replaces.as_deref()).await?;
        let new = store
            .copy_version(&state.bucket, &state.key, &plan.version_id, &state.key)
            .await?
            .version_id;
        let written = store
            .read(&state.bucket, &state.key, Some(&new), MAX_STATE_BYTES)
            .await?;
        let found = md5_hex(&written.bytes);
        if found != plan.md5 {
            return Err(OpError::NotVerified {
                state: state.to_string(),
                expected: plan.md5.clone(),
                found,
            });
        }
        if let Some(table) = &target.table {
            let row = Row::from([("Digest".to_owned(), plan.md5.clone())]);
            store
                .put_row(table, &digest_id(&state.bucket, &state.key), &row)
                .await?;
        }
        Ok(new)
    })
    .await
}

/// Releases `lock` only while it is still the lock listed (its record, or its file's
/// ETag, unchanged): [`Condition::Failed`] when it changed, and nothing was deleted.
pub async fn unlock<S: Store>(
    store: &S,
    target: &Target,
    state: &StateId,
    lock: &Lock,
) -> Result<Condition, OpError> {
    match lock.kind {
        LockKind::Row => match &target.table {
            Some(table) => Ok(store
                .delete_row(table, &lock.path, Some(("Info", &lock.raw)))
                .await?),
            None => Ok(Condition::Failed),
        },
        LockKind::File => {
            let key = lockfile_key(&state.key);
            // The ETag alone is not enough where a store ignores If-Match: the body is
            // compared too, just before.
            let object = store.read(&state.bucket, &key, None, 1024 * 1024).await;
            let object = match object {
                Ok(object) => object,
                Err(error) if error.kind() == aws_client::AwsErrorKind::NotFound => {
                    return Ok(Condition::Failed);
                }
                Err(error) => return Err(error.into()),
            };
            match (&object.etag, object.bytes == lock.raw.as_bytes()) {
                (Some(etag), true) => Ok(store.delete_if_match(&state.bucket, &key, etag).await?),
                _ => Ok(Condition::Failed),
            }
        }
    }
}

/// Makes one `repair` fix: a digest is set under the state's lock, after checking the
/// current bytes still have that MD5; an orphaned digest row is deleted only while it still
/// holds what was read. [`Condition::Failed`] when something changed, and nothing was.
pub async fn apply_fix<S: Store>(
    store: &S,
    target: &Target,
    fix: &Fix,
) -> Result<Condition, OpError> {
    let Some(table) = &target.table else {
        return Ok(Condition::Failed);
    };
    match fix {
        Fix::SetDigest { state, md5, .. } => {
            locked(store, target, state, "repair", async {
                let current = store
                    .read(&state.bucket, &state.key, None, MAX_STATE_BYTES)
                    .await?;
                if md5_hex(&current.bytes) != *md5 {
                    return Ok(Condition::Failed);
                }
                let row = Row::from([("Digest".to_owned(), md5.clone())]);
                store
                    .put_row(table, &digest_id(&state.bucket, &state.key), &row)
                    .await?;
                Ok(Condition::Held)
            })
            .await
        }
        Fix::RemoveDigest { lock_id, digest } => Ok(store
            .delete_row(table, lock_id, Some(("Digest", digest)))
            .await?),
    }
}

/// Deletes `versions` of `state` under its lock, after checking its current version is
/// still `current` (so none of them became current in between).
pub async fn prune<S: Store>(
    store: &S,
    target: &Target,
    state: &StateId,
    current: &str,
    versions: &[String],
) -> Result<usize, OpError> {
    locked(store, target, state, "prune", async {
        still_current(store, state, Some(current)).await?;
        for version in versions {
            store
                .delete_version(&state.bucket, &state.key, version)
                .await?;
        }
        Ok(versions.len())
    })
    .await
}

/// The copies of one move, its keys' locks held: checks that neither key was written
/// since the plan, then copies each version still to copy (oldest first, so the new key's
/// history is in the same order) and checks each copy's MD5: the ETag S3 computed from the
/// bytes it stored when it is their MD5, else the bytes read back (KMS-encrypted objects).
async fn copy_moved<S: Store>(store: &S, planned: &crate::migrate::Move) -> Result<(), OpError> {
    let (from, to) = (&planned.from, &planned.to);
    futures::try_join!(
        still_current(store, from, Some(&planned.source_current)),
        still_current(store, to, planned.target_current.as_deref()),
    )?;
    for copy in &planned.copies {
        let copied = store
            .copy_version(&from.bucket, &from.key, &copy.version_id, &to.key)
            .await?;
        if copied.etag.as_deref() == Some(copy.md5.as_str()) {
            continue;
        }
        let written = store
            .read(
                &to.bucket,
                &to.key,
                Some(&copied.version_id),
                MAX_STATE_BYTES,
            )
            .await?;
        let found = md5_hex(&written.bytes);
        if found != copy.md5 {
            return Err(OpError::NotVerified {
                state: to.to_string(),
                expected: copy.md5.clone(),
                found,
            });
        }
    }
    Ok(())
}

/// Carries out one move of a migration under both keys' locks (taken as Terraform takes
/// each, both rows in one transaction): the copies (each checked by its MD5), then the new
/// key's digest row, written in the transaction that releases the locks. The old key is
/// left as it was.
pub async fn move_state<S: Store>(
    store: &S,
    target: &Target,
    planned: &crate::migrate::Move,
) -> Result<(), OpError> {
    let held = take_locks(
        store,
        target,
        &[&planned.from, &planned.to],
        "migrate",
        Utc::now(),
    )
    .await?;
    let copied = copy_moved(store, planned).await;
    let digest = match &copied {
        Ok(()) if !planned.digest_set => vec![(
            digest_id(&planned.to.bucket, &planned.to.key),
            Row::from([("Digest".to_owned(), planned.digest.clone())]),
        )],
        _ => Vec::new(),
    };
    let released = write_and_release(store, target, digest, held).await;
    copied?;
    released
}

/// Carries out `moves`, [`CONCURRENCY`] at a time, each through [`move_state`] with its own
/// locks (a batch of moves' locks in one TransactWriteItems would send fewer requests, but
/// a transaction is all or nothing: one taken lock would stop every move of its batch). One
/// result a move, in order.
pub async fn move_states<S: Store>(
    store: &S,
    target: &Target,
    moves: &[&crate::migrate::Move],
) -> Vec<Result<(), OpError>> {
    futures::stream::iter(moves)
        .map(|planned| move_state(store, target, planned))
        .buffered(CONCURRENCY)
        .collect()
        .await
}

/// Retires an old state a migration moved (`migrate --finish`): under its lock, checks its
/// current version is still `version_id`, puts a delete marker on it (every version stays
/// in the bucket's history) and deletes its digest row.
pub async fn retire<S: Store>(
    store: &S,
    target: &Target,
    state: &StateId,
    version_id: &str,
) -> Result<(), OpError> {
    locked(store, target, state, "migrate --finish", async {
        still_current(store, state, Some(version_id)).await?;
        store.delete_current(&state.bucket, &state.key).await?;
        if let Some(table) = &target.table {
            store
                .delete_row(table, &digest_id(&state.bucket, &state.key), None)
                .await?;
        }
        Ok(())
    })
    .await
}

/// Copies `copies` of `source_bucket` into `backup_bucket` (through another account's or
/// region's clients, as `backup` is): each version's bytes read and written under its
/// [`object_key`](crate::backup::object_key). One result a copy, in no particular order.
pub async fn back_up<S: Store, D: Store>(
    source: &S,
    source_bucket: &str,
    backup: &D,
    backup_bucket: &str,
    copies: &[crate::backup::Copy],
) -> Vec<Result<crate::backup::Entry, OpError>> {
    futures::stream::iter(copies)
        .map(|copy| async move {
            let object = source
                .read(
                    source_bucket,
                    &copy.key,
                    Some(&copy.version_id),
                    MAX_STATE_BYTES,
                )
                .await?;
            let md5 = md5_hex(&object.bytes);
            let to = crate::backup::object_key(source_bucket, &copy.key, &copy.version_id, &md5);
            let size = object.bytes.len() as u64;
            backup
                .put_object(
                    backup_bucket,
                    &to,
                    object.bytes.to_vec(),
                    "application/json",
                )
                .await?;
            Ok(crate::backup::Entry {
                key: copy.key.clone(),
                version_id: copy.version_id.clone(),
                size,
                md5,
                last_modified: copy.last_modified,
                object: to,
                current: copy.current,
            })
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await
}

/// The manifest of `source_bucket`'s backup in `backup_bucket`; `None` when there is none.
pub async fn read_manifest<D: Store>(
    backup: &D,
    backup_bucket: &str,
    source_bucket: &str,
) -> Result<Option<crate::backup::Manifest>, OpError> {
    let key = crate::backup::manifest_key(source_bucket);
    let object = match backup
        .read(backup_bucket, &key, None, MAX_STATE_BYTES)
        .await
    {
        Ok(object) => object,
        Err(error) if error.kind() == aws_client::AwsErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(error.into()),
    };
    serde_json::from_slice(&object.bytes)
        .map(Some)
        .map_err(|error| OpError::BadManifest {
            object: format!("s3://{backup_bucket}/{key}"),
            reason: error.to_string(),
        })
}

/// Writes `manifest` into `backup_bucket`.
pub async fn write_manifest<D: Store>(
    backup: &D,
    backup_bucket: &str,
    manifest: &crate::backup::Manifest,
) -> Result<(), OpError> {
    let body = serde_json::to_vec_pretty(manifest).expect("a manifest is plain data");
    backup
        .put_object(
            backup_bucket,
            &crate::backup::manifest_key(&manifest.source_bucket),
            body,
            "application/json",
        )
        .await?;
    Ok(())
}

/// Reads each copy back: the copies whose bytes are missing or not the MD5 the manifest
/// gives.
pub async fn check_copies<D: Store>(
    backup: &D,
    backup_bucket: &str,
    entries: &[&crate::backup::Entry],
) -> Result<Vec<crate::backup::Gap>, OpError> {
    let found: Vec<Option<crate::backup::Gap>> = futures::stream::iter(entries)
        .map(|entry| async move {
            let damaged = |reason: String| {
                Some(crate::backup::Gap::Damaged {
                    object: format!("s3://{backup_bucket}/{}", entry.object),
                    reason,
                })
            };
            match backup
                .read(backup_bucket, &entry.object, None, MAX_STATE_BYTES)
                .await
            {
                Ok(object) if md5_hex(&object.bytes) == entry.md5 => Ok(None),
                Ok(object) => Ok(damaged(format!(
                    "its MD5 is {}, not the {} of the state it copies",
                    md5_hex(&object.bytes),
                    entry.md5
                ))),
                Err(error) if error.kind() == aws_client::AwsErrorKind::NotFound => {
                    Ok(damaged("the copy is missing".to_owned()))
                }
                Err(error) => Err(OpError::from(error)),
            }
        })
        .buffered(CONCURRENCY)
        .try_collect()
        .await?;
    Ok(found.into_iter().flatten().collect())
}
