//! Lifecycle rules: the retention each observability bucket gets, and the merge that keeps
//! every rule the toolkit does not own.

use aws_client::lifecycle::Rule;
use naming::ObservabilityKind;

/// The `ID` of the one lifecycle rule the toolkit owns in a bucket.
pub const RULE_ID: &str = "tfstate-toolkit-retention";

pub use naming::{ABORT_INCOMPLETE_UPLOADS_DAYS, Retention as RetentionRule};

/// The contract's retention for `kind` ([`ObservabilityKind::retention`]).
pub fn retention_for(kind: ObservabilityKind) -> RetentionRule {
    kind.retention()
}

/// A lifecycle rule someone else wrote, kept exactly as AWS returned it.
#[derive(Debug, Clone, PartialEq)]
pub struct ForeignRule(Rule);

impl ForeignRule {
    /// The rule's `ID`, if it has one.
    pub fn id(&self) -> Option<&str> {
        self.0.id.as_deref()
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

/// The rules as the toolkit sees them: its own rule, when it is in exactly the toolkit's
/// shape, and every other rule kept as it came.
pub fn from_rules(rules: Vec<Rule>) -> Vec<LifecycleRule> {
    rules
        .into_iter()
        .map(|rule| match retention_of(&rule) {
            Some(retention) => LifecycleRule::Retention(retention),
            None => LifecycleRule::Foreign(ForeignRule(rule)),
        })
        .collect()
}

/// The rules as S3 takes them.
pub fn to_rules(rules: &[LifecycleRule]) -> Vec<Rule> {
    rules
        .iter()
        .map(|rule| match rule {
            LifecycleRule::Foreign(ForeignRule(rule)) => rule.clone(),
            LifecycleRule::Retention(retention) => Rule {
                expiration_days: u32::try_from(retention.expiration_days).ok(),
                transitions: retention
                    .transition
                    .iter()
                    .filter_map(|(days, class)| Some((u32::try_from(*days).ok()?, class.clone())))
                    .collect(),
                noncurrent_expiration_days: u32::try_from(retention.noncurrent_expiration_days)
                    .ok(),
                abort_incomplete_upload_days: u32::try_from(retention.abort_incomplete_upload_days)
                    .ok(),
                ..Rule::whole_bucket(RULE_ID)
            },
        })
        .collect()
}

/// The toolkit's retention, when `rule` is exactly in the shape the toolkit writes.
fn retention_of(rule: &Rule) -> Option<RetentionRule> {
    let plain = rule.id.as_deref() == Some(RULE_ID)
        && rule.whole_bucket
        && rule.enabled
        && !rule.expiration_date
        && !rule.expired_object_delete_marker
        && !rule.newer_noncurrent_versions
        && !rule.noncurrent_transitions
        && !rule.other_transitions
        && rule.transitions.len() <= 1;
    if !plain {
        return None;
    }
    let days = |days: u32| i32::try_from(days).ok();
    Some(RetentionRule {
        expiration_days: days(rule.expiration_days?)?,
        transition: match rule.transitions.first() {
            None => None,
            Some((after, class)) => Some((days(*after)?, class.clone())),
        },
        noncurrent_expiration_days: days(rule.noncurrent_expiration_days?)?,
        abort_incomplete_upload_days: days(rule.abort_incomplete_upload_days?)?,
    })
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
        let foreign = |id: &str| {
            LifecycleRule::Foreign(ForeignRule(Rule {
                whole_bucket: false,
                expiration_days: Some(1),
                ..Rule::whole_bucket(id)
            }))
        };
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

    #[test]
    fn our_rule_goes_to_s3_and_comes_back_as_ours_and_any_other_shape_is_foreign() {
        for kind in ObservabilityKind::ALL {
            let ours = [LifecycleRule::Retention(retention_for(kind))];
            assert_eq!(from_rules(to_rules(&ours)), ours);
        }
        let mut rule = to_rules(&[LifecycleRule::Retention(retention_for(
            ObservabilityKind::Logs,
        ))])
        .remove(0);
        rule.newer_noncurrent_versions = true;
        assert!(matches!(
            from_rules(vec![rule])[..],
            [LifecycleRule::Foreign(_)]
        ));
    }
}
