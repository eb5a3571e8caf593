//! `manage-remote-state migrate`: tenant states Terraform wrote move to the client-centric
//! layout and Terraform finds them there; a migration stopped midway is finished by a re-run
//! that copies nothing twice; collisions and occupied keys refuse everything up front.

use test_support::proxy::{Fault, FaultRule};
use test_support::{FaultProxy, moto};

use super::{Tool, code, ok, write_state};

const PROJECT: [&str; 4] = ["--project-name", "ohio-01", "--environment", "production"];
const ACME: &str = "tenants/acme/layers/foundation/production/terraform.tfstate";
const BETA: &str = "tenants/beta/layers/platform/production/terraform.tfstate";
const ACME_NEW: &str =
    "providers/aws/regions/us-east-1/clients/acme/layers/foundation/terraform.tfstate";
const BETA_NEW: &str =
    "providers/aws/regions/us-east-1/clients/beta/layers/02-platform/terraform.tfstate";

/// `verify` finds nothing at all: no error, and no warning such as a missing digest row.
fn clean(tool: &Tool, what: &str) {
    let verified = tool.run(&["verify"]);
    ok(&verified, what);
    assert!(
        verified.stderr.contains("No error (0 warnings)"),
        "{what}: {}",
        verified.stderr
    );
}

impl Tool {
    fn migrate(&self, args: &[&str]) -> test_support::cli::Output {
        self.migrate_via(moto().endpoint(), args)
    }

    /// `migrate --from-scheme tenant --to-scheme ARGS…` with its requests sent to `endpoint`.
    fn migrate_via(&self, endpoint: &str, args: &[&str]) -> test_support::cli::Output {
        let mut all = PROJECT.to_vec();
        all.extend_from_slice(&["migrate", "--from-scheme", "tenant", "--to-scheme"]);
        all.extend_from_slice(args);
        self.run_via(endpoint, &all)
    }

    /// The serials of `key`'s versions, newest first.
    fn serials(&self, key: &str) -> Vec<u64> {
        let versions = self.run(&["--output", "json", "versions", key]);
        ok(&versions, "versions");
        versions.json()["reads"]
            .as_array()
            .unwrap()
            .iter()
            .map(|read| read["content"]["serial"].as_u64().unwrap())
            .collect()
    }
}

#[tokio::test]
async fn tenant_states_move_to_client_centric_keys_and_terraform_finds_them_there() {
    let tool = Tool::new().await;
    let acme = tool.stack_at(ACME);
    let beta = tool.stack_at(BETA);
    // A workspace moves with its state.
    write_state(&tool, &format!("env:/staging/{ACME}"), 1).await;
    let old_file = "backends/aws/production/us-east-1/tenants/acme/foundation.hcl";
    tool.dir.write(old_file, &tool.backend_file(ACME));

    let dry = tool.migrate(&[
        "client-centric",
        "--layer-map",
        "platform=02-platform",
        "--all-versions",
        "--dry-run",
    ]);
    ok(&dry, "migrate --dry-run");
    assert!(
        dry.stderr.contains(&format!("{ACME} → {ACME_NEW}")),
        "{}",
        dry.stderr
    );
    assert!(
        dry.stderr.contains("Dry run: nothing changed"),
        "{}",
        dry.stderr
    );
    code(
        &tool.run(&["versions", ACME_NEW]),
        2,
        "nothing moved in a dry run",
    );

    let moved = tool.migrate(&[
        "client-centric",
        "--layer-map",
        "platform=02-platform",
        "--all-versions",
        "--force",
    ]);
    ok(&moved, "migrate");
    // Every version, in the same order; the old keys as they were.
    for (old, new) in [(ACME, ACME_NEW), (BETA, BETA_NEW)] {
        let serials = tool.serials(new);
        assert_eq!(serials, tool.serials(old), "{new}");
        assert!(
            serials.len() >= 2 && serials.windows(2).all(|w| w[0] > w[1]),
            "{serials:?}"
        );
    }
    assert_eq!(tool.serials(&format!("env:/staging/{ACME_NEW}")), [1]);
    clean(&tool, "verify after the migration");

    // The new layout's backend files, and Terraform reading the states through them.
    let acme_file = tool
        .dir
        .path()
        .join("backends/aws/production/us-east-1/clients/acme/foundation.hcl");
    let beta_file = tool
        .dir
        .path()
        .join("backends/aws/production/us-east-1/clients/beta/02-platform.hcl");
    for (stack, file, new) in [(&acme, &acme_file, ACME_NEW), (&beta, &beta_file, BETA_NEW)] {
        let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{file:?}: {e}"));
        assert!(
            text.contains(&format!("key            = \"{new}\"")) || text.contains(new),
            "{text}"
        );
        ok(
            &stack.init(file),
            "terraform init -reconfigure with the new file",
        );
        code(&stack.plan(), 0, "terraform plan: no changes");
        assert_eq!(stack.output().stdout, "second");
    }

    // A second run finds everything done and copies nothing.
    let again = tool.migrate(&[
        "client-centric",
        "--layer-map",
        "platform=02-platform",
        "--all-versions",
        "--force",
    ]);
    ok(&again, "a second migrate");
    assert_eq!(tool.serials(ACME_NEW).len(), tool.serials(ACME).len());

    // --finish retires the old keys (a delete marker, history kept) and their digest rows.
    let refused = tool.migrate(&[
        "client-centric",
        "--layer-map",
        "platform=02-platform",
        "--finish",
        "--force",
    ]);
    code(
        &refused,
        4,
        "--finish without --confirm-bucket and no terminal",
    );
    let finished = tool.migrate(&[
        "client-centric",
        "--layer-map",
        "platform=02-platform",
        "--finish",
        "--force",
        "--confirm-bucket",
        &tool.bucket,
    ]);
    ok(&finished, "migrate --finish");
    let listed = tool.run(&["--output", "json", "list"]).json();
    let keys: Vec<&str> = listed["states"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|state| state["deleted"] == false)
        .map(|state| state["key"].as_str().unwrap())
        .collect();
    assert!(
        !keys.contains(&ACME) && keys.contains(&ACME_NEW),
        "{keys:?}"
    );
    clean(&tool, "verify: no orphaned digest row is left");
    code(&acme.plan(), 0, "terraform plan after --finish");
}

#[tokio::test]
async fn a_migration_stopped_midway_is_finished_by_a_re_run_that_copies_nothing_twice() {
    let tool = Tool::new().await;
    write_state(&tool, ACME, 3).await;
    write_state(&tool, BETA, 3).await;
    // Copies fail for good once the first one went through: the run stops midway.
    let proxy = FaultProxy::start(
        moto().endpoint(),
        vec![
            FaultRule::new(Fault::InternalError, 1.0)
                .matching(|request| request.header("x-amz-copy-source").is_some())
                .within(std::time::Duration::from_secs(600), |request| {
                    request.header("x-amz-copy-source").is_some()
                }),
        ],
    );
    let stopped = tool.migrate_via(
        proxy.endpoint(),
        &["client-centric", "--all-versions", "--force"],
    );
    code(&stopped, 3, "a migration whose copies fail");
    assert!(
        stopped.stderr.contains("run the same command again"),
        "{}",
        stopped.stderr
    );
    let beta_new = BETA_NEW.replace("02-platform", "platform");
    let partial = [ACME_NEW, beta_new.as_str()]
        .iter()
        .map(|new| {
            let versions = tool.run(&["--output", "json", "versions", new]);
            if versions.code == 0 {
                versions.json()["reads"].as_array().unwrap().len()
            } else {
                0
            }
        })
        .sum::<usize>();
    assert!(
        (1..6).contains(&partial),
        "some but not all versions copied: {partial}"
    );
    // No lock is left behind.
    let locks = tool.run(&["--output", "json", "locks"]).json();
    assert_eq!(locks["locks"].as_array().map(Vec::len), Some(0), "{locks}");

    ok(
        &tool.migrate(&["client-centric", "--all-versions", "--force"]),
        "the re-run",
    );
    for (old, new) in [(ACME, ACME_NEW), (BETA, beta_new.as_str())] {
        assert_eq!(
            tool.serials(new),
            [3, 2, 1],
            "{new}: every version once, in order"
        );
        assert_eq!(tool.serials(old), [3, 2, 1], "{old} is intact");
    }
    clean(&tool, "verify");
}

#[tokio::test]
async fn collisions_and_occupied_keys_refuse_the_migration_before_anything_is_written() {
    let tool = Tool::new().await;
    write_state(&tool, ACME, 1).await;
    write_state(&tool, BETA, 1).await;
    let target = "clients/acme/terraform.tfstate";
    let map = tool.dir.write(
        "moves.txt",
        &format!("# two states onto one key\n{ACME} {target}\n{BETA} {target}\n"),
    );
    let proxy = FaultProxy::start(moto().endpoint(), Vec::new());
    let map_arg = map.display().to_string();
    let collision = tool.run_via(proxy.endpoint(), &["migrate", "--map", &map_arg, "--force"]);
    code(&collision, 4, "a collision");
    assert!(
        collision.stderr.contains("2 states would go to"),
        "{}",
        collision.stderr
    );
    let mutating: Vec<_> = proxy
        .requests()
        .into_iter()
        .filter(|request| request.is_mutating())
        .collect();
    assert!(mutating.is_empty(), "nothing is written: {mutating:?}");

    // A target that holds another state.
    write_state(&tool, target, 2).await;
    tool.dir.write("moves.txt", &format!("{ACME} {target}\n"));
    let occupied = tool.run(&["migrate", "--map", &map_arg, "--force"]);
    code(&occupied, 4, "an occupied key");
    assert!(
        occupied.stderr.contains("already holds a state"),
        "{}",
        occupied.stderr
    );
    assert_eq!(tool.serials(target), [2, 1], "the other state is untouched");

    // A free key: the state moves, and the backend file that named it names the new key.
    let free = "clients/acme-2/terraform.tfstate";
    tool.dir
        .write("backends/acme.hcl", &tool.backend_file(ACME));
    tool.dir.write("moves.txt", &format!("{ACME} {free}\n"));
    let moved = tool.run(&["migrate", "--map", &map_arg, "--force"]);
    ok(&moved, "a map to a free key");
    let file = std::fs::read_to_string(tool.dir.path().join("backends/acme.hcl")).unwrap();
    assert!(file.contains(free) && !file.contains(ACME), "{file}");
    assert_eq!(tool.serials(free), [1]);

    // Bad input: a map line that is not two keys, an unknown scheme.
    tool.dir.write("moves.txt", &format!("{ACME}\n"));
    let bad = tool.run(&["migrate", "--map", &map_arg, "--force"]);
    code(&bad, 2, "a bad map line");
    assert!(bad.stderr.contains("line 1"), "{}", bad.stderr);
    let mut args = PROJECT.to_vec();
    args.extend_from_slice(&[
        "migrate",
        "--from-scheme",
        "tenants",
        "--to-scheme",
        "layer",
    ]);
    code(&tool.run(&args), 2, "an unknown scheme");
}

#[tokio::test]
async fn a_move_sends_six_requests_a_state_two_of_them_for_both_locks_and_the_digest() {
    let tool = Tool::new().await;
    write_state(&tool, ACME, 3).await;
    write_state(&tool, BETA, 3).await;
    let proxy = FaultProxy::start(moto().endpoint(), Vec::new());
    ok(
        &tool.migrate_via(
            proxy.endpoint(),
            &[
                "client-centric",
                "--layer-map",
                "platform=02-platform",
                "--force",
            ],
        ),
        "migrate",
    );
    let requests = proxy.requests();
    let count = |wanted: &dyn Fn(&test_support::proxy::RequestRecord) -> bool| {
        requests.iter().filter(|request| wanted(request)).count()
    };
    let operation = |name: &'static str| {
        move |request: &test_support::proxy::RequestRecord| {
            request.operation.as_deref() == Some(name)
        }
    };
    // Per state: both lock rows taken in one transaction, the digest written and both
    // released in another; no single-row write at all.
    assert_eq!(count(&operation("TransactWriteItems")), 4, "{requests:#?}");
    for single in ["PutItem", "DeleteItem"] {
        assert_eq!(count(&operation(single)), 0, "{single}: {requests:#?}");
    }
    // Per state: the current version read by the survey, both keys checked unchanged under
    // the locks, one copy; the survey's listing and scan are shared by the whole run.
    let s3 = |method: &'static str, copy: bool| {
        move |request: &test_support::proxy::RequestRecord| {
            request.operation.is_none()
                && request.method == method
                && !request.is_bucket_request()
                && request.header("x-amz-copy-source").is_some() == copy
        }
    };
    assert_eq!(count(&s3("GET", false)), 2, "{requests:#?}");
    assert_eq!(count(&s3("HEAD", false)), 4, "{requests:#?}");
    assert_eq!(count(&s3("PUT", true)), 2, "{requests:#?}");
    // The run's own: who the caller is, the bucket's listing, the table's scan.
    let shared = count(&|request| {
        request.is_bucket_request()
            || matches!(
                request.operation.as_deref(),
                Some("Scan" | "GetCallerIdentity")
            )
    });
    assert_eq!(shared, 3, "{requests:#?}");
    assert_eq!(requests.len() - shared, 2 * 6, "6 a state: {requests:#?}");
    for (old, new) in [(ACME, ACME_NEW), (BETA, BETA_NEW)] {
        assert_eq!(tool.serials(new), [3], "{new}: the current version");
        assert_eq!(tool.serials(old), [3, 2, 1], "{old} is intact");
    }
    clean(&tool, "verify: every digest row set, no lock left");
}
