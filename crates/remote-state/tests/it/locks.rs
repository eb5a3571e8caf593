//! One move's two locks: taken together in one transaction or not at all, and the new
//! key's digest row written by the transaction that releases them, only while both are
//! still this run's.

use remote_state::OpError;
use remote_state::model::LockKind;
use remote_state::ops::{Held, release_all, take_locks, write_and_release};
use remote_state::records::{digest_id, lock_id};
use remote_state::state::StateId;
use test_support::fixtures;

use crate::Place;

const STATE: &[u8] = br#"{"version":4,"terraform_version":"1.0.3","serial":1,"lineage":"l","outputs":{},"resources":[]}"#;
const OLD: &str = "old/terraform.tfstate";
const NEW: &str = "new/terraform.tfstate";

/// Both states written, so a survey finds their locks.
async fn two_states(place: &Place) -> (StateId, StateId) {
    for key in [OLD, NEW] {
        fixtures::put(&place.s3, place.bucket(), key, STATE).await;
    }
    (
        StateId::new(place.bucket(), OLD),
        StateId::new(place.bucket(), NEW),
    )
}

/// Who holds each state's lock rows, as the survey finds them: (key, holders).
async fn holders(place: &Place) -> Vec<(String, Vec<String>)> {
    place
        .survey("", remote_state::Depth::Current)
        .await
        .states
        .iter()
        .map(|state| {
            let rows = state.locks.iter().filter(|lock| lock.kind == LockKind::Row);
            (
                state.id.key.clone(),
                rows.map(|lock| lock.holder()).collect(),
            )
        })
        .collect()
}

async fn take(place: &Place, old: &StateId, new: &StateId) -> Result<Vec<Held>, OpError> {
    take_locks(
        &place.aws,
        &place.target,
        &[old, new],
        "migrate",
        chrono::Utc::now(),
    )
    .await
}

#[tokio::test]
async fn two_locks_are_taken_together_or_not_at_all_and_the_taken_one_is_named() {
    let place = Place::new().await;
    let (old, new) = two_states(&place).await;
    let theirs = r#"{"ID":"x","Operation":"OperationTypeApply","Who":"bob@ci","Version":"1.0.3","Created":"2026-12-01T10:00:00Z","Path":"p","Info":""}"#;
    place
        .put_row(&lock_id(place.bucket(), NEW), "Info", theirs)
        .await;

    let refused = take(&place, &old, &new).await;
    assert!(
        matches!(&refused, Err(OpError::Locked { state, kind: "lock row" }) if state.ends_with(NEW)),
        "{refused:?}"
    );
    let found = holders(&place).await;
    assert_eq!(found.len(), 2, "{found:?}");
    for (key, rows) in &found {
        match key.as_str() {
            // The free lock was not taken either: the transaction wrote nothing.
            OLD => assert!(rows.is_empty(), "{key}: {rows:?}"),
            _ => assert!(
                matches!(rows.as_slice(), [holder] if holder.contains("bob@ci")),
                "{key}: {rows:?}"
            ),
        }
    }

    place
        .dynamodb
        .delete_item()
        .table_name(place.table())
        .key(
            "LockID",
            test_support::aws::aws_sdk_dynamodb::types::AttributeValue::S(lock_id(
                place.bucket(),
                NEW,
            )),
        )
        .send()
        .await
        .unwrap();
    let held = take(&place, &old, &new).await.expect("both locks are free");
    for (key, rows) in holders(&place).await {
        assert!(
            matches!(rows.as_slice(), [holder] if holder.contains("manage-remote-state migrate")),
            "{key}: {rows:?}"
        );
    }
    release_all(&place.aws, &place.target, held).await.unwrap();
    for (key, rows) in holders(&place).await {
        assert!(rows.is_empty(), "{key} is released: {rows:?}");
    }
}

#[tokio::test]
async fn the_digest_is_written_as_the_locks_are_released_and_only_while_both_are_ours() {
    let place = Place::new().await;
    let (old, new) = two_states(&place).await;
    let digest = || {
        vec![(
            digest_id(place.bucket(), NEW),
            remote_state::api::Row::from([("Digest".to_owned(), "0123abcd".to_owned())]),
        )]
    };

    let held = take(&place, &old, &new).await.unwrap();
    write_and_release(&place.aws, &place.target, digest(), held)
        .await
        .expect("both locks are still ours");
    assert_eq!(place.digest(NEW).await.as_deref(), Some("0123abcd"));
    for (key, rows) in holders(&place).await {
        assert!(rows.is_empty(), "{key} is released: {rows:?}");
    }

    // Someone unlocks the new key and takes its lock while this run works.
    place
        .put_row(&digest_id(place.bucket(), NEW), "Digest", "written-since")
        .await;
    let held = take(&place, &old, &new).await.unwrap();
    let theirs = r#"{"ID":"y","Operation":"OperationTypeApply","Who":"carol@ci","Version":"1.0.3","Created":"2026-12-01T10:00:00Z","Path":"p","Info":""}"#;
    place
        .put_row(&lock_id(place.bucket(), NEW), "Info", theirs)
        .await;
    let lost = write_and_release(&place.aws, &place.target, digest(), held).await;
    assert!(
        matches!(&lost, Err(OpError::LockLost { state }) if state.ends_with(NEW)),
        "{lost:?}"
    );
    assert!(
        lost.unwrap_err()
            .to_string()
            .contains("digest row was not written"),
        "the error says what was left undone"
    );
    assert_eq!(
        place.digest(NEW).await.as_deref(),
        Some("written-since"),
        "the digest is not written once a lock is lost"
    );
    for (key, rows) in holders(&place).await {
        match key.as_str() {
            OLD => assert!(rows.is_empty(), "what was still ours is released: {rows:?}"),
            _ => assert!(
                matches!(rows.as_slice(), [holder] if holder.contains("carol@ci")),
                "the other holder's lock stays: {rows:?}"
            ),
        }
    }
}
