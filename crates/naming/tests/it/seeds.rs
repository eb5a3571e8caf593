//! Every example name and key of the seeds, from `fixtures/naming/seed-examples.toml`.

use std::path::{Path, PathBuf};

use naming::{
    AvailabilityZone, Client, Deployment, Environment, KeyScheme, Layer, NamingRules,
    ObservabilityKind, Region, SharedConfig, SubnetTier,
};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fixture {
    case: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    seed: String,
    #[serde(rename = "where")]
    location: String,
    what: String,
    project: Option<String>,
    environment: Option<String>,
    region: Option<String>,
    scheme: Option<String>,
    client: Option<String>,
    tenant: Option<String>,
    layer: Option<String>,
    kind: Option<String>,
    tier: Option<String>,
    zone: Option<String>,
    shared_config: Option<String>,
    contract_default: Option<String>,
    expect: String,
}

fn fixture_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/naming/seed-examples.toml")
}

fn load() -> Vec<Case> {
    let text = std::fs::read_to_string(fixture_path()).expect("the fixture is readable");
    toml::from_str::<Fixture>(&text)
        .expect("the fixture parses")
        .case
}

impl Case {
    fn deployment(&self) -> Deployment {
        Deployment::parse(
            self.project.as_deref().expect("project"),
            self.environment.as_deref().expect("environment"),
            self.region.as_deref().expect("region"),
        )
        .expect("the fixture's inputs are valid")
    }

    fn client(&self) -> Client {
        match (&self.client, &self.tenant) {
            (Some(client), None) => Client::new(client.as_str()).unwrap(),
            (None, Some(tenant)) => Client::tenant(tenant.as_str()).unwrap(),
            _ => panic!("case needs exactly one of client and tenant"),
        }
    }

    fn scheme(&self) -> KeyScheme {
        self.scheme.as_deref().expect("scheme").parse().unwrap()
    }

    fn layer(&self) -> Option<Layer> {
        self.layer
            .as_deref()
            .map(|layer| Layer::new(layer).unwrap())
    }

    fn kind(&self) -> ObservabilityKind {
        self.kind.as_deref().expect("kind").parse().unwrap()
    }

    fn environment(&self) -> Environment {
        Environment::new(self.environment.as_deref().expect("environment")).unwrap()
    }

    fn zone(&self) -> AvailabilityZone {
        AvailabilityZone::new(self.zone.as_deref().expect("zone")).unwrap()
    }

    /// Computes what the case names, with the given rules.
    fn compute(&self, rules: &NamingRules) -> String {
        match self.what.as_str() {
            "state_bucket" => rules.state_bucket(&self.deployment()).unwrap().to_string(),
            "observability_bucket" => rules
                .observability_bucket(&self.deployment(), self.kind())
                .unwrap()
                .to_string(),
            "lock_table" => rules.lock_table(&self.deployment()).unwrap().to_string(),
            "shared_key" => self
                .scheme()
                .shared_key(&self.deployment(), &self.layer().expect("layer"))
                .unwrap()
                .to_string(),
            "client_key" => self
                .scheme()
                .client_key(&self.deployment(), &self.client(), self.layer().as_ref())
                .unwrap()
                .to_string(),
            "lock_id" | "digest_id" => {
                let d = self.deployment();
                let key = match self.client.is_some() || self.tenant.is_some() {
                    true => self
                        .scheme()
                        .client_key(&d, &self.client(), self.layer().as_ref()),
                    false => self.scheme().shared_key(&d, &self.layer().expect("layer")),
                }
                .unwrap();
                let bucket = rules.state_bucket(&d).unwrap();
                if self.what == "lock_id" {
                    key.lock_id(&bucket)
                } else {
                    key.digest_id(&bucket)
                }
            }
            "client_objects_arn" => {
                let d = self.deployment();
                let prefix = self.scheme().client_prefix(&d, &self.client()).unwrap();
                rules
                    .state_bucket(&d)
                    .unwrap()
                    .objects_arn(d.region.partition(), &prefix)
            }
            "observability_prefix" => self.kind().client_prefix(&self.client()),
            "access_log_prefix" => {
                naming::access_log_prefix(&rules.state_bucket(&self.deployment()).unwrap())
            }
            "vpc" => naming::vpc_name(&self.client(), &self.environment()),
            "subnet" => {
                let tier = match self.tier.as_deref().expect("tier") {
                    "public" => SubnetTier::Public,
                    "private" => SubnetTier::Private,
                    "eks" => SubnetTier::Eks,
                    other => panic!("unknown tier {other}"),
                };
                naming::subnet_name(&self.client(), &self.environment(), tier, &self.zone())
            }
            "nat" => naming::nat_gateway_name(&self.client(), &self.environment(), &self.zone()),
            "eks_cluster" => {
                let region = Region::new(self.region.as_deref().expect("region")).unwrap();
                naming::eks_cluster_name(&self.client(), &self.environment(), region)
                    .unwrap()
                    .to_string()
            }
            other => panic!("unknown `what` {other:?} in the fixture"),
        }
    }
}

#[test]
fn every_seed_example_is_reproduced_character_for_character() {
    let cases = load();
    let mut failures = Vec::new();
    for case in &cases {
        let rules = match &case.shared_config {
            Some(text) => {
                SharedConfig::parse(text, Path::new("shared-config.toml"))
                    .expect("the override parses")
                    .naming
            }
            None => NamingRules::default(),
        };
        let got = case.compute(&rules);
        if got != case.expect {
            failures.push(format!(
                "seed {} ({}): {}\n  expected {}\n  got      {got}",
                case.seed, case.location, case.what, case.expect
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn where_seeds_contradict_the_contract_the_contract_is_the_default() {
    let cases = load();
    let contradictions: Vec<_> = cases
        .iter()
        .filter(|case| case.shared_config.is_some())
        .collect();
    // The four contradictions named in the issue and the fixture's header, and seed 002's bucket.
    for expected in [
        "us-east-2-production-terraform-state",
        "terraform-state-lock",
        "terraform-locks-production",
        "us-east-2-production-logs",
        "usest1-terraform-state-ezra/production/us-east-1/01-foundation/terraform.tfstate",
    ] {
        assert!(
            contradictions.iter().any(|case| case.expect == expected),
            "the fixture lacks the contradiction {expected}"
        );
    }
    for case in contradictions {
        let default = case.compute(&NamingRules::default());
        assert_eq!(
            Some(&default),
            case.contract_default.as_ref(),
            "seed {} ({}): the default patterns give {default}",
            case.seed,
            case.location
        );
        assert_ne!(
            default, case.expect,
            "the override changes nothing in {}",
            case.location
        );
    }
}

#[test]
fn the_fixture_covers_every_seed_and_every_kind_of_name() {
    let cases = load();
    for seed in ["000", "001", "002", "003", "contract"] {
        assert!(
            cases.iter().any(|case| case.seed == seed),
            "no example of seed {seed}"
        );
    }
    for what in [
        "state_bucket",
        "observability_bucket",
        "lock_table",
        "shared_key",
        "client_key",
        "lock_id",
        "digest_id",
        "client_objects_arn",
        "observability_prefix",
        "access_log_prefix",
        "vpc",
        "subnet",
        "nat",
        "eks_cluster",
    ] {
        assert!(
            cases.iter().any(|case| case.what == what),
            "no example of {what}"
        );
    }
    for scheme in KeyScheme::ALL {
        assert!(
            cases
                .iter()
                .any(|case| case.scheme.as_deref() == Some(scheme.as_str())),
            "no example of the {scheme} scheme"
        );
    }
}
