//! Disaster recovery, as values: the state bucket replicated to a replica bucket in a
//! second region (`--replicate-to`). The replica itself is provisioned like a state bucket
//! ([`crate::Spec::replica`]); this module holds what only replication needs: the IAM role
//! S3 assumes, its least-privilege policy, and the rule.
//!
//! The rule replicates every object and delete marker (so a state deleted on purpose is
//! deleted on the replica too, and a version restored is restored there), SSE-KMS objects
//! included and re-encrypted with the replica region's key, with replication metrics on so
//! that CloudWatch shows the lag (`ReplicationLatency`, `OperationsPendingReplication`).

use naming::{BucketName, Partition, Region, TableName};
use serde::Serialize;
use serde_json::{Value, json};

use aws_client::s3::{Replication, ReplicationRule};

use crate::error::Problem;
use crate::plan::{Action, Change, Setting, change};

/// The ID of the toolkit's replication rule.
pub const RULE_ID: &str = "tfstate-toolkit-replica";

/// The name of the replication role's inline policy.
pub const ROLE_POLICY: &str = "tfstate-toolkit-replication";

/// Where the state bucket is replicated to, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaSpec {
    /// The replica's region.
    pub region: Region,
    /// The replica bucket.
    pub bucket: BucketName,
    /// That region's lock table, when the deployment locks with DynamoDB.
    pub lock_table: Option<TableName>,
    /// The IAM role S3 assumes to replicate.
    pub role: String,
    /// The replica region's KMS key (a key ARN), when the buckets use KMS.
    pub kms_key: Option<String>,
}

/// The replication role's ARN.
pub fn role_arn(partition: Partition, account: &str, role: &str) -> String {
    format!("arn:{}:iam::{account}:role/{role}", partition.id())
}

/// Who may assume the role: S3, for this account's buckets only (the confused-deputy
/// condition AWS recommends).
pub fn trust_policy(account: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": account}}
        }]
    })
}

/// What the role may do, and no more (the S3 user guide's replication permissions): read
/// the source's configuration and versions, write replicas and delete markers to the
/// replica; with KMS, decrypt with the source key through S3 in the source region and
/// encrypt with the replica key through S3 in the replica's.
pub fn role_policy(
    partition: Partition,
    source: &BucketName,
    source_region: Region,
    replica: &ReplicaSpec,
    source_key: Option<&str>,
) -> Value {
    let source_arn = source.arn(partition);
    let replica_arn = replica.bucket.arn(partition);
    let mut statements = vec![
        json!({
            "Sid": "ReadSourceConfiguration",
            "Effect": "Allow",
            "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"],
            "Resource": source_arn
        }),
        json!({
            "Sid": "ReadSourceVersions",
            "Effect": "Allow",
            "Action": [
                "s3:GetObjectVersionForReplication",
                "s3:GetObjectVersionAcl",
                "s3:GetObjectVersionTagging"
            ],
            "Resource": format!("{source_arn}/*")
        }),
        json!({
            "Sid": "WriteReplicas",
            "Effect": "Allow",
            "Action": ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
            "Resource": format!("{replica_arn}/*")
        }),
    ];
    let via = |region: Region| format!("s3.{region}.{}", partition.dns_suffix());
    if let Some(key) = source_key {
        statements.push(json!({
            "Sid": "DecryptSource",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": key,
            "Condition": {"StringLike": {
                "kms:ViaService": via(source_region),
                "kms:EncryptionContext:aws:s3:arn": format!("{source_arn}/*")
            }}
        }));
    }
    if let Some(key) = &replica.kms_key {
        statements.push(json!({
            "Sid": "EncryptReplicas",
            "Effect": "Allow",
            "Action": "kms:Encrypt",
            "Resource": key,
            "Condition": {"StringLike": {
                "kms:ViaService": via(replica.region),
                "kms:EncryptionContext:aws:s3:arn": format!("{replica_arn}/*")
            }}
        }));
    }
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// The replication configuration the state bucket should have.
pub fn desired(partition: Partition, account: &str, replica: &ReplicaSpec) -> Replication {
    Replication {
        role: role_arn(partition, account, &replica.role),
        rules: vec![ReplicationRule {
            id: RULE_ID.to_owned(),
            priority: Some(1),
            enabled: true,
            prefix: Some(String::new()),
            destination: replica.bucket.arn(partition),
            delete_markers: true,
            kms_objects: replica.kms_key.is_some(),
            replica_kms_key: replica.kms_key.clone(),
            metrics: true,
        }],
    }
}

/// Whether `have` is `want` as S3 reports it (an empty prefix may come back as none).
fn same_rule(have: &ReplicationRule, want: &ReplicationRule) -> bool {
    let prefix = |rule: &ReplicationRule| rule.prefix.clone().unwrap_or_default();
    have.id == want.id
        && have.enabled == want.enabled
        && prefix(have) == prefix(want)
        && have.destination == want.destination
        && have.delete_markers == want.delete_markers
        && have.kms_objects == want.kms_objects
        && have.replica_kms_key == want.replica_kms_key
        && have.metrics == want.metrics
}

fn describe(replication: &Replication) -> String {
    let rules: Vec<String> = replication
        .rules
        .iter()
        .map(|rule| {
            format!(
                "{} to {}{}{}",
                rule.id,
                rule.destination,
                if rule.enabled { "" } else { " (disabled)" },
                if rule.delete_markers {
                    ", delete markers"
                } else {
                    ", no delete markers"
                }
            )
        })
        .collect();
    format!("{} as {}", rules.join("; "), replication.role)
}

/// The state bucket's replication as the plan judges it: unchanged (`Ok(None)`), a change,
/// or a problem when the bucket already replicates under rules someone else wrote (a
/// bucket has one replication configuration and one role; the toolkit does not replace
/// another owner's).
pub fn judge(
    bucket: &BucketName,
    have: Option<&Replication>,
    want: &Replication,
) -> Result<Option<Change>, Problem> {
    let Some(have) = have else {
        return Ok(Some(change(
            Setting::Replication,
            "not configured",
            describe(want),
        )));
    };
    let foreign: Vec<&str> = have
        .rules
        .iter()
        .filter(|rule| rule.id != RULE_ID)
        .map(|rule| rule.id.as_str())
        .collect();
    if !foreign.is_empty() {
        return Err(Problem {
            resource: bucket.to_string(),
            message: format!(
                "the bucket already replicates under rules the toolkit did not write ({}), as \
                 {}; a bucket has one replication configuration, which --replicate-to would \
                 replace",
                foreign.join(", "),
                have.role
            ),
            hint: Some(format!(
                "keep that replication and drop --replicate-to, or remove it first (`aws s3api \
                 delete-bucket-replication --bucket {bucket}`)"
            )),
            input: false,
        });
    }
    let same = have.role == want.role
        && have.rules.len() == want.rules.len()
        && have
            .rules
            .iter()
            .zip(&want.rules)
            .all(|(h, w)| same_rule(h, w));
    Ok((!same).then(|| change(Setting::Replication, describe(have), describe(want))))
}

/// The replication role as found: its trust policy and its inline policy, decoded.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ObservedRole {
    /// The trust policy.
    pub trust_policy: String,
    /// The inline policy [`ROLE_POLICY`], if it has one.
    pub policy: Option<String>,
}

/// The plan for the replication role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RolePlan {
    /// The role's name.
    pub name: String,
    /// What happens to it.
    pub action: Action,
    /// The settings that change.
    pub changes: Vec<Change>,
    /// The trust policy to write, when it changes.
    #[serde(skip)]
    pub trust_policy: Option<String>,
    /// The inline policy to write, when it changes.
    #[serde(skip)]
    pub policy: Option<String>,
}

/// Whether a document IAM returned is `want` (compared as JSON, so IAM's re-formatting
/// does not count as a change).
fn same_document(have: &str, want: &Value) -> bool {
    serde_json::from_str::<Value>(have).is_ok_and(|have| &have == want)
}

/// The role's plan: created with both policies, or each policy that differs rewritten.
pub fn role_plan(
    name: &str,
    trust: &Value,
    policy: &Value,
    found: Option<&ObservedRole>,
) -> RolePlan {
    let mut changes = Vec::new();
    let trust_changes = found.is_none_or(|role| !same_document(&role.trust_policy, trust));
    if trust_changes {
        changes.push(change(
            Setting::TrustPolicy,
            if found.is_some() {
                "another trust policy"
            } else {
                "no role"
            },
            "s3.amazonaws.com may assume it, for this account",
        ));
    }
    let have_policy = found.and_then(|role| role.policy.as_deref());
    let policy_changes = have_policy.is_none_or(|have| !same_document(have, policy));
    if policy_changes {
        changes.push(change(
            Setting::RolePolicy,
            match have_policy {
                Some(_) => "another policy",
                None => "no policy",
            },
            "read the state bucket, replicate to the replica (least privilege)",
        ));
    }
    let action = match (found, changes.is_empty()) {
        (None, _) => Action::Create,
        (Some(_), true) => Action::Unchanged,
        (Some(_), false) => Action::Update,
    };
    RolePlan {
        name: name.to_owned(),
        action,
        changes,
        trust_policy: trust_changes.then(|| trust.to_string()),
        policy: policy_changes.then(|| policy.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replica(kms: bool) -> ReplicaSpec {
        ReplicaSpec {
            region: Region::new("us-west-2").unwrap(),
            bucket: BucketName::new("p-terraform-state-prod-replica-us-west-2").unwrap(),
            lock_table: None,
            role: "p-terraform-state-prod-replication".to_owned(),
            kms_key: kms.then(|| "arn:aws:kms:us-west-2:111122223333:key/r".to_owned()),
        }
    }

    fn source() -> BucketName {
        BucketName::new("p-terraform-state-prod").unwrap()
    }

    #[test]
    fn the_policy_grants_replication_and_nothing_else() {
        let policy = role_policy(
            Partition::Aws,
            &source(),
            Region::new("us-east-2").unwrap(),
            &replica(false),
            None,
        );
        let text = policy.to_string();
        for action in [
            "s3:GetReplicationConfiguration",
            "s3:GetObjectVersionForReplication",
            "s3:ReplicateObject",
            "s3:ReplicateDelete",
        ] {
            assert!(text.contains(action), "{action} missing from {text}");
        }
        assert!(!text.contains("kms:"), "no KMS without KMS: {text}");
        assert!(!text.contains("s3:*") && !text.contains("\"*\""), "{text}");
        let statements = policy["Statement"].as_array().unwrap();
        assert_eq!(
            statements[2]["Resource"],
            "arn:aws:s3:::p-terraform-state-prod-replica-us-west-2/*"
        );
    }

    #[test]
    fn with_kms_the_role_decrypts_at_the_source_and_encrypts_at_the_replica() {
        let policy = role_policy(
            Partition::Aws,
            &source(),
            Region::new("us-east-2").unwrap(),
            &replica(true),
            Some("arn:aws:kms:us-east-2:111122223333:key/s"),
        );
        let statements = policy["Statement"].as_array().unwrap();
        let decrypt = &statements[3];
        assert_eq!(decrypt["Action"], "kms:Decrypt");
        assert_eq!(
            decrypt["Resource"],
            "arn:aws:kms:us-east-2:111122223333:key/s"
        );
        assert_eq!(
            decrypt["Condition"]["StringLike"]["kms:ViaService"],
            "s3.us-east-2.amazonaws.com"
        );
        let encrypt = &statements[4];
        assert_eq!(encrypt["Action"], "kms:Encrypt");
        assert_eq!(
            encrypt["Condition"]["StringLike"]["kms:ViaService"],
            "s3.us-west-2.amazonaws.com"
        );
        let rule = &desired(Partition::Aws, "111122223333", &replica(true)).rules[0];
        assert!(rule.kms_objects && rule.delete_markers && rule.metrics);
        assert_eq!(
            rule.replica_kms_key.as_deref(),
            Some("arn:aws:kms:us-west-2:111122223333:key/r")
        );
    }

    #[test]
    fn replication_is_judged_against_what_s3_reports() {
        let want = desired(Partition::Aws, "111122223333", &replica(false));
        let bucket = source();
        assert!(judge(&bucket, None, &want).unwrap().is_some());
        assert_eq!(judge(&bucket, Some(&want), &want), Ok(None));
        // S3 may report the empty prefix as no prefix: the same rule.
        let mut reported = want.clone();
        reported.rules[0].prefix = None;
        assert_eq!(judge(&bucket, Some(&reported), &want), Ok(None));
        let mut off = want.clone();
        off.rules[0].delete_markers = false;
        let changed = judge(&bucket, Some(&off), &want).unwrap().unwrap();
        assert!(changed.from.contains("no delete markers"), "{changed:?}");
        let mut foreign = want.clone();
        foreign.rules[0].id = "their-rule".to_owned();
        let problem = judge(&bucket, Some(&foreign), &want).unwrap_err();
        assert!(problem.message.contains("their-rule"), "{problem:?}");
    }

    #[test]
    fn the_role_is_created_then_left_alone_then_repaired() {
        let trust = trust_policy("111122223333");
        let policy = role_policy(
            Partition::Aws,
            &source(),
            Region::new("us-east-2").unwrap(),
            &replica(false),
            None,
        );
        let created = role_plan("r", &trust, &policy, None);
        assert_eq!(created.action, Action::Create);
        assert!(created.trust_policy.is_some() && created.policy.is_some());
        // IAM reformats documents: compared as JSON, the same role is unchanged.
        let found = ObservedRole {
            trust_policy: serde_json::to_string_pretty(&trust).unwrap(),
            policy: Some(policy.to_string()),
        };
        assert_eq!(
            role_plan("r", &trust, &policy, Some(&found)).action,
            Action::Unchanged
        );
        let widened = ObservedRole {
            policy: Some(
                r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#.to_owned(),
            ),
            ..found
        };
        let repaired = role_plan("r", &trust, &policy, Some(&widened));
        assert_eq!(repaired.action, Action::Update);
        assert_eq!(repaired.changes.len(), 1);
        assert!(repaired.trust_policy.is_none() && repaired.policy.is_some());
    }
}
