//! Bucket and table names from patterns, and the network names of client VPCs.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::aws_names::{BucketName, EksClusterName, TableName};
use crate::error::{Field, NamingError, Rule, one_of};
use crate::label::{Client, Environment, Project};
use crate::region::{AvailabilityZone, Region};

/// One project's footprint in one environment and region: what every name is made of.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Deployment {
    /// The project (`--project-name`).
    pub project: Project,
    /// The environment (`--environment`).
    pub environment: Environment,
    /// The region (`--region`).
    pub region: Region,
}

impl Deployment {
    /// Validates the three parts from strings, naming the first that is invalid.
    pub fn parse(project: &str, environment: &str, region: &str) -> Result<Self, NamingError> {
        Ok(Deployment {
            project: Project::new(project)?,
            environment: Environment::new(environment)?,
            region: Region::new(region)?,
        })
    }
}

/// The four kinds of observability bucket (seed 003).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ObservabilityKind {
    /// Application and system logs.
    Logs,
    /// Distributed traces.
    Traces,
    /// Prometheus metrics.
    Metrics,
    /// Audit logs (kept seven years).
    AuditLogs,
}

impl ObservabilityKind {
    /// Every kind, in the seed's order.
    pub const ALL: [ObservabilityKind; 4] = [
        ObservabilityKind::Logs,
        ObservabilityKind::Traces,
        ObservabilityKind::Metrics,
        ObservabilityKind::AuditLogs,
    ];

    /// The kind as it appears in bucket names: `logs`, `traces`, `metrics`, `audit-logs`.
    pub fn as_str(self) -> &'static str {
        match self {
            ObservabilityKind::Logs => "logs",
            ObservabilityKind::Traces => "traces",
            ObservabilityKind::Metrics => "metrics",
            ObservabilityKind::AuditLogs => "audit-logs",
        }
    }

    /// Where a client's objects go in the bucket: `{kind}/client={client}/`.
    pub fn client_prefix(self, client: &Client) -> String {
        format!("{}/client={client}/", self.as_str())
    }
}

impl fmt::Display for ObservabilityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ObservabilityKind {
    type Err = NamingError;
    /// Accepts the bucket-name form (`audit-logs`) and the destroy script's `--type` form
    /// (`audit_logs`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        one_of(
            Field::ObservabilityKind,
            "an observability bucket kind",
            s,
            &ObservabilityKind::ALL,
            ObservabilityKind::as_str,
        )
    }
}

/// The prefix under which S3 server access logs of `bucket` are delivered in the log
/// bucket: `s3-access-logs/{bucket}/`.
pub fn access_log_prefix(bucket: &BucketName) -> String {
    format!("s3-access-logs/{bucket}/")
}

/// A placeholder of a naming pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Var {
    Project,
    Environment,
    Region,
    RegionShort,
    Kind,
}

impl Var {
    const ALL: [Var; 5] = [
        Var::Project,
        Var::Environment,
        Var::Region,
        Var::RegionShort,
        Var::Kind,
    ];

    fn name(self) -> &'static str {
        match self {
            Var::Project => "project",
            Var::Environment => "environment",
            Var::Region => "region",
            Var::RegionShort => "region_short",
            Var::Kind => "kind",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Var(Var),
}

/// A naming pattern such as `{project}-terraform-state-{environment}`.
///
/// Placeholders: `{project}`, `{environment}`, `{region}`, `{region_short}`, and `{kind}`
/// in the observability pattern only. The rendered name is checked against AWS's rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    text: String,
    parts: Vec<Part>,
}

impl Pattern {
    fn parse(field: &'static str, text: &str, allows_kind: bool) -> Result<Self, NamingError> {
        let invalid =
            |rule: String| NamingError::invalid(Field::Pattern(field), text, Rule::Other(rule));
        let mut parts = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            let Some(open) = rest.find(['{', '}']) else {
                parts.push(Part::Literal(rest.to_owned()));
                break;
            };
            if rest[open..].starts_with('}') {
                return Err(invalid("has a `}` without a matching `{`".to_owned()));
            }
            if open > 0 {
                parts.push(Part::Literal(rest[..open].to_owned()));
            }
            let Some(close) = rest[open..].find('}') else {
                return Err(invalid("has a `{` without a matching `}`".to_owned()));
            };
            let name = &rest[open + 1..open + close];
            let var = Var::ALL
                .into_iter()
                .find(|var| var.name() == name && (allows_kind || *var != Var::Kind));
            let Some(var) = var else {
                let known = Var::ALL
                    .into_iter()
                    .filter(|var| allows_kind || *var != Var::Kind)
                    .map(|var| format!("{{{}}}", var.name()))
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(invalid(format!("has an unknown placeholder `{{{name}}}`"))
                    .with_hint(format!("placeholders: {known}")));
            };
            parts.push(Part::Var(var));
            rest = &rest[open + close + 1..];
        }
        if parts.is_empty() {
            return Err(invalid("must not be empty".to_owned()));
        }
        if allows_kind && !parts.contains(&Part::Var(Var::Kind)) {
            return Err(invalid(
                "must contain `{kind}`, or the four observability buckets get one name".to_owned(),
            ));
        }
        Ok(Pattern {
            text: text.to_owned(),
            parts,
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether this pattern renders `name` for some deployment (of `project`, when given):
    /// literals match exactly, `{project}` is `project` or any lowercase DNS-style value,
    /// `{region}` a real region, `{kind}` an observability kind.
    fn fits(&self, name: &str, project: Option<&str>) -> bool {
        fits(&self.parts, name, project)
    }

    fn render(&self, deployment: &Deployment, kind: Option<ObservabilityKind>) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(text) => out.push_str(text),
                Part::Var(Var::Project) => out.push_str(deployment.project.as_str()),
                Part::Var(Var::Environment) => out.push_str(deployment.environment.as_str()),
                Part::Var(Var::Region) => out.push_str(deployment.region.name()),
                Part::Var(Var::RegionShort) => out.push_str(deployment.region.short()),
                Part::Var(Var::Kind) => out.push_str(kind.map_or("", ObservabilityKind::as_str)),
            }
        }
        out
    }
}

fn fits(parts: &[Part], name: &str, project: Option<&str>) -> bool {
    let Some((first, rest)) = parts.split_first() else {
        return name.is_empty();
    };
    let then = |value: &str| {
        name.strip_prefix(value)
            .is_some_and(|tail| fits(rest, tail, project))
    };
    match first {
        Part::Literal(text) => then(text),
        Part::Var(Var::Kind) => ObservabilityKind::ALL
            .iter()
            .any(|kind| then(kind.as_str())),
        Part::Var(Var::Project) if project.is_some() => then(project.unwrap_or_default()),
        Part::Var(var) => {
            let label = name
                .bytes()
                .take_while(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
                .count();
            (1..=label).any(|end| {
                let value = &name[..end];
                (*var != Var::Region || Region::new(value).is_ok())
                    && fits(rest, &name[end..], project)
            })
        }
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The `Purpose` tag the provisioner puts on the state bucket; teardown reads it as a sign
/// that a bucket holds Terraform state.
pub const STATE_PURPOSE: &str = "terraform-state";

/// The contract's default patterns.
pub mod defaults {
    /// `{project}-terraform-state-{environment}`
    pub const STATE_BUCKET: &str = "{project}-terraform-state-{environment}";
    /// `{project}-{region}-{kind}-{environment}`
    pub const OBSERVABILITY_BUCKET: &str = "{project}-{region}-{kind}-{environment}";
    /// `terraform-locks-{region_short}`
    pub const LOCK_TABLE: &str = "terraform-locks-{region_short}";
}

/// The patterns bucket and table names are made from: the contract's by default,
/// overridable in `shared-config.toml`'s `[naming]` table.
///
/// ```
/// use naming::{Deployment, NamingRules, ObservabilityKind};
/// let d = Deployment::parse("ohio-01", "production", "us-east-2")?;
/// let rules = NamingRules::default();
/// assert_eq!(rules.state_bucket(&d)?.as_str(), "ohio-01-terraform-state-production");
/// assert_eq!(
///     rules.observability_bucket(&d, ObservabilityKind::AuditLogs)?.as_str(),
///     "ohio-01-us-east-2-audit-logs-production"
/// );
/// assert_eq!(rules.lock_table(&d)?.as_str(), "terraform-locks-us-east");
/// # Ok::<(), naming::NamingError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamingRules {
    state_bucket: Pattern,
    observability_bucket: Pattern,
    lock_table: Pattern,
}

impl Default for NamingRules {
    fn default() -> Self {
        NamingRules::new(None, None, None).expect("the default patterns are valid")
    }
}

impl NamingRules {
    /// Rules from optional overrides of the three patterns; `None` keeps the default.
    pub fn new(
        state_bucket: Option<&str>,
        observability_bucket: Option<&str>,
        lock_table: Option<&str>,
    ) -> Result<Self, NamingError> {
        let rules = NamingRules {
            state_bucket: Pattern::parse(
                "state_bucket",
                state_bucket.unwrap_or(defaults::STATE_BUCKET),
                false,
            )?,
            observability_bucket: Pattern::parse(
                "observability_bucket",
                observability_bucket.unwrap_or(defaults::OBSERVABILITY_BUCKET),
                true,
            )?,
            lock_table: Pattern::parse(
                "lock_table",
                lock_table.unwrap_or(defaults::LOCK_TABLE),
                false,
            )?,
        };
        rules.refuse_shared_names()?;
        Ok(rules)
    }

    /// Refuses patterns under which two roles of one deployment get the same bucket name
    /// (teardown would then take the state bucket for an observability bucket). Checked on
    /// deployments whose values all differ and on ones whose values coincide with each
    /// other, with a kind or with a region; [`NamingRules::names`] checks every deployment
    /// it names as well.
    fn refuse_shared_names(&self) -> Result<(), NamingError> {
        const VALUES: [&str; 7] = [
            "p7q",
            "e8r",
            "logs",
            "traces",
            "metrics",
            "audit-logs",
            "us-east-1",
        ];
        for project in VALUES {
            for environment in VALUES {
                for region in ["us-east-1", "eu-west-2"] {
                    let deployment = Deployment::parse(project, environment, region)
                        .expect("the samples are valid names");
                    self.one_name_per_role(&deployment)?;
                }
            }
        }
        Ok(())
    }

    /// An error when two roles of `deployment` get the same bucket name.
    fn one_name_per_role(&self, deployment: &Deployment) -> Result<(), NamingError> {
        // (name, role, the pattern's field and the pattern)
        let mut named = vec![(
            self.state_bucket.render(deployment, None),
            "the state bucket".to_owned(),
            ("state_bucket", &self.state_bucket),
        )];
        for kind in ObservabilityKind::ALL {
            named.push((
                self.observability_bucket.render(deployment, Some(kind)),
                format!("the {kind} bucket"),
                ("observability_bucket", &self.observability_bucket),
            ));
        }
        for (index, (name, role, (field, pattern))) in named.iter().enumerate() {
            let Some((_, other, _)) = named[index + 1..].iter().find(|(n, ..)| n == name) else {
                continue;
            };
            return Err(NamingError::invalid(
                Field::Pattern(field),
                pattern.as_str(),
                Rule::Other(format!(
                    "gives {role} and {other} the same name (`{name}` for project `{}`, \
                     environment `{}`, region `{}`)",
                    deployment.project, deployment.environment, deployment.region
                )),
            )
            .with_hint(
                "every role needs a name of its own: keep a fixed word that differs (such \
                 as `terraform-state`) and `{kind}` in the observability pattern",
            ));
        }
        Ok(())
    }

    /// Whether `bucket` is a name the state-bucket pattern gives for some environment and
    /// region (of `project`, when given; of any project otherwise).
    pub fn fits_state_bucket(&self, bucket: &str, project: Option<&Project>) -> bool {
        self.state_bucket.fits(bucket, project.map(Project::as_str))
    }

    /// The state bucket pattern.
    pub fn state_bucket_pattern(&self) -> &Pattern {
        &self.state_bucket
    }

    /// The observability bucket pattern.
    pub fn observability_bucket_pattern(&self) -> &Pattern {
        &self.observability_bucket
    }

    /// The lock table pattern.
    pub fn lock_table_pattern(&self) -> &Pattern {
        &self.lock_table
    }

    /// The Terraform state bucket of a deployment.
    pub fn state_bucket(&self, deployment: &Deployment) -> Result<BucketName, NamingError> {
        bucket(&self.state_bucket, deployment, None)
    }

    /// The replica of a deployment's state bucket in `region`, for disaster recovery: the
    /// state bucket's name with `-replica-{region}` (bucket names are global, so the replica
    /// cannot share it).
    ///
    /// ```
    /// # use naming::{Deployment, NamingRules, Region};
    /// let d = Deployment::parse("ohio-01", "production", "us-east-2")?;
    /// let replica = NamingRules::default().replica_bucket(&d, Region::new("us-west-2")?)?;
    /// assert_eq!(replica.as_str(), "ohio-01-terraform-state-production-replica-us-west-2");
    /// # Ok::<(), naming::NamingError>(())
    /// ```
    pub fn replica_bucket(
        &self,
        deployment: &Deployment,
        region: Region,
    ) -> Result<BucketName, NamingError> {
        let state = self.state_bucket(deployment)?;
        BucketName::new(format!("{state}-replica-{region}")).map_err(|error| {
            error.with_hint(format!(
                "the replica's name is the state bucket's (`{state}`) with `-replica-{region}`; \
                 a shorter --project-name or state-bucket pattern leaves room for it"
            ))
        })
    }

    /// The IAM role S3 assumes to replicate a deployment's state bucket:
    /// `{state bucket}-replication`, at most 64 characters as IAM allows.
    pub fn replication_role(&self, deployment: &Deployment) -> Result<String, NamingError> {
        let state = self.state_bucket(deployment)?;
        let name = format!("{state}-replication");
        match name.len() {
            ..=64 => Ok(name),
            actual => Err(NamingError::Invalid {
                field: Field::IamRole,
                value: name,
                rule: Rule::Length {
                    min: 1,
                    max: 64,
                    actual,
                },
                hint: Some(format!(
                    "the replication role is named after the state bucket (`{state}`); a \
                     shorter --project-name or state-bucket pattern leaves room for it"
                )),
            }),
        }
    }

    /// The observability bucket of one kind.
    pub fn observability_bucket(
        &self,
        deployment: &Deployment,
        kind: ObservabilityKind,
    ) -> Result<BucketName, NamingError> {
        bucket(&self.observability_bucket, deployment, Some(kind))
    }

    /// The DynamoDB lock table of a deployment's region.
    pub fn lock_table(&self, deployment: &Deployment) -> Result<TableName, NamingError> {
        let name = self.lock_table.render(deployment, None);
        TableName::new(name).map_err(|error| {
            error.with_hint(format!(
                "the lock table name comes from the pattern `{}`; change it in shared-config.toml [naming]",
                self.lock_table
            ))
        })
    }

    /// The lock table of `region` when the pattern names no project or environment (the
    /// default's `terraform-locks-{region_short}` names only the region).
    pub fn lock_table_in(&self, region: Region) -> Option<TableName> {
        let regional = self.lock_table.parts.iter().all(|part| {
            matches!(
                part,
                Part::Literal(_) | Part::Var(Var::Region | Var::RegionShort)
            )
        });
        let deployment = Deployment::parse("x", "x", region.name()).ok()?;
        regional
            .then(|| self.lock_table(&deployment).ok())
            .flatten()
    }

    /// Every name of a deployment at once.
    pub fn names(&self, deployment: &Deployment) -> Result<ProjectNames, NamingError> {
        self.one_name_per_role(deployment)?;
        let mut observability = Vec::with_capacity(4);
        for kind in ObservabilityKind::ALL {
            observability.push((kind, self.observability_bucket(deployment, kind)?));
        }
        Ok(ProjectNames {
            state_bucket: self.state_bucket(deployment)?,
            observability,
            lock_table: self.lock_table(deployment)?,
        })
    }
}

fn bucket(
    pattern: &Pattern,
    deployment: &Deployment,
    kind: Option<ObservabilityKind>,
) -> Result<BucketName, NamingError> {
    let name = pattern.render(deployment, kind);
    BucketName::new(name.as_str()).map_err(|error| {
        let too_long = matches!(
            &error,
            NamingError::Invalid { rule: Rule::Length { actual, max, .. }, .. } if actual > max
        );
        let uses_project = pattern.parts.contains(&Part::Var(Var::Project));
        let room = (63 + deployment.project.as_str().len()).saturating_sub(name.len());
        if too_long && uses_project && room > 0 {
            error.with_hint(format!(
                "the project name `{}` makes the bucket name {} characters long; with \
                 environment `{}` and region `{}` it may be at most {room} characters",
                deployment.project,
                name.len(),
                deployment.environment,
                deployment.region,
            ))
        } else {
            error.with_hint(format!("the name comes from the pattern `{pattern}`"))
        }
    })
}

/// All bucket and table names of one deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectNames {
    /// The Terraform state bucket.
    pub state_bucket: BucketName,
    /// The four observability buckets, in [`ObservabilityKind::ALL`] order.
    pub observability: Vec<(ObservabilityKind, BucketName)>,
    /// The lock table.
    pub lock_table: TableName,
}

/// What a bucket is to a deployment, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BucketRole {
    /// The deployment's Terraform state bucket.
    State,
    /// One of the deployment's observability buckets.
    Observability(ObservabilityKind),
    /// A bucket that receives the state bucket's server access logs
    /// (`--access-log-bucket`): the provisioner manages only the log-delivery statement of
    /// its policy.
    LogTarget,
    /// A bucket the deployment's names do not give (one named on a command line).
    Other,
}

impl ProjectNames {
    /// The deployment's buckets with their roles: the state bucket, then the observability
    /// buckets.
    pub fn buckets(&self) -> impl Iterator<Item = (&BucketName, BucketRole)> {
        std::iter::once((&self.state_bucket, BucketRole::State)).chain(
            self.observability
                .iter()
                .map(|(kind, bucket)| (bucket, BucketRole::Observability(*kind))),
        )
    }

    /// The role `bucket` has in this deployment ([`BucketRole::Other`] when it is none of
    /// its buckets).
    pub fn role_of(&self, bucket: &str) -> BucketRole {
        self.buckets()
            .find(|(name, _)| name.as_str() == bucket)
            .map_or(BucketRole::Other, |(_, role)| role)
    }
}

/// The three tiers of client subnets (seed 003's foundation layer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SubnetTier {
    /// Public subnets, routed to the internet gateway.
    Public,
    /// Private subnets, routed through NAT.
    Private,
    /// Subnets for EKS nodes and pods.
    Eks,
}

impl SubnetTier {
    /// Every tier.
    pub const ALL: [SubnetTier; 3] = [SubnetTier::Public, SubnetTier::Private, SubnetTier::Eks];

    /// The tier as it appears in subnet names.
    pub fn as_str(self) -> &'static str {
        match self {
            SubnetTier::Public => "public",
            SubnetTier::Private => "private",
            SubnetTier::Eks => "eks",
        }
    }
}

impl fmt::Display for SubnetTier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `Name` tag of a client's VPC: `{client}-{env}-vpc`.
pub fn vpc_name(client: &Client, environment: &Environment) -> String {
    format!("{client}-{environment}-vpc")
}

/// The `Name` tag of a client subnet: `{client}-{env}-{public|private|eks}-{az}`.
pub fn subnet_name(
    client: &Client,
    environment: &Environment,
    tier: SubnetTier,
    zone: &AvailabilityZone,
) -> String {
    format!("{client}-{environment}-{tier}-{zone}")
}

/// The `Name` tag of a client NAT gateway: `{client}-{env}-nat-{az}`.
pub fn nat_gateway_name(
    client: &Client,
    environment: &Environment,
    zone: &AvailabilityZone,
) -> String {
    format!("{client}-{environment}-nat-{zone}")
}

/// A client's EKS cluster: `{client}-{environment}-{region}`, checked against EKS's
/// 100-character limit.
pub fn eks_cluster_name(
    client: &Client,
    environment: &Environment,
    region: Region,
) -> Result<EksClusterName, NamingError> {
    EksClusterName::new(format!("{client}-{environment}-{region}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deployment(project: &str) -> Deployment {
        Deployment::parse(project, "production", "ap-southeast-2").unwrap()
    }

    #[test]
    fn patterns_that_give_two_roles_one_name_are_refused_naming_both() {
        let error = NamingRules::new(Some("{project}-{region}-logs-{environment}"), None, None)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("gives the state bucket and the logs bucket the same name"),
            "{error}"
        );
        // The observability pattern without a fixed word can equal the state bucket when
        // the environment is named like a kind... only if the patterns really coincide.
        let error = NamingRules::new(
            Some("{project}-{environment}"),
            Some("{project}-{kind}"),
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("the same name"), "{error}");
        assert!(
            error.contains("environment `logs`")
                || error.contains("environment `traces`")
                || error.contains("environment `metrics`"),
            "{error}"
        );
        // Swapped placeholders coincide when project and environment are the same.
        let error = NamingRules::new(
            Some("{environment}-{project}-state"),
            Some("{project}-{environment}-{kind}"),
            None,
        );
        assert!(error.is_ok(), "different fixed words never coincide");
        let error = NamingRules::new(
            Some("{environment}-{project}-logs"),
            Some("{project}-{environment}-{kind}"),
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("project `p7q`, environment `p7q`")
                || error.contains("project `logs`, environment `logs`"),
            "{error}"
        );
        // The defaults and the seeds' overrides stay valid.
        assert!(
            NamingRules::new(Some("{region}-{environment}-terraform-state"), None, None).is_ok()
        );
    }

    #[test]
    fn a_state_bucket_name_is_recognised_for_any_environment_and_project() {
        let rules = NamingRules::default();
        let p7 = Project::new("p7").unwrap();
        assert!(rules.fits_state_bucket("p7-terraform-state-production", None));
        assert!(rules.fits_state_bucket("p7-terraform-state-staging", Some(&p7)));
        assert!(rules.fits_state_bucket("my-app-terraform-state-dev-2", None));
        assert!(!rules.fits_state_bucket("p8-terraform-state-staging", Some(&p7)));
        assert!(!rules.fits_state_bucket("p7-us-east-2-logs-production", None));
        assert!(!rules.fits_state_bucket("p7-terraform-state-", None));
        let regional =
            NamingRules::new(Some("{region}-{environment}-terraform-state"), None, None).unwrap();
        assert!(regional.fits_state_bucket("us-east-2-production-terraform-state", None));
        assert!(!regional.fits_state_bucket("mars-1-production-terraform-state", None));
    }

    #[test]
    fn each_bucket_of_a_deployment_has_its_role_and_others_none() {
        let names = NamingRules::default()
            .names(&deployment("ohio-01"))
            .unwrap();
        let roles: Vec<BucketRole> = names.buckets().map(|(_, role)| role).collect();
        assert_eq!(roles.len(), 5);
        assert_eq!(roles[0], BucketRole::State);
        assert_eq!(
            names.role_of("ohio-01-terraform-state-production"),
            BucketRole::State
        );
        assert_eq!(
            names.role_of("ohio-01-ap-southeast-2-audit-logs-production"),
            BucketRole::Observability(ObservabilityKind::AuditLogs)
        );
        assert_eq!(names.role_of("someone-elses-bucket"), BucketRole::Other);
    }

    #[test]
    fn a_project_too_long_for_its_buckets_says_how_long_it_may_be() {
        let d = deployment(&"p".repeat(40));
        let error = NamingRules::default().state_bucket(&d).unwrap_err();
        assert!(
            error.to_string().starts_with("invalid bucket name `pppp"),
            "{error}"
        );
        assert!(
            error
                .to_string()
                .ends_with("must be 3 to 63 characters long (it is 67)")
        );
        assert_eq!(
            error.hint().unwrap(),
            format!(
                "the project name `{}` makes the bucket name 67 characters long; with environment \
                 `production` and region `ap-southeast-2` it may be at most 36 characters",
                "p".repeat(40)
            )
        );
        let fits = deployment(&"p".repeat(36));
        assert_eq!(
            NamingRules::default()
                .state_bucket(&fits)
                .unwrap()
                .as_str()
                .len(),
            63
        );
    }

    #[test]
    fn patterns_are_checked_when_read() {
        let error = |state: &str| {
            NamingRules::new(Some(state), None, None)
                .unwrap_err()
                .to_string()
        };
        assert!(error("{project").contains("has a `{` without a matching `}`"));
        assert!(error("project}").contains("has a `}` without a matching `{`"));
        assert!(error("").contains("must not be empty"));
        assert!(error("{kind}-state").contains("unknown placeholder `{kind}`"));
        let rules = NamingRules::new(None, Some("{region_short}-{kind}"), None).unwrap();
        let name = rules.observability_bucket(&deployment("x"), ObservabilityKind::Traces);
        assert_eq!(name.unwrap().as_str(), "ap-southeast-traces");
    }

    #[test]
    fn a_pattern_that_makes_an_invalid_name_is_refused_at_use_with_the_pattern_named() {
        let rules =
            NamingRules::new(Some("State_{project}"), None, Some("locks/{region}")).unwrap();
        let error = rules.state_bucket(&deployment("acme")).unwrap_err();
        assert_eq!(
            error.hint(),
            Some("the name comes from the pattern `State_{project}`")
        );
        let error = rules.lock_table(&deployment("acme")).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("invalid DynamoDB table name `locks/ap-southeast-2`")
        );
    }

    #[test]
    fn kinds_parse_both_spellings() {
        assert_eq!(
            "audit_logs".parse::<ObservabilityKind>().unwrap(),
            ObservabilityKind::AuditLogs
        );
        assert_eq!(
            "audit-logs".parse::<ObservabilityKind>().unwrap(),
            ObservabilityKind::AuditLogs
        );
        let error = "backend-state".parse::<ObservabilityKind>().unwrap_err();
        assert_eq!(
            error.hint(),
            Some("use one of: logs, traces, metrics, audit-logs")
        );
    }

    #[test]
    fn eks_names_longer_than_100_characters_are_refused() {
        let client = Client::new("c".repeat(63)).unwrap();
        let env = Environment::new("e".repeat(30)).unwrap();
        let region = Region::new("us-east-2").unwrap();
        assert!(eks_cluster_name(&client, &env, region).is_err());
    }
}
