//! Errors: bad input (before any request), AWS failures (service and client separately),
//! and plans that cannot be carried out.

use std::fmt;

use serde::Serialize;

pub use aws_client::{AwsError, AwsErrorKind};

/// A reason a plan cannot be carried out, found before any change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The bucket or table.
    pub resource: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
    /// Whether the user's input is at fault (exit 2) rather than the state of AWS (exit 3).
    pub input: bool,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.resource, self.message)
    }
}

/// Why provisioning stopped.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ProvisionError {
    /// A flag value is invalid; nothing was sent to AWS.
    #[error("invalid {field} `{value}`: {rule}")]
    Input {
        /// The flag.
        field: &'static str,
        /// Its value.
        value: String,
        /// The rule it broke.
        rule: String,
        /// How to fix it.
        hint: Option<String>,
    },
    /// A name could not be made.
    #[error(transparent)]
    Naming(#[from] naming::NamingError),
    /// An AWS call failed.
    #[error(transparent)]
    Aws(#[from] AwsError),
    /// The plan cannot be carried out; nothing was changed.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Blocked(Vec<Problem>),
    /// After applying, some settings still differ from the contract.
    #[error("provisioning did not converge: {}", .0.join("; "))]
    NotConverged(Vec<String>),
    /// A bucket setting the store does not implement, or the caller may not set.
    #[error("could not set {group} on {bucket}: {error}")]
    NotSet {
        /// The bucket.
        bucket: String,
        /// The setting group, as `--skip-<group>` names it.
        group: naming::SettingGroup,
        /// What AWS (or the store) answered.
        error: AwsError,
    },
    /// The lock table did not become ACTIVE in time.
    #[error("the lock table `{table}` is still {status} after {waited_seconds} s")]
    TableNotReady {
        /// The table.
        table: String,
        /// Its last status.
        status: String,
        /// How long provisioning waited.
        waited_seconds: u64,
    },
}

impl ProvisionError {
    /// How to fix it, when that is known.
    pub fn hint(&self) -> Option<String> {
        match self {
            ProvisionError::Input { hint, .. } => hint.clone(),
            ProvisionError::Naming(error) => error.hint().map(str::to_owned),
            ProvisionError::Aws(error) => error.hint(),
            ProvisionError::Blocked(problems) => problems.iter().find_map(|p| p.hint.clone()),
            ProvisionError::NotConverged(_) => Some(
                "run again; if it persists, check for a policy or SCP that reverts settings"
                    .to_owned(),
            ),
            ProvisionError::NotSet { group, .. } => Some(format!(
                "if the store or your organisation forbids it, leave it out: --skip-{group} \
                 (or skip = [\"{group}\"] in shared-config.toml)"
            )),
            ProvisionError::TableNotReady { .. } => {
                Some("run again later: provisioning resumes where it stopped".to_owned())
            }
        }
    }

    /// Whether the user's input is at fault (exit 2) rather than AWS (exit 3).
    pub fn is_input(&self) -> bool {
        match self {
            ProvisionError::Input { .. } | ProvisionError::Naming(_) => true,
            ProvisionError::Blocked(problems) => problems.iter().any(|p| p.input),
            _ => false,
        }
    }
}
