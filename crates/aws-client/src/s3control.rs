//! S3 Control: the account-level public access block.

use crate::Aws;
use crate::error::{AwsError, classify, optional};
use crate::s3::PublicAccessBlock;

impl Aws {
    /// The account-level public access block; `None` when none is configured.
    pub async fn account_public_access_block(
        &self,
        account: &str,
    ) -> Result<Option<PublicAccessBlock>, AwsError> {
        let result = self
            .s3control
            .get_public_access_block()
            .account_id(account)
            .send()
            .await;
        let output = optional(
            "GetPublicAccessBlock (account)",
            account,
            result,
            &["NoSuchPublicAccessBlockConfiguration"],
        )?;
        Ok(output.and_then(|output| {
            output
                .public_access_block_configuration()
                .map(|config| PublicAccessBlock {
                    block_public_acls: config.block_public_acls().unwrap_or(false),
                    ignore_public_acls: config.ignore_public_acls().unwrap_or(false),
                    block_public_policy: config.block_public_policy().unwrap_or(false),
                    restrict_public_buckets: config.restrict_public_buckets().unwrap_or(false),
                })
        }))
    }

    /// All four account-level public-access-block settings on.
    pub async fn block_account_public_access(&self, account: &str) -> Result<(), AwsError> {
        let all_on = aws_sdk_s3control::types::PublicAccessBlockConfiguration::builder()
            .block_public_acls(true)
            .ignore_public_acls(true)
            .block_public_policy(true)
            .restrict_public_buckets(true)
            .build();
        self.s3control
            .put_public_access_block()
            .account_id(account)
            .public_access_block_configuration(all_on)
            .send()
            .await
            .map(drop)
            .map_err(|error| classify("PutPublicAccessBlock (account)", account, error))
    }
}
