//! A provisioned project per test, the audit pointed at moto (or LocalStack's S3), and raw
//! SDK clients to misconfigure with.

use aws_client::Aws as AuditAws;
use aws_provisioner::{Options, Scope, Spec, Ui, WaitPolicy};
use naming::{Deployment, LockMode, NamingRules, ObservabilityKind};
use s3_audit::facts::Role;
use s3_audit::{Audit, Context, Facts, Request, Severity};
use test_support::{Stores, aws, moto, unique_name};

pub(crate) const REGION: &str = "us-east-2";

struct Approve;

impl Ui for Approve {
    fn caller(&mut self, _: &aws_provisioner::model::Caller) {}
    fn plan(&mut self, _: &aws_provisioner::plan::Plan, _: bool) {}
    fn approve(&mut self, _: &aws_provisioner::plan::Plan) -> bool {
        true
    }
}

/// A project of its own, provisioned (hardened) on moto.
pub(crate) struct Project {
    pub(crate) spec: Spec,
}

impl Project {
    pub(crate) async fn provisioned() -> Project {
        Project::provisioned_on(&Stores::moto()).await
    }

    /// A project of its own, provisioned on `stores`.
    pub(crate) async fn provisioned_on(stores: &Stores) -> Project {
        let project = unique_name("a");
        let spec = Spec::new(Options {
            deployment: Deployment::parse(&project, "production", REGION).unwrap(),
            rules: NamingRules::new(None, None, Some("locks-{project}")).unwrap(),
            scope: Scope::Full,
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
        })
        .unwrap();
        let cloud = aws_provisioner::Aws::new(&stores.client_config(REGION));
        aws_provisioner::provision(&cloud, &spec, false, &mut Approve)
            .await
            .expect("provisioned");
        Project { spec }
    }

    pub(crate) fn state(&self) -> String {
        self.spec.state_bucket.as_ref().unwrap().to_string()
    }

    pub(crate) fn bucket(&self, kind: ObservabilityKind) -> String {
        self.spec
            .observability
            .iter()
            .find(|(found, _)| *found == kind)
            .unwrap()
            .1
            .to_string()
    }

    pub(crate) fn table(&self) -> String {
        self.spec.lock_table.as_ref().unwrap().to_string()
    }

    /// The project's buckets, as the binary finds them by name.
    pub(crate) fn buckets(&self) -> Vec<(String, Role)> {
        self.spec
            .managed_buckets()
            .into_iter()
            .map(|(name, role)| {
                let role = match role {
                    aws_provisioner::BucketRole::Observability(kind) => Role::Observability(kind),
                    _ => Role::State,
                };
                (name.to_string(), role)
            })
            .collect()
    }
}

pub(crate) fn config() -> aws::aws_types::SdkConfig {
    aws::sdk_config_for(moto().endpoint(), REGION)
}

pub(crate) fn client_config() -> aws_client::Config {
    aws::client_config_for(moto().endpoint(), REGION)
}

pub(crate) fn s3() -> aws::aws_sdk_s3::Client {
    aws::s3(&config())
}

pub(crate) fn context(account: Option<String>) -> Context {
    Context {
        account_id: account,
        now: chrono::Utc::now(),
        stale_after: chrono::TimeDelta::hours(6),
    }
}

/// Gathers and evaluates `request` against moto.
pub(crate) async fn audit(request: &Request) -> (Facts, Audit) {
    audit_with(&AuditAws::new(&client_config()), request).await
}

/// Gathers and evaluates `request` against `stores`.
pub(crate) async fn audit_on(stores: &Stores, request: &Request) -> (Facts, Audit) {
    audit_with(&AuditAws::new(&stores.client_config(REGION)), request).await
}

pub(crate) async fn audit_with(api: &AuditAws, request: &Request) -> (Facts, Audit) {
    let (facts, account) = s3_audit::gather(api, request)
        .await
        .expect("the audit reads everything");
    let audit = s3_audit::evaluate(&facts, &context(account), Severity::Low);
    (facts, audit)
}

pub(crate) fn request(buckets: Vec<(String, Role)>, table: Option<String>) -> Request {
    Request {
        buckets,
        account: false,
        table,
        concurrency: 8,
        partition: naming::Partition::Aws,
    }
}

/// The ids of the rules with `status`, per subject name.
pub(crate) fn with_status(
    audit: &Audit,
    subject: &str,
    status: s3_audit::Status,
) -> Vec<&'static str> {
    audit
        .subjects
        .iter()
        .filter(|report| report.name == subject)
        .flat_map(|report| report.findings.iter())
        .filter(|finding| finding.outcome.status == status)
        .map(|finding| finding.rule.id)
        .collect()
}
