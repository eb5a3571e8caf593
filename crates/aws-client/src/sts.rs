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
    /// STS GetCallerIdentity.
    pub async fn caller(&self) -> Result<Caller, AwsError> {
        let output = self
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|error| classify("GetCallerIdentity", "the credentials", error))?;
        Ok(Caller {
            account: output.account().unwrap_or_default().to_owned(),
            arn: output.arn().unwrap_or_default().to_owned(),
        })
    }
}
