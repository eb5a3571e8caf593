//! Object Lock: governance retention only with the bypass, compliance and legal holds never.

use s3_destroy::{Blocker, Options, Tuning};
use test_support::fixtures::{self, Protection};
use test_support::{Stores, on_both_stores, unique_name};

use crate::{REGION, destroy, store_on};

on_both_stores!(
    governance_retention_needs_the_bypass_and_then_goes,
    compliance_retention_and_legal_holds_are_refused_even_with_the_bypass,
);

async fn locked_bucket(stores: &Stores, protection: Protection) -> String {
    let bucket = unique_name("locked");
    fixtures::locked_bucket(&stores.s3(REGION), &bucket, REGION, protection).await;
    bucket
}

async fn governance_retention_needs_the_bypass_and_then_goes(stores: Stores) {
    let bucket = locked_bucket(&stores, Protection::Governance).await;
    let inventory = s3_destroy::inventory(&*store_on(&stores), &bucket)
        .await
        .unwrap();
    assert!(inventory.settings.as_ref().unwrap().object_lock);
    let blockers =
        s3_destroy::plan(&inventory, Options::default(), chrono::Utc::now()).unwrap_err();
    assert!(
        matches!(
            blockers[..],
            [Blocker::GovernanceRetention { versions: 1, .. }]
        ),
        "{blockers:?}"
    );
    assert!(blockers[0].hint(&bucket).contains("--bypass-governance"));

    let bypass = Options {
        bypass_governance: true,
        ..Options::default()
    };
    let (tally, _) = destroy(store_on(&stores), &bucket, bypass, Tuning::default()).await;
    assert_eq!(tally.versions_deleted, 2);
    assert_eq!(fixtures::remaining(&stores.s3(REGION), &bucket).await, None);
}

async fn compliance_retention_and_legal_holds_are_refused_even_with_the_bypass(stores: Stores) {
    let compliance = locked_bucket(&stores, Protection::Compliance).await;
    let held = locked_bucket(&stores, Protection::LegalHold).await;
    let bypass = Options {
        bypass_governance: true,
        ..Options::default()
    };
    let store = store_on(&stores);
    let inventory = s3_destroy::inventory(&*store, &compliance).await.unwrap();
    let blockers = s3_destroy::plan(&inventory, bypass, chrono::Utc::now()).unwrap_err();
    assert!(
        matches!(
            blockers[..],
            [Blocker::ComplianceRetention { versions: 1, .. }]
        ),
        "{blockers:?}"
    );
    let inventory = s3_destroy::inventory(&*store, &held).await.unwrap();
    let blockers = s3_destroy::plan(&inventory, bypass, chrono::Utc::now()).unwrap_err();
    assert!(
        matches!(blockers[..], [Blocker::LegalHold { versions: 1, .. }]),
        "{blockers:?}"
    );
    for bucket in [&compliance, &held] {
        assert_eq!(
            fixtures::remaining(&stores.s3(REGION), bucket).await,
            Some((2, 0))
        );
    }
}
