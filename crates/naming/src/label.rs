//! The validated components every name is built from: project, environment, client
//! (or tenant), layer and company.

use crate::error::{Field, NamingError, Rule};

const LOWER_DIGIT_HYPHEN: &str = "lowercase letters, digits and hyphens";

/// Checks a value against the DNS-label rules of project, environment and client names:
/// 1 to 63 characters of `a-z`, `0-9` and `-`, starting and ending with a letter or digit.
pub(crate) fn check_dns_label(field: Field, value: &str) -> Result<(), NamingError> {
    check_length(field, value, 1, 63)?;
    check_charset(field, value, LOWER_DIGIT_HYPHEN, |c| {
        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'
    })?;
    check_edges(field, value, "a lowercase letter or digit", |c| {
        c.is_ascii_lowercase() || c.is_ascii_digit()
    })
}

pub(crate) fn check_length(
    field: Field,
    value: &str,
    min: usize,
    max: usize,
) -> Result<(), NamingError> {
    let actual = value.chars().count();
    if (min..=max).contains(&actual) {
        return Ok(());
    }
    Err(NamingError::invalid(
        field,
        value,
        Rule::Length { min, max, actual },
    ))
}

pub(crate) fn check_charset(
    field: Field,
    value: &str,
    allowed: &'static str,
    ok: impl Fn(char) -> bool,
) -> Result<(), NamingError> {
    let Some((position, found)) = value.chars().enumerate().find(|&(_, c)| !ok(c)) else {
        return Ok(());
    };
    let error = NamingError::invalid(
        field,
        value,
        Rule::Charset {
            allowed,
            found,
            position,
        },
    );
    // Suggest the nearest valid spelling when the fix is mechanical.
    let fixed: String = value
        .chars()
        .map(|c| match c {
            '_' | ' ' | '.' => '-',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    Err(if fixed != value && fixed.chars().all(&ok) {
        error.with_hint(format!("try `{fixed}`"))
    } else {
        error
    })
}

pub(crate) fn check_edges(
    field: Field,
    value: &str,
    required: &'static str,
    ok: impl Fn(char) -> bool,
) -> Result<(), NamingError> {
    let first = value.chars().next();
    let last = value.chars().next_back();
    if first.is_some_and(&ok) && last.is_some_and(&ok) {
        return Ok(());
    }
    Err(NamingError::invalid(field, value, Rule::Edge { required }))
}

validated_string!(
    /// A project name (`--project-name`), the prefix of every bucket: a lowercase DNS label.
    ///
    /// ```
    /// let project = naming::Project::new("ohio-01")?;
    /// assert_eq!(project.as_str(), "ohio-01");
    /// assert!(naming::Project::new("Ohio_01").is_err());
    /// # Ok::<(), naming::NamingError>(())
    /// ```
    Project,
    Field::Project,
    check_dns_label
);

validated_string!(
    /// An environment (`production`, `staging`, ...): a lowercase DNS label.
    Environment,
    Field::Environment,
    check_dns_label
);

validated_string!(
    /// A client (seeds 001 and 003) or tenant (seed 000): a lowercase DNS label.
    ///
    /// Tenants and clients follow the same rules; [`Client::tenant`] only changes the word
    /// used in error messages.
    Client,
    Field::Client,
    check_dns_label
);

impl Client {
    /// Validates a tenant name (seed 000's `--tenant`); errors say "tenant name".
    pub fn tenant(value: impl Into<String>) -> Result<Self, NamingError> {
        let value = value.into();
        check_dns_label(Field::Tenant, &value)?;
        Ok(Self(value))
    }
}

fn check_layer(field: Field, value: &str) -> Result<(), NamingError> {
    check_length(field, value, 1, 63)?;
    check_charset(
        field,
        value,
        "lowercase letters, digits, hyphens and underscores",
        |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_',
    )?;
    check_edges(field, value, "a lowercase letter or digit", |c| {
        c.is_ascii_lowercase() || c.is_ascii_digit()
    })
}

validated_string!(
    /// A Terraform layer (`01-foundation`, `platform`, ...): one segment of a state key.
    Layer,
    Field::Layer,
    check_layer
);

fn check_company(field: Field, value: &str) -> Result<(), NamingError> {
    // The rules of an AWS tag value, minus leading/trailing spaces, which tag editors hide.
    check_length(field, value, 1, 256)?;
    check_charset(
        field,
        value,
        "letters, digits, spaces and the characters _ . : / = + - @",
        |c| c.is_alphanumeric() || c == ' ' || "_.:/=+-@".contains(c),
    )?;
    check_edges(field, value, "a character other than a space", |c| c != ' ')
}

validated_string!(
    /// A company name (`--company-name "My Company"`), the value of the `Company` tag:
    /// 1 to 256 characters allowed in an AWS tag value.
    Company,
    Field::Company,
    check_company
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_name_the_field_value_and_rule() {
        let cases = [
            (
                Project::new("Ohio_01").unwrap_err(),
                "invalid project name `Ohio_01`: may contain only lowercase letters, digits and hyphens (found 'O' at position 1)",
                Some("try `ohio-01`"),
            ),
            (
                Environment::new("").unwrap_err(),
                "invalid environment ``: must be 1 to 63 characters long (it is 0)",
                None,
            ),
            (
                Client::tenant("-acme").unwrap_err(),
                "invalid tenant name `-acme`: must start and end with a lowercase letter or digit",
                None,
            ),
            (
                Client::new("acme corp").unwrap_err(),
                "invalid client name `acme corp`: may contain only lowercase letters, digits and hyphens (found ' ' at position 5)",
                Some("try `acme-corp`"),
            ),
            (
                Layer::new("01-Foundation").unwrap_err(),
                "invalid layer `01-Foundation`: may contain only lowercase letters, digits, hyphens and underscores (found 'F' at position 4)",
                Some("try `01-foundation`"),
            ),
            (
                Company::new(" Acme").unwrap_err(),
                "invalid company name ` Acme`: must start and end with a character other than a space",
                None,
            ),
        ];
        for (error, message, hint) in cases {
            assert_eq!(error.to_string(), message);
            assert_eq!(error.hint(), hint, "{message}");
        }
    }

    #[test]
    fn companies_are_tag_values() {
        assert!(Company::new("My Company").is_ok());
        assert!(Company::new("Ezra World Ltd. (EA)").is_err());
        assert!(Company::new("Ezra: ops@ezra.world").is_ok());
        assert!(Company::new("x".repeat(257)).is_err());
    }

    #[test]
    fn layers_allow_underscores() {
        assert!(Layer::new("04_standalone_compute").is_ok());
        assert!(Project::new("04_standalone_compute").is_err());
    }
}
