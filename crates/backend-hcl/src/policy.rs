//! The IAM policy that limits a client to its own state (seed 001): its state objects, its
//! `.tflock` lock files, and its own rows in the lock table, `-md5` digest rows included.

use naming::{BucketName, Client, Deployment, KeyScheme, LockMode, TableName};
use serde_json::{Value, json};

/// What the policy is for.
#[derive(Debug, Clone)]
pub struct PolicyRequest<'a> {
    /// The key scheme (it decides the client's key prefix).
    pub scheme: KeyScheme,
    /// Project, environment and region.
    pub deployment: &'a Deployment,
    /// The state bucket.
    pub bucket: &'a BucketName,
    /// The lock table, when the lock mode uses one.
    pub table: Option<&'a TableName>,
    /// The lock mode.
    pub lock: LockMode,
    /// The client.
    pub client: &'a Client,
    /// The account id for the table's ARN; `*` when not known.
    pub account: Option<&'a str>,
}

/// The policy document.
pub fn client_policy(request: &PolicyRequest<'_>) -> Result<Value, naming::NamingError> {
    let partition = request.deployment.region.partition();
    let prefix = request
        .scheme
        .client_prefix(request.deployment, request.client)?;
    let bucket = request.bucket;
    let mut statements = vec![
        json!({
            "Sid": "ListOwnState",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": bucket.arn(partition),
            "Condition": {"StringLike": {"s3:prefix": [format!("{prefix}*")]}}
        }),
        json!({
            "Sid": "ReadWriteOwnState",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject"],
            "Resource": bucket.objects_arn(partition, &prefix)
        }),
    ];
    if request.lock.uses_lockfile() {
        statements.push(json!({
            "Sid": "OwnLockFiles",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            "Resource": format!("{}.tflock", bucket.objects_arn(partition, &prefix))
        }));
    }
    if let Some(table) = request.table.filter(|_| request.lock.uses_table()) {
        let arn = format!(
            "arn:{}:dynamodb:{}:{}:table/{table}",
            partition.id(),
            request.deployment.region,
            request.account.unwrap_or("*")
        );
        statements.push(json!({
            "Sid": "DescribeLockTable",
            "Effect": "Allow",
            "Action": "dynamodb:DescribeTable",
            "Resource": arn
        }));
        statements.push(json!({
            "Sid": "OwnLockRows",
            "Effect": "Allow",
            "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"],
            "Resource": arn,
            "Condition": {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": [
                format!("{bucket}/{prefix}*"),
                format!("{bucket}/{prefix}*-md5")
            ]}}
        }));
    }
    Ok(json!({"Version": "2012-10-17", "Statement": statements}))
}
