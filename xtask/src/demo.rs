//! `cargo xtask demo`: the main workflow end to end on the local emulator, as a newcomer's
//! first run. Output fits 80 columns and reads without colour.

use anyhow::{Context, Result, anyhow};
use naming::{Client, Deployment, KeyScheme, Layer, NamingRules, ObservabilityKind, Project};
use test_support::{MotoOptions, MotoServer};

use crate::venv;

const PROJECT: &str = "ohio-01";
const REGIONS: [&str; 3] = ["us-east-2", "eu-west-1", "us-gov-west-1"];
const ENVIRONMENTS: [&str; 2] = ["production", "staging"];

/// What one step showed, for the closing summary.
struct Proof {
    step: &'static str,
    proved: String,
}

pub(crate) fn run() -> Result<()> {
    let mut proofs = Vec::new();
    println!("tfstate toolkit demo: the main workflow on a local AWS emulator");

    heading(1, "Start the local AWS emulator");
    let harness = venv::ensure()?;
    let server =
        MotoServer::start(&harness, &MotoOptions::default()).map_err(|e| anyhow!("{e}"))?;
    server.reset().map_err(|e| anyhow!("{e}"))?;
    println!("  moto answers at {}", server.endpoint());
    proofs.push(Proof {
        step: "emulator",
        proved: "moto runs from the pinned virtualenv on a free port".to_owned(),
    });

    heading(2, &format!("Names for project {PROJECT}"));
    let rules = NamingRules::default();
    let home = Deployment::parse(PROJECT, "production", "us-east-2")?;
    let names = rules.names(&home)?;
    println!("  production in us-east-2:");
    println!("    {:<18} {}", "state bucket", names.state_bucket);
    for (kind, bucket) in &names.observability {
        println!("    {:<18} {bucket}", format!("{kind} bucket"));
    }
    println!("    {:<18} {}", "lock table", names.lock_table);
    println!("  elsewhere (state bucket, then lock table):");
    let mut count = 6;
    for environment in ENVIRONMENTS {
        for region in REGIONS {
            let deployment = Deployment::parse(PROJECT, environment, region)?;
            let names = rules.names(&deployment)?;
            println!("    {environment:<11} {region:<14} {}", names.state_bucket);
            println!("    {:<26} {}", "", names.lock_table);
            count += 6;
        }
    }
    proofs.push(Proof {
        step: "names",
        proved: format!("{count} bucket and table names, all valid under AWS's rules"),
    });

    heading(3, "State keys of each key scheme (production, us-east-2)");
    let mut keys = 0;
    let client = Client::new("est-test-a")?;
    for scheme in KeyScheme::ALL {
        let layers = scheme.layers();
        let mut rows = Vec::new();
        for spec in layers.shared {
            let label = format!("{}.hcl ({})", spec.file_stem, spec.name);
            rows.push((label, scheme.shared_key(&home, &spec.layer())?));
        }
        if scheme.has_client_keys() && scheme.client_keys_have_layers() {
            for spec in layers.client.iter().take(2) {
                let key = scheme.client_key(&home, &client, Some(&spec.layer()))?;
                rows.push((format!("{client}, layer {}", spec.name), key));
            }
        } else if scheme.has_client_keys() {
            rows.push((client.to_string(), scheme.client_key(&home, &client, None)?));
        }
        let prefix = common_directory(rows.iter().map(|(_, key)| key.as_str()));
        println!("  --key-scheme {scheme}: keys under {prefix}");
        for (label, key) in &rows {
            println!("    {label}");
            println!("      {}", &key.as_str()[prefix.len()..]);
        }
        keys += rows.len();
    }
    proofs.push(Proof {
        step: "state keys",
        proved: format!("{keys} keys across the 4 schemes, as the seeds lay them out"),
    });

    heading(4, "Bad input is refused before any request");
    let long = "project-name-too-long-for-buckets";
    let refused = Project::new(long)
        .map_err(|error| anyhow!(error))
        .and_then(|project| {
            let deployment = Deployment {
                project,
                environment: naming::Environment::new("production")?,
                region: naming::Region::new("us-east-2")?,
            };
            rules
                .observability_bucket(&deployment, ObservabilityKind::AuditLogs)
                .map_err(|error| anyhow!("{error}\n    hint: {}", error.hint().unwrap_or_default()))
        })
        .err()
        .context("a 33-character project name should not fit the observability buckets")?;
    println!("    {}", wrap(&refused.to_string(), 74).join("\n    "));
    let layer = Layer::new("01-Foundation")
        .err()
        .context("uppercase layers are refused")?;
    println!("    {}", wrap(&layer.to_string(), 74).join("\n    "));
    proofs.push(Proof {
        step: "validation",
        proved: "bad names get one error naming field, value and rule".to_owned(),
    });

    drop(server);
    println!();
    println!("Summary");
    for proof in &proofs {
        println!("  {:<11} {}", proof.step, proof.proved);
    }
    Ok(())
}

/// The longest common prefix of `keys` that ends with `/`.
fn common_directory<'a>(mut keys: impl Iterator<Item = &'a str>) -> String {
    let Some(first) = keys.next() else {
        return String::new();
    };
    let mut prefix = first.to_owned();
    for key in keys {
        let shared = prefix
            .chars()
            .zip(key.chars())
            .take_while(|(a, b)| a == b)
            .count();
        prefix.truncate(shared);
    }
    match prefix.rfind('/') {
        Some(end) => prefix[..=end].to_owned(),
        None => String::new(),
    }
}

fn heading(number: usize, title: &str) {
    println!();
    println!("[{number}] {title}");
}

/// Splits text into lines of at most `width` characters at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split(' ') {
            if !line.is_empty() && line.len() + 1 + word.len() > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        lines.push(line);
    }
    lines
}
