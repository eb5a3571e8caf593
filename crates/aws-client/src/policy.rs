//! Bucket policies: one document type for every crate, the typed view of a statement that
//! judges which actions it covers (IAM's `*` and `?` wildcards through
//! [`naming::iam_action_like`], `Action` and `NotAction` alike), and the two statements the
//! toolkit writes: the TLS-only deny, and the grant that lets S3 deliver server access logs.
//! Merging keeps every other statement as it was, in its place.

use serde::Serialize;
use serde_json::{Value, json};

/// The `Sid` of the TLS-only statement: the toolkit's own, so that a statement of someone
/// else's (`DenyInsecureTransport` is a common name) is never replaced by it.
pub const TLS_SID: &str = "TfstateToolkitDenyInsecureTransport";

/// The principal S3 delivers server access logs as.
pub const LOG_DELIVERY_SERVICE: &str = "logging.s3.amazonaws.com";

/// A bucket policy document (equal to another with the same JSON value, however written).
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct Policy {
    value: Value,
    /// The text AWS returned, while the document is unchanged.
    #[serde(skip)]
    text: Option<String>,
}

impl PartialEq for Policy {
    fn eq(&self, other: &Policy) -> bool {
        self.value == other.value
    }
}

impl From<Value> for Policy {
    fn from(value: Value) -> Policy {
        Policy { value, text: None }
    }
}

/// A bucket policy that is not a JSON object.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the bucket policy is not a JSON object: {0}")]
pub struct PolicyError(String);

impl Policy {
    /// Parses a policy document as AWS returns it.
    pub fn parse(text: &str) -> Result<Policy, PolicyError> {
        let value: Value =
            serde_json::from_str(text).map_err(|error| PolicyError(error.to_string()))?;
        if !value.is_object() {
            return Err(PolicyError(format!("found {value}")));
        }
        Ok(Policy {
            value,
            text: Some(text.to_owned()),
        })
    }

    /// The document as JSON text.
    pub fn to_json(&self) -> String {
        self.value.to_string()
    }

    /// The document as AWS returned it when it was read and is unchanged, else as JSON text.
    pub fn text(&self) -> String {
        self.text.clone().unwrap_or_else(|| self.to_json())
    }

    /// The document.
    pub fn value(&self) -> &Value {
        &self.value
    }

    /// The statements (a lone statement object counts as one).
    pub fn statements(&self) -> Vec<&Value> {
        match self.value.get("Statement") {
            Some(Value::Array(items)) => items.iter().collect(),
            Some(item @ Value::Object(_)) => vec![item],
            _ => Vec::new(),
        }
    }

    /// The statements as typed views, in order.
    pub fn views(&self) -> Vec<Statement<'_>> {
        self.statements()
            .into_iter()
            .enumerate()
            .map(|(index, value)| Statement { value, index })
            .collect()
    }

    /// The labels of the statements that make the bucket public ([`Statement::is_public`]).
    pub fn public_statements(&self) -> Vec<String> {
        self.views()
            .into_iter()
            .filter(Statement::is_public)
            .map(|statement| statement.label())
            .collect()
    }

    /// The statement with this `Sid`, if any.
    pub fn statement(&self, sid: &str) -> Option<&Value> {
        self.statements()
            .into_iter()
            .find(|statement| statement.get("Sid").and_then(Value::as_str) == Some(sid))
    }

    /// This policy with `statement` in it: replacing the statement with the same `Sid` in
    /// place, or appended. Every other statement stays as it was.
    pub fn with_statement(&self, statement: Value) -> Policy {
        let sid = statement
            .get("Sid")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let mut document = self.value.clone();
        let object = document.as_object_mut().expect("a policy is an object");
        object
            .entry("Version")
            .or_insert_with(|| json!("2012-10-17"));
        let mut statements: Vec<Value> = match object.remove("Statement") {
            Some(Value::Array(items)) => items,
            Some(item @ Value::Object(_)) => vec![item],
            _ => Vec::new(),
        };
        let existing = statements.iter().position(|item| {
            sid.is_some() && item.get("Sid").and_then(Value::as_str) == sid.as_deref()
        });
        match existing {
            Some(index) => statements[index] = statement,
            None => statements.push(statement),
        }
        object.insert("Statement".to_owned(), Value::Array(statements));
        Policy::from(document)
    }

    /// This policy without the statements `drop` picks, every other statement kept as it
    /// was; `None` when no statement is left (the policy is then deleted).
    pub fn without(&self, drop: impl Fn(&Statement<'_>) -> bool) -> Option<Policy> {
        let kept: Vec<Value> = self
            .views()
            .into_iter()
            .filter(|statement| !drop(statement))
            .map(|statement| statement.value.clone())
            .collect();
        if kept.is_empty() {
            return None;
        }
        let mut document = self.value.clone();
        document["Statement"] = Value::Array(kept);
        Some(Policy::from(document))
    }

    /// An empty policy, to add statements to.
    pub fn empty() -> Policy {
        Policy::from(json!({"Version": "2012-10-17", "Statement": []}))
    }

    /// Whether some statement already denies every request without TLS to the bucket and
    /// its objects, whatever its `Sid`: such a policy is adopted as it is.
    pub fn denies_insecure_transport(&self, bucket_arn: &str) -> bool {
        self.statements()
            .into_iter()
            .any(|statement| is_tls_deny(statement, bucket_arn))
    }
}

/// One statement of a policy, read as IAM reads it.
#[derive(Debug, Clone, Copy)]
pub struct Statement<'a> {
    value: &'a Value,
    index: usize,
}

impl<'a> Statement<'a> {
    /// The statement as written.
    pub fn value(&self) -> &'a Value {
        self.value
    }

    /// Its label for messages: its `Sid` in backquotes, or its position (`#1`).
    pub fn label(&self) -> String {
        match self.value.get("Sid").and_then(Value::as_str) {
            Some(sid) if !sid.is_empty() => format!("`{sid}`"),
            _ => format!("#{}", self.index + 1),
        }
    }

    /// `Effect: Allow`.
    pub fn is_allow(&self) -> bool {
        self.value.get("Effect").and_then(Value::as_str) == Some("Allow")
    }

    /// `Effect: Deny`.
    pub fn is_deny(&self) -> bool {
        self.value.get("Effect").and_then(Value::as_str) == Some("Deny")
    }

    /// The actions of `wanted` the statement applies to: those its `Action` patterns match,
    /// or, with `NotAction`, those its patterns leave out (IAM's wildcards, ignoring case).
    pub fn covers<'w>(&self, wanted: &[&'w str]) -> Vec<&'w str> {
        let matched = |field: &str, action: &str| {
            strings(self.value.get(field))
                .iter()
                .any(|pattern| naming::iam_action_like(pattern, action))
        };
        let not_action = self.value.get("NotAction").is_some();
        wanted
            .iter()
            .copied()
            .filter(|action| match not_action {
                true => !matched("NotAction", action),
                false => matched("Action", action),
            })
            .collect()
    }

    /// Whether a `Resource` pattern matches `arn` (IAM's wildcards, case-sensitive).
    pub fn names_resource(&self, arn: &str) -> bool {
        strings(self.value.get("Resource"))
            .iter()
            .any(|pattern| naming::iam_like(pattern, arn))
    }

    /// Whether the principal is everyone: `"*"`, `{"AWS": "*"}`, or any `NotPrincipal`.
    pub fn applies_to_everyone(&self) -> bool {
        if self.value.get("NotPrincipal").is_some() {
            return true;
        }
        match self.value.get("Principal") {
            Some(Value::String(principal)) => principal == "*",
            Some(Value::Object(map)) => strings(map.get("AWS"))
                .iter()
                .any(|principal| principal == "*"),
            _ => false,
        }
    }

    /// The service principals (`{"Service": ...}`).
    pub fn services(&self) -> Vec<String> {
        self.value
            .get("Principal")
            .and_then(|principal| principal.get("Service"))
            .map(|service| strings(Some(service)))
            .unwrap_or_default()
    }

    /// The `AWS` principals, as written.
    pub fn aws_principals(&self) -> Vec<String> {
        match self.value.get("Principal") {
            Some(Value::Object(map)) => strings(map.get("AWS")),
            _ => Vec::new(),
        }
    }

    /// Whether the statement makes the bucket public as S3 counts it ("The meaning of
    /// public", aws-behaviour.md A1): it allows everyone, and no condition pins the caller
    /// down with fixed values.
    pub fn is_public(&self) -> bool {
        self.is_allow() && self.applies_to_everyone() && !pinned(self)
    }

    /// The condition block, if any.
    pub fn condition(&self) -> Option<&'a Value> {
        self.value.get("Condition")
    }

    /// Whether the condition limits the statement to requests sent without TLS
    /// (`Bool aws:SecureTransport false`, nothing else).
    pub fn only_without_tls(&self) -> bool {
        let Some(Value::Object(operators)) = self.condition() else {
            return false;
        };
        operators.len() == 1
            && operators.get("Bool").is_some_and(|keys| {
                keys.as_object().is_some_and(|keys| {
                    keys.len() == 1
                        && keys
                            .get("aws:SecureTransport")
                            .is_some_and(|value| value == "false" || value == false)
                })
            })
    }
}

/// A policy field that may be a string or a list of strings, as a list.
pub fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(text)) => vec![text.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

fn is_tls_deny(statement: &Value, bucket_arn: &str) -> bool {
    let denies = statement.get("Effect").and_then(Value::as_str) == Some("Deny");
    let everyone = match statement.get("Principal") {
        Some(Value::String(principal)) => principal == "*",
        Some(Value::Object(map)) => strings(map.get("AWS")).iter().any(|p| p == "*"),
        _ => false,
    };
    let all_actions = strings(statement.get("Action"))
        .iter()
        .any(|action| action == "s3:*");
    let resources = strings(statement.get("Resource"));
    let covers = resources.iter().any(|r| r == bucket_arn)
        && resources.iter().any(|r| *r == format!("{bucket_arn}/*"));
    let insecure = statement
        .get("Condition")
        .and_then(|condition| condition.get("Bool"))
        .and_then(|test| test.get("aws:SecureTransport"))
        .is_some_and(|value| value == &json!("false") || value == &json!(false));
    denies && everyone && all_actions && covers && insecure
}

/// The statement that denies any request to the bucket made without TLS. The principal is
/// written `{"AWS": "*"}`, which IAM treats as `"*"`.
pub fn tls_statement(bucket_arn: &str) -> Value {
    json!({
        "Sid": TLS_SID,
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": "s3:*",
        "Resource": [bucket_arn, format!("{bucket_arn}/*")],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}
    })
}

/// The `Sid` of the log-delivery grant for one source bucket (letters and digits only, as
/// IAM wants them).
pub fn log_delivery_sid(source_bucket: &str) -> String {
    let name: String = source_bucket
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    format!("AllowAccessLogsFrom{name}")
}

/// The statement that lets S3 deliver `source`'s server access logs into `target` under
/// `prefix`, only for that bucket and account (ACLs are off under BucketOwnerEnforced).
pub fn log_delivery_statement(
    target_arn: &str,
    prefix: &str,
    source_bucket: &str,
    source_arn: &str,
    account: &str,
) -> Value {
    json!({
        "Sid": log_delivery_sid(source_bucket),
        "Effect": "Allow",
        "Principal": {"Service": LOG_DELIVERY_SERVICE},
        "Action": "s3:PutObject",
        "Resource": format!("{target_arn}/{prefix}*"),
        "Condition": {
            "ArnLike": {"aws:SourceArn": source_arn},
            "StringEquals": {"aws:SourceAccount": account}
        }
    })
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(statements: Value) -> Policy {
        Policy::parse(&json!({"Version": "2012-10-17", "Statement": statements}).to_string())
            .unwrap()
    }

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
            assert_eq!(judged.public_statements(), ["`S`"], "{condition}");
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
            assert!(judged.public_statements().is_empty(), "{condition}");
        }
    }

    #[test]
    fn actions_are_matched_with_iams_wildcards_and_not_action() {
        let policy = Policy::empty()
            .with_statement(json!({"Sid": "A", "Effect": "Deny", "Action": "s3:*Object"}))
            .with_statement(json!({"Sid": "B", "Effect": "Deny", "Action": ["s3:Del*"]}))
            .with_statement(json!({"Effect": "Deny", "NotAction": "s3:Get*"}));
        let wanted = ["s3:DeleteObject", "s3:DeleteBucket", "s3:GetObject"];
        let covered: Vec<_> = policy.views().iter().map(|s| s.covers(&wanted)).collect();
        assert_eq!(
            covered,
            [
                vec!["s3:DeleteObject", "s3:GetObject"],
                vec!["s3:DeleteObject", "s3:DeleteBucket"],
                vec!["s3:DeleteObject", "s3:DeleteBucket"],
            ]
        );
        let labels: Vec<_> = policy.views().iter().map(Statement::label).collect();
        assert_eq!(labels, ["`A`", "`B`", "#3"]);
        let kept = policy.without(|s| s.label() == "`B`").unwrap();
        assert_eq!(kept.statements().len(), 2);
        assert_eq!(policy.without(|_| true), None);
    }

    const ARN: &str = "arn:aws:s3:::ohio-01-terraform-state-production";

    #[test]
    fn a_foreign_statement_survives_in_its_place_and_ours_is_appended_once() {
        let foreign = json!({"Sid": "ReadOnlyAuditors", "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::123456789012:role/audit"},
            "Action": "s3:GetObject", "Resource": format!("{ARN}/*")});
        let policy =
            Policy::parse(&json!({"Version": "2012-10-17", "Statement": foreign}).to_string())
                .unwrap();
        let merged = policy.with_statement(tls_statement(ARN));
        assert_eq!(merged.statements(), [&foreign, &tls_statement(ARN)]);
        // Merging again changes nothing.
        assert_eq!(merged.with_statement(tls_statement(ARN)), merged);
    }

    #[test]
    fn our_statement_is_replaced_in_place_when_it_drifted() {
        let mut drifted = tls_statement(ARN);
        drifted["Resource"] = json!(ARN);
        let policy = Policy::empty()
            .with_statement(drifted)
            .with_statement(json!({"Sid": "Other", "Effect": "Allow"}));
        let merged = policy.with_statement(tls_statement(ARN));
        let sids: Vec<_> = merged
            .statements()
            .iter()
            .map(|s| s["Sid"].clone())
            .collect();
        assert_eq!(sids, [json!(TLS_SID), json!("Other")]);
        assert_eq!(merged.statement(TLS_SID), Some(&tls_statement(ARN)));
    }

    #[test]
    fn an_equivalent_tls_deny_under_another_sid_is_adopted() {
        let theirs = json!({"Sid": "SecureOnly", "Effect": "Deny", "Principal": {"AWS": "*"},
            "Action": ["s3:*"], "Resource": [format!("{ARN}/*"), ARN],
            "Condition": {"Bool": {"aws:SecureTransport": false}}});
        let policy = Policy::empty().with_statement(theirs.clone());
        assert!(policy.denies_insecure_transport(ARN));
        let mut partial = theirs;
        partial["Resource"] = json!(format!("{ARN}/*"));
        assert!(
            !Policy::empty()
                .with_statement(partial)
                .denies_insecure_transport(ARN)
        );
    }

    #[test]
    fn a_policy_read_keeps_its_text_until_it_changes() {
        let text = r#"{ "Statement": [ {"Sid": "A", "Effect": "Allow"} ] }"#;
        let policy = Policy::parse(text).unwrap();
        assert_eq!(policy.text(), text);
        assert_eq!(policy, Policy::parse(&policy.to_json()).unwrap());
        let changed = policy.with_statement(json!({"Sid": "B", "Effect": "Deny"}));
        assert_eq!(changed.text(), changed.to_json());
        assert_ne!(changed.text(), text);
    }

    #[test]
    fn policies_that_are_not_objects_are_errors() {
        assert!(Policy::parse("[1]").is_err());
        assert!(Policy::parse("{not json").is_err());
    }

    #[test]
    fn log_delivery_is_limited_to_the_source_bucket_and_account() {
        let statement = log_delivery_statement(
            "arn:aws:s3:::logs",
            "s3-access-logs/state/",
            "ohio-01-terraform-state-production",
            ARN,
            "123456789012",
        );
        assert_eq!(
            statement["Sid"],
            "AllowAccessLogsFromohio01terraformstateproduction"
        );
        assert_eq!(
            statement["Resource"],
            "arn:aws:s3:::logs/s3-access-logs/state/*"
        );
        assert_eq!(statement["Condition"]["ArnLike"]["aws:SourceArn"], ARN);
        assert_eq!(
            statement["Condition"]["StringEquals"]["aws:SourceAccount"],
            "123456789012"
        );
    }
}
