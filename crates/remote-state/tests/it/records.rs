//! Terraform's records as the survey finds them: orphans both ways, workspaces, OpenTofu's
//! envelope, and bytes that are not a state.

use remote_state::Depth;
use remote_state::api::Condition;
use remote_state::records::{digest_id, lock_id, md5_hex};
use remote_state::state::{Content, Workspace};
use remote_state::verify::{self, Finding, Fix};
use test_support::fixtures;

use crate::Place;

const STATE: &[u8] = br#"{"version":4,"terraform_version":"1.0.3","serial":1,"lineage":"l","outputs":{},"resources":[]}"#;

#[tokio::test]
async fn rows_without_a_state_are_orphans_and_repair_removes_only_the_digest_rows() {
    let place = Place::new().await;
    let bucket = place.bucket().to_owned();
    fixtures::put(&place.s3, &bucket, "live/terraform.tfstate", STATE).await;
    place
        .put_row(
            &digest_id(&bucket, "live/terraform.tfstate"),
            "Digest",
            &md5_hex(STATE),
        )
        .await;
    place
        .put_row(
            &digest_id(&bucket, "gone/terraform.tfstate"),
            "Digest",
            "abc",
        )
        .await;
    place
        .put_row(
            &lock_id(&bucket, "never/terraform.tfstate"),
            "Info",
            r#"{"ID":"x"}"#,
        )
        .await;
    // A state that was deleted: its delete marker on top, its digest row left behind.
    fixtures::put(&place.s3, &bucket, "deleted/terraform.tfstate", STATE).await;
    fixtures::delete(&place.s3, &bucket, "deleted/terraform.tfstate").await;
    place
        .put_row(
            &digest_id(&bucket, "deleted/terraform.tfstate"),
            "Digest",
            &md5_hex(STATE),
        )
        .await;

    let survey = place.survey("", Depth::Current).await;
    let mut orphans: Vec<String> = survey
        .orphans()
        .iter()
        .map(|finding| match finding {
            Finding::OrphanDigest { lock_id, .. } | Finding::OrphanLock { lock_id } => {
                lock_id.clone()
            }
            other => panic!("{other:?}"),
        })
        .collect();
    orphans.sort();
    assert_eq!(
        orphans,
        [
            digest_id(&bucket, "deleted/terraform.tfstate"),
            digest_id(&bucket, "gone/terraform.tfstate"),
            lock_id(&bucket, "never/terraform.tfstate"),
        ]
    );
    let (fixes, left) = verify::repair_orphans(&survey.orphans());
    assert_eq!(fixes.len(), 2);
    assert!(matches!(
        left[..],
        [verify::Left {
            finding: Finding::OrphanLock { .. },
            ..
        }]
    ));
    // A row that changed since it was read is kept.
    place
        .put_row(
            &digest_id(&bucket, "gone/terraform.tfstate"),
            "Digest",
            "changed",
        )
        .await;
    let mut outcomes = Vec::new();
    for fix in &fixes {
        outcomes.push(
            remote_state::ops::apply_fix(&place.aws, &place.target, fix)
                .await
                .unwrap(),
        );
    }
    let gone = fixes
        .iter()
        .position(
            |fix| matches!(fix, Fix::RemoveDigest { lock_id, .. } if lock_id.contains("/gone/")),
        )
        .unwrap();
    assert_eq!(outcomes[gone], Condition::Failed);
    assert_eq!(outcomes[1 - gone], Condition::Held);
    let after = place.survey("", Depth::Current).await;
    assert_eq!(
        after.orphans().len(),
        2,
        "the changed digest row and the lock row stay"
    );
    assert_eq!(
        place.digest("live/terraform.tfstate").await,
        Some(md5_hex(STATE))
    );
}

#[tokio::test]
async fn workspaces_an_encrypted_envelope_and_bytes_that_are_not_a_state() {
    let place = Place::new().await;
    let bucket = place.bucket().to_owned();
    let envelope = br#"{"meta":{"key_provider.pbkdf2.main":"e30="},"encrypted_data":"c2VjcmV0","encryption_version":"v0"}"#;
    fixtures::put(&place.s3, &bucket, "app/terraform.tfstate", STATE).await;
    fixtures::put(
        &place.s3,
        &bucket,
        "env:/staging/app/terraform.tfstate",
        STATE,
    )
    .await;
    fixtures::put(&place.s3, &bucket, "tofu/terraform.tfstate", envelope).await;
    fixtures::put(
        &place.s3,
        &bucket,
        "broken/terraform.tfstate",
        b"{\"version\": 4,",
    )
    .await;
    fixtures::put(&place.s3, &bucket, "notes.txt", b"not a state").await;
    for key in ["app", "env:/staging/app", "tofu"] {
        let key = format!("{key}/terraform.tfstate");
        let bytes: &[u8] = if key.starts_with("tofu") {
            envelope
        } else {
            STATE
        };
        place
            .put_row(&digest_id(&bucket, &key), "Digest", &md5_hex(bytes))
            .await;
    }
    let survey = place.survey("", Depth::Every).await;
    let keys: Vec<(&str, &Workspace)> = survey
        .states
        .iter()
        .map(|state| (state.id.key.as_str(), &state.id.workspace))
        .collect();
    assert_eq!(
        keys,
        [
            ("app/terraform.tfstate", &Workspace::Default),
            ("broken/terraform.tfstate", &Workspace::Default),
            (
                "env:/staging/app/terraform.tfstate",
                &Workspace::Named("staging".to_owned())
            ),
            ("tofu/terraform.tfstate", &Workspace::Default),
        ]
    );
    let findings = |key: &str| {
        verify::check(
            survey
                .states
                .iter()
                .find(|state| state.id.key == key)
                .unwrap(),
        )
    };
    assert_eq!(findings("app/terraform.tfstate"), []);
    assert_eq!(findings("env:/staging/app/terraform.tfstate"), []);
    // The envelope is recognised, and its digest checked, without its key.
    let tofu = survey
        .states
        .iter()
        .find(|state| state.id.key.starts_with("tofu"))
        .unwrap();
    assert!(matches!(
        tofu.current_read().unwrap().content,
        Ok(Content::Encrypted { .. })
    ));
    assert_eq!(findings("tofu/terraform.tfstate"), []);
    let broken = findings("broken/terraform.tfstate");
    assert!(
        matches!(&broken[..], [Finding::Invalid { current: true, reason, .. }, Finding::DigestMissing { .. }] if reason.starts_with("not JSON")),
        "{broken:?}"
    );
}

#[tokio::test]
async fn a_state_too_big_to_read_is_refused_before_a_byte_is_read() {
    let place = Place::new().await;
    let bucket = place.bucket().to_owned();
    fixtures::put(&place.s3, &bucket, "big/terraform.tfstate", &[b' '; 4096]).await;
    let error = place
        .aws
        .object_bytes(&bucket, "big/terraform.tfstate", None, 1024)
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("4096 bytes, more than the 1024"),
        "{error}"
    );
}

#[tokio::test]
async fn s3_lock_files_are_taken_with_if_none_match_listed_and_released_only_if_unchanged() {
    let mut place = Place::new().await;
    place.target.lockfiles = true;
    let bucket = place.bucket().to_owned();
    let key = "app/terraform.tfstate";
    fixtures::put(&place.s3, &bucket, key, STATE).await;
    // A lock file as Terraform 1.10+ writes it (S4).
    let info = r#"{"ID":"5c1b1c1e-0000-4000-8000-000000000001","Operation":"OperationTypeApply","Info":"","Who":"bob@ci","Version":"1.11.0","Created":"2026-11-30T10:00:00Z","Path":"b/app/terraform.tfstate"}"#;
    fixtures::put(
        &place.s3,
        &bucket,
        "app/terraform.tfstate.tflock",
        info.as_bytes(),
    )
    .await;
    let survey = place.survey(key, Depth::Current).await;
    let state = &survey.states[0];
    let lock = &state.locks[0];
    assert_eq!(lock.kind, remote_state::model::LockKind::File);
    assert_eq!(lock.info.as_ref().unwrap().who, "bob@ci");
    // Taking the lock as Terraform does fails while the file is there.
    let taken = remote_state::ops::take_lock(
        &place.aws,
        &place.target,
        &state.id,
        "test",
        chrono::Utc::now(),
    )
    .await;
    assert!(
        matches!(
            taken,
            Err(remote_state::OpError::Locked {
                kind: "lock file",
                ..
            })
        ),
        "{taken:?}"
    );
    // A lock file rewritten since it was listed is not released.
    let mut stale = lock.clone();
    stale.raw = stale.raw.replace("bob@ci", "carol@ci");
    assert_eq!(
        remote_state::ops::unlock(&place.aws, &place.target, &state.id, &stale)
            .await
            .unwrap(),
        Condition::Failed
    );
    assert_eq!(
        place.survey(key, Depth::Current).await.states[0]
            .locks
            .len(),
        1
    );
    assert_eq!(
        remote_state::ops::unlock(&place.aws, &place.target, &state.id, lock)
            .await
            .unwrap(),
        Condition::Held
    );
    assert!(
        place.survey(key, Depth::Current).await.states[0]
            .locks
            .is_empty()
    );
    // Now this run takes it (file and row), and releases both.
    let held = remote_state::ops::take_lock(
        &place.aws,
        &place.target,
        &state.id,
        "test",
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let locked = place.survey(key, Depth::Current).await;
    let kinds: Vec<_> = locked.states[0]
        .locks
        .iter()
        .map(|lock| lock.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            remote_state::model::LockKind::File,
            remote_state::model::LockKind::Row
        ]
    );
    assert!(
        locked.states[0].locks[0]
            .info
            .as_ref()
            .unwrap()
            .operation
            .contains("manage-remote-state test")
    );
    remote_state::ops::release(&place.aws, &place.target, held)
        .await
        .unwrap();
    assert!(
        place.survey(key, Depth::Current).await.states[0]
            .locks
            .is_empty()
    );
}
