//! `--check-sync` with values: each problem is found, and only it.

use std::path::PathBuf;

use backend_hcl::sync::{BucketState, FindingKind, InfraFacts, TableState, check};
use backend_hcl::{BackendConfig, Found, Layout, Target};
use naming::{Client, Deployment, KeyScheme, LockMode, NamingRules};

fn target(lock: LockMode) -> (Deployment, Target) {
    let deployment = Deployment::parse("myproject", "production", "us-west-2").unwrap();
    let rules = NamingRules::default();
    let target = Target {
        bucket: rules.state_bucket(&deployment).unwrap(),
        region: deployment.region,
        table: lock
            .uses_table()
            .then(|| rules.lock_table(&deployment).unwrap()),
        lock,
        kms_key_id: None,
    };
    (deployment, target)
}

fn files(deployment: &Deployment, target: &Target, tenants: &[&str]) -> Vec<Found> {
    let layout = Layout::new(KeyScheme::Tenant, None);
    tenants
        .iter()
        .flat_map(|tenant| {
            layout
                .client_slots(deployment, &Client::tenant(*tenant).unwrap(), None)
                .unwrap()
        })
        .map(|slot| Found {
            config: target.config(slot.key.as_ref()),
            path: slot.path,
        })
        .collect()
}

fn ok() -> InfraFacts {
    InfraFacts {
        bucket: BucketState::Reachable,
        table: Some(TableState::Present),
    }
}

fn kinds(infra: &InfraFacts, target: &Target, files: &[Found]) -> Vec<FindingKind> {
    let layout = Layout::new(KeyScheme::Tenant, None);
    check(target, &layout, infra, files)
        .findings
        .into_iter()
        .map(|f| f.kind)
        .collect()
}

#[test]
fn in_sync_counts_tenants_and_files() {
    let (d, target) = target(LockMode::Dynamodb);
    let found = files(&d, &target, &["mtn-ghana", "client-a"]);
    let report = check(
        &target,
        &Layout::new(KeyScheme::Tenant, None),
        &ok(),
        &found,
    );
    assert!(report.in_sync(), "{:?}", report.findings);
    assert_eq!(report.files, 10);
    assert_eq!(report.tenants, ["client-a", "mtn-ghana"]);
}

#[test]
fn missing_or_wrong_infrastructure_is_found() {
    let (d, target) = target(LockMode::Dynamodb);
    let found = files(&d, &target, &["a"]);
    let cases = [
        (
            InfraFacts {
                bucket: BucketState::Missing,
                table: Some(TableState::Present),
            },
            FindingKind::BucketMissing,
        ),
        (
            InfraFacts {
                bucket: BucketState::Forbidden,
                table: Some(TableState::Present),
            },
            FindingKind::BucketForbidden,
        ),
        (
            InfraFacts {
                bucket: BucketState::Reachable,
                table: Some(TableState::Missing),
            },
            FindingKind::TableMissing,
        ),
        (
            InfraFacts {
                bucket: BucketState::Reachable,
                table: Some(TableState::WrongKeySchema {
                    found: "id (N, HASH)".into(),
                }),
            },
            FindingKind::TableKeySchema,
        ),
    ];
    for (infra, kind) in cases {
        assert_eq!(kinds(&infra, &target, &found), [kind]);
    }
    let layout = Layout::new(KeyScheme::Tenant, None);
    let report = check(
        &target,
        &layout,
        &InfraFacts {
            bucket: BucketState::Missing,
            table: Some(TableState::Missing),
        },
        &found,
    );
    assert!(report.infrastructure_missing());
    assert_eq!(
        report.findings[0].message,
        "S3 bucket not found: myproject-terraform-state-production"
    );
}

#[test]
fn each_wrong_file_is_found_by_name() {
    let (d, target) = target(LockMode::Dynamodb);
    let clean = files(&d, &target, &["a"]);
    let edit = |change: fn(&mut BackendConfig)| -> Vec<Found> {
        let mut found = clean.clone();
        change(&mut found[1].config);
        found
    };
    type Edit = fn(&mut BackendConfig);
    let cases: [(Edit, FindingKind); 6] = [
        (
            |c| c.bucket = Some("someone-elses-bucket".into()),
            FindingKind::WrongBucket,
        ),
        (
            |c| c.region = Some("eu-west-1".into()),
            FindingKind::WrongRegion,
        ),
        (
            |c| c.dynamodb_table = Some("terraform-locks-eu-west".into()),
            FindingKind::WrongTable,
        ),
        (|c| c.dynamodb_table = None, FindingKind::LockMissing),
        (|c| c.key = None, FindingKind::KeyMissing),
        (
            |c| c.key = Some("tenants/a/layers/foundation/production/terraform.tfstate".into()),
            FindingKind::SharedKey,
        ),
    ];
    for (change, kind) in cases {
        let found = edit(change);
        assert_eq!(kinds(&ok(), &target, &found), [kind], "{kind:?}");
    }
    let shared =
        edit(|c| c.key = Some("tenants/a/layers/foundation/production/terraform.tfstate".into()));
    let report = check(
        &target,
        &Layout::new(KeyScheme::Tenant, None),
        &ok(),
        &shared,
    );
    assert_eq!(
        report.findings[0].paths,
        [
            PathBuf::from("aws/production/us-west-2/tenants/a/foundation.hcl"),
            PathBuf::from("aws/production/us-west-2/tenants/a/platform.hcl"),
        ]
    );
    assert!(
        report.findings[0]
            .message
            .contains("their stacks would share one state")
    );
}

#[test]
fn lock_modes_are_checked_both_ways() {
    let (d, s3_target) = target(LockMode::S3);
    let (_, table_target) = target(LockMode::Dynamodb);
    let table_files = files(&d, &table_target, &["a"]);
    let infra = InfraFacts {
        bucket: BucketState::Reachable,
        table: None,
    };
    let found = kinds(&infra, &s3_target, &table_files);
    assert_eq!(
        found
            .iter()
            .filter(|k| **k == FindingKind::WrongTable)
            .count(),
        5
    );
    assert_eq!(
        found
            .iter()
            .filter(|k| **k == FindingKind::LockMissing)
            .count(),
        5
    );
    assert!(kinds(&infra, &s3_target, &files(&d, &s3_target, &["a"])).is_empty());
}

#[test]
fn a_setting_terraform_does_not_know_is_found() {
    let (d, target) = target(LockMode::Dynamodb);
    let mut found = files(&d, &target, &["a"]);
    let text =
        target.config(None).render(backend_hcl::Style::Tenant) + "key = \"k\"\nbukket = \"typo\"\n";
    found[0].config = BackendConfig::parse(&text, std::path::Path::new("x.hcl")).unwrap();
    assert!(kinds(&ok(), &target, &found).contains(&FindingKind::UnknownSetting));
}
