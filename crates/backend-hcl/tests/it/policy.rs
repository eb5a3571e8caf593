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
    // Seed 001's resource, with the region named: seed 001 writes `regions/*/`, and IAM's
    // `*` also matches `/`.
    assert_eq!(
        statements[1]["Resource"],
        "arn:aws:s3:::ohio-01-terraform-state-production/providers/aws/regions/us-east-2/clients/est-test-a/*"
    );
    assert_eq!(
        statements[2]["Resource"],
        "arn:aws:s3:::ohio-01-terraform-state-production/providers/aws/regions/us-east-2/clients/est-test-a/*.tflock"
    );
    assert_eq!(
        statements[4]["Resource"],
        "arn:aws:dynamodb:us-east-2:123456789012:table/terraform-locks-us-east"
    );
    assert_eq!(
        statements[4]["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"],
        json!([
            "ohio-01-terraform-state-production/providers/aws/regions/us-east-2/clients/est-test-a/*",
            "ohio-01-terraform-state-production/providers/aws/regions/us-east-2/clients/est-test-a/*-md5"
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
            "arn:aws:s3:::myproject-terraform-state-production/production/us-west-2/clients/acme/*",
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

mod isolation {
    use backend_hcl::policy::{PolicyRequest, client_policy};
    use naming::iam_like;
    use naming::{Client, Deployment, KeyScheme, Layer, LockMode, NamingRules};
    use proptest::prelude::*;
    use serde_json::Value;

    /// Every object resource, ListBucket prefix and LeadingKeys pattern the policy grants.
    fn grants(policy: &Value) -> (Vec<String>, Vec<String>, Vec<String>) {
        let (mut objects, mut prefixes, mut rows) = (Vec::new(), Vec::new(), Vec::new());
        for statement in policy["Statement"].as_array().unwrap() {
            let strings = |value: &Value| -> Vec<String> {
                match value {
                    Value::String(text) => vec![text.clone()],
                    Value::Array(items) => items
                        .iter()
                        .filter_map(|i| i.as_str().map(str::to_owned))
                        .collect(),
                    _ => Vec::new(),
                }
            };
            if let Some(like) = statement["Condition"]["StringLike"].get("s3:prefix") {
                prefixes.extend(strings(like));
            } else if let Some(keys) =
                statement["Condition"]["ForAllValues:StringLike"].get("dynamodb:LeadingKeys")
            {
                rows.extend(strings(keys));
            } else {
                objects.extend(
                    strings(&statement["Resource"])
                        .into_iter()
                        .filter(|r| r.contains(":s3:::") && r.contains('/')),
                );
            }
        }
        (objects, prefixes, rows)
    }

    /// Client and layer names, often the path words of the key schemes (where a `*` that
    /// crosses `/` finds another client's keys).
    fn label() -> impl Strategy<Value = String> {
        prop_oneof![
            3 => proptest::sample::select(vec![
                "clients", "layers", "tenants", "shared", "us-east-2", "production",
            ])
            .prop_map(str::to_owned),
            1 => "[a-z][a-z0-9-]{0,10}[a-z0-9]",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        /// No generated policy matches another client's keys, lock files or lock rows under
        /// IAM's wildcard rules, whatever the two names are; it matches the client's own.
        #[test]
        fn a_client_policy_never_matches_another_clients_state(
            a in label(),
            b in label(),
            layer in label(),
            scheme in proptest::sample::select(vec![KeyScheme::Tenant, KeyScheme::ClientCentric, KeyScheme::Environment]),
        ) {
            prop_assume!(a != b);
            let deployment = Deployment::parse("ohio-01", "production", "us-east-2").unwrap();
            let rules = NamingRules::default();
            let bucket = rules.state_bucket(&deployment).unwrap();
            let table = rules.lock_table(&deployment).unwrap();
            let (Ok(a), Ok(b), Ok(layer)) = (Client::new(&a), Client::new(&b), Layer::new(&layer)) else {
                return Ok(());
            };
            let policy = client_policy(&PolicyRequest {
                scheme,
                deployment: &deployment,
                bucket: &bucket,
                table: Some(&table),
                lock: LockMode::Both,
                client: &a,
                account: Some("123456789012"),
            }).unwrap();
            let (objects, prefixes, rows) = grants(&policy);
            prop_assert!(!objects.is_empty() && !prefixes.is_empty() && !rows.is_empty());
            let key_of = |client: &Client| scheme.client_key(&deployment, client, scheme.client_keys_have_layers().then_some(&layer)).unwrap().to_string();
            let arn = |key: &str| format!("arn:aws:s3:::{bucket}/{key}");
            let (own, other) = (key_of(&a), key_of(&b));
            for key in [&own, &format!("{own}.tflock")] {
                prop_assert!(objects.iter().any(|r| iam_like(r, &arn(key))), "{key} not granted: {objects:?}");
            }
            prop_assert!(prefixes.iter().any(|p| iam_like(p, &own)));
            let own_digest = format!("{bucket}/{own}-md5");
            prop_assert!(rows.iter().any(|r| iam_like(r, &own_digest)));
            for key in [&other, &format!("{other}.tflock")] {
                prop_assert!(!objects.iter().any(|r| iam_like(r, &arn(key))), "{key} granted to {a}: {objects:?}");
                prop_assert!(!prefixes.iter().any(|p| iam_like(p, key)), "{key} listable by {a}");
            }
            for row in [format!("{bucket}/{other}"), format!("{bucket}/{other}-md5")] {
                prop_assert!(!rows.iter().any(|r| iam_like(r, &row)), "{row} writable by {a}");
            }
        }
    }

    /// The case found by hand: client `layers` against client `clients`.
    #[test]
    fn client_layers_cannot_reach_client_clients() {
        let deployment = Deployment::parse("p", "production", "us-east-2").unwrap();
        let rules = NamingRules::default();
        let bucket = rules.state_bucket(&deployment).unwrap();
        let policy = client_policy(&PolicyRequest {
            scheme: KeyScheme::ClientCentric,
            deployment: &deployment,
            bucket: &bucket,
            table: None,
            lock: LockMode::S3,
            client: &Client::new("layers").unwrap(),
            account: None,
        })
        .unwrap();
        let (objects, _, _) = grants(&policy);
        let victim = format!(
            "arn:aws:s3:::{bucket}/providers/aws/regions/us-east-2/clients/clients/layers/01-x/terraform.tfstate"
        );
        assert!(!objects.iter().any(|r| iam_like(r, &victim)), "{objects:?}");
        // Seed 001's resource does match it: the reason the region is named.
        assert!(iam_like(
            &format!("arn:aws:s3:::{bucket}/providers/aws/regions/*/clients/layers/*"),
            &victim
        ));
    }
}
