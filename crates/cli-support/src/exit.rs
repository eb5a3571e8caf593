//! Exit codes and the failure a binary ends with.

use std::fmt;

/// The exit codes every binary uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Exit {
    /// `0`: done, or every check passed.
    Success,
    /// `1`: checks ran and found problems (validation, audit, sync).
    Findings,
    /// `2`: bad usage or invalid input; nothing was done.
    Usage,
    /// `3`: an AWS or I/O failure.
    Failure,
    /// `4`: refused for safety: declined, or confirmation missing.
    Refused,
}

impl Exit {
    /// The numeric code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Findings => 1,
            Exit::Usage => 2,
            Exit::Failure => 3,
            Exit::Refused => 4,
        }
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        std::process::ExitCode::from(exit.code())
    }
}

/// Why a binary stops: the exit code, one message, and a hint where the fix is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    exit: Exit,
    message: String,
    hint: Option<String>,
    quiet: bool,
    /// The JSON document of what was done before the failure, for `--output json`.
    document: Option<Box<serde_json::Value>>,
}

impl Failure {
    /// A failure with the given exit code.
    pub fn new(exit: Exit, message: impl Into<String>) -> Failure {
        Failure {
            exit,
            message: message.into(),
            hint: None,
            quiet: false,
            document: None,
        }
    }

    /// Bad usage or invalid input (exit 2).
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure::new(Exit::Usage, message)
    }

    /// A failure outside the program: AWS or the file system (exit 3).
    pub fn external(message: impl Into<String>) -> Failure {
        Failure::new(Exit::Failure, message)
    }

    /// Refused for safety (exit 4).
    pub fn refused(message: impl Into<String>) -> Failure {
        Failure::new(Exit::Refused, message)
    }

    /// With `--output json`, the failure is reported inside `document` (as its `error`
    /// field), so stdout holds one document whatever happens.
    pub fn with_document(mut self, document: serde_json::Value) -> Failure {
        self.document = Some(Box::new(document));
        self
    }

    /// The document to report the failure in, if any.
    pub fn document(&self) -> Option<&serde_json::Value> {
        self.document.as_deref()
    }

    /// Adds a `hint:` line.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Failure {
        self.hint = Some(hint.into());
        self
    }

    /// Adds a hint if there is one.
    pub fn with_optional_hint(mut self, hint: Option<&str>) -> Failure {
        self.hint = hint.map(str::to_owned);
        self
    }

    /// The exit code.
    pub fn exit(&self) -> Exit {
        self.exit
    }

    /// The message, without `[ERROR]`.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The hint, without `hint:`.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }

    /// Whether the failure is reported silently (a closed pipe: the reader went away).
    pub fn is_quiet(&self) -> bool {
        self.quiet
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\nhint: {hint}")?;
        }
        Ok(())
    }
}

impl From<std::io::Error> for Failure {
    /// An I/O error is a failure (exit 3), except a broken pipe: the reader of our output
    /// went away (`| head`), which ends the program quietly with success.
    fn from(error: std::io::Error) -> Failure {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            return Failure {
                quiet: true,
                ..Failure::new(Exit::Success, "")
            };
        }
        Failure::external(format!("I/O error: {error}"))
    }
}

impl From<naming::NamingError> for Failure {
    fn from(error: naming::NamingError) -> Failure {
        let hint = error.hint().map(str::to_owned);
        Failure {
            hint,
            ..Failure::usage(error.to_string())
        }
    }
}

/// An AWS failure exits 3, with the hint that says how to fix it where one is known.
#[cfg(feature = "aws")]
impl From<aws_client::AwsError> for Failure {
    fn from(error: aws_client::AwsError) -> Failure {
        let hint = error.hint();
        let message = match (error.kind(), crate::aws::target()) {
            (aws_client::AwsErrorKind::Network, Some(target)) => {
                format!("{error}: no answer from {target}")
            }
            _ => error.to_string(),
        };
        Failure::external(message).with_optional_hint(hint.as_deref())
    }
}

impl From<naming::ConfigError> for Failure {
    fn from(error: naming::ConfigError) -> Failure {
        let hint = error.hint().map(str::to_owned);
        let exit = match error {
            naming::ConfigError::Read { .. } => Exit::Failure,
            _ => Exit::Usage,
        };
        Failure {
            hint,
            ..Failure::new(exit, error.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_contracts() {
        let codes: Vec<u8> = [
            Exit::Success,
            Exit::Findings,
            Exit::Usage,
            Exit::Failure,
            Exit::Refused,
        ]
        .into_iter()
        .map(Exit::code)
        .collect();
        assert_eq!(codes, [0, 1, 2, 3, 4]);
    }

    #[test]
    fn naming_errors_are_usage_errors_with_their_hint() {
        let failure = Failure::from(naming::Project::new("Acme").unwrap_err());
        assert_eq!(failure.exit(), Exit::Usage);
        assert_eq!(failure.hint(), Some("try `acme`"));
        assert_eq!(
            failure.to_string(),
            "invalid project name `Acme`: may contain only lowercase letters, digits and hyphens \
             (found 'A' at position 1)\nhint: try `acme`"
        );
    }

    #[test]
    fn a_broken_pipe_is_quiet_success_and_other_io_errors_are_failures() {
        let quiet = Failure::from(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
        assert!(quiet.is_quiet());
        assert_eq!(quiet.exit(), Exit::Success);
        let loud = Failure::from(std::io::Error::from(std::io::ErrorKind::PermissionDenied));
        assert_eq!(loud.exit(), Exit::Failure);
        assert!(!loud.is_quiet());
    }
}
