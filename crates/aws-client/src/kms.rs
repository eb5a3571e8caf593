//! KMS: a key as AWS reports it elsewhere.
//!
//! DynamoDB reports a table's key as its full key ARN whatever form was given (key id,
//! alias name, alias ARN; aws-behaviour.md P1), so a key given by the user is compared
//! through [`Aws::key_arn`], never as typed.

use crate::Aws;
use crate::error::{AwsError, classify};

/// Whether `key` already is a key ARN (`arn:{partition}:kms:{region}:{account}:key/{id}`),
/// the form AWS reports, so no lookup is needed.
pub fn is_key_arn(key: &str) -> bool {
    let parts: Vec<&str> = key.splitn(6, ':').collect();
    parts.len() == 6
        && parts[0] == "arn"
        && parts[2] == "kms"
        && parts[5]
            .strip_prefix("key/")
            .is_some_and(|id| !id.is_empty())
}

impl Aws {
    /// KMS DescribeKey: the ARN of the key that `key` (key id, key ARN, alias name or alias
    /// ARN) names, or `None` when there is no such key.
    pub async fn key_arn(&self, key: &str) -> Result<Option<String>, AwsError> {
        if is_key_arn(key) {
            return Ok(Some(key.to_owned()));
        }
        match self.kms.describe_key().key_id(key).send().await {
            Ok(output) => Ok(output
                .key_metadata()
                .and_then(|metadata| metadata.arn())
                .map(str::to_owned)),
            Err(error) => {
                let error = classify("DescribeKey", key, error);
                match error.code() {
                    Some("NotFoundException") => Ok(None),
                    _ => Err(error),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_key_arn_is_taken_as_reported() {
        assert!(is_key_arn(
            "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        ));
        assert!(is_key_arn("arn:aws-cn:kms:cn-north-1:111122223333:key/abc"));
        for other in [
            "alias/locks",
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws:kms:us-east-2:111122223333:alias/locks",
            "arn:aws:kms:us-east-2:111122223333:key/",
        ] {
            assert!(!is_key_arn(other), "{other}");
        }
    }
}
