//! Errors: what was being named, the value, and the rule it broke.

use std::fmt;
use std::path::PathBuf;

use crate::scheme::KeyScheme;

/// The thing a value was meant to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Field {
    /// `--project-name`: the project prefix of every bucket.
    Project,
    /// `--environment`: production, staging, ...
    Environment,
    /// A client of the client-centric layout.
    Client,
    /// A tenant of the multi-tenant layout (same rules as a client).
    Tenant,
    /// A Terraform layer such as `01-foundation`.
    Layer,
    /// An AWS region name.
    Region,
    /// An availability zone name such as `us-east-2a`.
    AvailabilityZone,
    /// `--company-name`: the value of the `Company` tag.
    Company,
    /// An S3 bucket name.
    BucketName,
    /// A DynamoDB table name.
    TableName,
    /// An EKS cluster name.
    EksClusterName,
    /// An S3 object key holding Terraform state.
    StateKey,
    /// A key scheme name (`tenant`, `client-centric`, `layer`, `environment`).
    KeyScheme,
    /// A lock mode (`dynamodb`, `s3`, `both`).
    LockMode,
    /// An observability bucket kind (`logs`, `traces`, `metrics`, `audit-logs`).
    ObservabilityKind,
    /// A naming pattern of `shared-config.toml`'s `[naming]` table.
    Pattern(&'static str),
    /// `--kms-key-id`: a KMS key id, key ARN, alias or alias ARN.
    KmsKey,
    /// A group of bucket settings provisioning may leave out (`skip` in shared-config.toml).
    SettingGroup,
    /// An IAM role name (the replication role).
    IamRole,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            Field::Project => "project name",
            Field::Environment => "environment",
            Field::Client => "client name",
            Field::Tenant => "tenant name",
            Field::Layer => "layer",
            Field::Region => "region",
            Field::AvailabilityZone => "availability zone",
            Field::Company => "company name",
            Field::BucketName => "bucket name",
            Field::TableName => "DynamoDB table name",
            Field::EksClusterName => "EKS cluster name",
            Field::StateKey => "state key",
            Field::KeyScheme => "key scheme",
            Field::LockMode => "lock mode",
            Field::ObservabilityKind => "observability bucket kind",
            Field::KmsKey => "--kms-key-id",
            Field::SettingGroup => "setting group",
            Field::IamRole => "IAM role name",
            Field::Pattern(name) => return write!(f, "naming pattern `{name}`"),
        };
        f.write_str(text)
    }
}

/// The rule a value broke, worded so it completes "invalid FIELD `VALUE`: ...".
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rule {
    /// Too short or too long (lengths in bytes, which equal characters for the allowed sets).
    Length {
        /// Shortest allowed.
        min: usize,
        /// Longest allowed.
        max: usize,
        /// The value's length.
        actual: usize,
    },
    /// A character outside the allowed set.
    Charset {
        /// The allowed set, in words.
        allowed: &'static str,
        /// The first offending character.
        found: char,
        /// Its 0-based character position.
        position: usize,
    },
    /// The first or last character is not allowed there.
    Edge {
        /// What the value must start and end with, in words.
        required: &'static str,
    },
    /// A reserved prefix, such as `xn--` for bucket names.
    ReservedPrefix(&'static str),
    /// A reserved suffix, such as `-s3alias` for bucket names.
    ReservedSuffix(&'static str),
    /// Looks like an IPv4 address.
    IpAddress,
    /// Not one of a fixed set of names.
    Unknown {
        /// What the set is, in words ("an AWS region").
        expected: &'static str,
    },
    /// Any other rule, in words.
    Other(String),
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Length { min, max, actual } if min == max => {
                write!(f, "must be exactly {min} characters long (it is {actual})")
            }
            Rule::Length { min, max, actual } => {
                write!(f, "must be {min} to {max} characters long (it is {actual})")
            }
            Rule::Charset {
                allowed,
                found,
                position,
            } => write!(
                f,
                "may contain only {allowed} (found {found:?} at position {})",
                position + 1
            ),
            Rule::Edge { required } => write!(f, "must start and end with {required}"),
            Rule::ReservedPrefix(prefix) => {
                write!(f, "must not start with `{prefix}`, a prefix AWS reserves")
            }
            Rule::ReservedSuffix(suffix) => {
                write!(f, "must not end with `{suffix}`, a suffix AWS reserves")
            }
            Rule::IpAddress => f.write_str("must not be formatted as an IP address"),
            Rule::Unknown { expected } => write!(f, "is not {expected}"),
            Rule::Other(text) => f.write_str(text),
        }
    }
}

/// A value that cannot be a name, or a name that cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NamingError {
    /// A value broke a rule.
    #[error("invalid {field} `{value}`: {rule}")]
    Invalid {
        /// What the value was meant to be.
        field: Field,
        /// The value as given (or as generated, for derived names).
        value: String,
        /// The rule it broke.
        rule: Rule,
        /// How to fix it, when that is known.
        hint: Option<String>,
    },
    /// A key scheme was asked for a kind of key it does not have.
    #[error("the `{scheme}` key scheme has no {what} state keys")]
    NotInScheme {
        /// The scheme asked.
        scheme: KeyScheme,
        /// "shared" or "client".
        what: &'static str,
    },
    /// A client key was asked without a layer in a scheme whose client keys have layers,
    /// or with one in a scheme whose client keys have none.
    #[error("the `{scheme}` key scheme {}", if *.needs_layer { "needs a layer for client state keys" } else { "has one state key per client and takes no layer" })]
    ClientLayer {
        /// The scheme asked.
        scheme: KeyScheme,
        /// Whether this scheme's client keys need a layer.
        needs_layer: bool,
    },
}

impl NamingError {
    /// How to fix the error, for a `hint:` line.
    pub fn hint(&self) -> Option<&str> {
        match self {
            NamingError::Invalid { hint, .. } => hint.as_deref(),
            NamingError::NotInScheme { .. } => {
                Some("choose another --key-scheme: tenant, client-centric, layer or environment")
            }
            NamingError::ClientLayer { .. } => None,
        }
    }

    /// The field the error is about, if it is about one value.
    pub fn field(&self) -> Option<Field> {
        match self {
            NamingError::Invalid { field, .. } => Some(*field),
            _ => None,
        }
    }

    pub(crate) fn invalid(field: Field, value: &str, rule: Rule) -> Self {
        NamingError::Invalid {
            field,
            value: value.to_owned(),
            rule,
            hint: None,
        }
    }

    pub(crate) fn with_hint(mut self, text: impl Into<String>) -> Self {
        if let NamingError::Invalid { hint, .. } = &mut self {
            *hint = Some(text.into());
        }
        self
    }
}

/// Parses `value` as one of `all` by name, `_` and `-` alike (`audit_logs` is
/// `audit-logs`); the error names `field` and lists the choices.
pub(crate) fn one_of<T: Copy>(
    field: Field,
    expected: &'static str,
    value: &str,
    all: &[T],
    name: impl Fn(T) -> &'static str,
) -> Result<T, NamingError> {
    let wanted = value.replace('_', "-");
    all.iter()
        .copied()
        .find(|item| name(*item) == wanted)
        .ok_or_else(|| {
            let choices: Vec<&str> = all.iter().map(|item| name(*item)).collect();
            NamingError::invalid(field, value, Rule::Unknown { expected })
                .with_hint(format!("use one of: {}", choices.join(", ")))
        })
}

/// `shared-config.toml` could not be read or holds something invalid.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file exists but could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML or has keys this version does not know.
    #[error("{} is not a valid shared config: {message}", path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// The parser's message, with line and column.
        message: String,
    },
    /// A value (from a flag, an environment variable or the file) is invalid.
    #[error("{error} (from {origin})")]
    Value {
        /// Where the value came from.
        origin: String,
        /// What is wrong with it.
        error: Box<NamingError>,
    },
}

impl ConfigError {
    /// How to fix the error, for a `hint:` line.
    pub fn hint(&self) -> Option<&str> {
        match self {
            ConfigError::Read { .. } => None,
            ConfigError::Syntax { .. } => Some(
                "known keys: project, company, region, environment, key_scheme, lock, \
                 and the [naming] table with state_bucket, observability_bucket, lock_table",
            ),
            ConfigError::Value { error, .. } => error.hint(),
        }
    }
}
