//! `unlock`: whether a listed lock may be released. The delete itself is conditional on the
//! record still being the one listed, so a lock taken again in between is never released.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use crate::model::Lock;

/// The youngest lock `unlock` releases without `--force`: an apply holds its lock for as
/// long as it runs, and one younger than this is most likely still running.
pub const DEFAULT_MIN_AGE: TimeDelta = TimeDelta::minutes(15);

/// Why a lock is not released.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Refusal {
    /// The state has no lock.
    #[error("{state} is not locked")]
    NotLocked {
        /// The state.
        state: String,
    },
    /// The lock is young: its holder is most likely still working.
    #[error(
        "{state} was locked {age} ago by {holder}, less than {min_age}: it is most likely still in use; --force releases it anyway"
    )]
    TooYoung {
        /// The state.
        state: String,
        /// Who holds it.
        holder: String,
        /// How long it has been held, for people.
        age: String,
        /// The threshold, for people.
        min_age: String,
    },
    /// The lock id given is not the lock's.
    #[error("{state} is locked with id {actual}, not {given}: nothing released")]
    OtherId {
        /// The state.
        state: String,
        /// The id given.
        given: String,
        /// The lock's id.
        actual: String,
    },
}

/// Whether `lock` may be released now: older than `min_age` (or of unknown age: a record
/// that is not Terraform's cannot say) unless `force`, and its id `expected_id` when given.
pub fn judge(
    state: &str,
    lock: &Lock,
    expected_id: Option<&str>,
    now: DateTime<Utc>,
    min_age: TimeDelta,
    force: bool,
) -> Result<(), Refusal> {
    if let (Some(given), Some(info)) = (expected_id, &lock.info)
        && info.id != given
    {
        return Err(Refusal::OtherId {
            state: state.to_owned(),
            given: given.to_owned(),
            actual: info.id.clone(),
        });
    }
    match lock.age(now) {
        Some(age) if age < min_age && !force => Err(Refusal::TooYoung {
            state: state.to_owned(),
            holder: lock.holder(),
            age: human(age),
            min_age: human(min_age),
        }),
        _ => Ok(()),
    }
}

/// `3h 5m`, `42s`, for people.
pub fn human(age: TimeDelta) -> String {
    let seconds = age.num_seconds().max(0);
    match seconds {
        s if s < 60 => format!("{s}s"),
        s if s < 3_600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h {}m", s / 3_600, s % 3_600 / 60),
        s => format!("{}d {}h", s / 86_400, s % 86_400 / 3_600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixture::lock;

    #[test]
    fn a_young_lock_needs_force_and_another_id_is_never_released() {
        let young = lock(TimeDelta::minutes(3));
        let now = Utc::now();
        let refused = judge("s", &young, None, now, DEFAULT_MIN_AGE, false).unwrap_err();
        assert!(refused.to_string().contains("alice@ci-7"), "{refused}");
        assert!(refused.to_string().contains("3m ago"), "{refused}");
        assert!(judge("s", &young, None, now, DEFAULT_MIN_AGE, true).is_ok());
        let old = lock(TimeDelta::hours(5));
        assert!(judge("s", &old, None, now, DEFAULT_MIN_AGE, false).is_ok());
        assert!(matches!(
            judge("s", &old, Some("other"), now, DEFAULT_MIN_AGE, true),
            Err(Refusal::OtherId { .. })
        ));
        assert_eq!(human(TimeDelta::seconds(42)), "42s");
        assert_eq!(human(TimeDelta::minutes(185)), "3h 5m");
        assert_eq!(human(TimeDelta::hours(50)), "2d 2h");
    }
}
