//! Backups before deletion: every current object (every version with `all_versions`) copied
//! to local disk, a manifest of keys, versions, sizes and SHA-256 checksums, and a
//! verification of every copy against the manifest and the listing. A backup is complete
//! only when `manifest.json` exists; a backup that fails is removed, and nothing is deleted.
//!
//! Copies are stored by content (`objects/<sha256>`): keys that are not valid file names
//! (`a/../b`, `dir/`, a key that is also a prefix of another key) cannot collide or escape
//! the backup, and identical versions are stored once. The manifest maps keys to copies.

use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use futures::{StreamExt, TryStreamExt, stream};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use aws_client::AwsError;

use crate::api::Store;
use crate::model::Entry;

/// Copies in flight at once.
const COPIES_IN_FLIGHT: usize = 8;

/// One copied version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// The key.
    pub key: String,
    /// The version id (`null` for an object written before versioning).
    pub version_id: String,
    /// Whether it was the current version.
    pub is_latest: bool,
    /// Bytes.
    pub size: u64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    /// The copy, relative to the backup directory.
    pub file: String,
}

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The bucket.
    pub bucket: String,
    /// When the backup was taken.
    pub created_at: DateTime<Utc>,
    /// Every version, or only the current objects.
    pub all_versions: bool,
    /// The copies.
    pub objects: Vec<ManifestEntry>,
    /// Total bytes.
    pub bytes: u64,
    /// Every copy was read back and matched its size and checksum.
    pub verified: bool,
}

/// Why a backup failed (the partial copy is removed; nothing is deleted).
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// An object could not be read from S3.
    #[error("cannot back up {key} (version {version_id}): {error}")]
    Read {
        /// The key.
        key: String,
        /// The version.
        version_id: String,
        /// The AWS failure.
        error: Box<AwsError>,
    },
    /// The disk refused a write (full, read-only, a file size limit).
    #[error("cannot write the backup at {}: {error}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The failure.
        error: std::io::Error,
    },
    /// A copy does not match what S3 listed or what was written.
    #[error("the copy of {key} (version {version_id}) does not match: {problem}")]
    Mismatch {
        /// The key.
        key: String,
        /// The version.
        version_id: String,
        /// What differs.
        problem: String,
    },
    /// Versions in an archive storage class: S3 refuses to read them until they are
    /// restored, so the backup does not start.
    #[error(
        "{count} version(s) are archived (GLACIER or DEEP_ARCHIVE), such as {key} (version {version_id}); they cannot be read until restored"
    )]
    Archived {
        /// How many.
        count: usize,
        /// One of them.
        key: String,
        /// Its version.
        version_id: String,
    },
    /// The backup directory exists already.
    #[error("{} exists already; choose another --backup-dir or remove it", .0.display())]
    Exists(PathBuf),
}

/// The entries a backup copies.
pub fn selection(entries: &[Entry], all_versions: bool) -> Vec<&Entry> {
    entries
        .iter()
        .filter(|entry| !entry.delete_marker && (all_versions || entry.is_latest))
        .collect()
}

/// `{root}/{bucket}-{timestamp}`: where a bucket's backup goes.
pub fn directory(root: &Path, bucket: &str, now: DateTime<Utc>) -> PathBuf {
    root.join(format!("{bucket}-{}", now.format("%Y%m%dT%H%M%SZ")))
}

/// Copies `entries` of `bucket` into `dir` (which must not exist), verifies them and writes
/// the manifest; `copied` is told the bytes of each copy.
pub async fn backup<S: Store>(
    store: &S,
    bucket: &str,
    entries: &[&Entry],
    all_versions: bool,
    dir: &Path,
    copied: &(dyn Fn(u64) + Sync),
) -> Result<Manifest, BackupError> {
    if dir.exists() {
        return Err(BackupError::Exists(dir.to_owned()));
    }
    let archived: Vec<&&Entry> = entries.iter().filter(|entry| entry.archived).collect();
    if let Some(first) = archived.first() {
        return Err(BackupError::Archived {
            count: archived.len(),
            key: first.key.clone(),
            version_id: first.version_id.clone(),
        });
    }
    let result = copy_and_verify(store, bucket, entries, all_versions, dir, copied).await;
    if result.is_err() {
        // An incomplete backup is no backup; it must not fill the disk either.
        let _ = std::fs::remove_dir_all(dir);
    }
    result
}

async fn copy_and_verify<S: Store>(
    store: &S,
    bucket: &str,
    entries: &[&Entry],
    all_versions: bool,
    dir: &Path,
    copied: &(dyn Fn(u64) + Sync),
) -> Result<Manifest, BackupError> {
    // Backups can hold state secrets: folders 0700, files 0600, whatever the umask.
    let objects = dir.join("objects");
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&objects)
        .and_then(|()| {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
            std::fs::set_permissions(&objects, std::fs::Permissions::from_mode(0o700))
        })
        .map_err(|error| BackupError::Write {
            path: objects.clone(),
            error,
        })?;
    let copies: Vec<ManifestEntry> = stream::iter(entries.iter().enumerate())
        .map(|(index, entry)| {
            let objects = &objects;
            async move {
                let copy = copy_one(store, bucket, entry, objects, index).await?;
                copied(copy.size);
                Ok::<_, BackupError>(copy)
            }
        })
        .buffered(COPIES_IN_FLIGHT)
        .try_collect()
        .await?;
    for copy in &copies {
        verify(dir, copy)?;
    }
    let manifest = Manifest {
        bucket: bucket.to_owned(),
        created_at: Utc::now(),
        all_versions,
        bytes: copies.iter().map(|copy| copy.size).sum(),
        objects: copies,
        verified: true,
    };
    let path = dir.join("manifest.json");
    let staging = dir.join(".manifest.json.partial");
    let text = serde_json::to_vec_pretty(&manifest).expect("the manifest serializes");
    private_file(&staging)
        .and_then(|mut file| {
            file.write_all(&text)?;
            file.sync_all()
        })
        .map_err(|error| BackupError::Write {
            path: staging.clone(),
            error,
        })?;
    std::fs::rename(&staging, &path).map_err(|error| BackupError::Write { path, error })?;
    Ok(manifest)
}

/// Creates (or truncates) `path` readable and writable by its owner only.
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    Ok(file)
}

/// Streams one version to a staging file, hashing it, then moves it to its content address.
async fn copy_one<S: Store>(
    store: &S,
    bucket: &str,
    entry: &Entry,
    objects: &Path,
    index: usize,
) -> Result<ManifestEntry, BackupError> {
    let read = |error: AwsError| BackupError::Read {
        key: entry.key.clone(),
        version_id: entry.version_id.clone(),
        error: Box::new(error),
    };
    let staging = objects.join(format!(".partial-{index}"));
    let write = |error: std::io::Error| BackupError::Write {
        path: staging.clone(),
        error,
    };
    let mut body = store
        .body(bucket, &entry.key, &entry.version_id)
        .await
        .map_err(read)?;
    let mut file = private_file(&staging).map_err(write)?;
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(read)?;
        hasher.update(&chunk);
        size += chunk.len() as u64;
        file.write_all(&chunk).map_err(write)?;
    }
    file.sync_all().map_err(write)?;
    drop(file);
    let sha256 = hex(&hasher.finalize());
    if size != entry.size {
        return Err(BackupError::Mismatch {
            key: entry.key.clone(),
            version_id: entry.version_id.clone(),
            problem: format!("S3 listed {} bytes, {size} were read", entry.size),
        });
    }
    let file = format!("objects/{sha256}");
    std::fs::rename(&staging, objects.join(&sha256)).map_err(write)?;
    Ok(ManifestEntry {
        key: entry.key.clone(),
        version_id: entry.version_id.clone(),
        is_latest: entry.is_latest,
        size,
        sha256,
        file,
    })
}

/// Reads a copy back and checks its size and checksum against the manifest entry.
pub fn verify(dir: &Path, entry: &ManifestEntry) -> Result<(), BackupError> {
    let path = dir.join(&entry.file);
    let mut file = std::fs::File::open(&path).map_err(|error| BackupError::Write {
        path: path.clone(),
        error,
    })?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 1 << 16];
    let mut size = 0u64;
    loop {
        let read = file.read(&mut buffer).map_err(|error| BackupError::Write {
            path: path.clone(),
            error,
        })?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        size += read as u64;
    }
    let sha256 = hex(&hasher.finalize());
    if size != entry.size || sha256 != entry.sha256 {
        return Err(BackupError::Mismatch {
            key: entry.key.clone(),
            version_id: entry.version_id.clone(),
            problem: format!(
                "{} has {size} bytes with SHA-256 {sha256}; the manifest says {} bytes, {}",
                path.display(),
                entry.size,
                entry.sha256
            ),
        });
    }
    Ok(())
}

/// SHA-256 of `bytes`, hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(key: &str, marker: bool, latest: bool) -> Entry {
        Entry {
            key: key.to_owned(),
            version_id: "v".to_owned(),
            size: 1,
            delete_marker: marker,
            is_latest: latest,
            archived: false,
            last_modified: None,
        }
    }

    #[test]
    fn the_selection_is_current_objects_or_every_version_never_markers() {
        let entries = [
            entry("a", false, true),
            entry("a", false, false),
            entry("b", true, true),
        ];
        assert_eq!(selection(&entries, false).len(), 1);
        assert_eq!(selection(&entries, true).len(), 2);
    }

    #[test]
    fn a_copy_that_differs_from_its_manifest_entry_is_caught() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("objects")).unwrap();
        let sha = sha256_hex(b"hello");
        std::fs::write(dir.path().join("objects").join(&sha), b"hello").unwrap();
        let mut manifest = ManifestEntry {
            key: "k".to_owned(),
            version_id: "v".to_owned(),
            is_latest: true,
            size: 5,
            sha256: sha.clone(),
            file: format!("objects/{sha}"),
        };
        verify(dir.path(), &manifest).unwrap();
        std::fs::write(dir.path().join("objects").join(&sha), b"hellO").unwrap();
        assert!(matches!(
            verify(dir.path(), &manifest),
            Err(BackupError::Mismatch { .. })
        ));
        manifest.file = "objects/missing".to_owned();
        assert!(matches!(
            verify(dir.path(), &manifest),
            Err(BackupError::Write { .. })
        ));
    }

    #[test]
    fn backups_go_under_the_bucket_and_a_timestamp() {
        let now: DateTime<Utc> = "2026-11-22T09:30:05Z".parse().unwrap();
        assert_eq!(
            directory(Path::new("s3-backups"), "b", now),
            Path::new("s3-backups/b-20261122T093005Z")
        );
    }
}
