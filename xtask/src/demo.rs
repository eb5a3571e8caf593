//! `cargo xtask demo`: the whole life cycle on the local emulator, as a newcomer's
//! first run. Output fits 80 columns and reads without colour.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, anyhow, bail};
use naming::{Client, Deployment, KeyScheme, Layer, NamingRules, ObservabilityKind, Project};
use test_support::{MotoOptions, MotoServer};

use crate::venv;

const PROJECT: &str = "ohio-01";

/// The sample project's deployment, as every tool is told it.
const DEPLOYMENT: [&str; 6] = [
    "--region",
    "us-east-2",
    "--environment",
    "production",
    "--project-name",
    PROJECT,
];
/// The two new clients the demo onboards.
const CLIENTS: [&str; 2] = ["new-client-name", "est-test-c"];
const REGIONS: [&str; 3] = ["us-east-2", "eu-west-1", "us-gov-west-1"];
const ENVIRONMENTS: [&str; 2] = ["production", "staging"];

/// What one step showed, for the closing summary.
struct Proof {
    step: &'static str,
    proved: String,
}

pub(crate) fn run(real_account: bool, localstack: bool) -> Result<()> {
    let mut proofs = Vec::new();
    println!("tfstate toolkit demo: the whole life cycle on a local AWS emulator");

    heading(1, "Build the toolkit, start the local AWS emulator");
    println!("  $ cargo build (the nine binaries)");
    build_tools()?;
    let harness = venv::ensure()?;
    let server =
        MotoServer::start(&harness, &MotoOptions::default()).map_err(|e| anyhow!("{e}"))?;
    server.reset().map_err(|e| anyhow!("{e}"))?;
    println!("  moto answers at {}", server.endpoint());
    proofs.push(Proof {
        step: "emulator",
        proved: "moto runs from the pinned virtualenv on a free port".to_owned(),
    });
    // --real-account: every tool talks to moto through the harness's proxy, which answers
    // as AWS does where moto is more lenient (aws-behaviour.md, "a real account").
    let proxy = real_account.then(|| {
        test_support::FaultProxy::start(server.endpoint(), test_support::behaviour::real_account())
    });
    // --localstack: S3 (with STS, KMS, CloudWatch) at LocalStack, DynamoDB at moto.
    let localstack_store = match localstack {
        true => Some(
            test_support::harness::LocalStackServer::start(&venv::ensure_localstack()?)
                .map_err(|e| anyhow!("{e}"))?,
        ),
        false => None,
    };
    if let Some(store) = &localstack_store {
        println!(
            "  LocalStack's S3 answers at {} (DynamoDB stays at moto)",
            store.endpoint()
        );
        proofs.push(Proof {
            step: "localstack",
            proved: "a second S3 implementation, from PyPI, without Docker".to_owned(),
        });
    }
    let endpoint = match (&proxy, &localstack_store) {
        (Some(proxy), _) => proxy.endpoint().to_owned(),
        (None, Some(store)) => store.endpoint().to_owned(),
        (None, None) => server.endpoint().to_owned(),
    };
    let endpoints = Endpoints {
        all: endpoint.clone(),
        dynamodb: localstack_store
            .as_ref()
            .map(|_| server.endpoint().to_owned()),
    };
    if proxy.is_some() {
        let mut rows: Vec<&str> = test_support::behaviour::ALL.iter().map(|b| b.id).collect();
        rows.dedup();
        println!(
            "  a real account: AWS's behaviours {} at {endpoint}",
            rows.join(", ")
        );
    }

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

    heading(5, "Provision the sample project on the emulator");
    let workdir = demo_workdir()?;
    println!("  (working directory: {})", workdir.display());
    let provision = [&DEPLOYMENT[..], &["--company-name", "Ohio Corp", "--force"]].concat();
    println!(
        "  $ provision-s3-client-centric {}",
        wrap_command(&provision)
    );
    let first = run_tool(
        &endpoints,
        &workdir,
        "provision-s3-client-centric",
        &provision,
    )?;
    print_wrapped(&first.stderr);
    if !first.stderr.contains("6 created, 0 repaired, 0 unchanged") {
        bail!("the first provision did not create the 6 resources");
    }
    proofs.push(Proof {
        step: "provision",
        proved: "5 hardened buckets and the lock table, every setting read back".to_owned(),
    });

    heading(6, "Run it again: nothing to change");
    let again = run_tool(
        &endpoints,
        &workdir,
        "provision-s3-client-centric",
        &provision[..provision.len() - 1],
    )?;
    print_wrapped(&again.stderr);
    if !again.stderr.contains("nothing was changed") {
        bail!("the second provision changed something");
    }
    proofs.push(Proof {
        step: "idempotent",
        proved: "a re-run reads, finds every setting right, writes nothing".to_owned(),
    });

    heading(
        7,
        "CIDRs for two new clients: check, allocate, plan subnets",
    );
    // Seed 003's three clients, with EKS's default service range released (as a team whose
    // clusters set service_ipv4_cidr would).
    std::fs::copy(
        crate::project_root().join("fixtures/cidr/repo/cidr-registry.yaml"),
        workdir.join("cidr-registry.yaml"),
    )?;
    println!("  (cidr-registry.yaml: the seed's three clients)");
    println!("  $ validate-cidr");
    let valid = run_tool(&endpoints, &workdir, "validate-cidr", &[])?;
    print_wrapped(&valid.stderr);
    let mut blocks = Vec::new();
    for client in CLIENTS {
        let allocate = [
            "--allocate",
            client,
            "--prefix-length",
            "16",
            "--pool",
            "10.0.0.0/8",
            "--region",
            "us-east-2",
            "--environment",
            "production",
            "--notes",
            "New client onboarding",
            "--quiet",
        ];
        println!("  $ validate-cidr {}", wrap_command(&allocate));
        let allocated = run_tool(&endpoints, &workdir, "validate-cidr", &allocate)?;
        print_wrapped(&allocated.stderr);
        blocks.push(
            allocated
                .stderr
                .split_whitespace()
                .find(|word| word.contains('/') && word.starts_with(char::is_numeric))
                .with_context(|| format!("validate-cidr allocated no block to {client}"))?
                .to_owned(),
        );
    }
    let plan = ["--quiet", "--subnets", CLIENTS[0], "--azs", "a,b"];
    println!("  $ validate-cidr {}", wrap_command(&plan));
    let planned = run_tool(&endpoints, &workdir, "validate-cidr", &plan)?;
    // The table without its third column, the cidrsubnet expression of each row.
    for line in planned.stderr.lines() {
        match line.strip_prefix("  ").map(str::split_whitespace) {
            Some(mut row) => println!(
                "  {:36} {}",
                row.next().unwrap_or(""),
                row.next().unwrap_or("")
            ),
            None => print_wrapped(line),
        }
    }
    let registry = std::fs::read_to_string(workdir.join("cidr-registry.yaml"))?;
    let rogue = "  rogue:\n    vpc_cidr: \"10.101.128.0/17\"\n    region: \"us-east-2\"\n    \
                 environment: \"production\"\n    allocated_date: \"2026-02-01\"\n";
    std::fs::write(
        workdir.join("cidr-registry.yaml"),
        registry.replacen("\nreserved:", &format!("{rogue}\nreserved:"), 1),
    )?;
    println!("  (a client added by hand, inside beta-corp's block)");
    println!("  $ validate-cidr --quiet");
    let overlap = run_tool_expecting(&endpoints, &workdir, "validate-cidr", &["--quiet"], 1)?;
    print_wrapped(&overlap.stderr);
    std::fs::write(workdir.join("cidr-registry.yaml"), &registry)?;
    proofs.push(Proof {
        step: "cidrs",
        proved: format!(
            "registry checked; {} got {}, {} got {}; an overlap caught",
            CLIENTS[0], blocks[0], CLIENTS[1], blocks[1]
        ),
    });

    heading(8, "Backend files for the two clients, checked against AWS");
    for client in CLIENTS {
        let generate = [client, "us-east-2", "production", "--project-name", PROJECT];
        println!("  $ generate-client-backend {}", wrap_command(&generate));
        let generated = run_tool(&endpoints, &workdir, "generate-client-backend", &generate)?;
        print_lines(&generated.stderr, |line| line.contains("Created"));
    }
    let backend = format!(
        "backends/aws/production/us-east-2/clients/{}.hcl",
        CLIENTS[0]
    );
    println!("  {backend}:");
    for line in std::fs::read_to_string(workdir.join(&backend))?.lines() {
        print_wrapped(&format!("    {line}"));
    }
    let check = [
        &DEPLOYMENT[..],
        &["--key-scheme", "client-centric", "--check-sync"],
    ]
    .concat();
    println!("  $ manage-tenant-backends {}", wrap_command(&check));
    let checked = run_tool(&endpoints, &workdir, "manage-tenant-backends", &check)?;
    print_lines(&checked.stderr, |line| {
        line.starts_with("[SUCCESS]") || line.starts_with("[ERROR]")
    });
    proofs.push(Proof {
        step: "backends",
        proved: "a backend file per client; bucket, table and keys in sync".to_owned(),
    });

    heading(
        9,
        &format!("Real Terraform on {}'s backend file", CLIENTS[0]),
    );
    let terraform = harness.terraform().map_err(|e| anyhow!("{e}"))?;
    let stack = test_support::terraform::Stack::with_endpoints(
        &terraform,
        &endpoint,
        endpoints.dynamodb.as_deref().unwrap_or(&endpoint),
        &format!("{} foundation", CLIENTS[0]),
    );
    println!("  (a stack with an S3 backend and one output; the emulator's endpoint is");
    println!("   passed in a second -backend-config file)");
    println!("  (BACKEND={backend})");
    println!("  $ terraform init -backend-config=$BACKEND -backend-config=emulator.hcl");
    let init = stack.init(&workdir.join(&backend));
    if init.code != 0 {
        bail!("terraform init failed:\n{}{}", init.stdout, init.stderr);
    }
    print_terraform(
        &init.stdout,
        &["Successfully configured", "Terraform has been successfully"],
    );
    println!("  $ terraform apply -auto-approve");
    let apply = stack.apply();
    if apply.code != 0 {
        bail!("terraform apply failed:\n{}{}", apply.stdout, apply.stderr);
    }
    print_terraform(&apply.stdout, &["Apply complete", "name = "]);
    let key = read_backend_key(&workdir.join(&backend))?;
    let lock_id = format!("{}/{key}-md5", names.state_bucket);
    let (size, digest) = tokio::runtime::Runtime::new()?.block_on(async {
        let s3 = test_support::aws::s3(&test_support::aws::sdk_config_for(
            endpoints.s3_direct(&server, localstack_store.as_ref()),
            "us-east-2",
        ));
        let config = test_support::aws::sdk_config_for(server.endpoint(), "us-east-2");
        let dynamodb = test_support::aws::dynamodb(&config);
        (
            test_support::fixtures::object_size(&s3, names.state_bucket.as_str(), &key).await,
            test_support::fixtures::lock_digest(&dynamodb, names.lock_table.as_str(), &lock_id)
                .await,
        )
    });
    let (Some(size), Some(digest)) = (size, digest) else {
        bail!("terraform's state or its digest row is not where the backend file says");
    };
    println!("  the state object, read back from the bucket:");
    print_wrapped(&format!(
        "    s3://{}/{key} ({size} bytes)",
        names.state_bucket
    ));
    println!("  its digest row in {}:", names.lock_table);
    print_wrapped(&format!("    {lock_id} = {digest}"));
    proofs.push(Proof {
        step: "terraform",
        proved: format!(
            "Terraform {} stored {}'s state at its key, locked by the table",
            terraform_version(&terraform)?,
            CLIENTS[0]
        ),
    });

    heading(10, "Audit the project's security, break a setting, fix it");
    let audit = DEPLOYMENT;
    println!("  $ verify-s3-security {}", wrap_command(&audit));
    let first = run_tool_expecting(&endpoints, &workdir, "verify-s3-security", &audit, 1)?;
    print_audit(&first.stderr);
    let state = names.state_bucket.to_string();
    println!("  (someone removes the state bucket's default encryption)");
    server
        .control("DELETE", &format!("/{state}?encryption"))
        .map_err(|e| anyhow!("{e}"))?;
    println!("  $ verify-s3-security ...");
    let second = run_tool_expecting(&endpoints, &workdir, "verify-s3-security", &audit, 1)?;
    print_audit(&second.stderr);
    let fix = [&audit[..], &["--fix", "--force"]].concat();
    println!("  $ verify-s3-security ... --fix --force");
    let fixed = run_tool(&endpoints, &workdir, "verify-s3-security", &fix)?;
    print_audit(&fixed.stderr);
    proofs.push(Proof {
        step: "audit",
        proved: "every rule over 5 buckets, account and table; a break caught, fixed".to_owned(),
    });

    heading(
        11,
        "Day two: restore a version, repair a digest, release a dead lock",
    );
    let state_key = key.as_str();
    stack.set_value(&format!("{} foundation v2", CLIENTS[0]));
    println!("  $ terraform apply -auto-approve   # the output changed: a second version");
    let second = stack.apply();
    if second.code != 0 {
        bail!(
            "the second terraform apply failed:\n{}{}",
            second.stdout,
            second.stderr
        );
    }
    fn remote<'a>(args: &[&'a str]) -> Vec<&'a str> {
        [&DEPLOYMENT[..], args].concat()
    }
    println!(
        "  $ manage-remote-state {}",
        wrap_command(&remote(&["versions", state_key]))
    );
    let listed = run_tool(
        &endpoints,
        &workdir,
        "manage-remote-state",
        &remote(&["versions", state_key]),
    )?;
    print_lines(&listed.stderr, |line| {
        !line.starts_with("[INFO] Configuration")
    });
    let json = [
        &DEPLOYMENT[..],
        &["--output", "json", "versions", state_key],
    ]
    .concat();
    let reads = run_tool(&endpoints, &workdir, "manage-remote-state", &json)?.json();
    let ids: Vec<String> = reads["reads"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|read| read["version_id"].as_str().map(str::to_owned))
        .collect();
    let (Some(newest), Some(oldest)) = (ids.first().cloned(), ids.last().cloned()) else {
        bail!("manage-remote-state versions listed no version");
    };
    println!("  (someone restores the first version by hand with CopyObject, as the seeds do,");
    println!("   and leaves Terraform's digest row stale)");
    tokio::runtime::Runtime::new()?.block_on(async {
        let s3 = test_support::aws::s3(&test_support::aws::sdk_config_for(
            endpoints.s3_direct(&server, localstack_store.as_ref()),
            "us-east-2",
        ));
        s3.copy_object()
            .bucket(names.state_bucket.as_str())
            .key(state_key)
            .copy_source(format!(
                "{}/{state_key}?versionId={oldest}",
                names.state_bucket
            ))
            .send()
            .await
            .map(drop)
            .map_err(|error| anyhow!("CopyObject: {error}"))
    })?;
    println!("  $ terraform plan   # Terraform refuses the state (after 10 s of retries)");
    let refused = stack.plan();
    let message = "state data in S3 does not have the expected content";
    if refused.code != 1 || !refused.stderr.contains(message) {
        bail!(
            "terraform plan did not refuse the stale digest:\n{}{}",
            refused.stdout,
            refused.stderr
        );
    }
    println!("    Error: {message}");
    println!("  $ manage-remote-state ... verify");
    let verified = run_tool_expecting(
        &endpoints,
        &workdir,
        "manage-remote-state",
        &remote(&["verify"]),
        1,
    )?;
    print_lines(&verified.stderr, |line| line.starts_with("[ERROR]"));
    println!("  $ manage-remote-state ... repair --force");
    let repaired = run_tool(
        &endpoints,
        &workdir,
        "manage-remote-state",
        &remote(&["repair", "--force"]),
    )?;
    print_lines(&repaired.stderr, |line| line.starts_with("[SUCCESS]"));
    println!("  (a terraform apply dies at its prompt, holding the lock)");
    let mut waiting = stack.apply_waiting_for_approval();
    test_support::terraform::kill(&mut waiting);
    println!("  $ manage-remote-state ... locks");
    let locks = run_tool(
        &endpoints,
        &workdir,
        "manage-remote-state",
        &remote(&["locks"]),
    )?;
    print_lines(&locks.stderr, |line| line.starts_with("  "));
    if !locks.stderr.contains("OperationTypeApply") {
        bail!("the dead apply's lock was not listed:\n{}", locks.stderr);
    }
    println!("  $ manage-remote-state ... unlock $KEY --force");
    let unlocked = run_tool(
        &endpoints,
        &workdir,
        "manage-remote-state",
        &remote(&["unlock", state_key, "--force"]),
    )?;
    print_lines(&unlocked.stderr, |line| line.starts_with("[SUCCESS]"));
    println!("  $ manage-remote-state ... restore $KEY --version <v2> --force");
    let restored = run_tool(
        &endpoints,
        &workdir,
        "manage-remote-state",
        &remote(&["restore", state_key, "--version", &newest, "--force"]),
    )?;
    print_lines(&restored.stderr, |line| {
        line.starts_with("[SUCCESS]") || line.starts_with("  ~")
    });
    println!("  $ terraform plan -detailed-exitcode   # the state is v2 again, its digest right");
    let planned = stack.plan();
    print_terraform(&planned.stdout, &["No changes"]);
    if planned.code != 0 {
        bail!(
            "terraform plan after the restore exited {}:\n{}{}",
            planned.code,
            planned.stdout,
            planned.stderr
        );
    }
    proofs.push(Proof {
        step: "state life",
        proved: "a stale digest Terraform refused, verified and repaired; a dead lock listed and released; a version restored; Terraform works".to_owned(),
    });

    heading(
        12,
        "Back up and destroy the observability buckets; keep the state",
    );
    let logs = names
        .observability
        .first()
        .map(|(_, bucket)| bucket.to_string())
        .context("the project has a logs bucket")?;
    let fill = test_support::fixtures::Fill {
        keys: 200,
        versions: 3,
        delete_markers: 20,
        folder_keys: 2,
        uploads: 2,
        body_size: 256,
    };
    println!(
        "  (writing {} versions, {} delete markers, {} uploads to the logs bucket)",
        fill.object_versions(),
        fill.delete_markers,
        fill.uploads
    );
    tokio::runtime::Runtime::new()?.block_on(async {
        let s3 = test_support::aws::s3(&test_support::aws::sdk_config_for(
            endpoints.s3_direct(&server, localstack_store.as_ref()),
            "us-east-2",
        ));
        test_support::fixtures::fill(&s3, &logs, &fill).await;
    });
    let dry = [&DEPLOYMENT[..], &["--type", "all", "--dry-run"]].concat();
    println!("  $ destroy-s3-buckets {}", wrap_command(&dry));
    let planned = run_tool(&endpoints, &workdir, "destroy-s3-buckets", &dry)?;
    print_destroy(&planned.stderr);
    let refused = [&DEPLOYMENT[..], &["--type", "backend-state", "--force"]].concat();
    println!("  $ destroy-s3-buckets {}", wrap_command(&refused));
    let no = run_tool_expecting(&endpoints, &workdir, "destroy-s3-buckets", &refused, 4)?;
    print_destroy(&no.stderr);
    let destroy = [&DEPLOYMENT[..], &["--type", "all", "--force", "--backup"]].concat();
    println!("  $ destroy-s3-buckets {}", wrap_command(&destroy));
    let destroyed = run_tool(&endpoints, &workdir, "destroy-s3-buckets", &destroy)?;
    print_destroy(&destroyed.stderr);
    let deleted = destroyed.stderr.matches("bucket deleted").count();
    if deleted != 4 || !destroyed.stderr.contains("verified every checksum") {
        bail!("the four observability buckets were not backed up and destroyed");
    }
    println!(
        "  $ terraform plan -detailed-exitcode   # {}'s state survived?",
        CLIENTS[0]
    );
    let plan = stack.plan();
    print_terraform(&plan.stdout, &["No changes"]);
    if plan.code != 0 {
        bail!(
            "terraform plan after the teardown exited {}:\n{}{}",
            plan.code,
            plan.stdout,
            plan.stderr
        );
    }
    proofs.push(Proof {
        step: "destroy",
        proved: "4 buckets backed up, verified, deleted; the state kept".to_owned(),
    });

    if let Some(proxy) = &proxy {
        proofs.push(Proof {
            step: "real acct",
            proved: answered_as_aws(&proxy.requests()),
        });
    }
    drop(proxy);
    drop(localstack_store);
    drop(server);
    println!();
    println!("Summary");
    for proof in &proofs {
        let mut lines = wrap(&proof.proved, 64).into_iter();
        println!("  {:<11} {}", proof.step, lines.next().unwrap_or_default());
        for line in lines {
            println!("  {:<11} {line}", "");
        }
    }
    Ok(())
}

/// What the real-account rules answered in AWS's place, by kind, for the summary.
fn answered_as_aws(requests: &[test_support::RequestRecord]) -> String {
    let mut kinds: std::collections::BTreeMap<String, usize> = Default::default();
    for fault in requests.iter().filter_map(|request| request.fault.as_ref()) {
        let kind = match fault {
            test_support::Fault::Error(answer) => answer.code.to_owned(),
            test_support::Fault::Rewrite(rewrite) => rewrite.name.to_owned(),
            other => format!("{other:?}"),
        };
        *kinds.entry(kind).or_default() += 1;
    }
    let answered: usize = kinds.values().sum();
    let kinds: Vec<String> = kinds
        .into_iter()
        .map(|(kind, count)| format!("{kind} ×{count}"))
        .collect();
    format!(
        "every step passed with {answered} of {} requests answered as AWS would: {}",
        requests.len(),
        kinds.join(", ")
    )
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

/// Builds the toolkit's nine binaries, quietly unless something fails.
fn build_tools() -> Result<()> {
    let mut command = Command::new(env!("CARGO"));
    command.args(["build", "--quiet", "--locked"]);
    for name in crate::tidy::all_binaries() {
        command.args(["--bin", name]);
    }
    let output = command.output().context("run cargo build")?;
    if !output.status.success() {
        bail!(
            "cargo build failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let _ = TOOLS.set(crate::profile_dir("dev")?);
    Ok(())
}

/// The folder of the binaries [`build_tools`] built.
static TOOLS: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

fn tool_path(name: &str) -> PathBuf {
    TOOLS.get().expect("build_tools ran first").join(name)
}

/// A fresh working directory for the demo's files, kept for the newcomer to look at.
fn demo_workdir() -> Result<PathBuf> {
    let dir = crate::project_root().join("target/demo");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join(".git"))?;
    Ok(dir)
}

/// Arguments as a shell command line, wrapped before 80 columns.
fn wrap_command(args: &[&str]) -> String {
    let mut lines = vec![String::new()];
    for arg in args {
        let quoted = if arg.contains(' ') {
            format!("\"{arg}\"")
        } else {
            (*arg).to_owned()
        };
        let line = lines.last_mut().expect("one line");
        if line.len() + quoted.len() > 44 && arg.starts_with("--") {
            lines.push(format!("      {quoted}"));
        } else {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&quoted);
        }
    }
    lines.join(" \\\n")
}

/// Prints an audit's report without its passing checks: the blocks, what failed or
/// warns, what was fixed, and the verdict.
fn print_audit(report: &str) {
    let checks = report
        .lines()
        .filter(|line| line.starts_with("[INFO] Checking "))
        .count();
    let keep = [
        "╭─",
        "[ERROR]",
        "[WARNING]",
        "hint:",
        "  fix:",
        "[SUCCESS] Fixed",
        "[SUCCESS] Found",
        "[SUCCESS] Security",
    ];
    print_lines(report, |line| {
        keep.iter().any(|start| line.starts_with(start))
    });
    println!("    ({checks} checks in all; --output json, sarif or junit for machines)");
}

/// Prints the lines of Terraform's output that start with one of `wanted`, each up to the
/// end of its first sentence.
fn print_terraform(output: &str, wanted: &[&str]) {
    for line in output.lines().map(str::trim) {
        if wanted.iter().any(|start| line.starts_with(start)) {
            let sentence = line.find(['!', '.']).map_or(line, |end| &line[..=end]);
            print_wrapped(&format!("    {sentence}"));
        }
    }
}

/// The `key` a backend file names.
fn read_backend_key(file: &Path) -> Result<String> {
    let text = std::fs::read_to_string(file)?;
    text.lines()
        .filter_map(|line| line.split_once('='))
        .find(|(name, _)| name.trim() == "key")
        .map(|(_, value)| value.trim().trim_matches('"').to_owned())
        .with_context(|| format!("{} names no key", file.display()))
}

/// `1.0.3`, from `terraform version`.
fn terraform_version(terraform: &Path) -> Result<String> {
    let version = crate::stdout(Command::new(terraform).arg("version"))?;
    version
        .split_whitespace()
        .nth(1)
        .map(|version| version.trim_start_matches('v').to_owned())
        .with_context(|| format!("`terraform version` printed `{version}`"))
}

/// Prints a teardown's report without the inventory's detail lines.
fn print_destroy(report: &str) {
    let skip = ["[INFO] versioning ", "[INFO] Taking inventory"];
    print_lines(report, |line| {
        !skip.iter().any(|start| line.starts_with(start))
    });
}

/// Prints the lines of a tool's report that `keep` accepts, wrapped to fit 80 columns.
fn print_lines(report: &str, keep: impl Fn(&str) -> bool) {
    for line in report.lines().filter(|line| keep(line)) {
        print_wrapped(line);
    }
}

/// Prints a tool's report with its long lines wrapped to fit 80 columns, each line's
/// indentation kept and its continuation indented four more.
fn print_wrapped(report: &str) {
    for line in report.lines() {
        let text = line.trim_start_matches(' ');
        let indent = " ".repeat(line.len() - text.len());
        let mut pieces = wrap(text, 76 - indent.len()).into_iter();
        println!("{indent}{}", pieces.next().unwrap_or_default());
        for piece in pieces {
            println!("{indent}    {piece}");
        }
    }
}

/// Runs a binary against the emulator in `dir`, as a user would with the emulator's endpoint.
/// Where the tools send their requests: every service to `all`, DynamoDB to `dynamodb`
/// when it is another store (`AWS_ENDPOINT_URL_DYNAMODB`).
struct Endpoints {
    all: String,
    dynamodb: Option<String>,
}

impl Endpoints {
    /// Where the demo's own set-up and read-back go for S3: the S3 store itself, past any
    /// proxy.
    fn s3_direct<'a>(
        &self,
        moto: &'a MotoServer,
        second: Option<&'a test_support::harness::LocalStackServer>,
    ) -> &'a str {
        second.map_or_else(|| moto.endpoint(), |second| second.endpoint())
    }
}

fn run_tool(
    endpoints: &Endpoints,
    dir: &Path,
    name: &str,
    args: &[&str],
) -> Result<test_support::cli::Output> {
    run_tool_expecting(endpoints, dir, name, args, 0)
}

/// [`run_tool`] for a run that must end with exit code `code`.
fn run_tool_expecting(
    endpoints: &Endpoints,
    dir: &Path,
    name: &str,
    args: &[&str],
    code: i32,
) -> Result<test_support::cli::Output> {
    let program = tool_path(name);
    let mut command = test_support::cli::command(
        program.to_str().context("a UTF-8 path")?,
        dir,
        Some(&endpoints.all),
    );
    command.args(args).env("NO_COLOR", "1");
    if let Some(dynamodb) = &endpoints.dynamodb {
        command.env("AWS_ENDPOINT_URL_DYNAMODB", dynamodb);
    }
    let output = test_support::cli::run_command(&mut command);
    if output.code != code {
        bail!(
            "{name} exited with {}, not {code}:\n{}",
            output.code,
            output.stderr
        );
    }
    Ok(output)
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
            let length = |text: &str| text.chars().count();
            if !line.is_empty() && length(&line) + 1 + length(word) > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            // A word longer than a line (a URL, a JSON argument) is cut where it must be.
            let mut rest = word;
            while length(&line) + length(rest) > width {
                let room = width.saturating_sub(length(&line)).max(1);
                let cut = rest
                    .char_indices()
                    .nth(room)
                    .map_or(rest.len(), |(at, _)| at);
                line.push_str(&rest[..cut]);
                lines.push(std::mem::take(&mut line));
                rest = &rest[cut..];
            }
            line.push_str(rest);
        }
        lines.push(line);
    }
    lines
}
