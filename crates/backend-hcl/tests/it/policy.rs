//! The client-isolation IAM policy.

use backend_hcl::policy::{PolicyRequest, client_policy};
use naming::{Client, Deployment, KeyScheme, LockMode, NamingRules};
use serde_json::json;

#[test]
fn the_policy_limits_a_client_to_its_state_lock_files_and_lock_rows() {
    let deployment = Deployment::parse("ohio-01", "production", "us-east-2").unwrap();
    let rules = NamingRules::default();
    let bucket = rules.state_bucket(&deployment).unwrap();
    let table = rules.lock_table(&deployment).unwrap();
    let client = Client::new("est-test-a").unwrap();
    let policy = client_policy(&PolicyRequest {
        scheme: KeyScheme::ClientCentric,
        deployment: &deployment,
        bucket: &bucket,
        table: Some(&table),
        lock: LockMode::Both,
        client: &client,
        account: Some("123456789012"),
    })
    .unwrap();
    let statements = policy["Statement"].as_array().unwrap();
    let sids: Vec<&str> = statements
        .iter()
        .map(|s| s["Sid"].as_str().unwrap())
        .collect();
    assert_eq!(
        sids,
        [
            "ListOwnState",
            "ReadWriteOwnState",
            "OwnLockFiles",
            "DescribeLockTable",
            "OwnLockRows"
        ]
    );
    // Seed 001's resource, exactly.
    assert_eq!(
        statements[1]["Resource"],
        "arn:aws:s3:::ohio-01-terraform-state-production/providers/aws/regions/*/clients/est-test-a/*"
    );
    assert_eq!(
        statements[2]["Resource"],
        "arn:aws:s3:::ohio-01-terraform-state-production/providers/aws/regions/*/clients/est-test-a/*.tflock"
    );
    assert_eq!(
        statements[4]["Resource"],
        "arn:aws:dynamodb:us-east-2:123456789012:table/terraform-locks-us-east"
    );
    assert_eq!(
        statements[4]["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"],
        json!([
            "ohio-01-terraform-state-production/providers/aws/regions/*/clients/est-test-a/*",
            "ohio-01-terraform-state-production/providers/aws/regions/*/clients/est-test-a/*-md5"
        ])
    );

    let s3_only = client_policy(&PolicyRequest {
        scheme: KeyScheme::ClientCentric,
        deployment: &deployment,
        bucket: &bucket,
        table: None,
        lock: LockMode::S3,
        client: &client,
        account: None,
    })
    .unwrap();
    assert_eq!(
        s3_only["Statement"].as_array().unwrap().len(),
        3,
        "no DynamoDB statements without a table"
    );
}

#[test]
fn the_tenant_and_environment_schemes_have_their_own_prefixes() {
    let deployment = Deployment::parse("myproject", "production", "us-west-2").unwrap();
    let rules = NamingRules::default();
    let bucket = rules.state_bucket(&deployment).unwrap();
    for (scheme, resource) in [
        (
            KeyScheme::Tenant,
            "arn:aws:s3:::myproject-terraform-state-production/tenants/acme/*",
        ),
        (
            KeyScheme::Environment,
            "arn:aws:s3:::myproject-terraform-state-production/production/*/clients/acme/*",
        ),
    ] {
        let policy = client_policy(&PolicyRequest {
            scheme,
            deployment: &deployment,
            bucket: &bucket,
            table: None,
            lock: LockMode::Dynamodb,
            client: &Client::new("acme").unwrap(),
            account: None,
        })
        .unwrap();
        assert_eq!(policy["Statement"][1]["Resource"], resource);
    }
    let layer = client_policy(&PolicyRequest {
        scheme: KeyScheme::Layer,
        deployment: &deployment,
        bucket: &bucket,
        table: None,
        lock: LockMode::Dynamodb,
        client: &Client::new("acme").unwrap(),
        account: None,
    });
    assert!(layer.is_err(), "the layer scheme has no client state");
}
