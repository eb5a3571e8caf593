//! KMS key references as `--kms-key-id` takes them: a key id, a key ARN, an alias name or an
//! alias ARN, checked against KMS's formats and, for ARNs, against the bucket's region (S3
//! encrypts only with a key of its own region).

use std::fmt;

use crate::error::{Field, NamingError, Rule};
use crate::region::Region;

/// A KMS key reference valid for a bucket in one region.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KmsKeyId(String);

const EXAMPLES: &str = "for example 1234abcd-12ab-34cd-56ef-1234567890ab, alias/terraform-state, \
     or arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn is_key_id(text: &str) -> bool {
    // A UUID, or a multi-Region key id: `mrk-` and 32 hex digits.
    let uuid = text.len() == 36
        && text.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        });
    let mrk = text
        .strip_prefix("mrk-")
        .is_some_and(|hex| hex.len() == 32 && hex.chars().all(|c| c.is_ascii_hexdigit()));
    uuid || mrk
}

fn is_alias(text: &str) -> bool {
    text.strip_prefix("alias/").is_some_and(|name| {
        !name.is_empty()
            && name.len() <= 250
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "/_-".contains(c))
    })
}

impl KmsKeyId {
    /// Checks `text` for a bucket in `region`.
    pub fn new(text: &str, region: Region) -> Result<KmsKeyId, NamingError> {
        let invalid = |rule: String| {
            NamingError::invalid(Field::KmsKey, text, Rule::Other(rule)).with_hint(EXAMPLES)
        };
        if is_key_id(text) || is_alias(text) {
            return Ok(KmsKeyId(text.to_owned()));
        }
        let parts: Vec<&str> = text.splitn(6, ':').collect();
        let [arn, partition, service, arn_region, account, resource] = parts[..] else {
            return Err(invalid(
                "is not a KMS key id, key ARN, alias name or alias ARN".to_owned(),
            ));
        };
        let resource_ok =
            resource.strip_prefix("key/").is_some_and(is_key_id) || is_alias(resource);
        let shape = arn == "arn"
            && partition == region.partition().id()
            && service == "kms"
            && account.len() == 12
            && account.bytes().all(|b| b.is_ascii_digit())
            && resource_ok;
        if !shape {
            return Err(invalid(format!(
                "is not a KMS key ARN (arn:{}:kms:REGION:ACCOUNT:key/ID or :alias/NAME)",
                region.partition().id()
            )));
        }
        if arn_region != region.name() {
            return Err(NamingError::invalid(
                Field::KmsKey,
                text,
                Rule::Other(format!(
                    "is a key in {arn_region}, but the bucket is in {region}: S3 encrypts only with a key of its own region"
                )),
            )
            .with_hint(format!("use a key of {region}, or its id or alias")));
        }
        Ok(KmsKeyId(text.to_owned()))
    }

    /// The reference as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KmsKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_ids_aliases_and_arns_of_the_region_are_accepted_and_nothing_else() {
        let region = Region::new("us-east-2").unwrap();
        for good in [
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            "mrk-1234abcd12ab34cd56ef1234567890ab",
            "alias/terraform-state",
            "alias/aws/s3",
            "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws:kms:us-east-2:111122223333:alias/state",
        ] {
            assert!(KmsKeyId::new(good, region).is_ok(), "{good}");
        }
        for bad in [
            "",
            "my key",
            "alias/",
            "1234",
            "arn:aws:kms:us-east-2:1111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws-cn:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws:s3:::bucket",
        ] {
            assert!(KmsKeyId::new(bad, region).is_err(), "{bad}");
        }
        let other = KmsKeyId::new(
            "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            region,
        )
        .unwrap_err()
        .to_string();
        assert!(
            other.contains("is a key in eu-west-1, but the bucket is in us-east-2"),
            "{other}"
        );
    }
}
