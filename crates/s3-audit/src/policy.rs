//! What a bucket policy grants, in the terms the rules need: whether anyone on the internet
//! may read or write, which other accounts get access, whether requests without TLS are
//! denied, and whether S3 may deliver access logs into the bucket.
//!
//! A statement is public when it allows a principal of `*` (or `{"AWS": "*"}`, or uses
//! `NotPrincipal`) without a condition that pins the caller down — the condition keys AWS
//! itself counts as making a policy non-public (`aws:SourceArn`, `aws:SourceAccount`,
//! `aws:SourceVpc`, `aws:SourceVpce`, `aws:SourceIp`, `aws:PrincipalOrgID`,
//! `aws:PrincipalAccount`, `aws:PrincipalArn`, `aws:userid`, `aws:SourceOwner`), with values
//! that are not wildcards.

use aws_client::policy::{LOG_DELIVERY_SERVICE, Policy, Statement, strings};
use serde_json::Value;

use crate::facts::{Acl, Grantee, Permission};

/// Condition keys that pin a request to known callers.
const PINNING_KEYS: [&str; 10] = [
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceip",
    "aws:principalorgid",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:userid",
    "aws:sourceowner",
];

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

/// Whether a condition pins the caller down (so the statement is not public), as S3 counts
/// it ("The meaning of public", aws-behaviour.md A1): a pinning key tested with fixed
/// values only. Wildcards (`*`, `?`), negated operators (`StringNotEquals`, `NotIpAddress`,
/// ...), `...IfExists` (which matches when the key is absent) and source IP ranges wider
/// than /8 (IPv4) or /32 (IPv6) do not pin anyone.
fn pinned(statement: &Statement<'_>) -> bool {
    let Some(Value::Object(operators)) = statement.condition() else {
        return false;
    };
    operators.iter().any(|(operator, tests)| {
        let base = operator
            .strip_prefix("ForAnyValue:")
            .or_else(|| operator.strip_prefix("ForAllValues:"))
            .unwrap_or(operator);
        let fixed_operator = FIXED_OPERATORS.contains(&base);
        let Value::Object(keys) = tests else {
            return false;
        };
        fixed_operator
            && keys.iter().any(|(key, values)| {
                let key = key.to_ascii_lowercase();
                let values = strings(Some(values));
                PINNING_KEYS.contains(&key.as_str())
                    && !values.is_empty()
                    && values.iter().all(|value| match key.as_str() {
                        "aws:sourceip" => narrow_ip_range(value),
                        _ => !value.contains(['*', '?']),
                    })
            })
    })
}

/// Condition operators that compare with fixed values (`StringLike` and `ArnLike` count
/// only when their values hold no wildcard, which [`pinned`] checks).
const FIXED_OPERATORS: [&str; 6] = [
    "StringEquals",
    "StringEqualsIgnoreCase",
    "StringLike",
    "ArnEquals",
    "ArnLike",
    "IpAddress",
];

/// An address or a CIDR range no wider than /8 (IPv4) or /32 (IPv6).
fn narrow_ip_range(value: &str) -> bool {
    match value.parse::<ipnet::IpNet>() {
        Ok(ipnet::IpNet::V4(net)) => net.prefix_len() >= 8,
        Ok(ipnet::IpNet::V6(net)) => net.prefix_len() >= 32,
        Err(_) => value.parse::<std::net::IpAddr>().is_ok(),
    }
}

/// The statements that let anyone do anything, by label.
pub fn public_statements(policy: &Policy) -> Vec<String> {
    policy
        .views()
        .into_iter()
        .filter(|statement| {
            statement.is_allow() && statement.applies_to_everyone() && !pinned(statement)
        })
        .map(|statement| statement.label())
        .collect()
}

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
        .filter(|statement| {
            statement.is_allow() && statement.applies_to_everyone() && !pinned(statement)
        })
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

/// Whether S3's log delivery may write into `target` under `prefix`: a policy statement for
/// `logging.s3.amazonaws.com` allowing `s3:PutObject` on a resource that covers the prefix,
/// or (the legacy way) an ACL grant of WRITE to the `LogDelivery` group.
pub fn accepts_log_delivery(
    policy: Option<&Policy>,
    acl: Option<&Acl>,
    target: &str,
    prefix: &str,
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
    use serde_json::json;

    use super::*;

    fn policy(statements: Value) -> Policy {
        Policy::parse(&json!({"Version": "2012-10-17", "Statement": statements}).to_string())
            .unwrap()
    }

    const ARN: &str = "arn:aws:s3:::b";

    #[test]
    fn only_fixed_values_pin_the_caller_as_s3_counts_them() {
        // A1, "The meaning of public": each of these conditions still leaves it public.
        let public_conditions = [
            json!({"StringLike": {"aws:SourceVpce": "vpce-*"}}),
            json!({"StringEquals": {"aws:SourceAccount": "11112222?333"}}),
            json!({"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b"}}),
            json!({"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1a2b"}}),
            json!({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}),
            json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/7"}}),
            json!({"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "0.0.0.0/0"]}}),
            json!({"IpAddress": {"aws:SourceIp": "2001:db8::/16"}}),
            json!({"Null": {"aws:SourceVpce": "false"}}),
            json!({"StringEquals": {"s3:prefix": "home/"}}),
        ];
        for condition in public_conditions {
            let judged = policy(json!([{"Sid": "S", "Effect": "Allow", "Principal": "*",
                "Action": "s3:GetObject", "Resource": format!("{ARN}/*"), "Condition": condition}]));
            assert_eq!(public_statements(&judged), ["`S`"], "{condition}");
        }
        let pinning_conditions = [
            json!({"StringEquals": {"aws:SourceVpce": "vpce-1a2b"}}),
            json!({"StringLike": {"aws:PrincipalOrgID": "o-abc123"}}),
            json!({"ArnEquals": {"aws:SourceArn": "arn:aws:cloudfront::111122223333:distribution/E1"}}),
            json!({"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "10.0.0.0/8"]}}),
            json!({"IpAddress": {"aws:SourceIp": "2001:db8::/32"}}),
            json!({"ForAnyValue:StringEquals": {"aws:SourceVpc": ["vpc-1", "vpc-2"]}}),
        ];
        for condition in pinning_conditions {
            let judged = policy(json!([{"Effect": "Allow", "Principal": "*",
                "Action": "s3:GetObject", "Resource": format!("{ARN}/*"), "Condition": condition}]));
            assert!(public_statements(&judged).is_empty(), "{condition}");
        }
    }

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
        let delivery = policy(json!([
            {"Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject",
             "Resource": "arn:aws:s3:::logs/s3-access-logs/state/*"}
        ]));
        assert!(accepts_log_delivery(
            Some(&delivery),
            None,
            "logs",
            "s3-access-logs/state/",
            Partition::Aws
        ));
        assert!(!accepts_log_delivery(
            Some(&delivery),
            None,
            "logs",
            "elsewhere/",
            Partition::Aws
        ));
        assert!(!accepts_log_delivery(
            None,
            None,
            "logs",
            "s3-access-logs/state/",
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
            Partition::Aws
        ));
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
            Partition::China
        ));
        assert!(!accepts_log_delivery(
            Some(&delivery),
            None,
            "logs",
            "s3-access-logs/state/",
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
