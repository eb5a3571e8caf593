//! Gathering the inventory through [`Store`]: the settings, every version and delete marker,
//! the uploads, the Object Lock state of each version (only when the bucket has Object
//! Lock), and the Terraform state the bucket still holds.

use futures::{StreamExt, TryStreamExt, stream};
use serde_json::Value;

use aws_client::AwsError;

use crate::api::Store;
use crate::model::{Entry, Inventory, StateSummary};

/// How many reads run at once (Object Lock lookups, state files).
const READS_IN_FLIGHT: usize = 16;

/// The largest state file read to count its resources; a bigger one counts as unreadable.
const MAX_STATE_BYTES: usize = 512 << 20;

/// The inventory of `bucket`.
pub async fn inventory<S: Store>(store: &S, bucket: &str) -> Result<Inventory, AwsError> {
    let Some(settings) = store.settings(bucket).await? else {
        return Ok(Inventory {
            bucket: bucket.to_owned(),
            settings: None,
            entries: Vec::new(),
            uploads: Vec::new(),
            locks: Vec::new(),
            state: StateSummary::default(),
        });
    };
    // Both listings at once: on AWS each is a round trip of tens of milliseconds.
    let (entries, uploads) =
        futures::try_join!(list_all(store, bucket), store.list_uploads(bucket))?;
    let locks = if settings.object_lock {
        stream::iter(entries.iter().filter(|entry| !entry.delete_marker))
            .map(|entry| store.lock(bucket, entry))
            .buffer_unordered(READS_IN_FLIGHT)
            .try_filter(|lock| std::future::ready(lock.retention.is_some() || lock.legal_hold))
            .try_collect()
            .await?
    } else {
        Vec::new()
    };
    let state = state_summary(store, bucket, &entries).await;
    Ok(Inventory {
        bucket: bucket.to_owned(),
        settings: Some(settings),
        entries,
        uploads,
        locks,
        state,
    })
}

/// Every version and delete marker, page after page.
pub async fn list_all<S: Store>(store: &S, bucket: &str) -> Result<Vec<Entry>, AwsError> {
    let mut entries = Vec::new();
    let mut marker = None;
    loop {
        let page = store.list_versions(bucket, marker.as_ref()).await?;
        entries.extend(page.entries);
        match page.next {
            Some(next) => marker = Some(next),
            None => return Ok(entries),
        }
    }
}

/// The current `*.tfstate` objects and the resources they track.
async fn state_summary<S: Store>(store: &S, bucket: &str, entries: &[Entry]) -> StateSummary {
    let files: Vec<&Entry> = entries
        .iter()
        .filter(|entry| entry.is_latest && !entry.delete_marker && entry.key.ends_with(".tfstate"))
        .collect();
    let counted: Vec<Option<u64>> = stream::iter(files.iter())
        .map(|entry| async move {
            let mut body = store
                .body(bucket, &entry.key, &entry.version_id)
                .await
                .ok()?;
            let mut bytes = Vec::new();
            while let Some(chunk) = body.next().await {
                bytes.extend_from_slice(&chunk.ok()?);
                if bytes.len() > MAX_STATE_BYTES {
                    return None;
                }
            }
            tracked_resources(&bytes)
        })
        .buffer_unordered(READS_IN_FLIGHT)
        .collect()
        .await;
    StateSummary {
        files: files.len() as u64,
        resources: counted.iter().flatten().sum(),
        unreadable: counted.iter().filter(|count| count.is_none()).count() as u64,
    }
}

/// The resource instances a Terraform state file tracks: `resources[].instances` (format 4,
/// Terraform 0.12 and later) or the resources of every module (format 3); `None` when the
/// file is not a state file.
pub fn tracked_resources(state: &[u8]) -> Option<u64> {
    let document: Value = serde_json::from_slice(state).ok()?;
    if let Some(resources) = document.get("resources").and_then(Value::as_array) {
        return Some(
            resources
                .iter()
                .map(|resource| {
                    resource["instances"]
                        .as_array()
                        .map_or(1, |i| i.len() as u64)
                })
                .sum(),
        );
    }
    let modules = document.get("modules")?.as_array()?;
    Some(
        modules
            .iter()
            .map(|module| {
                module["resources"]
                    .as_object()
                    .map_or(0, |r| r.len() as u64)
            })
            .sum(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_are_counted_in_both_state_formats() {
        let v4 = br#"{"version":4,"resources":[{"type":"aws_vpc","instances":[{},{}]},{"type":"null_resource","instances":[{}]}]}"#;
        assert_eq!(tracked_resources(v4), Some(3));
        let empty = br#"{"version":4,"terraform_version":"1.0.3","serial":1,"outputs":{"x":{"value":1}},"resources":[]}"#;
        assert_eq!(tracked_resources(empty), Some(0));
        let v3 = br#"{"version":3,"modules":[{"path":["root"],"resources":{"aws_s3_bucket.a":{},"aws_iam_role.b":{}}},{"path":["root","m"],"resources":{"x.y":{}}}]}"#;
        assert_eq!(tracked_resources(v3), Some(3));
        assert_eq!(tracked_resources(b"not json"), None);
        assert_eq!(tracked_resources(br#"{"something":"else"}"#), None);
    }
}
