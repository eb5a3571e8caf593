//! Lifecycle rules as S3 reports them: what each rule does, in plain fields that pure code
//! judges, and — for a rule that was read — the rule exactly as S3 returned it, so a rule
//! that is not the toolkit's is written back unchanged.

use aws_sdk_s3::types as s3t;
use serde::Serialize;

/// One rule of a bucket's lifecycle configuration.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Rule {
    /// Its id.
    pub id: Option<String>,
    /// Whether it is enabled.
    pub enabled: bool,
    /// Whether it applies to the whole bucket (no prefix, tag or size filter).
    pub whole_bucket: bool,
    /// Days until current versions expire.
    pub expiration_days: Option<u32>,
    /// Current versions expire on a date.
    pub expiration_date: bool,
    /// Delete markers with no versions left behind them are removed.
    pub expired_object_delete_marker: bool,
    /// Transitions by age: days and storage class.
    pub transitions: Vec<(u32, String)>,
    /// Transitions of another shape (by date, or without a class).
    pub other_transitions: bool,
    /// Days until noncurrent versions expire.
    pub noncurrent_expiration_days: Option<u32>,
    /// Noncurrent versions are kept by count (`NewerNoncurrentVersions`).
    pub newer_noncurrent_versions: bool,
    /// Noncurrent versions move to another storage class.
    pub noncurrent_transitions: bool,
    /// Days until incomplete multipart uploads are aborted.
    pub abort_incomplete_upload_days: Option<u32>,
    /// The rule as S3 returned it (`None` for a rule built here).
    #[serde(skip)]
    pub original: Option<Original>,
}

/// A rule exactly as S3 returned it.
#[derive(Debug, Clone, PartialEq)]
pub struct Original(Box<s3t::LifecycleRule>);

impl Rule {
    /// An enabled rule for the whole bucket, with nothing in it yet.
    pub fn whole_bucket(id: &str) -> Rule {
        Rule {
            id: Some(id.to_owned()),
            enabled: true,
            whole_bucket: true,
            ..Rule::default()
        }
    }
}

fn days(days: Option<i32>) -> Option<u32> {
    days.and_then(|days| u32::try_from(days).ok())
}

/// The rule's top-level `Prefix`, deprecated by AWS but still found in older rules.
#[allow(deprecated)]
fn legacy_prefix(rule: &s3t::LifecycleRule) -> &str {
    rule.prefix().unwrap_or_default()
}

impl From<s3t::LifecycleRule> for Rule {
    fn from(rule: s3t::LifecycleRule) -> Rule {
        let whole_bucket = rule.filter().is_none_or(|filter| {
            filter.prefix().unwrap_or_default().is_empty()
                && filter.tag().is_none()
                && filter.and().is_none()
                && filter.object_size_greater_than().is_none()
                && filter.object_size_less_than().is_none()
        }) && legacy_prefix(&rule).is_empty();
        let transitions: Vec<(u32, String)> = rule
            .transitions()
            .iter()
            .filter(|transition| transition.date().is_none())
            .filter_map(|transition| {
                Some((
                    days(transition.days())?,
                    transition.storage_class()?.as_str().to_owned(),
                ))
            })
            .collect();
        Rule {
            id: rule.id().map(str::to_owned),
            enabled: *rule.status() == s3t::ExpirationStatus::Enabled,
            whole_bucket,
            expiration_days: days(rule.expiration().and_then(|e| e.days())),
            expiration_date: rule.expiration().is_some_and(|e| e.date().is_some()),
            expired_object_delete_marker: rule
                .expiration()
                .and_then(|e| e.expired_object_delete_marker())
                .unwrap_or(false),
            other_transitions: transitions.len() != rule.transitions().len(),
            transitions,
            noncurrent_expiration_days: days(
                rule.noncurrent_version_expiration()
                    .and_then(|e| e.noncurrent_days()),
            ),
            newer_noncurrent_versions: rule
                .noncurrent_version_expiration()
                .is_some_and(|e| e.newer_noncurrent_versions().is_some()),
            noncurrent_transitions: !rule.noncurrent_version_transitions().is_empty(),
            abort_incomplete_upload_days: days(
                rule.abort_incomplete_multipart_upload()
                    .and_then(|abort| abort.days_after_initiation()),
            ),
            original: Some(Original(Box::new(rule))),
        }
    }
}

/// The rule as S3 takes it: a rule that was read goes back exactly as it came; a rule
/// built here must be for the whole bucket.
pub(crate) fn to_sdk(rule: &Rule) -> Result<s3t::LifecycleRule, String> {
    if let Some(Original(original)) = &rule.original {
        return Ok((**original).clone());
    }
    if !rule.whole_bucket {
        return Err("a new lifecycle rule applies to the whole bucket".to_owned());
    }
    let days = |days: u32| i32::try_from(days).map_err(|error| error.to_string());
    let status = match rule.enabled {
        true => s3t::ExpirationStatus::Enabled,
        false => s3t::ExpirationStatus::Disabled,
    };
    let mut builder = s3t::LifecycleRule::builder()
        .set_id(rule.id.clone())
        .status(status)
        .filter(s3t::LifecycleRuleFilter::builder().prefix("").build());
    if let Some(expiration) = rule.expiration_days {
        builder = builder.expiration(
            s3t::LifecycleExpiration::builder()
                .days(days(expiration)?)
                .build(),
        );
    } else if rule.expired_object_delete_marker {
        builder = builder.expiration(
            s3t::LifecycleExpiration::builder()
                .expired_object_delete_marker(true)
                .build(),
        );
    }
    if let Some(noncurrent) = rule.noncurrent_expiration_days {
        builder = builder.noncurrent_version_expiration(
            s3t::NoncurrentVersionExpiration::builder()
                .noncurrent_days(days(noncurrent)?)
                .build(),
        );
    }
    if let Some(abort) = rule.abort_incomplete_upload_days {
        builder = builder.abort_incomplete_multipart_upload(
            s3t::AbortIncompleteMultipartUpload::builder()
                .days_after_initiation(days(abort)?)
                .build(),
        );
    }
    for (after, class) in &rule.transitions {
        builder = builder.transitions(
            s3t::Transition::builder()
                .days(days(*after)?)
                .storage_class(s3t::TransitionStorageClass::from(class.as_str()))
                .build(),
        );
    }
    builder.build().map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_read_goes_back_as_it_came_and_a_new_one_is_built_from_its_fields() {
        let theirs = s3t::LifecycleRule::builder()
            .id("tmp")
            .status(s3t::ExpirationStatus::Enabled)
            .filter(s3t::LifecycleRuleFilter::builder().prefix("tmp/").build())
            .expiration(s3t::LifecycleExpiration::builder().days(1).build())
            .build()
            .unwrap();
        let read = Rule::from(theirs.clone());
        assert!(!read.whole_bucket);
        assert_eq!(read.expiration_days, Some(1));
        assert_eq!(to_sdk(&read).unwrap(), theirs);

        let ours = Rule {
            expiration_days: Some(90),
            transitions: vec![(30, "GLACIER".to_owned())],
            abort_incomplete_upload_days: Some(7),
            ..Rule::whole_bucket("mine")
        };
        let back = Rule::from(to_sdk(&ours).unwrap());
        assert_eq!(
            Rule {
                original: None,
                ..back
            },
            ours
        );
        let narrow = Rule {
            whole_bucket: false,
            ..ours
        };
        assert!(to_sdk(&narrow).is_err());
    }
}
