//! Writing and scanning on disk.

use std::path::{Path, PathBuf};

use backend_hcl::files::{ScanError, WriteError, plan_files, scan, write_all};
use backend_hcl::{Layout, Place, Status, Target};
use naming::{Client, Deployment, KeyScheme, LockMode, NamingRules};

fn setup() -> (Deployment, Target, Layout, tempfile::TempDir) {
    let deployment = Deployment::parse("myproject", "production", "us-west-2").unwrap();
    let rules = NamingRules::default();
    let target = Target {
        bucket: rules.state_bucket(&deployment).unwrap(),
        region: deployment.region,
        table: Some(rules.lock_table(&deployment).unwrap()),
        lock: LockMode::Dynamodb,
        kms_key_id: None,
    };
    let root = tempfile::tempdir().unwrap();
    let layout = Layout::new(KeyScheme::Tenant, Some(root.path()));
    (deployment, target, layout, root)
}

fn tenant_files(
    deployment: &Deployment,
    target: &Target,
    layout: &Layout,
    tenant: &str,
) -> Vec<backend_hcl::Planned> {
    let slots = layout
        .client_slots(deployment, &Client::tenant(tenant).unwrap(), None)
        .unwrap();
    plan_files(target, slots)
}

fn statuses(written: &[backend_hcl::Written]) -> Vec<&'static str> {
    written
        .iter()
        .map(|w| match w.status {
            Status::Created => "created",
            Status::Unchanged => "unchanged",
            Status::Updated { .. } => "updated",
            Status::Differs { .. } => "differs",
        })
        .collect()
}

#[test]
fn files_are_created_then_left_unchanged() {
    let (d, target, layout, root) = setup();
    let planned = tenant_files(&d, &target, &layout, "acme");
    let first = write_all(root.path(), layout.style(), &planned, false).unwrap();
    assert_eq!(statuses(&first), ["created"; 5]);
    let again = write_all(root.path(), layout.style(), &planned, false).unwrap();
    assert_eq!(statuses(&again), ["unchanged"; 5]);
    // No temporary file is left behind.
    let dir = root.path().join("aws/production/us-west-2/tenants/acme");
    assert_eq!(std::fs::read_dir(dir).unwrap().count(), 5);
}

#[test]
fn a_file_with_other_content_is_left_alone_with_its_diff_unless_forced() {
    let (d, target, layout, root) = setup();
    let planned = tenant_files(&d, &target, &layout, "acme");
    write_all(root.path(), layout.style(), &planned, false).unwrap();
    let file = root.path().join(&planned[0].slot.path);
    let edited = std::fs::read_to_string(&file)
        .unwrap()
        .replace("terraform-locks-us-west", "my-own-locks")
        + "profile        = \"prod\"\n";
    std::fs::write(&file, &edited).unwrap();

    let written = write_all(root.path(), layout.style(), &planned, false).unwrap();
    let Status::Differs { diff } = &written[0].status else {
        panic!("{:?}", written[0]);
    };
    assert!(
        diff.contains("-dynamodb_table = \"my-own-locks\""),
        "{diff}"
    );
    assert!(
        diff.contains("+dynamodb_table = \"terraform-locks-us-west\""),
        "{diff}"
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        edited,
        "left alone"
    );

    let forced = write_all(root.path(), layout.style(), &planned, true).unwrap();
    assert_eq!(
        forced[0].status,
        Status::Updated {
            kept: vec!["profile".to_owned()]
        }
    );
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains("terraform-locks-us-west") && text.contains("profile        = \"prod\""),
        "{text}"
    );
}

#[test]
fn an_unreadable_existing_file_stops_the_write_before_anything_is_written() {
    let (d, target, layout, root) = setup();
    let planned = tenant_files(&d, &target, &layout, "acme");
    let broken = root.path().join(&planned[3].slot.path);
    std::fs::create_dir_all(broken.parent().unwrap()).unwrap();
    std::fs::write(&broken, "bucket = = =\n").unwrap();
    let error = write_all(root.path(), layout.style(), &planned, false).unwrap_err();
    assert!(matches!(error, WriteError::Unreadable(_)));
    assert!(
        error
            .to_string()
            .contains("shared-services.hcl: not valid HCL"),
        "{error}"
    );
    // The files before it in the plan were not written either.
    assert!(!root.path().join(&planned[0].slot.path).exists());
    // --force replaces it.
    let written = write_all(root.path(), layout.style(), &planned, true).unwrap();
    assert_eq!(statuses(&written)[3], "updated");
}

#[test]
fn scanning_finds_the_backend_files_of_a_place_and_skips_hidden_ones() {
    let (d, target, layout, root) = setup();
    write_all(
        root.path(),
        layout.style(),
        &tenant_files(&d, &target, &layout, "acme"),
        false,
    )
    .unwrap();
    let staging = Deployment::parse("myproject", "staging", "us-west-2").unwrap();
    write_all(
        root.path(),
        layout.style(),
        &tenant_files(&staging, &target, &layout, "acme"),
        false,
    )
    .unwrap();
    std::fs::create_dir_all(root.path().join(".terraform")).unwrap();
    std::fs::write(root.path().join(".terraform/x.hcl"), "not = [valid").unwrap();
    assert_eq!(scan(&layout, None).unwrap().len(), 10);
    let here = scan(&layout, Some(Place::of(&d))).unwrap();
    assert_eq!(here.len(), 5);
    assert!(
        here.iter()
            .all(|f| f.path.starts_with("aws/production/us-west-2"))
    );
    let missing = Layout::new(KeyScheme::Tenant, Some(&root.path().join("nothing-here")));
    assert!(scan(&missing, None).unwrap().is_empty());
}

#[test]
fn hostile_files_stop_a_scan_with_an_error_naming_the_file() {
    let root = tempfile::tempdir().unwrap();
    let layout = Layout::new(KeyScheme::Tenant, Some(root.path()));
    let write = |name: &str, content: &[u8]| {
        let path: PathBuf = root.path().join(name);
        std::fs::write(&path, content).unwrap();
        path
    };
    let cases: [(&str, Vec<u8>, &str); 5] = [
        (
            "binary.hcl",
            vec![0xff, 0xfe, 0x00, 0x12],
            "binary.hcl: is not UTF-8 text",
        ),
        (
            "huge.hcl",
            vec![b'#'; 2 << 20],
            "huge.hcl: is 2097152 bytes",
        ),
        (
            "twice.hcl",
            b"key = \"a\"\nkey = \"b\"\n".to_vec(),
            "twice.hcl: line 2: a key is set twice",
        ),
        (
            "types.hcl",
            b"encrypt = \"true\"\n".to_vec(),
            "types.hcl: line 1: `encrypt` must be a bool",
        ),
        (
            "garbage.hcl",
            b"<html>\n".to_vec(),
            "garbage.hcl: not valid HCL at line 1",
        ),
    ];
    for (name, content, message) in cases {
        let path = write(name, &content);
        let error = scan(&layout, None).unwrap_err();
        assert!(matches!(error, ScanError::File(_)));
        let text = error.to_string();
        assert!(
            text.starts_with(&Path::new(root.path()).join(message).display().to_string()),
            "{text}"
        );
        std::fs::remove_file(path).unwrap();
    }
}

#[test]
fn a_folder_that_cannot_hold_files_writes_nothing_at_all() {
    let (d, target, layout, root) = setup();
    let mut planned = tenant_files(&d, &target, &layout, "acme");
    planned.extend(tenant_files(&d, &target, &layout, "beta"));
    // A plain file where beta's folder should be: its files cannot be written, and every
    // file is read and decided before any is written, so acme's are not written either.
    let beta = root.path().join("aws/production/us-west-2/tenants/beta");
    std::fs::create_dir_all(beta.parent().unwrap()).unwrap();
    std::fs::write(&beta, "not a folder").unwrap();
    let error = write_all(root.path(), layout.style(), &planned, false).unwrap_err();
    assert!(matches!(error, WriteError::Io { .. }), "{error:?}");
    assert!(error.to_string().contains("tenants/beta"), "{error}");
    assert!(
        !root
            .path()
            .join("aws/production/us-west-2/tenants/acme")
            .exists()
    );
}
