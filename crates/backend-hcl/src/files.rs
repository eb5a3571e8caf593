//! Backend files on disk: what each slot should hold, atomic writes that never overwrite a
//! file with other content unless forced (and show what differs), and scanning a backends
//! directory.

use std::path::{Path, PathBuf};

use naming::{BucketName, KeyScheme, LockMode, StateKey, TableName};
use serde::Serialize;

use crate::config::{BackendConfig, FileError, Style};
use crate::layout::{Layout, Place, Slot};

/// What every file of a deployment names: the state bucket, its region, the lock settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The state bucket.
    pub bucket: BucketName,
    /// The region of the bucket and table.
    pub region: naming::Region,
    /// The lock table, when the lock mode uses one.
    pub table: Option<TableName>,
    /// The lock mode.
    pub lock: LockMode,
    /// The KMS key state objects are encrypted with, if not the bucket default.
    pub kms_key_id: Option<String>,
}

impl Target {
    /// The configuration a file with `key` should hold (seed 002's per-environment file has no
    /// key).
    pub fn config(&self, key: Option<&StateKey>) -> BackendConfig {
        BackendConfig {
            bucket: Some(self.bucket.to_string()),
            key: key.map(ToString::to_string),
            region: Some(self.region.to_string()),
            encrypt: Some(true),
            dynamodb_table: self
                .table
                .as_ref()
                .filter(|_| self.lock.uses_table())
                .map(ToString::to_string),
            use_lockfile: self.lock.uses_lockfile().then_some(true),
            kms_key_id: self.kms_key_id.clone(),
            others: Vec::new(),
        }
    }
}

/// A file the toolkit wants on disk.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    /// Where, and for which key and owner.
    pub slot: Slot,
    /// What it holds.
    pub config: BackendConfig,
}

/// The files for `slots`.
pub fn plan_files(target: &Target, slots: Vec<Slot>) -> Vec<Planned> {
    slots
        .into_iter()
        .map(|slot| Planned {
            config: target.config(slot.key.as_ref()),
            slot,
        })
        .collect()
}

/// What writing did to one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Status {
    /// It did not exist and was written.
    Created,
    /// It already held exactly this.
    Unchanged,
    /// It held something else and `--force` replaced it; settings the toolkit does not write
    /// were kept.
    Updated {
        /// The settings kept from the file that was replaced.
        kept: Vec<String>,
    },
    /// It holds something else and was left alone (no `--force`).
    Differs {
        /// A unified diff from what is there to what would be written.
        diff: String,
    },
}

/// One file and what happened to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Written {
    /// The file, under the layout's root.
    pub path: PathBuf,
    /// What happened.
    #[serde(flatten)]
    pub status: Status,
}

/// Why files could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    /// An existing file cannot be read as a backend file; nothing was written.
    #[error("{0}")]
    Unreadable(#[from] FileError),
    /// The file system refused.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file system refused after some files were written.
    #[error(
        "cannot write {}: {source}; {} file(s) were written before it: {}",
        path.display(),
        written.len(),
        written.iter().map(|file| file.path.display().to_string()).collect::<Vec<_>>().join(", ")
    )]
    Partial {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
        /// The files created or replaced before it (each whole).
        written: Vec<Written>,
    },
}

impl WriteError {
    /// This error, saying which of `done` were written before it.
    fn after(self, done: &[Written]) -> WriteError {
        let written: Vec<Written> = done
            .iter()
            .filter(|file| matches!(file.status, Status::Created | Status::Updated { .. }))
            .cloned()
            .collect();
        match self {
            WriteError::Io { path, source } if !written.is_empty() => WriteError::Partial {
                path,
                source,
                written,
            },
            other => other,
        }
    }
}

enum Decision {
    Write { text: String, status: Status },
    Keep(Status),
}

/// Writes `planned` under `root`: absent files are created, identical ones left as they are,
/// files with other content left alone with their diff unless `force` (then replaced, keeping
/// the settings the toolkit does not write). Every file is read and decided before any is
/// written, and each is written atomically (a temporary file renamed into place), so a run
/// that stops leaves no half-written file.
pub fn write_all(
    root: &Path,
    style: Style,
    planned: &[Planned],
    force: bool,
) -> Result<Vec<Written>, WriteError> {
    let mut decisions = Vec::with_capacity(planned.len());
    for file in planned {
        let path = root.join(&file.slot.path);
        let existing = existing(root, &file.slot.path)?;
        let decision = match existing {
            None => Decision::Write {
                text: file.config.render(style),
                status: Status::Created,
            },
            Some(text) => {
                let old = match BackendConfig::parse(&text, &path) {
                    Ok(old) => old,
                    Err(_) if force => BackendConfig::default(),
                    Err(error) => return Err(error.into()),
                };
                let merged = file.config.clone().keeping_others_of(&old);
                let rendered = merged.render(style);
                if rendered == text {
                    Decision::Keep(Status::Unchanged)
                } else if force {
                    let kept = old
                        .others
                        .iter()
                        .map(|other| other.key().to_owned())
                        .collect();
                    Decision::Write {
                        text: rendered,
                        status: Status::Updated { kept },
                    }
                } else {
                    Decision::Keep(Status::Differs {
                        diff: diff(&text, &rendered, &file.slot.path),
                    })
                }
            }
        };
        decisions.push((file, path, decision));
    }
    let mut written = Vec::with_capacity(decisions.len());
    for (file, path, decision) in decisions {
        let status = match decision {
            Decision::Keep(status) => status,
            Decision::Write { text, status } => {
                let replace = !matches!(status, Status::Created);
                match write_atomically(&path, &text, replace) {
                    Ok(()) => status,
                    // Another writer created the file since it was read: never replace it.
                    Err(WriteError::Io { source, .. })
                        if source.kind() == std::io::ErrorKind::AlreadyExists =>
                    {
                        appeared(&path, &file.slot.path, &text)
                            .map_err(|error| error.after(&written))?
                    }
                    Err(error) => return Err(error.after(&written)),
                }
            }
        };
        written.push(Written {
            path: file.slot.path.clone(),
            status,
        });
    }
    Ok(written)
}

/// What `relative` under `root` holds now: `None` when it does not exist. Links below the
/// root are refused, as the scan refuses them, and so is anything but a regular file, so
/// reads, writes and removals treat every path alike.
pub fn existing(root: &Path, relative: &Path) -> Result<Option<String>, WriteError> {
    let mut path = root.to_owned();
    for part in relative.components() {
        path.push(part);
        match std::fs::symlink_metadata(&path) {
            Ok(metadata) if metadata.file_type().is_symlink() => {
                return Err(FileError::new(
                    &path,
                    "is a symbolic link; the toolkit neither reads nor writes backend files through links below the backends folder: replace it with the folder or file it points to",
                )
                .into());
            }
            Ok(_) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(WriteError::Io { path, source }),
        }
    }
    let bytes = crate::config::read_regular(&path)?;
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| FileError::new(&path, "is not UTF-8 text").into())
}

/// What a file that appeared while it was being created holds, against what `text` would
/// have written: the same, or its difference.
fn appeared(path: &Path, shown: &Path, text: &str) -> Result<Status, WriteError> {
    let there = std::fs::read_to_string(path).map_err(|source| WriteError::Io {
        path: path.to_owned(),
        source,
    })?;
    if there == text {
        return Ok(Status::Unchanged);
    }
    Ok(Status::Differs {
        diff: diff(&there, text, shown),
    })
}

fn diff(now: &str, wanted: &str, shown: &Path) -> String {
    similar::TextDiff::from_lines(now, wanted)
        .unified_diff()
        .context_radius(2)
        .header(&format!("{} (now)", shown.display()), "(would be written)")
        .to_string()
}

/// Writes `text` to a temporary file beside `path`, flushed to disk, then renames it into
/// place. A new file gets the permissions the umask allows (`0666` less the umask) and is
/// never put over a file that appeared meanwhile (the error is `AlreadyExists`); with
/// `replace`, an existing file is replaced and keeps its permissions.
pub fn write_atomically(path: &Path, text: &str, replace: bool) -> Result<(), WriteError> {
    use std::os::unix::fs::PermissionsExt;
    let io = |source| WriteError::Io {
        path: path.to_owned(),
        source,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
    // Created with mode 0666, which the kernel reduces by the umask.
    let mut temporary = tempfile::Builder::new()
        .prefix(".tfstate-toolkit-")
        .permissions(std::fs::Permissions::from_mode(0o666))
        .tempfile_in(dir)
        .map_err(io)?;
    std::io::Write::write_all(&mut temporary, text.as_bytes()).map_err(io)?;
    if replace {
        match std::fs::metadata(path) {
            Ok(existing) => {
                std::fs::set_permissions(temporary.path(), existing.permissions()).map_err(io)?;
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(io(source)),
        }
    }
    temporary.as_file().sync_all().map_err(io)?;
    if replace {
        temporary.persist(path).map_err(|error| io(error.error))?;
    } else {
        temporary
            .persist_noclobber(path)
            .map_err(|error| io(error.error))?;
    }
    Ok(())
}

/// A backend file found on disk.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// The file, relative to the layout's root.
    pub path: PathBuf,
    /// What it holds.
    pub config: BackendConfig,
}

/// Why a backends directory could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScanError {
    /// A file is not a valid backend file.
    #[error("{0}")]
    File(#[from] FileError),
    /// A directory could not be listed.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Whether a path (relative to the root) is a backend file of the layout's scheme.
fn is_backend_file(scheme: KeyScheme, relative: &Path) -> bool {
    let is_hcl = relative.extension().is_some_and(|ext| ext == "hcl");
    match scheme {
        // In the repository root, only the layers' backend.hcl files.
        KeyScheme::Layer => {
            relative
                .file_name()
                .is_some_and(|name| name == "backend.hcl")
                && relative.starts_with("providers")
                && relative.iter().any(|part| part == "layers")
        }
        _ => is_hcl,
    }
}

/// Every backend file under the layout's root (of one environment and region when given),
/// sorted by path. Hidden directories and `.terraform` are skipped. The first
/// file that is not a valid backend file stops the scan with its error.
pub fn scan(layout: &Layout, place: Option<Place<'_>>) -> Result<Vec<Found>, ScanError> {
    let root = layout.root();
    let mut found = Vec::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound && dir == root => {
                return Ok(found);
            }
            Err(source) => return Err(ScanError::Io { path: dir, source }),
        };
        for entry in entries {
            let entry = entry.map_err(|source| ScanError::Io {
                path: dir.clone(),
                source,
            })?;
            let path = entry.path();
            let name = entry.file_name();
            if name.to_string_lossy().starts_with('.') {
                continue;
            }
            let kind = entry.file_type().map_err(|source| ScanError::Io {
                path: path.clone(),
                source,
            })?;
            if kind.is_dir() {
                stack.push(path);
                continue;
            }
            let relative = path.strip_prefix(root).unwrap_or(&path).to_owned();
            // Writes refuse links below the root, so the scan does too (it never skips
            // what a write could have gone through); FIFOs, devices and sockets are never
            // opened.
            if kind.is_symlink() {
                return Err(FileError::new(
                    &path,
                    "is a symbolic link; the toolkit neither reads nor writes backend files through links below the backends folder: replace it with the folder or file it points to",
                )
                .into());
            }
            if !kind.is_file() {
                if is_backend_file(layout.scheme(), &relative) {
                    return Err(FileError::new(
                        &path,
                        format!("is {}, not a backend file", crate::config::file_kind(&kind)),
                    )
                    .into());
                }
                continue;
            }
            if !is_backend_file(layout.scheme(), &relative) {
                continue;
            }
            if place.is_some_and(|place| !layout.in_scope(place, &relative)) {
                continue;
            }
            let config = BackendConfig::read(&path)?;
            found.push(Found {
                path: relative,
                config,
            });
        }
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_after_writes_names_each_file_written_before_it() {
        let done = [
            Written {
                path: PathBuf::from("a/one.hcl"),
                status: Status::Created,
            },
            Written {
                path: PathBuf::from("a/two.hcl"),
                status: Status::Unchanged,
            },
            Written {
                path: PathBuf::from("a/three.hcl"),
                status: Status::Updated { kept: Vec::new() },
            },
        ];
        let io = || WriteError::Io {
            path: PathBuf::from("b/four.hcl"),
            source: std::io::Error::other("disk full"),
        };
        let error = io().after(&done);
        assert_eq!(
            error.to_string(),
            "cannot write b/four.hcl: disk full; 2 file(s) were written before it: a/one.hcl, a/three.hcl"
        );
        // Nothing written before: the plain error.
        assert_eq!(
            io().after(&done[1..2]).to_string(),
            "cannot write b/four.hcl: disk full"
        );
    }
}
