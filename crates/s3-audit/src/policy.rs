//! What a bucket policy grants, in the terms the rules need: whether anyone on the internet
//! may read or write, which other accounts get access, whether requests without TLS are
//! denied, and whether S3 may deliver access logs into the bucket.
//!
//! A statement is public as S3 counts it ([`Statement::is_public`]): it allows a principal
//! of `*` (or `{"AWS": "*"}`, or uses `NotPrincipal`) without a condition that pins the
//! caller down with fixed values.

use aws_client::policy::{LOG_DELIVERY_SERVICE, Policy, Statement};
use serde_json::Value;

use crate::facts::{Acl, Grantee, Permission};

/// Actions that read a bucket or its objects.
const READ_ACTIONS: [&str; 6] = [
    "s3:GetObject",
    "s3:GetObjectVersion",
    "s3:ListBucket",
    "s3:ListBucketVersions",
    "s3:GetBucketAcl",
    "s3:GetObjectAcl",
];

/// Actions that write or delete objects, or change who may.
const WRITE_ACTIONS: [&str; 8] = [
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "s3:PutObjectAcl",
    "s3:PutBucketAcl",
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
    "s3:DeleteBucket",
];

/// The 12-digit accounts a statement names as principals.
fn principal_accounts(statement: &Statement<'_>) -> Vec<String> {
    let mut accounts: Vec<String> = statement
        .aws_principals()
        .iter()
        .filter_map(|principal| {
            let account = match principal.strip_prefix("arn:") {
                Some(arn) => arn.split(':').nth(3)?,
                None => principal.as_str(),
            };
            (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()))
                .then(|| account.to_owned())
        })
        .collect();
    accounts.sort();
    accounts.dedup();
    accounts
}

/// One statement that grants too much, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The statement's `Sid` in backquotes, or `#N`.
    pub statement: String,
    /// The actions that matter, as the rule counts them.
    pub actions: Vec<&'static str>,
    /// The other accounts, for cross-account grants.
    pub accounts: Vec<String>,
}

/// Statements that let anyone read.
pub fn public_reads(policy: &Policy) -> Vec<Grant> {
    public(policy, &READ_ACTIONS)
}

/// Statements that let anyone write.
pub fn public_writes(policy: &Policy) -> Vec<Grant> {
    public(policy, &WRITE_ACTIONS)
}

fn public(policy: &Policy, wanted: &[&'static str]) -> Vec<Grant> {
    policy
        .views()
        .into_iter()
        .filter(|statement| statement.is_public())
        .filter_map(|statement| {
            let actions = statement.covers(wanted);
            (!actions.is_empty()).then(|| Grant {
                statement: statement.label(),
                actions,
                accounts: Vec::new(),
            })
        })
        .collect()
}

/// Statements that allow principals of accounts other than `own`.
pub fn cross_account(policy: &Policy, own: &str) -> Vec<Grant> {
    let every: Vec<&'static str> = READ_ACTIONS
        .iter()
        .chain(WRITE_ACTIONS.iter())
        .copied()
        .collect();
    policy
        .views()
        .into_iter()
        .filter(Statement::is_allow)
        .filter_map(|statement| {
            let accounts: Vec<String> = principal_accounts(&statement)
                .into_iter()
                .filter(|account| account != own)
                .collect();
            (!accounts.is_empty()).then(|| Grant {
                statement: statement.label(),
                actions: statement.covers(&every),
                accounts,
            })
        })
        .collect()
}

/// The bucket whose access logs are delivered, as a log-delivery statement's conditions
/// name it.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// `arn:{partition}:s3:::{bucket}`.
    pub bucket_arn: &'a str,
    /// The account, when known.
    pub account: Option<&'a str>,
}

/// Whether a log-delivery statement's conditions let this source's logs in (P5: a grant
/// whose `aws:SourceArn` or `aws:SourceAccount` names another source refuses them).
fn conditions_allow(statement: &Statement<'_>, source: &Source<'_>) -> bool {
    let Some(Value::Object(operators)) = statement.condition() else {
        return true;
    };
    operators.values().all(|tests| {
        let Value::Object(keys) = tests else {
            return true;
        };
        keys.iter().all(|(key, values)| {
            let values = aws_client::policy::strings(Some(values));
            match key.to_ascii_lowercase().as_str() {
                "aws:sourcearn" => values
                    .iter()
                    .any(|arn| naming::iam_like(arn, source.bucket_arn)),
                "aws:sourceaccount" => source
                    .account
                    .is_none_or(|account| values.iter().any(|value| value == account)),
                _ => true,
            }
        })
    })
}

/// Whether S3's log delivery may write into `target` under `prefix`: a policy statement for
/// `logging.s3.amazonaws.com` allowing `s3:PutObject` on a resource that covers the prefix,
/// or (the legacy way) an ACL grant of WRITE to the `LogDelivery` group.
pub fn accepts_log_delivery(
    policy: Option<&Policy>,
    acl: Option<&Acl>,
    target: &str,
    prefix: &str,
    source: &Source<'_>,
    partition: naming::Partition,
) -> bool {
    let key = format!("arn:{}:s3:::{target}/{prefix}", partition.id());
    let by_policy = policy.is_some_and(|policy| {
        policy.views().into_iter().any(|statement| {
            statement.is_allow()
                && statement
                    .services()
                    .iter()
                    .any(|name| name == LOG_DELIVERY_SERVICE)
                && !statement.covers(&["s3:PutObject"]).is_empty()
                && statement.names_resource(&format!("{key}x"))
                && conditions_allow(&statement, source)
        })
    });
    let by_acl = acl.is_some_and(|acl| {
        acl.grants.iter().any(|grant| {
            grant.grantee == Grantee::LogDelivery
                && matches!(
                    grant.permission,
                    Permission::Write | Permission::FullControl
                )
        })
    });
    by_policy || by_acl
}

#[cfg(test)]
mod tests {
    use naming::Partition;
    use serde_json::{Value, json};

    use super::*;

    fn policy(statements: Value) -> Policy {
        Policy::parse(&json!({"Version": "2012-10-17", "Statement": statements}).to_string())
            .unwrap()
    }

    const ARN: &str = "arn:aws:s3:::b";

    #[test]
    fn anyone_reading_or_writing_is_public_unless_a_condition_pins_the_caller() {
        let open = policy(json!([
            {"Sid": "Read", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": format!("{ARN}/*")},
            {"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": ["s3:Put*"], "Resource": format!("{ARN}/*")},
            {"Sid": "Vpc", "Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": format!("{ARN}/*"),
             "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1a2b"}}},
            {"Sid": "Deny", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ARN},
        ]));
        let reads = public_reads(&open);
        assert_eq!(reads.len(), 1);
        assert_eq!(reads[0].statement, "`Read`");
        assert_eq!(reads[0].actions, ["s3:GetObject"]);
        let writes = public_writes(&open);
        assert_eq!(writes.len(), 1);
        assert_eq!(writes[0].statement, "#2");
        assert_eq!(
            writes[0].actions,
            [
                "s3:PutObject",
                "s3:PutObjectAcl",
                "s3:PutBucketAcl",
                "s3:PutBucketPolicy"
            ]
        );
        let wildcard_condition = policy(json!([
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}}
        ]));
        assert_eq!(
            public_reads(&wildcard_condition).len(),
            1,
            "0.0.0.0/0 pins nobody"
        );
        let not_action = policy(
            json!([{"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::1:root"}, "NotAction": "s3:Delete*", "Resource": "*"}]),
        );
        assert_eq!(
            public_writes(&not_action)[0].actions,
            [
                "s3:PutObject",
                "s3:PutObjectAcl",
                "s3:PutBucketAcl",
                "s3:PutBucketPolicy"
            ]
        );
    }

    #[test]
    fn other_accounts_are_found_in_every_principal_form() {
        let shared = policy(json!([
            {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "444455556666", "arn:aws:iam::123456789012:role/ci"]}, "Action": "s3:GetObject", "Resource": "*"},
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "s3:*", "Resource": "*"},
            {"Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject", "Resource": "*"},
        ]));
        let grants = cross_account(&shared, "123456789012");
        assert_eq!(grants.len(), 1);
        assert_eq!(grants[0].accounts, ["111122223333", "444455556666"]);
        assert_eq!(grants[0].actions, ["s3:GetObject"]);
    }

    #[test]
    fn log_delivery_is_accepted_by_policy_or_by_the_legacy_acl() {
        const SOURCE: Source<'static> = Source {
            bucket_arn: "arn:aws:s3:::state",
            account: Some("123456789012"),
        };
        let delivery = policy(json!([
            {"Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject",
             "Resource": "arn:aws:s3:::logs/s3-access-logs/state/*"}
        ]));
        assert!(accepts_log_delivery(
            Some(&delivery),
            None,
            "logs",
            "s3-access-logs/state/",
            &SOURCE,
            Partition::Aws
        ));
        assert!(!accepts_log_delivery(
            Some(&delivery),
            None,
            "logs",
            "elsewhere/",
            &SOURCE,
            Partition::Aws
        ));
        assert!(!accepts_log_delivery(
            None,
            None,
            "logs",
            "s3-access-logs/state/",
            &SOURCE,
            Partition::Aws
        ));
        let acl = Acl {
            owner: None,
            grants: vec![crate::facts::Grant {
                grantee: Grantee::LogDelivery,
                permission: Permission::Write,
            }],
        };
        assert!(accepts_log_delivery(
            None,
            Some(&acl),
            "logs",
            "any/",
            &SOURCE,
            Partition::Aws
        ));
        // P5: a grant whose conditions name another source refuses this one's logs.
        let for_another = policy(json!([
            {"Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject",
             "Resource": "arn:aws:s3:::logs/s3-access-logs/state/*",
             "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::other-bucket"}}}
        ]));
        let other_account = policy(json!([
            {"Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject",
             "Resource": "arn:aws:s3:::logs/s3-access-logs/state/*",
             "Condition": {"StringEquals": {"aws:SourceAccount": "999999999999"}}}
        ]));
        let ours = policy(json!([
            {"Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject",
             "Resource": "arn:aws:s3:::logs/s3-access-logs/state/*",
             "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::state*"},
                           "StringEquals": {"aws:SourceAccount": "123456789012"}}}
        ]));
        for (grant, accepted) in [
            (&for_another, false),
            (&other_account, false),
            (&ours, true),
        ] {
            let judged = accepts_log_delivery(
                Some(grant),
                None,
                "logs",
                "s3-access-logs/state/",
                &SOURCE,
                Partition::Aws,
            );
            assert_eq!(judged, accepted, "{grant:?}");
        }
        // A2: in China the resource is arn:aws-cn:..., and arn:aws:... is not it.
        let china = policy(json!([
            {"Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject",
             "Resource": "arn:aws-cn:s3:::logs/s3-access-logs/state/*"}
        ]));
        assert!(accepts_log_delivery(
            Some(&china),
            None,
            "logs",
            "s3-access-logs/state/",
            &SOURCE,
            Partition::China
        ));
        assert!(!accepts_log_delivery(
            Some(&delivery),
            None,
            "logs",
            "s3-access-logs/state/",
            &SOURCE,
            Partition::China
        ));
    }

    #[test]
    fn action_patterns_match_as_iam_matches_them() {
        assert!(naming::iam_action_like("s3:*", "s3:GetObject"));
        assert!(naming::iam_action_like("S3:get*", "s3:GetObject"));
        assert!(naming::iam_action_like("*", "s3:PutObject"));
        assert!(naming::iam_action_like(
            "s3:GetObject?ersion",
            "s3:GetObjectVersion"
        ));
        assert!(!naming::iam_action_like("s3:Get*", "s3:PutObject"));
        assert!(!naming::iam_action_like(
            "s3:GetObject",
            "s3:GetObjectVersion"
        ));
    }
}
