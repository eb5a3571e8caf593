//! IAM: the one role the toolkit owns, the role S3 replication assumes.
//!
//! IAM returns policy documents URL-encoded (RFC 3986, as its API reference says of
//! `AssumeRolePolicyDocument` and `PolicyDocument`); they are decoded here, so callers
//! compare JSON, never an encoding.

use serde::Serialize;

use crate::Aws;
use crate::error::{AwsError, classify};

/// A role as IAM reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Role {
    /// Its name.
    pub name: String,
    /// Its ARN.
    pub arn: String,
    /// Its trust policy (who may assume it), decoded.
    pub trust_policy: String,
}

/// A policy document as IAM returns it: URL-encoded on AWS, plain from some emulators.
/// Plain JSON holds no `%` escape, so decoding it changes nothing.
pub fn decode_document(document: &str) -> String {
    percent_encoding::percent_decode_str(document)
        .decode_utf8_lossy()
        .into_owned()
}

impl Aws {
    /// GetRole: the role, or `None` when there is none of that name.
    pub async fn role(&self, name: &str) -> Result<Option<Role>, AwsError> {
        match self.iam.get_role().role_name(name).send().await {
            Ok(output) => Ok(output.role().map(|role| Role {
                name: role.role_name().to_owned(),
                arn: role.arn().to_owned(),
                trust_policy: decode_document(role.assume_role_policy_document().unwrap_or("")),
            })),
            Err(error) => {
                let error = classify("GetRole", name, error);
                match error.code() {
                    Some("NoSuchEntity") => Ok(None),
                    _ => Err(error),
                }
            }
        }
    }

    /// CreateRole with this trust policy and these tags.
    pub async fn create_role(
        &self,
        name: &str,
        trust_policy: &str,
        description: &str,
        tags: &crate::s3::Tags,
    ) -> Result<Role, AwsError> {
        let mut request = self
            .iam
            .create_role()
            .role_name(name)
            .assume_role_policy_document(trust_policy)
            .description(description);
        for (key, value) in tags {
            request = request.tags(
                aws_sdk_iam::types::Tag::builder()
                    .key(key)
                    .value(value)
                    .build()
                    .map_err(|e| crate::error::build_error("CreateRole", name, e))?,
            );
        }
        let output = request
            .send()
            .await
            .map_err(|error| classify("CreateRole", name, error))?;
        let arn = output.role().map(|role| role.arn().to_owned());
        Ok(Role {
            name: name.to_owned(),
            arn: arn.unwrap_or_default(),
            trust_policy: trust_policy.to_owned(),
        })
    }

    /// UpdateAssumeRolePolicy: replaces the role's trust policy.
    pub async fn set_trust_policy(&self, name: &str, trust_policy: &str) -> Result<(), AwsError> {
        self.iam
            .update_assume_role_policy()
            .role_name(name)
            .policy_document(trust_policy)
            .send()
            .await
            .map(drop)
            .map_err(|error| classify("UpdateAssumeRolePolicy", name, error))
    }

    /// GetRolePolicy: the role's inline policy `policy`, decoded, or `None` when it has none
    /// of that name.
    pub async fn role_policy(&self, role: &str, policy: &str) -> Result<Option<String>, AwsError> {
        match self
            .iam
            .get_role_policy()
            .role_name(role)
            .policy_name(policy)
            .send()
            .await
        {
            Ok(output) => Ok(Some(decode_document(output.policy_document()))),
            Err(error) => {
                let error = classify("GetRolePolicy", role, error);
                match error.code() {
                    Some("NoSuchEntity") => Ok(None),
                    _ => Err(error),
                }
            }
        }
    }

    /// PutRolePolicy: sets the role's inline policy `policy`.
    pub async fn put_role_policy(
        &self,
        role: &str,
        policy: &str,
        document: &str,
    ) -> Result<(), AwsError> {
        self.iam
            .put_role_policy()
            .role_name(role)
            .policy_name(policy)
            .policy_document(document)
            .send()
            .await
            .map(drop)
            .map_err(|error| classify("PutRolePolicy", role, error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iam_documents_are_decoded_and_plain_ones_kept() {
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D";
        assert_eq!(
            decode_document(encoded),
            r#"{"Version":"2012-10-17","Statement":[]}"#
        );
        let plain = r#"{"Statement": [{"Action": "s3:Get*", "Resource": "arn:aws:s3:::a b/*"}]}"#;
        assert_eq!(decode_document(plain), plain);
    }
}
