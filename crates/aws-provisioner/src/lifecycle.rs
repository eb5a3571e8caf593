//! Lifecycle rules: the retention each observability bucket gets, and the merge that keeps
//! every rule the toolkit does not own.

use std::fmt;

use naming::ObservabilityKind;
use serde::Serialize;

/// The `ID` of the one lifecycle rule the toolkit owns in a bucket.
pub const RULE_ID: &str = "tfstate-toolkit-retention";

/// Days after which incomplete multipart uploads are aborted, in every observability bucket.
pub const ABORT_INCOMPLETE_UPLOADS_DAYS: i32 = 7;

/// The toolkit's retention rule for one observability bucket: applies to the whole bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetentionRule {
    /// Days after which current objects expire.
    pub expiration_days: i32,
    /// Days after which current objects move to a colder storage class, and which.
    pub transition: Option<(i32, String)>,
    /// Days after which noncurrent versions expire.
    pub noncurrent_expiration_days: i32,
    /// Days after which incomplete multipart uploads are aborted.
    pub abort_incomplete_upload_days: i32,
}

impl fmt::Display for RetentionRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "expire after {} days", self.expiration_days)?;
        if let Some((days, class)) = &self.transition {
            write!(f, ", {class} after {days} days")?;
        }
        write!(
            f,
            ", noncurrent versions after {} days, abort uploads after {} days",
            self.noncurrent_expiration_days, self.abort_incomplete_upload_days
        )
    }
}

/// The contract's retention per kind: logs 90 days, traces 30 days, metrics 90 days,
/// audit-logs 7 years (2,555 days) moved to Glacier after 90 days. Noncurrent versions
/// expire after 30 days, except audit logs, which keep them for the full 7 years; uploads
/// left incomplete are aborted after 7 days.
pub fn retention_for(kind: ObservabilityKind) -> RetentionRule {
    let (expiration_days, transition, noncurrent_expiration_days) = match kind {
        ObservabilityKind::Logs => (90, None, 30),
        ObservabilityKind::Traces => (30, None, 30),
        ObservabilityKind::Metrics => (90, None, 30),
        ObservabilityKind::AuditLogs => (2555, Some((90, "GLACIER".to_owned())), 2555),
    };
    RetentionRule {
        expiration_days,
        transition,
        noncurrent_expiration_days,
        abort_incomplete_upload_days: ABORT_INCOMPLETE_UPLOADS_DAYS,
    }
}

/// A lifecycle rule someone else wrote, kept exactly as AWS returned it.
#[derive(Debug, Clone, PartialEq)]
pub struct ForeignRule {
    pub(crate) id: Option<String>,
    pub(crate) raw: Box<crate::sdk::RawLifecycleRule>,
}

impl ForeignRule {
    /// The rule's `ID`, if it has one.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
}

/// One rule of a bucket's lifecycle configuration.
#[derive(Debug, Clone, PartialEq)]
pub enum LifecycleRule {
    /// The toolkit's rule ([`RULE_ID`]), in exactly the shape the toolkit writes.
    Retention(RetentionRule),
    /// Any other rule, including one with the toolkit's `ID` but another shape.
    Foreign(ForeignRule),
}

impl LifecycleRule {
    /// The rule's `ID`.
    pub fn id(&self) -> Option<&str> {
        match self {
            LifecycleRule::Retention(_) => Some(RULE_ID),
            LifecycleRule::Foreign(rule) => rule.id(),
        }
    }
}

/// The toolkit's rule as found in `rules`, if it is there in the toolkit's shape.
pub fn retention_in(rules: &[LifecycleRule]) -> Option<&RetentionRule> {
    rules.iter().find_map(|rule| match rule {
        LifecycleRule::Retention(retention) => Some(retention),
        LifecycleRule::Foreign(_) => None,
    })
}

/// `rules` with the toolkit's rule set to `desired`: in the place of any rule with the
/// toolkit's `ID`, or appended. Every other rule stays as it was, in its place.
pub fn with_retention(rules: &[LifecycleRule], desired: &RetentionRule) -> Vec<LifecycleRule> {
    let mut merged = Vec::with_capacity(rules.len() + 1);
    let mut placed = false;
    for rule in rules {
        if rule.id() == Some(RULE_ID) {
            if !placed {
                merged.push(LifecycleRule::Retention(desired.clone()));
                placed = true;
            }
        } else {
            merged.push(rule.clone());
        }
    }
    if !placed {
        merged.push(LifecycleRule::Retention(desired.clone()));
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contracts_retention_per_kind() {
        let days: Vec<_> = ObservabilityKind::ALL
            .into_iter()
            .map(|kind| retention_for(kind).expiration_days)
            .collect();
        assert_eq!(days, [90, 30, 90, 2555]);
        let audit = retention_for(ObservabilityKind::AuditLogs);
        assert_eq!(audit.transition, Some((90, "GLACIER".to_owned())));
        assert!(
            ObservabilityKind::ALL
                .into_iter()
                .all(|kind| retention_for(kind).abort_incomplete_upload_days == 7)
        );
    }

    #[test]
    fn foreign_rules_survive_and_ours_is_replaced_in_place() {
        let foreign = |id: &str| LifecycleRule::Foreign(crate::sdk::foreign_rule_for_tests(id));
        let old = RetentionRule {
            expiration_days: 1,
            ..retention_for(ObservabilityKind::Logs)
        };
        let rules = vec![
            foreign("keep-me"),
            LifecycleRule::Retention(old),
            foreign("me-too"),
        ];
        let desired = retention_for(ObservabilityKind::Logs);
        let merged = with_retention(&rules, &desired);
        let ids: Vec<_> = merged.iter().map(LifecycleRule::id).collect();
        assert_eq!(ids, [Some("keep-me"), Some(RULE_ID), Some("me-too")]);
        assert_eq!(retention_in(&merged), Some(&desired));

        // A rule with our ID but a shape we did not write is replaced too, not duplicated.
        let merged = with_retention(&[foreign(RULE_ID), foreign("x")], &desired);
        let ids: Vec<_> = merged.iter().map(LifecycleRule::id).collect();
        assert_eq!(ids, [Some(RULE_ID), Some("x")]);
        assert_eq!(
            with_retention(&[], &desired),
            [LifecycleRule::Retention(desired)]
        );
    }
}
