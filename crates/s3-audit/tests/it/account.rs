//! The account-level public access block, through S3 Control, on a moto server of its own
//! (the setting is account-wide, so no other test may see it change).

use aws_client::Aws as AuditAws;
use s3_audit::Status;
use test_support::harness::Harness;
use test_support::{MotoOptions, MotoServer, aws};

use crate::support::{REGION, with_status};

#[tokio::test]
async fn the_account_block_is_read_and_fixed_through_s3_control() {
    let harness = Harness::locate().expect("the harness: run `cargo xtask test`");
    let server =
        MotoServer::start(&harness, &MotoOptions::default()).expect("a moto server of its own");
    let api = AuditAws::new(&aws::client_config_for(server.endpoint(), REGION));
    let request = s3_audit::Request {
        buckets: Vec::new(),
        account: true,
        table: None,
        concurrency: 1,
        partition: naming::Partition::Aws,
    };
    let (facts, account) = s3_audit::gather(&api, &request).await.unwrap();
    let account = account.expect("moto's account id");
    let audit = s3_audit::evaluate(
        &facts,
        &crate::support::context(Some(account.clone())),
        s3_audit::Severity::Low,
    );
    assert_eq!(
        with_status(&audit, &account, Status::Fail),
        ["account-public-access-block"]
    );
    assert_eq!(
        audit.subjects[0].findings[0].outcome.detail,
        "DISABLED (no configuration)"
    );
    api.block_account_public_access(&account).await.unwrap();
    let (facts, _) = s3_audit::gather(&api, &request).await.unwrap();
    let audit = s3_audit::evaluate(
        &facts,
        &crate::support::context(Some(account.clone())),
        s3_audit::Severity::Low,
    );
    assert_eq!(
        with_status(&audit, &account, Status::Pass),
        ["account-public-access-block"]
    );
}
