//! States that the real Terraform 1.0.3 wrote and reads back: a restored version is what
//! Terraform then sees, a stale digest is what Terraform refuses and repair is what makes it
//! work again, a released lock lets `terraform apply` proceed.

use remote_state::api::Condition;
use remote_state::model::LockKind;
use remote_state::verify::{self, Finding};
use remote_state::{Depth, ops, restore};
use test_support::terraform::Stack;
use test_support::{moto, terraform};

use crate::{Place, REGION};

const KEY: &str = "tenants/acme/terraform.tfstate";

fn backend(place: &Place, stack: &Stack) -> std::path::PathBuf {
    let path = stack.path().join("backend.hcl");
    std::fs::write(
        &path,
        format!(
            "bucket         = \"{}\"\nkey            = \"{KEY}\"\nregion         = \"{REGION}\"\ndynamodb_table = \"{}\"\nencrypt        = true\n",
            place.bucket(),
            place.table()
        ),
    )
    .unwrap();
    path
}

fn ok(output: &test_support::cli::Output, what: &str) {
    assert_eq!(
        output.code, 0,
        "{what}:\n{}\n{}",
        output.stdout, output.stderr
    );
}

/// Two applies, two outputs: the state's versions, and Terraform initialised on it.
async fn two_versions() -> (Place, Stack) {
    let place = Place::new().await;
    let stack = Stack::new(&terraform(), moto().endpoint(), "first");
    ok(&stack.init(&backend(&place, &stack)), "init");
    ok(&stack.apply(), "first apply");
    stack.set_value("second");
    ok(&stack.apply(), "second apply");
    (place, stack)
}

#[tokio::test]
async fn a_restored_version_is_what_terraform_reads_with_no_digest_error() {
    let (place, stack) = two_versions().await;
    let survey = place.survey("", Depth::Every).await;
    let state = &survey.states[0];
    assert_eq!(survey.states.len(), 1);
    assert_eq!(state.id.key, KEY);
    let summaries: Vec<_> = state
        .reads
        .iter()
        .map(|read| read.content.as_ref().unwrap().summary().unwrap().clone())
        .collect();
    assert!(summaries.len() >= 2, "{summaries:?}");
    // Newest first; the digest Terraform wrote is the current bytes' MD5.
    assert!(summaries[0].serial > summaries[summaries.len() - 1].serial);
    assert_eq!(verify::check(state), []);
    let first = state.reads.last().unwrap().version_id.clone();
    let diff = remote_state::diff::diff(&summaries[summaries.len() - 1], &summaries[0]);
    assert_eq!(diff.outputs.changed, ["name"]);

    // Going back a serial needs --force; then the first version is current again.
    let refused = restore::plan(state, &first, false).unwrap_err();
    assert!(
        matches!(refused[..], [restore::Refusal::OlderSerial { .. }]),
        "{refused:?}"
    );
    let plan = restore::plan(state, &first, true).unwrap();
    let new = ops::restore(&place.aws, &place.target, &state.id, &plan)
        .await
        .unwrap();
    assert_ne!(new, first, "a copy: history keeps every version");
    assert_eq!(place.digest(KEY).await.as_deref(), Some(plan.md5.as_str()));
    let output = stack.output();
    ok(&output, "output");
    assert_eq!(output.stdout, "first");
    let planned = stack.plan();
    assert_eq!(
        planned.code, 2,
        "the configuration says second: {}",
        planned.stderr
    );
    assert!(
        !planned.stderr.contains("expected content"),
        "{}",
        planned.stderr
    );
    // The lock was released: Terraform takes it again at once.
    ok(&stack.apply(), "apply after the restore");
    let after = place.survey(KEY, Depth::Every).await;
    assert_eq!(after.states[0].versions.len(), state.versions.len() + 2);
    assert!(after.states[0].locks.is_empty());
}

#[tokio::test]
async fn a_digest_changed_by_hand_is_refused_by_terraform_named_by_verify_and_repaired() {
    let (place, stack) = two_versions().await;
    let lock_id = remote_state::records::digest_id(place.bucket(), KEY);
    place
        .put_row(&lock_id, "Digest", "00000000000000000000000000000000")
        .await;
    let refused = stack.plan();
    assert_eq!(refused.code, 1);
    assert!(
        refused
            .stderr
            .contains("state data in S3 does not have the expected content"),
        "{}",
        refused.stderr
    );

    let survey = place.survey("", Depth::Current).await;
    let state = &survey.states[0];
    let findings = verify::check(state);
    assert!(
        matches!(&findings[..], [Finding::DigestMismatch { stored, .. }] if stored.starts_with("0000")),
        "{findings:?}"
    );
    let (fixes, left) = verify::repairs(state, &findings);
    assert!(left.is_empty(), "{left:?}");
    for fix in &fixes {
        assert_eq!(
            ops::apply_fix(&place.aws, &place.target, fix)
                .await
                .unwrap(),
            Condition::Held
        );
    }
    let again = place.survey("", Depth::Current).await;
    assert_eq!(verify::check(&again.states[0]), []);
    assert_eq!(stack.plan().code, 0, "Terraform reads the state again");
}

#[tokio::test]
async fn a_lock_left_by_a_killed_apply_is_listed_released_and_apply_proceeds() {
    let (place, stack) = two_versions().await;
    // `terraform apply` stopped at its prompt holds the lock as Terraform writes it; kill
    // it, and the row stays.
    stack.set_value("third");
    let mut waiting = stack.apply_waiting_for_approval();
    let lock_id = remote_state::records::lock_id(place.bucket(), KEY);
    let mut lock = None;
    for _ in 0..100 {
        let survey = place.survey(KEY, Depth::Current).await;
        if let Some(found) = survey.states[0].locks.first() {
            lock = Some(found.clone());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    test_support::terraform::kill(&mut waiting);
    let lock = lock.expect("terraform took its lock");
    assert_eq!(lock.kind, LockKind::Row);
    assert_eq!(lock.path, lock_id);
    let info = lock.info.clone().expect("Terraform's record");
    assert_eq!(info.operation, "OperationTypeApply");
    assert_eq!(info.version, "1.0.3");
    assert!(info.who.contains('@'), "{info:?}");
    assert!(lock.age(chrono::Utc::now()).is_some());
    let refused = stack.apply();
    assert_eq!(refused.code, 1, "the lock is still held");
    assert!(refused.stderr.contains("Lock Info"), "{}", refused.stderr);

    // A lock that changed between listing and deleting is not deleted.
    let state = place.survey(KEY, Depth::Current).await.states.remove(0);
    let mut stale = lock.clone();
    stale.raw = stale
        .raw
        .replace(&info.id, "00000000-0000-0000-0000-000000000000");
    assert_eq!(
        ops::unlock(&place.aws, &place.target, &state.id, &stale)
            .await
            .unwrap(),
        Condition::Failed
    );
    assert_eq!(
        place.survey(KEY, Depth::Current).await.states[0]
            .locks
            .len(),
        1
    );
    // Young: refused without force.
    assert!(
        remote_state::unlock::judge(
            &state.id.to_string(),
            &lock,
            None,
            chrono::Utc::now(),
            remote_state::unlock::DEFAULT_MIN_AGE,
            false
        )
        .is_err()
    );
    assert_eq!(
        ops::unlock(&place.aws, &place.target, &state.id, &lock)
            .await
            .unwrap(),
        Condition::Held
    );
    assert!(
        place.survey(KEY, Depth::Current).await.states[0]
            .locks
            .is_empty()
    );
    ok(&stack.apply(), "apply after the unlock");
}

#[tokio::test]
async fn a_write_waits_for_terraforms_lock_instead_of_racing() {
    let (place, stack) = two_versions().await;
    stack.set_value("third");
    let mut waiting = stack.apply_waiting_for_approval();
    let survey = loop {
        let survey = place.survey(KEY, Depth::Every).await;
        if !survey.states[0].locks.is_empty() {
            break survey;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    let state = &survey.states[0];
    let oldest = state.reads.last().unwrap().version_id.clone();
    // The plan refuses a locked state; carried out anyway, taking the lock fails first.
    assert!(matches!(
        restore::plan(state, &oldest, true).unwrap_err()[..],
        [restore::Refusal::Locked { .. }]
    ));
    let mut unlocked = state.clone();
    unlocked.locks.clear();
    let plan = restore::plan(&unlocked, &oldest, true).unwrap();
    let error = ops::restore(&place.aws, &place.target, &state.id, &plan)
        .await
        .unwrap_err();
    assert!(matches!(error, ops::OpError::Locked { .. }), "{error}");
    test_support::terraform::kill(&mut waiting);
    let after = place.survey(KEY, Depth::Every).await;
    assert_eq!(
        after.states[0].versions, state.versions,
        "nothing was written"
    );
}
