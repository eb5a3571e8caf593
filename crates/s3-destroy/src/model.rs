//! What the inventory finds in a bucket, in the toolkit's own terms: plain values that the
//! plan and the tests build by hand.

use serde::Serialize;

pub use aws_client::objects::{Entry, Lock, Upload};
pub use aws_client::s3::{RetentionMode, Versioning};

/// Terraform state found in a bucket: current `*.tfstate` objects and the resources they
/// still track.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StateSummary {
    /// State files.
    pub files: u64,
    /// Resource instances they track.
    pub resources: u64,
    /// State files that could not be read or parsed (counted as holding resources).
    pub unreadable: u64,
}

impl StateSummary {
    /// Whether the bucket holds any Terraform state.
    pub fn holds_state(&self) -> bool {
        self.files > 0
    }
}

/// The bucket-level settings the inventory reads.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct BucketSettings {
    /// Versioning, with MFA delete.
    pub versioning: Option<Versioning>,
    /// MFA delete is on: versions can only be deleted with the root user's MFA code.
    pub mfa_delete: bool,
    /// Object Lock is enabled on the bucket.
    pub object_lock: bool,
    /// A replication configuration exists.
    pub replication: bool,
    /// The bucket policy, as JSON text.
    pub policy: Option<String>,
    /// A lifecycle configuration exists.
    pub lifecycle: bool,
    /// Event notifications are configured.
    pub notifications: bool,
}

/// Everything the plan needs to know about one bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Inventory {
    /// The bucket.
    pub bucket: String,
    /// `None` when the bucket does not exist (already deleted).
    pub settings: Option<BucketSettings>,
    /// Every version and delete marker listed.
    #[serde(skip)]
    pub entries: Vec<Entry>,
    /// In-progress multipart uploads.
    #[serde(skip)]
    pub uploads: Vec<Upload>,
    /// Versions under retention or legal hold (read only when Object Lock is on).
    pub locks: Vec<Lock>,
    /// Terraform state in the bucket.
    pub state: StateSummary,
}

/// Counts of an inventory, for reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Object versions (current and noncurrent).
    pub versions: u64,
    /// Delete markers.
    pub delete_markers: u64,
    /// Bytes of all versions.
    pub bytes: u64,
    /// Current objects (the latest version of a key that is not a delete marker).
    pub current_objects: u64,
    /// Bytes of the current objects.
    pub current_bytes: u64,
    /// Keys ending in `/`.
    pub folder_keys: u64,
    /// In-progress multipart uploads.
    pub uploads: u64,
}

impl Inventory {
    /// Whether the bucket exists.
    pub fn exists(&self) -> bool {
        self.settings.is_some()
    }

    /// The inventory's counts.
    pub fn counts(&self) -> Counts {
        let mut counts = Counts {
            uploads: self.uploads.len() as u64,
            ..Counts::default()
        };
        for entry in &self.entries {
            if entry.delete_marker {
                counts.delete_markers += 1;
                continue;
            }
            counts.versions += 1;
            counts.bytes += entry.size;
            if entry.is_latest {
                counts.current_objects += 1;
                counts.current_bytes += entry.size;
            }
            if entry.key.ends_with('/') {
                counts.folder_keys += 1;
            }
        }
        counts
    }
}
