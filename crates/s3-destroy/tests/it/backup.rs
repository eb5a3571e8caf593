//! Backups: every object with a matching checksum, or nothing and no directory.

use s3_destroy::backup::{self, BackupError, sha256_hex};
use test_support::aws::aws_sdk_s3::primitives::ByteStream;
use test_support::aws::aws_sdk_s3::types::StorageClass;
use test_support::fixtures::{self, Fill};
use test_support::{Stores, on_both_stores, unique_name};

use crate::{REGION, s3, store, store_on};

on_both_stores!(a_backup_holds_every_current_object_or_every_version_with_matching_checksums);

async fn a_backup_holds_every_current_object_or_every_version_with_matching_checksums(
    stores: Stores,
) {
    let s3 = stores.s3(REGION);
    let bucket = unique_name("backed-up");
    fixtures::versioned_bucket(&s3, &bucket, REGION).await;
    let fill = Fill {
        keys: 12,
        versions: 2,
        delete_markers: 3,
        folder_keys: 2,
        uploads: 0,
        body_size: 100,
    };
    fixtures::fill(&s3, &bucket, &fill).await;
    // A key that is not a valid file name stays inside the backup.
    s3.put_object()
        .bucket(&bucket)
        .key("../escape/../x")
        .body(ByteStream::from_static(b"escape"))
        .send()
        .await
        .unwrap();
    let store = store_on(&stores);
    let inventory = s3_destroy::inventory(&*store, &bucket).await.unwrap();
    let root = tempfile::tempdir().unwrap();

    for all_versions in [false, true] {
        let dir = root.path().join(format!("b-{all_versions}"));
        let selection = backup::selection(&inventory.entries, all_versions);
        let manifest = backup::backup(&*store, &bucket, &selection, all_versions, &dir, &|_| {})
            .await
            .unwrap();
        let expected = if all_versions {
            12 * 2 + 2 + 1
        } else {
            (12 - 3) + 2 + 1
        };
        assert_eq!(manifest.objects.len(), expected);
        assert!(manifest.verified);
        for object in &manifest.objects {
            let copy = std::fs::read(dir.join(&object.file)).unwrap();
            assert_eq!(sha256_hex(&copy), object.sha256);
            assert_eq!(copy.len() as u64, object.size);
            // The copy is the object's content, as S3 returns it for that version.
            let mut get = s3.get_object().bucket(&bucket).key(&object.key);
            if object.version_id != "null" {
                get = get.version_id(&object.version_id);
            }
            let body = get
                .send()
                .await
                .unwrap()
                .body
                .collect()
                .await
                .unwrap()
                .into_bytes();
            assert_eq!(copy, body.to_vec(), "{}", object.key);
        }
        let written: backup::Manifest =
            serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
        assert_eq!(written, manifest);
        assert!(std::fs::read_dir(dir.join("objects")).unwrap().all(|f| {
            !f.unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(".partial")
        }));
    }
}

#[tokio::test]
async fn an_archived_version_is_refused_before_the_backup_copies_anything() {
    let s3 = s3();
    let bucket = unique_name("archived");
    fixtures::versioned_bucket(&s3, &bucket, REGION).await;
    fixtures::fill(
        &s3,
        &bucket,
        &Fill {
            keys: 6,
            versions: 1,
            delete_markers: 0,
            folder_keys: 0,
            uploads: 0,
            body_size: 10,
        },
    )
    .await;
    // An archived object cannot be read until it is restored.
    s3.put_object()
        .bucket(&bucket)
        .key("archive/old.tar")
        .storage_class(StorageClass::Glacier)
        .body(ByteStream::from_static(b"cold"))
        .send()
        .await
        .unwrap();
    let store = store();
    let inventory = s3_destroy::inventory(&*store, &bucket).await.unwrap();
    let dir = tempfile::tempdir().unwrap().path().join("backup");
    let selection = backup::selection(&inventory.entries, false);
    let error = backup::backup(&*store, &bucket, &selection, false, &dir, &|_| {})
        .await
        .unwrap_err();
    // T5: S3 answers GetObject on an archived version with 403 InvalidObjectState (moto
    // too); the backup refuses before it copies anything, naming the version to restore.
    match &error {
        BackupError::Archived {
            count,
            key,
            version_id,
        } => {
            assert_eq!((*count, key.as_str()), (1, "archive/old.tar"));
            assert!(!version_id.is_empty());
        }
        other => panic!("expected the archived version to be refused first, got {other}"),
    }
    assert!(
        error.to_string().contains("cannot be read until restored"),
        "{error}"
    );
    assert!(!dir.exists(), "nothing was written");
    assert_eq!(fixtures::remaining(&s3, &bucket).await, Some((7, 0)));
    let archived = s3
        .get_object()
        .bucket(&bucket)
        .key("archive/old.tar")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        archived.into_service_error().meta().code(),
        Some("InvalidObjectState"),
        "the emulator refuses the read as S3 does"
    );
}
