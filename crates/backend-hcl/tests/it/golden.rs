//! Golden files for every layout and key scheme, under `fixtures/backends/`; the seeds'
//! example files are also checked here against the seeds' text, character for character.
//! Run with `UPDATE_GOLDEN=1` to rewrite the fixtures after a deliberate change, then review
//! the diff.

use std::path::{Path, PathBuf};

use backend_hcl::files::{plan_files, write_all};
use backend_hcl::{Layout, Target};
use naming::{Client, Deployment, KeyScheme, Layer, LockMode, NamingRules};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/backends")
}

struct Scenario {
    name: &'static str,
    scheme: KeyScheme,
    lock: LockMode,
    deployment: (&'static str, &'static str, &'static str),
    clients: &'static [(&'static str, Option<&'static str>)],
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "tenant",
        scheme: KeyScheme::Tenant,
        lock: LockMode::Dynamodb,
        deployment: ("myproject", "production", "us-west-2"),
        clients: &[("mtn-ghana", None), ("client-a", None)],
    },
    Scenario {
        name: "client-centric",
        scheme: KeyScheme::ClientCentric,
        lock: LockMode::Dynamodb,
        deployment: ("ohio-01", "production", "us-east-2"),
        clients: &[
            ("est-test-a", None),
            ("est-test-b", None),
            ("est-test-a", Some("03-database-layer")),
        ],
    },
    Scenario {
        name: "layer",
        scheme: KeyScheme::Layer,
        lock: LockMode::Dynamodb,
        deployment: ("ohio-01", "production", "us-east-2"),
        clients: &[],
    },
    Scenario {
        name: "environment",
        scheme: KeyScheme::Environment,
        lock: LockMode::Dynamodb,
        deployment: ("ezra", "production", "us-east-1"),
        clients: &[("mtn-ghana", None), ("ezra", None)],
    },
    Scenario {
        name: "lock-s3",
        scheme: KeyScheme::ClientCentric,
        lock: LockMode::S3,
        deployment: ("ohio-01", "staging", "us-east-2"),
        clients: &[("est-test-a", None)],
    },
    Scenario {
        name: "lock-both",
        scheme: KeyScheme::Tenant,
        lock: LockMode::Both,
        deployment: ("ohio-01", "staging", "eu-west-1"),
        clients: &[("acme", None)],
    },
];

/// Generates a scenario's files into `root` with the crate's API.
fn generate(scenario: &Scenario, root: &Path) {
    let (project, environment, region) = scenario.deployment;
    let deployment = Deployment::parse(project, environment, region).unwrap();
    let rules = NamingRules::default();
    let target = Target {
        bucket: rules.state_bucket(&deployment).unwrap(),
        region: deployment.region,
        table: scenario
            .lock
            .uses_table()
            .then(|| rules.lock_table(&deployment).unwrap()),
        lock: scenario.lock,
        kms_key_id: None,
    };
    let layout = Layout::new(scenario.scheme, Some(root));
    let mut slots = layout.shared_slots(&deployment).unwrap();
    for (client, layer) in scenario.clients {
        let client = Client::new(*client).unwrap();
        let layer = layer.map(|layer| Layer::new(layer).unwrap());
        slots.extend(
            layout
                .client_slots(&deployment, &client, layer.as_ref())
                .unwrap(),
        );
    }
    let planned = plan_files(&target, slots);
    write_all(root, layout.style(), &planned, false).unwrap();
}

/// Every file under `root`, as (relative path, text), sorted.
fn tree(root: &Path) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(root).unwrap().display().to_string();
                files.push((relative, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn every_layout_matches_its_golden_files() {
    for scenario in SCENARIOS {
        let generated = tempfile::tempdir().unwrap();
        generate(scenario, generated.path());
        let golden = fixtures().join(scenario.name);
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            let _ = std::fs::remove_dir_all(&golden);
            for (path, text) in tree(generated.path()) {
                let file = golden.join(path);
                std::fs::create_dir_all(file.parent().unwrap()).unwrap();
                std::fs::write(file, text).unwrap();
            }
        }
        assert_eq!(
            tree(generated.path()),
            tree(&golden),
            "scenario {}",
            scenario.name
        );
    }
}

#[test]
fn the_seeds_example_files_are_reproduced_character_for_character() {
    let examples = [
        // Seed 000, "Backend Configuration Example" (its `# ←` annotations are the guide's, not the file's).
        (
            "tenant",
            "aws/production/us-west-2/tenants/mtn-ghana/foundation.hcl",
            "bucket         = \"myproject-terraform-state-production\"\n\
             key            = \"tenants/mtn-ghana/layers/foundation/production/terraform.tfstate\"\n\
             region         = \"us-west-2\"\n\
             dynamodb_table = \"terraform-locks-us-west\"\n\
             encrypt        = true\n",
        ),
        // Seed 001, "Example: backends/aws/production/us-east-2/foundation.hcl".
        (
            "client-centric",
            "aws/production/us-east-2/foundation.hcl",
            "bucket         = \"ohio-01-terraform-state-production\"\n\
             key            = \"providers/aws/regions/us-east-2/shared/layers/01-foundation/terraform.tfstate\"\n\
             region         = \"us-east-2\"\n\
             encrypt        = true\n\
             dynamodb_table = \"terraform-locks-us-east\"\n",
        ),
        // Seed 001, "Example: backends/aws/production/us-east-2/clients/est-test-a.hcl".
        (
            "client-centric",
            "aws/production/us-east-2/clients/est-test-a.hcl",
            "bucket         = \"ohio-01-terraform-state-production\"\n\
             key            = \"providers/aws/regions/us-east-2/clients/est-test-a/layers/04-standalone-compute/terraform.tfstate\"\n\
             region         = \"us-east-2\"\n\
             encrypt        = true\n\
             dynamodb_table = \"terraform-locks-us-east\"\n",
        ),
        // Seed 003, "Example: layers/01-foundation/production/backend.hcl".
        (
            "layer",
            "providers/aws/regions/us-east-2/layers/01-foundation/production/backend.hcl",
            "bucket         = \"ohio-01-terraform-state-production\"\n\
             key            = \"providers/aws/regions/us-east-2/layers/01-foundation/production/terraform.tfstate\"\n\
             region         = \"us-east-2\"\n\
             encrypt        = true\n\
             dynamodb_table = \"terraform-locks-us-east\"\n",
        ),
    ];
    for (scenario, path, text) in examples {
        let scenario = SCENARIOS.iter().find(|s| s.name == scenario).unwrap();
        let root = tempfile::tempdir().unwrap();
        generate(scenario, root.path());
        assert_eq!(
            std::fs::read_to_string(root.path().join(path)).unwrap(),
            text,
            "{path}"
        );
    }
}
