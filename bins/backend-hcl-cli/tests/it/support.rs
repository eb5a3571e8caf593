//! A project of its own per test: a working directory whose shared-config.toml gives the
//! project its own lock table, and helpers to provision and run.

use std::path::PathBuf;

use test_support::cli::{Output, Workdir, run};
use test_support::{aws, moto, unique_name};

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_manage-tenant-backends");
pub(crate) const REGION: &str = "us-west-2";

pub(crate) struct Project {
    pub(crate) name: String,
    pub(crate) dir: Workdir,
}

impl Project {
    pub(crate) fn new() -> Project {
        let dir = Workdir::new();
        dir.write(
            "shared-config.toml",
            "[naming]\nlock_table = \"locks-{project}\"\n",
        );
        Project {
            name: unique_name("mtb"),
            dir,
        }
    }

    pub(crate) fn bucket(&self) -> String {
        format!("{}-terraform-state-production", self.name)
    }

    pub(crate) fn table(&self) -> String {
        format!("locks-{}", self.name)
    }

    /// A tenant's file under backends/, for the tenant scheme.
    pub(crate) fn tenant_file(&self, tenant: &str, stem: &str) -> PathBuf {
        self.dir.path().join(format!(
            "backends/aws/production/{REGION}/tenants/{tenant}/{stem}.hcl"
        ))
    }

    /// Runs the binary with the seed's deployment flags first.
    pub(crate) fn run(&self, args: &[&str]) -> Output {
        self.run_via(moto().endpoint(), args)
    }

    pub(crate) fn run_via(&self, endpoint: &str, args: &[&str]) -> Output {
        self.run_in(self.dir.path(), endpoint, args)
    }

    /// Runs the binary in `dir` (a folder of the project's repository, say).
    pub(crate) fn run_in(&self, dir: &std::path::Path, endpoint: &str, args: &[&str]) -> Output {
        let mut all = vec![
            "--region",
            REGION,
            "--environment",
            "production",
            "--project-name",
            &self.name,
        ];
        all.extend_from_slice(args);
        run(BIN, dir, Some(endpoint), &all)
    }

    /// Creates a tenant's files (against the emulator) and checks that it worked.
    pub(crate) fn create_tenant(&self, tenant: &str) {
        let output = self.run(&["--tenant", tenant, "--create-tenant"]);
        assert_eq!(output.code, 0, "{}", output.stderr);
    }

    /// Runs the binary with only the given arguments.
    pub(crate) fn run_bare(&self, args: &[&str]) -> Output {
        run(BIN, self.dir.path(), Some(moto().endpoint()), args)
    }

    /// What provisioning leaves: the state bucket and the lock table (LockID key).
    pub(crate) async fn provision(&self) {
        self.provision_with_key("LockID").await;
    }

    pub(crate) async fn provision_with_key(&self, key: &str) {
        self.create_bucket().await;
        self.create_table(key).await;
    }

    pub(crate) async fn create_bucket(&self) {
        aws::create_bucket(&self.s3(), &self.bucket(), REGION).await;
    }

    pub(crate) async fn create_table(&self, key: &str) {
        aws::create_table(&self.dynamodb(), &self.table(), key).await;
    }

    pub(crate) fn s3(&self) -> aws::S3 {
        aws::s3(&aws::sdk_config_for(moto().endpoint(), REGION))
    }

    pub(crate) fn dynamodb(&self) -> aws::DynamoDb {
        aws::dynamodb(&aws::sdk_config_for(moto().endpoint(), REGION))
    }
}
