//! Helpers: specs with names unique to each test, a Ui that records, and runs against moto.

use aws_provisioner::plan::Plan;
use aws_provisioner::{
    Aws, Options, ProvisionError, Report, Scope, Spec, Ui, WaitPolicy, model::Caller,
};
use naming::{Deployment, LockMode, NamingRules};
use test_support::{RecordingStores, Stores, aws, moto, unique_name};

/// Options for a project of its own, whose lock table is its own too (the contract's
/// pattern gives every project of a region one table, which tests running at once share).
pub(crate) fn options(scope: Scope, region: &str) -> Options {
    let project = unique_name("p");
    Options {
        deployment: Deployment::parse(&project, "production", region).unwrap(),
        rules: NamingRules::new(None, None, Some("locks-{project}")).unwrap(),
        scope,
        lock: LockMode::Dynamodb,
        company: None,
        kms_key_id: None,
        access_log_bucket: None,
        alarm_topic_arn: None,
        wait: WaitPolicy::default(),
        take_over_table: false,
        skip: Default::default(),
        replicate_to: None,
        replica_kms_key_id: None,
    }
}

pub(crate) fn spec(scope: Scope, region: &str) -> Spec {
    Spec::new(options(scope, region)).unwrap()
}

/// A Ui that approves everything and remembers what it was shown.
#[derive(Default)]
pub(crate) struct Recorder {
    pub(crate) caller: Option<Caller>,
    pub(crate) plans: Vec<Plan>,
    pub(crate) asked: usize,
}

impl Ui for Recorder {
    fn caller(&mut self, caller: &Caller) {
        self.caller = Some(caller.clone());
    }
    fn plan(&mut self, plan: &Plan, _dry_run: bool) {
        self.plans.push(plan.clone());
    }
    fn approve(&mut self, _plan: &Plan) -> bool {
        self.asked += 1;
        true
    }
}

/// The SDK-backed cloud, pointed at `endpoint` (moto, or a proxy in front of it).
pub(crate) fn cloud(endpoint: &str, spec: &Spec) -> Aws {
    Aws::new(&aws::client_config_for(
        endpoint,
        spec.deployment.region.name(),
    ))
}

/// Provisions `spec` on moto directly.
pub(crate) async fn provision(spec: &Spec) -> Result<Report, ProvisionError> {
    provision_via(moto().endpoint(), spec, false).await
}

/// Provisions `spec` on `stores` directly.
pub(crate) async fn provision_on(stores: &Stores, spec: &Spec) -> Result<Report, ProvisionError> {
    let region = spec.deployment.region.name();
    run(&Aws::new(&stores.client_config(region)), spec, false).await
}

/// Provisions `spec` on `stores` through their recording proxies.
pub(crate) async fn provision_recorded(
    recorded: &RecordingStores,
    spec: &Spec,
    dry_run: bool,
) -> Result<Report, ProvisionError> {
    let region = spec.deployment.region.name();
    run(&Aws::new(&recorded.client_config(region)), spec, dry_run).await
}

async fn run(cloud: &Aws, spec: &Spec, dry_run: bool) -> Result<Report, ProvisionError> {
    aws_provisioner::provision(cloud, spec, dry_run, &mut Recorder::default()).await
}

/// Provisions `spec` through `endpoint`.
pub(crate) async fn provision_via(
    endpoint: &str,
    spec: &Spec,
    dry_run: bool,
) -> Result<Report, ProvisionError> {
    run(&cloud(endpoint, spec), spec, dry_run).await
}

/// Raw SDK clients for reading back, independent of the crate under test.
pub(crate) fn s3(spec: &Spec) -> aws::aws_sdk_s3::Client {
    aws::s3(&aws::sdk_config_for(
        moto().endpoint(),
        spec.deployment.region.name(),
    ))
}

pub(crate) fn dynamodb(spec: &Spec) -> aws::aws_sdk_dynamodb::Client {
    aws::dynamodb(&aws::sdk_config_for(
        moto().endpoint(),
        spec.deployment.region.name(),
    ))
}

/// The name of `spec`'s logs bucket.
pub(crate) fn logs_bucket(spec: &Spec) -> String {
    spec.observability
        .iter()
        .find(|(kind, _)| *kind == naming::ObservabilityKind::Logs)
        .map(|(_, bucket)| bucket.to_string())
        .expect("a full scope has a logs bucket")
}

/// An S3 client straight to moto, in `region`, to set up what a test needs.
pub(crate) fn moto_s3(region: &str) -> aws::S3 {
    aws::s3(&aws::sdk_config_for(moto().endpoint(), region))
}
