//! The existence probe of `--check-sync` (`backend_hcl::sync::InfraProbe`), answered with the
//! same calls provisioning observes with.

use backend_hcl::sync::{BucketState, InfraFacts, InfraProbe, ProbeError, TableState};
use naming::{BucketName, TableName};

use crate::api::{Account, Buckets, LockTables};
use crate::error::AwsError;
use crate::model::{BucketPresence, lock_key};
use crate::sdk::Aws;

fn probe_error(error: AwsError) -> ProbeError {
    ProbeError {
        hint: error.hint(),
        message: error.to_string(),
    }
}

/// Answers the probe through any implementation of the provisioning traits.
pub async fn probe<C: Account + Buckets + LockTables>(
    cloud: &C,
    bucket: &BucketName,
    table: Option<&TableName>,
) -> Result<InfraFacts, ProbeError> {
    let caller = cloud.caller().await.map_err(probe_error)?;
    let presence = cloud.bucket_presence(bucket, &caller.account);
    let described = async {
        match table {
            Some(table) => cloud.describe_table(table).await.map(Some),
            None => Ok(None),
        }
    };
    let (presence, described) = futures::join!(presence, described);
    let bucket = match presence.map_err(probe_error)? {
        BucketPresence::Absent => BucketState::Missing,
        BucketPresence::Owned { .. } => BucketState::Reachable,
        BucketPresence::Forbidden => BucketState::Forbidden,
    };
    let table = table.map(|_| match described {
        Ok(Some(Some(facts))) if facts.key_schema == [lock_key()] => Ok(TableState::Present),
        Ok(Some(Some(facts))) => Ok(TableState::WrongKeySchema {
            found: facts
                .key_schema
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        }),
        Ok(_) => Ok(TableState::Missing),
        Err(error) => Err(probe_error(error)),
    });
    Ok(InfraFacts {
        bucket,
        table: table.transpose()?,
    })
}

impl InfraProbe for Aws {
    async fn probe(
        &self,
        bucket: &BucketName,
        table: Option<&TableName>,
    ) -> Result<InfraFacts, ProbeError> {
        probe(self, bucket, table).await
    }
}
