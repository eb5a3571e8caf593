//! Errors: bad input (before any request), AWS failures (service and client separately),
//! and plans that cannot be carried out.

use std::fmt;

use serde::Serialize;

/// What kind of AWS failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum AwsErrorKind {
    /// The credentials are missing, expired or lack a permission.
    AccessDenied,
    /// Throttled even after the SDK's retries.
    Throttled,
    /// The resource does not exist.
    NotFound,
    /// The resource exists in a state that conflicts with the request.
    Conflict,
    /// AWS refused the request as invalid (a client error).
    Invalid,
    /// AWS failed (a 5xx after retries).
    Service,
    /// No answer: DNS, connection, timeout.
    Network,
    /// No credentials could be loaded (environment, profile, SSO, instance metadata).
    NoCredentials,
}

/// An AWS call that failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{operation} {resource} failed: {}{message}", code.as_deref().map(|code| format!("{code}: ")).unwrap_or_default())]
pub struct AwsError {
    /// The API operation, such as `PutBucketPolicy`.
    pub operation: &'static str,
    /// The bucket, table or alarm.
    pub resource: String,
    /// What kind of failure.
    pub kind: AwsErrorKind,
    /// AWS's error code, if it sent one.
    pub code: Option<String>,
    /// The message.
    pub message: String,
}

impl AwsError {
    /// How to fix it, when that is known.
    pub fn hint(&self) -> Option<String> {
        match self.kind {
            AwsErrorKind::AccessDenied => Some(format!(
                "the caller may not call {}: check the credentials (`aws sts get-caller-identity`, \
                 --profile) and the IAM permissions",
                self.operation
            )),
            AwsErrorKind::Network => {
                Some("check the network and --endpoint-url / AWS_ENDPOINT_URL".to_owned())
            }
            AwsErrorKind::NoCredentials => Some(
                "no AWS credentials were found: pass --profile (or set AWS_PROFILE) for a \
                 configured profile (`aws configure`, `aws sso login`), or export \
                 AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; a local emulator \
                 (--endpoint-url) accepts any key, such as test/test"
                    .to_owned(),
            ),
            AwsErrorKind::Throttled => {
                Some("AWS is throttling the account; run again in a minute".to_owned())
            }
            _ => None,
        }
    }
}

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
