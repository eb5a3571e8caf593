//! Names AWS checks: S3 bucket names, DynamoDB table names, EKS cluster names, and the
//! S3 object keys that hold Terraform state.

use crate::error::{Field, NamingError, Rule};
use crate::label::{check_charset, check_edges, check_length};

/// Prefixes AWS reserves for bucket names.
pub const RESERVED_BUCKET_PREFIXES: [&str; 3] = ["xn--", "sthree-", "amzn-s3-demo-"];
/// Suffixes AWS reserves for bucket names (access point aliases, Object Lambda,
/// directory buckets, multi-region access points, table buckets).
pub const RESERVED_BUCKET_SUFFIXES: [&str; 5] =
    ["-s3alias", "--ol-s3", "--x-s3", "--table-s3", ".mrap"];

fn check_bucket(field: Field, value: &str) -> Result<(), NamingError> {
    check_length(field, value, 3, 63)?;
    if value.contains('.') {
        let error = NamingError::invalid(
            field,
            value,
            Rule::Other(
                "must not contain dots: they break TLS for virtual-hosted-style access".to_owned(),
            ),
        );
        let dotless = value.replace('.', "-").to_ascii_lowercase();
        // An IP-address-looking name has dots too; say the stronger rule first.
        if is_ipv4(value) {
            return Err(NamingError::invalid(field, value, Rule::IpAddress));
        }
        return Err(error.with_hint(format!("try `{dotless}`")));
    }
    check_charset(field, value, "lowercase letters, digits and hyphens", |c| {
        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'
    })?;
    check_edges(field, value, "a lowercase letter or digit", |c| {
        c.is_ascii_lowercase() || c.is_ascii_digit()
    })?;
    if let Some(prefix) = RESERVED_BUCKET_PREFIXES
        .iter()
        .find(|prefix| value.starts_with(*prefix))
    {
        return Err(NamingError::invalid(
            field,
            value,
            Rule::ReservedPrefix(prefix),
        ));
    }
    if let Some(suffix) = RESERVED_BUCKET_SUFFIXES
        .iter()
        .find(|suffix| value.ends_with(*suffix))
    {
        return Err(NamingError::invalid(
            field,
            value,
            Rule::ReservedSuffix(suffix),
        ));
    }
    Ok(())
}

fn is_ipv4(value: &str) -> bool {
    let parts: Vec<&str> = value.split('.').collect();
    parts.len() == 4
        && parts.iter().all(|part| {
            !part.is_empty() && part.len() <= 3 && part.bytes().all(|b| b.is_ascii_digit())
        })
}

validated_string!(
    /// An S3 general-purpose bucket name that AWS accepts and that works with
    /// virtual-hosted-style TLS: 3–63 characters of `a-z`, `0-9` and `-`, starting and ending
    /// with a letter or digit, none of AWS's reserved prefixes and suffixes. Dots are refused.
    ///
    /// ```
    /// use naming::BucketName;
    /// assert!(BucketName::new("ohio-01-terraform-state-production").is_ok());
    /// assert!(BucketName::new("my.bucket").is_err());
    /// assert!(BucketName::new("xn--bucket").is_err());
    /// ```
    BucketName,
    Field::BucketName,
    check_bucket
);

impl BucketName {
    /// The bucket's ARN in the given partition: `arn:aws:s3:::name`.
    pub fn arn(&self, partition: crate::Partition) -> String {
        format!("arn:{}:s3:::{}", partition.id(), self.0)
    }

    /// The ARN of every object under `prefix`: `arn:aws:s3:::name/{prefix}*`.
    pub fn objects_arn(&self, partition: crate::Partition, prefix: &str) -> String {
        format!("arn:{}:s3:::{}/{prefix}*", partition.id(), self.0)
    }
}

fn check_table(field: Field, value: &str) -> Result<(), NamingError> {
    check_length(field, value, 3, 255)?;
    check_charset(
        field,
        value,
        "letters, digits, underscores, hyphens and dots",
        |c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'),
    )
}

validated_string!(
    /// A DynamoDB table name: 3–255 characters of `A-Z`, `a-z`, `0-9`, `_`, `-` and `.`.
    TableName,
    Field::TableName,
    check_table
);

fn check_eks(field: Field, value: &str) -> Result<(), NamingError> {
    check_length(field, value, 1, 100)?;
    check_charset(
        field,
        value,
        "letters, digits, hyphens and underscores",
        |c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'),
    )?;
    check_edges(field, value, "a letter or digit", |c| {
        c.is_ascii_alphanumeric()
    })
}

validated_string!(
    /// An EKS cluster name: 1–100 characters of letters, digits, `-` and `_`, starting with a
    /// letter or digit.
    EksClusterName,
    Field::EksClusterName,
    check_eks
);

fn check_state_key(field: Field, value: &str) -> Result<(), NamingError> {
    let rule = |text: &str| {
        Err(NamingError::invalid(
            field,
            value,
            Rule::Other(text.to_owned()),
        ))
    };
    if value.is_empty() {
        return rule("must not be empty");
    }
    if value.len() > 1024 {
        return Err(NamingError::invalid(
            field,
            value,
            Rule::Length {
                min: 1,
                max: 1024,
                actual: value.len(),
            },
        ));
    }
    if value.chars().any(char::is_control) {
        return rule("must not contain control characters");
    }
    if value.starts_with('/') || value.ends_with('/') {
        return rule("must not start or end with `/`");
    }
    if value
        .split('/')
        .any(|segment| matches!(segment, "" | "." | ".."))
    {
        return rule("must not contain empty, `.` or `..` path segments");
    }
    Ok(())
}

validated_string!(
    /// The S3 object key of a Terraform state file, such as
    /// `tenants/acme/layers/foundation/production/terraform.tfstate`.
    ///
    /// Keys generated by [`KeyScheme`](crate::KeyScheme) are always valid; [`StateKey::new`]
    /// checks keys read from existing backend files: at most 1,024 bytes, no control
    /// characters, no leading or trailing `/`, no empty, `.` or `..` segments.
    StateKey,
    Field::StateKey,
    check_state_key
);

impl StateKey {
    /// The `LockID` of this state's lock row in the DynamoDB lock table: `{bucket}/{key}`.
    pub fn lock_id(&self, bucket: &BucketName) -> String {
        format!("{bucket}/{}", self.0)
    }

    /// The `LockID` of the row where Terraform keeps this state's MD5 digest:
    /// `{bucket}/{key}-md5`.
    pub fn digest_id(&self, bucket: &BucketName) -> String {
        format!("{bucket}/{}-md5", self.0)
    }

    /// The key of the S3 lock file Terraform ≥ 1.10 writes with `use_lockfile = true`.
    pub fn lockfile_key(&self) -> String {
        format!("{}.tflock", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule_of(result: Result<BucketName, NamingError>) -> String {
        match result.unwrap_err() {
            NamingError::Invalid { rule, .. } => rule.to_string(),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn bucket_rules_each_have_their_own_message() {
        let cases = [
            ("ab", "must be 3 to 63 characters long (it is 2)"),
            (
                "My-bucket",
                "may contain only lowercase letters, digits and hyphens (found 'M' at position 1)",
            ),
            (
                "-bucket",
                "must start and end with a lowercase letter or digit",
            ),
            (
                "bucket-",
                "must start and end with a lowercase letter or digit",
            ),
            ("192.168.5.4", "must not be formatted as an IP address"),
            (
                "my.bucket",
                "must not contain dots: they break TLS for virtual-hosted-style access",
            ),
            (
                "xn--bucket",
                "must not start with `xn--`, a prefix AWS reserves",
            ),
            (
                "sthree-bucket",
                "must not start with `sthree-`, a prefix AWS reserves",
            ),
            (
                "amzn-s3-demo-bucket",
                "must not start with `amzn-s3-demo-`, a prefix AWS reserves",
            ),
            (
                "bucket-s3alias",
                "must not end with `-s3alias`, a suffix AWS reserves",
            ),
            (
                "bucket--ol-s3",
                "must not end with `--ol-s3`, a suffix AWS reserves",
            ),
            (
                "bucket--x-s3",
                "must not end with `--x-s3`, a suffix AWS reserves",
            ),
            (
                "bucket--table-s3",
                "must not end with `--table-s3`, a suffix AWS reserves",
            ),
        ];
        for (name, expected) in cases {
            assert_eq!(rule_of(BucketName::new(name)), expected, "{name}");
        }
        let long = "a".repeat(64);
        assert_eq!(
            rule_of(BucketName::new(long)),
            "must be 3 to 63 characters long (it is 64)"
        );
        assert!(BucketName::new("a".repeat(63)).is_ok());
    }

    #[test]
    fn bucket_errors_suggest_a_fix_when_it_is_mechanical() {
        assert_eq!(
            BucketName::new("My_Bucket").unwrap_err().hint(),
            Some("try `my-bucket`")
        );
        assert_eq!(
            BucketName::new("my.bucket").unwrap_err().hint(),
            Some("try `my-bucket`")
        );
    }

    #[test]
    fn table_and_cluster_names() {
        assert!(TableName::new("terraform-locks-us-east").is_ok());
        assert!(TableName::new("Terraform_State.Lock").is_ok());
        assert!(TableName::new("ab").is_err());
        assert!(TableName::new("locks/us").is_err());
        assert!(TableName::new("x".repeat(256)).is_err());
        assert!(EksClusterName::new("new-client-name-production-us-east-2").is_ok());
        assert!(EksClusterName::new("-cluster").is_err());
        assert!(EksClusterName::new("c".repeat(101)).is_err());
    }

    #[test]
    fn state_keys_read_from_files_are_checked() {
        let bucket = BucketName::new("b-state").unwrap();
        let key = StateKey::new("a/b/terraform.tfstate").unwrap();
        assert_eq!(key.lock_id(&bucket), "b-state/a/b/terraform.tfstate");
        assert_eq!(key.digest_id(&bucket), "b-state/a/b/terraform.tfstate-md5");
        assert_eq!(key.lockfile_key(), "a/b/terraform.tfstate.tflock");
        for bad in ["", "/a", "a/", "a//b", "a/../b", "a/./b", "a\nb"] {
            assert!(StateKey::new(bad).is_err(), "{bad:?} accepted");
        }
        assert!(StateKey::new("k".repeat(1025)).is_err());
    }
}
