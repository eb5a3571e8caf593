//! STS: who the caller is.

use serde::Serialize;

use crate::Aws;
use crate::error::{AwsError, classify};

/// The caller's identity (STS GetCallerIdentity).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Caller {
    /// The account id.
    pub account: String,
    /// The caller's ARN.
    pub arn: String,
}

impl Aws {
    /// STS GetCallerIdentity. From then on every S3 request to a bucket carries the
    /// caller's account as its expected owner (aws-behaviour.md P11).
    pub async fn caller(&self) -> Result<Caller, AwsError> {
        let output = self
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|error| classify("GetCallerIdentity", "the credentials", error))?;
        let account = output.account().unwrap_or_default().to_owned();
        if !account.is_empty() {
            let _ = self.expected_owner.set(account.clone());
        }
        Ok(Caller {
            account,
            arn: output.arn().unwrap_or_default().to_owned(),
        })
    }
}
