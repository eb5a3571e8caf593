//! `destroy-s3-buckets` end to end, as a process against moto: `--type all` spares the
//! state bucket, the state bucket needs `--confirm-bucket` without a terminal, `--dry-run`
//! and refusals delete nothing, backups are complete or nothing is deleted, and a run killed
//! midway is finished by the next.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use test_support::cli::{Output, Workdir, command, run, run_command};
use test_support::fixtures::{self, Fill};
use test_support::{Fault, FaultProxy, FaultRule, aws, moto, unique_name};

const BIN: &str = env!("CARGO_BIN_EXE_destroy-s3-buckets");
const REGION: &str = "us-east-2";
const KINDS: [&str; 4] = ["logs", "traces", "metrics", "audit-logs"];

/// A state file tracking two resources, as Terraform writes it.
const STATE: &str = r#"{"version":4,"terraform_version":"1.0.3","serial":3,"lineage":"x","outputs":{},"resources":[{"mode":"managed","type":"null_resource","name":"a","instances":[{"attributes":{"id":"1"}}]},{"mode":"managed","type":"null_resource","name":"b","instances":[{"attributes":{"id":"2"}}]}]}"#;

/// A deployment's five buckets, filled, in a working directory whose shared-config.toml
/// names the project.
struct Project {
    dir: Workdir,
    state: String,
    observability: Vec<String>,
}

impl Project {
    async fn filled(fill: Fill) -> Project {
        let name = unique_name("d");
        let dir = Workdir::new();
        dir.write(
            "shared-config.toml",
            &format!("project = \"{name}\"\nregion = \"{REGION}\"\nenvironment = \"production\"\n"),
        );
        let s3 = s3();
        let state = format!("{name}-terraform-state-production");
        let observability: Vec<String> = KINDS
            .iter()
            .map(|kind| format!("{name}-{REGION}-{kind}-production"))
            .collect();
        for bucket in std::iter::once(&state).chain(&observability) {
            fixtures::versioned_bucket(&s3, bucket, REGION).await;
            fixtures::fill(&s3, bucket, &fill).await;
        }
        fixtures::put(
            &s3,
            &state,
            "providers/aws/regions/us-east-2/layers/02-platform/production/terraform.tfstate",
            STATE.as_bytes(),
        )
        .await;
        Project {
            dir,
            state,
            observability,
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        run(BIN, self.dir.path(), Some(moto().endpoint()), args)
    }
}

fn s3() -> aws::S3 {
    aws::s3(&aws::sdk_config_for(moto().endpoint(), REGION))
}

fn small() -> Fill {
    Fill {
        keys: 8,
        versions: 2,
        delete_markers: 2,
        folder_keys: 1,
        uploads: 1,
        body_size: 16,
    }
}

#[tokio::test]
async fn type_all_destroys_the_observability_buckets_and_never_the_state_bucket() {
    let project = Project::filled(small()).await;
    let before = fixtures::remaining(&s3(), &project.state).await;
    let out = project.run(&["--type", "all", "--force"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for bucket in &project.observability {
        assert_eq!(
            fixtures::remaining(&s3(), bucket).await,
            None,
            "{bucket} is gone"
        );
        assert!(
            out.stderr
                .contains(&format!("[SUCCESS] {bucket}: bucket deleted")),
            "{}",
            out.stderr
        );
    }
    assert!(!out.stderr.contains(&project.state), "{}", out.stderr);
    assert_eq!(
        fixtures::remaining(&s3(), &project.state).await,
        before,
        "the state bucket is untouched"
    );
}

#[tokio::test]
async fn the_state_bucket_needs_its_name_confirmed_and_reports_what_it_holds() {
    let project = Project::filled(small()).await;
    let before = fixtures::remaining(&s3(), &project.state).await;
    let refused = project.run(&["--type", "backend-state", "--force"]);
    assert_eq!(refused.code, 4, "{}", refused.stderr);
    assert!(
        refused
            .stderr
            .contains("holds Terraform state: 1 state file(s) still tracking 2 resource(s)"),
        "{}",
        refused.stderr
    );
    assert!(
        refused
            .stderr
            .contains(&format!("--confirm-bucket {}", project.state)),
        "{}",
        refused.stderr
    );
    // --confirm-bucket without --force is not enough off a terminal either.
    let unforced = project.run(&[
        "--type",
        "backend-state",
        "--confirm-bucket",
        &project.state,
    ]);
    assert_eq!(unforced.code, 4, "{}", unforced.stderr);
    // A misspelt name is bad input.
    let typo = project.run(&[
        "--type",
        "backend-state",
        "--force",
        "--confirm-bucket",
        "other-bucket",
    ]);
    assert_eq!(typo.code, 2, "{}", typo.stderr);
    assert_eq!(
        fixtures::remaining(&s3(), &project.state).await,
        before,
        "nothing deleted"
    );

    let confirmed = project.run(&[
        "--type",
        "backend-state",
        "--force",
        "--confirm-bucket",
        &project.state,
    ]);
    assert_eq!(confirmed.code, 0, "{}", confirmed.stderr);
    assert_eq!(fixtures::remaining(&s3(), &project.state).await, None);
}

#[tokio::test]
async fn dry_run_and_refusals_delete_nothing() {
    let project = Project::filled(small()).await;
    let s3 = s3();
    let mut before = Vec::new();
    for bucket in &project.observability {
        before.push(fixtures::remaining(&s3, bucket).await);
    }
    let dry = project.run(&["--type", "all", "--dry-run", "--output", "json"]);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    let document = dry.json();
    assert_eq!(document["dry_run"], true);
    let buckets = document["buckets"].as_array().unwrap();
    assert_eq!(buckets.len(), 4);
    for bucket in buckets {
        assert_eq!(bucket["counts"]["versions"], 8 * 2 + 1);
        assert_eq!(bucket["counts"]["delete_markers"], 2);
        assert_eq!(bucket["counts"]["uploads"], 1);
        let steps: Vec<&str> = bucket["plan"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["step"].as_str().unwrap())
            .collect();
        assert_eq!(steps, ["abort-uploads", "delete-entries", "delete-bucket"]);
    }
    let text = project.run(&["--type", "logs", "--dry-run"]);
    assert!(
        text.stderr
            .contains("plan: abort 1 upload(s) -> delete 17 version(s) and 2 marker(s)"),
        "{}",
        text.stderr
    );
    assert!(
        text.stderr
            .contains("Dry run: 1 bucket(s) would be destroyed"),
        "{}",
        text.stderr
    );

    let unforced = project.run(&["--type", "all"]);
    assert_eq!(unforced.code, 4, "{}", unforced.stderr);
    assert!(unforced.stderr.contains("--force"), "{}", unforced.stderr);
    let nothing = project.run(&[]);
    assert_eq!(nothing.code, 2, "{}", nothing.stderr);
    // --all-versions says what a backup copies; without one it is bad input, not a
    // deletion without a backup.
    let unbacked = project.run(&["--type", "logs", "--force", "--all-versions"]);
    assert_eq!(unbacked.code, 2, "{}", unbacked.stderr);
    assert!(
        unbacked.stderr.contains("--all-versions"),
        "{}",
        unbacked.stderr
    );
    for (bucket, before) in project.observability.iter().zip(before) {
        assert_eq!(fixtures::remaining(&s3, bucket).await, before, "{bucket}");
    }
}

#[tokio::test]
async fn a_backup_is_complete_and_verified_before_anything_is_deleted() {
    let project = Project::filled(Fill {
        keys: 10,
        versions: 2,
        delete_markers: 3,
        folder_keys: 2,
        uploads: 0,
        body_size: 2048,
    })
    .await;
    let logs = &project.observability[0];
    let out = project.run(&[
        "--bucket",
        logs,
        "--force",
        "--backup-dir",
        "backups",
        "--all-versions",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let root = project.dir.path().join("backups");
    let dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(dirs.len(), 1);
    assert!(
        dirs[0]
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with(&format!("{logs}-"))
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dirs[0].join("manifest.json")).unwrap()).unwrap();
    let objects = manifest["objects"].as_array().unwrap();
    assert_eq!(objects.len(), 10 * 2 + 2, "every version");
    assert_eq!(manifest["verified"], true);
    for object in objects {
        let copy = std::fs::read(dirs[0].join(object["file"].as_str().unwrap())).unwrap();
        assert_eq!(copy.len() as u64, object["size"].as_u64().unwrap());
        assert_eq!(
            s3_destroy::backup::sha256_hex(&copy),
            object["sha256"].as_str().unwrap()
        );
    }
    assert!(
        out.stderr.contains("verified every checksum"),
        "{}",
        out.stderr
    );
    assert_eq!(fixtures::remaining(&s3(), logs).await, None);
    // Backups can hold state secrets: owner-only folders and files, whatever the umask.
    use std::os::unix::fs::PermissionsExt;
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dirs[0]), 0o700);
    assert_eq!(mode(&dirs[0].join("objects")), 0o700);
    assert_eq!(mode(&dirs[0].join("manifest.json")), 0o600);
    for object in objects {
        assert_eq!(mode(&dirs[0].join(object["file"].as_str().unwrap())), 0o600);
    }
}

/// Every version of `bucket` and every delete marker, as (key, version id).
async fn versions(
    s3: &aws::S3,
    bucket: &str,
) -> (HashSet<(String, String)>, HashSet<(String, String)>) {
    let (mut versions, mut markers) = (HashSet::new(), HashSet::new());
    let (mut key_marker, mut version_marker) = (None::<String>, None::<String>);
    loop {
        let page = s3
            .list_object_versions()
            .bucket(bucket)
            .set_key_marker(key_marker.clone())
            .set_version_id_marker(version_marker.clone())
            .send()
            .await
            .expect("ListObjectVersions");
        for version in page.versions() {
            versions.insert((
                version.key().unwrap().to_owned(),
                version.version_id().unwrap().to_owned(),
            ));
        }
        for marker in page.delete_markers() {
            markers.insert((
                marker.key().unwrap().to_owned(),
                marker.version_id().unwrap().to_owned(),
            ));
        }
        if page.is_truncated() != Some(true) {
            return (versions, markers);
        }
        key_marker = page.next_key_marker().map(str::to_owned);
        version_marker = page.next_version_id_marker().map(str::to_owned);
    }
}

/// A writer keeps putting objects into the bucket during a real destroy with --backup:
/// every version that is gone afterwards is in the verified backup, the versions written
/// after the backup are kept, and so is the bucket (exit 3, naming the writes). Before the
/// fix the run deleted what it never backed up and exited 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_while_something_writes_never_deletes_what_it_did_not_back_up() {
    let project = Project::filled(small()).await;
    let logs = project.observability[0].clone();
    let s3 = s3();
    let (mut written, _) = versions(&s3, &logs).await;
    let dir = project.dir.path().to_owned();
    let args = [
        "--bucket",
        &logs,
        "--force",
        "--backup-dir",
        "backups",
        "--all-versions",
    ]
    .map(str::to_owned);
    let destroy = std::thread::spawn(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run(BIN, &dir, Some(moto().endpoint()), &args)
    });
    let mut index = 0u32;
    while !destroy.is_finished() {
        index += 1;
        let key = format!("incoming/{}.log", index % 7);
        let put = s3
            .put_object()
            .bucket(&logs)
            .key(&key)
            .body(format!("line {index}").into_bytes().into())
            .send()
            .await;
        if let Ok(put) = put {
            written.insert((key, put.version_id().unwrap_or("null").to_owned()));
        }
    }
    let out = destroy.join().expect("the destroy thread");
    assert_eq!(out.code, 3, "the writes stop the run:\n{}", out.stderr);
    assert!(
        out.stderr.contains("were written after the backup"),
        "{}",
        out.stderr
    );
    let root = project.dir.path().join("backups");
    let backup = std::fs::read_dir(&root)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(backup.join("manifest.json")).unwrap()).unwrap();
    let backed_up: HashSet<(String, String)> = manifest["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["key"].as_str().unwrap().to_owned(),
                o["version_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        fixtures::remaining(&s3, &logs).await.is_some(),
        "the bucket is kept"
    );
    let (left, _) = versions(&s3, &logs).await;
    assert!(
        left.iter().any(|(key, _)| key.starts_with("incoming/")),
        "the new versions are kept"
    );
    let unbacked: Vec<_> = written
        .difference(&left)
        .filter(|version| !backed_up.contains(*version))
        .collect();
    assert!(
        unbacked.is_empty(),
        "versions deleted without a backup: {unbacked:?}"
    );
}

#[tokio::test]
async fn a_backup_that_runs_out_of_disk_deletes_nothing() {
    let project = Project::filled(Fill {
        keys: 6,
        versions: 1,
        delete_markers: 0,
        folder_keys: 0,
        uploads: 0,
        body_size: 8192,
    })
    .await;
    let logs = &project.observability[0];
    let before = fixtures::remaining(&s3(), logs).await;
    // A file size limit of 2 KiB (bash counts in KiB) makes each 8 KiB copy
    // fail as a full disk would; SIGXFSZ is ignored so the write fails instead of killing.
    let script = format!("trap '' XFSZ; ulimit -f 2; exec {BIN} --bucket {logs} --force --backup");
    let out = run_command(
        command("bash", project.dir.path(), Some(moto().endpoint())).args(["-c", &script]),
    );
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(
        out.stderr.contains("backup of") && out.stderr.contains("nothing was deleted"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("free disk space"), "{}", out.stderr);
    assert_eq!(
        fixtures::remaining(&s3(), logs).await,
        before,
        "nothing deleted"
    );
    let left: Vec<_> = std::fs::read_dir(project.dir.path().join("s3-backups"))
        .map(|d| d.collect())
        .unwrap_or_default();
    assert!(
        left.is_empty(),
        "the incomplete backup is removed: {left:?}"
    );
}

#[tokio::test]
async fn a_run_killed_midway_is_finished_by_the_next() {
    let project = Project::filled(small()).await;
    let bucket = unique_name("killed");
    let s3 = s3();
    fixtures::versioned_bucket(&s3, &bucket, REGION).await;
    fixtures::fill(
        &s3,
        &bucket,
        &Fill {
            keys: 1500,
            versions: 2,
            delete_markers: 100,
            folder_keys: 2,
            uploads: 2,
            body_size: 8,
        },
    )
    .await;
    // Slow deletions, one at a time, so the kill lands between batches.
    let proxy = FaultProxy::start(
        moto().endpoint(),
        vec![
            FaultRule::new(Fault::Latency(Duration::from_millis(700)), 1.0)
                .matching(|r| r.method == "POST" && r.query.starts_with("delete")),
        ],
    );
    let mut child = command(BIN, project.dir.path(), Some(proxy.endpoint()))
        .args(["--bucket", &bucket, "--force", "--concurrency", "1"])
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        let deleted = proxy
            .requests()
            .iter()
            .any(|r| r.query.starts_with("delete") && r.status == 200);
        if deleted {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no batch was deleted"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let (left, _) = fixtures::remaining(&s3, &bucket)
        .await
        .expect("killed before the end");
    assert!(left > 0 && left < 3102, "a part was deleted: {left} left");

    let again = project.run(&["--bucket", &bucket, "--force"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(fixtures::remaining(&s3, &bucket).await, None);
}

/// A versioned bucket named `name`, holding `fill`'s objects.
async fn bucket_named(name: &str) -> String {
    let s3 = s3();
    fixtures::versioned_bucket(&s3, name, REGION).await;
    fixtures::fill(&s3, name, &small()).await;
    name.to_owned()
}

/// `--bucket NAME --force` (plus `extra`) in a directory with no project context: refused
/// (exit 4) naming `sign`, and nothing deleted.
async fn refused_as_state_bucket(dir: &Workdir, bucket: &str, extra: &[&str], sign: &str) {
    let before = fixtures::remaining(&s3(), bucket).await;
    let args = [
        &["--bucket", bucket, "--force", "--region", REGION][..],
        extra,
    ]
    .concat();
    let out = run(BIN, dir.path(), Some(moto().endpoint()), &args);
    assert_eq!(out.code, 4, "{bucket} must be protected:\n{}", out.stderr);
    assert!(
        out.stderr.contains(sign),
        "the sign is named ({sign}):\n{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(&format!("--confirm-bucket {bucket}")),
        "{}",
        out.stderr
    );
    assert_eq!(
        fixtures::remaining(&s3(), bucket).await,
        before,
        "nothing deleted"
    );
}

/// Every sign of Terraform state protects a bucket named on the command line, with no
/// project context or another environment's: before, each of these buckets was deleted
/// with `--force` alone (exit 0).
#[tokio::test]
async fn any_sign_of_state_protects_a_bucket_whatever_the_context() {
    let s3 = s3();
    let bare = Workdir::new();
    let p = unique_name("p");

    // The name fits the state-bucket pattern (no project given), with its state at a key
    // that does not end in .tfstate.
    let named = bucket_named(&format!("{p}-terraform-state-production")).await;
    refused_as_state_bucket(&bare, &named, &[], "its name fits the state-bucket pattern").await;
    // ... and for another environment than the run's.
    let staging = Workdir::new();
    staging.write(
        "shared-config.toml",
        &format!("project = \"{p}\"\nregion = \"{REGION}\"\nenvironment = \"staging\"\n"),
    );
    refused_as_state_bucket(
        &staging,
        &named,
        &[],
        "its name fits the state-bucket pattern",
    )
    .await;

    // A state whose current version is a delete marker.
    let deleted = bucket_named(&unique_name("deleted")).await;
    fixtures::put(&s3, &deleted, "env/terraform.tfstate", STATE.as_bytes()).await;
    fixtures::delete(&s3, &deleted, "env/terraform.tfstate").await;
    refused_as_state_bucket(&bare, &deleted, &[], "env/terraform.tfstate (version").await;

    // A state at a key not ending in .tfstate.
    let json = bucket_named(&unique_name("json")).await;
    fixtures::put(&s3, &json, "backups/state.json", STATE.as_bytes()).await;
    refused_as_state_bucket(&bare, &json, &[], "backups/state.json (version").await;

    // A Terraform S3 lock file.
    let lockfile = bucket_named(&unique_name("lockfile")).await;
    fixtures::put(
        &s3,
        &lockfile,
        "env/terraform.tfstate.tflock",
        b"{\"ID\":\"x\"}",
    )
    .await;
    refused_as_state_bucket(&bare, &lockfile, &[], "is a Terraform lock file").await;

    // The provisioner's tag.
    let tagged = bucket_named(&unique_name("tagged")).await;
    fixtures::tag(&s3, &tagged, "Purpose", "terraform-state").await;
    refused_as_state_bucket(&bare, &tagged, &[], "it is tagged Purpose=terraform-state").await;

    // Digest rows in the lock table naming the bucket.
    let rows = bucket_named(&unique_name("rows")).await;
    let table = format!("locks-{p}");
    let dynamodb = aws::dynamodb(&aws::sdk_config_for(moto().endpoint(), REGION));
    aws::create_table(&dynamodb, &table, "LockID").await;
    fixtures::put_lock_row(
        &dynamodb,
        &table,
        &format!("{rows}/env/terraform.tfstate-md5"),
    )
    .await;
    let with_table = Workdir::new();
    with_table.write(
        "shared-config.toml",
        &format!(
            "project = \"{p}\"\nregion = \"{REGION}\"\nenvironment = \"production\"\n\n[naming]\nlock_table = \"locks-{{project}}\"\n"
        ),
    );
    refused_as_state_bucket(&with_table, &rows, &[], "lock or digest row(s) naming it").await;

    // Confirmed by name, a protected bucket is destroyed; an ordinary one needs --force only.
    let out = run(
        BIN,
        bare.path(),
        Some(moto().endpoint()),
        &[
            "--bucket",
            &json,
            "--force",
            "--confirm-bucket",
            &json,
            "--region",
            REGION,
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let plain = bucket_named(&unique_name("plain")).await;
    let out = run(
        BIN,
        bare.path(),
        Some(moto().endpoint()),
        &["--bucket", &plain, "--force", "--region", REGION],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(fixtures::remaining(&s3, &plain).await, None);
}

/// Naming patterns that give the state bucket an observability bucket's name are refused
/// before anything is read; before, `--type all --force` destroyed the state bucket as
/// "logs".
#[tokio::test]
async fn patterns_that_give_two_roles_one_name_are_refused() {
    let project = Project::filled(small()).await;
    let before = fixtures::remaining(&s3(), &project.state).await;
    let config = std::fs::read_to_string(project.dir.path().join("shared-config.toml")).unwrap();
    project.dir.write(
        "shared-config.toml",
        &format!(
            "{config}\n[naming]\nstate_bucket = \"{{project}}-{{region}}-logs-{{environment}}\"\n"
        ),
    );
    let out = project.run(&["--type", "all", "--force"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("gives the state bucket and the logs bucket the same name"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("naming.state_bucket"), "{}", out.stderr);
    assert_eq!(fixtures::remaining(&s3(), &project.state).await, before);
    for bucket in &project.observability {
        assert!(
            fixtures::remaining(&s3(), bucket).await.is_some(),
            "{bucket} kept"
        );
    }
}

#[tokio::test]
async fn a_bucket_in_another_region_is_explained_with_the_region_to_run_in() {
    // T4: S3 answers 301 with x-amz-bucket-region, which the Rust SDK does not follow.
    let bucket = unique_name("elsewhere");
    let proxy = FaultProxy::start(
        moto().endpoint(),
        vec![test_support::behaviour::bucket_in_region(
            &bucket,
            "eu-west-1",
        )],
    );
    let dir = Workdir::new();
    let out = run(
        BIN,
        dir.path(),
        Some(proxy.endpoint()),
        &["--region", REGION, "--bucket", &bucket, "--force"],
    );
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("the bucket is in eu-west-1; run with --region eu-west-1"),
        "{}",
        out.stderr
    );
    assert!(
        proxy.requests().iter().all(|r| !r.is_mutating()),
        "nothing was changed"
    );
}

#[tokio::test]
async fn a_named_bucket_of_another_account_is_refused_not_emptied() {
    // P11: S3 honours the expected bucket owner; without it a bucket of another account
    // that allows the caller is emptied like one's own.
    let bucket = unique_name("theirs");
    let s3 = s3();
    fixtures::versioned_bucket(&s3, &bucket, REGION).await;
    fixtures::put(&s3, &bucket, "a.tfstate", b"{}").await;
    fixtures::put(&s3, &bucket, "a.tfstate", b"{ }").await;
    let before = fixtures::remaining(&s3, &bucket).await;
    let proxy = FaultProxy::start(
        moto().endpoint(),
        vec![test_support::behaviour::bucket_of_another_account(
            &bucket,
            "999999999999",
        )],
    );
    let dir = Workdir::new();
    let out = run(
        BIN,
        dir.path(),
        Some(proxy.endpoint()),
        &["--region", REGION, "--bucket", &bucket, "--force"],
    );
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(
        out.stderr.contains("403 Forbidden") && out.stderr.contains("belongs to another account"),
        "{}",
        out.stderr
    );
    assert_eq!(
        fixtures::remaining(&s3, &bucket).await,
        before,
        "nothing was deleted"
    );
    let unsigned: Vec<String> = proxy
        .requests()
        .iter()
        .filter(|r| r.bucket().is_some() && r.header("x-amz-expected-bucket-owner").is_none())
        .map(|r| format!("{} {}?{}", r.method, r.path, r.query))
        .collect();
    assert!(
        unsigned.is_empty(),
        "every bucket request names its owner: {unsigned:?}"
    );
}

#[tokio::test]
async fn without_the_object_lock_read_permissions_teardown_refuses_before_deleting_anything() {
    // T1: HeadObject hides the Object Lock headers from such a caller, so a locked version
    // looks free; GetObjectRetention and GetObjectLegalHold are refused instead.
    let behaviour = test_support::behaviour::OBJECT_LOCK_READS_DENIED;
    let bucket = unique_name("locked");
    let s3 = s3();
    fixtures::locked_bucket(&s3, &bucket, REGION, fixtures::Protection::Compliance).await;
    let before = fixtures::remaining(&s3, &bucket).await;
    let proxy = FaultProxy::start(moto().endpoint(), behaviour.rules());
    let dir = Workdir::new();
    let out = run(
        BIN,
        dir.path(),
        Some(proxy.endpoint()),
        &["--region", REGION, "--bucket", &bucket, "--force"],
    );
    assert_eq!(out.code, 3, "{}: {}", behaviour.id, out.stderr);
    assert!(
        out.stderr.contains("GetObjectRetention")
            && out
                .stderr
                .contains("s3:GetObjectRetention and s3:GetObjectLegalHold"),
        "{}",
        out.stderr
    );
    assert_eq!(
        fixtures::remaining(&s3, &bucket).await,
        before,
        "nothing was deleted"
    );
    assert!(proxy.requests().iter().all(|r| !r.is_mutating()));
}

/// `--no-content-scan` still refuses a bucket whose `.tfstate` key holds a state (its
/// current version a delete marker), but reads no other key: a state kept at a key not
/// ending in .tfstate is not found, and the report says how many versions went unread.
#[tokio::test]
async fn no_content_scan_reads_only_state_keys_and_says_how_many_versions_it_skipped() {
    let s3 = s3();
    let bare = Workdir::new();
    let deleted = bucket_named(&unique_name("scan-deleted")).await;
    fixtures::put(&s3, &deleted, "env/terraform.tfstate", STATE.as_bytes()).await;
    fixtures::delete(&s3, &deleted, "env/terraform.tfstate").await;
    refused_as_state_bucket(
        &bare,
        &deleted,
        &["--no-content-scan"],
        "env/terraform.tfstate (version",
    )
    .await;

    let fill = Fill {
        body_size: 256,
        ..small()
    };
    let json = unique_name("scan-json");
    fixtures::versioned_bucket(&s3, &json, REGION).await;
    fixtures::fill(&s3, &json, &fill).await;
    fixtures::put(&s3, &json, "backups/state.json", STATE.as_bytes()).await;
    let out = run(
        BIN,
        bare.path(),
        Some(moto().endpoint()),
        &[
            "--bucket",
            &json,
            "--force",
            "--no-content-scan",
            "--region",
            REGION,
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let unread = fill.object_versions() + 1;
    assert!(
        out.stderr.contains(&format!(
            "{json}: {unread} version(s) of keys not ending in .tfstate were not read to rule out Terraform state (--no-content-scan)"
        )),
        "{}",
        out.stderr
    );
    assert_eq!(fixtures::remaining(&s3, &json).await, None);
}
