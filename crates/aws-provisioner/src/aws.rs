//! The provisioning traits of [`crate::api`] answered by [`aws_client::Aws`]: each call
//! one of its requests, the settings a role needs read concurrently.

use aws_client::Aws;
use naming::{BucketName, Region, TableName};

use crate::api::{Account, Alarms, Buckets, Keys, LockTables, Roles};
use crate::error::AwsError;
use crate::lifecycle;
use crate::model::{
    AlarmSpec, BucketPresence, BucketSettings, BucketWrite, Caller, Created, Reads, TableCreated,
    TableFacts, TableSpec, TableWrite,
};
use crate::replication::ObservedRole;

impl Buckets for Aws {
    async fn bucket_presence(
        &self,
        bucket: &BucketName,
        owner: &str,
    ) -> Result<BucketPresence, AwsError> {
        Aws::bucket_presence(self, bucket.as_str(), owner).await
    }

    async fn bucket_settings(
        &self,
        bucket: &BucketName,
        reads: Reads,
    ) -> Result<BucketSettings, AwsError> {
        let name = bucket.as_str();
        let hardening = async {
            if !reads.hardening {
                return Ok(BucketSettings::default());
            }
            let (versioning, encryption, public_access_block, ownership, tags, request_metrics) = futures::join!(
                self.versioning(name),
                self.encryption(name),
                self.public_access_block(name),
                self.ownership(name),
                self.tags(name),
                self.request_metrics(name),
            );
            Ok::<_, AwsError>(BucketSettings {
                versioning: versioning?.status,
                encryption: encryption?,
                public_access_block: public_access_block?,
                ownership: or_absent(ownership)?,
                tags: tags?,
                request_metrics: or_absent(request_metrics)?,
                ..BucketSettings::default()
            })
        };
        let policy = async {
            match reads.policy {
                true => self.policy(name).await,
                false => Ok(None),
            }
        };
        let logging = async {
            match reads.logging {
                true => or_absent(self.logging(name).await),
                false => Ok(None),
            }
        };
        let rules = async {
            match reads.lifecycle {
                true => or_absent(self.lifecycle(name).await).map(lifecycle::from_rules),
                false => Ok(Vec::new()),
            }
        };
        let replication = async {
            match reads.replication {
                true => self.replication(name).await,
                false => Ok(None),
            }
        };
        let (hardening, policy, logging, rules, replication) =
            futures::join!(hardening, policy, logging, rules, replication);
        Ok(BucketSettings {
            policy: policy?,
            logging: logging?,
            lifecycle: rules?,
            replication: replication?,
            ..hardening?
        })
    }

    async fn create_bucket(
        &self,
        bucket: &BucketName,
        region: Region,
    ) -> Result<Created, AwsError> {
        Aws::create_bucket(self, bucket.as_str(), region.name()).await
    }

    async fn write_bucket(&self, bucket: &BucketName, write: &BucketWrite) -> Result<(), AwsError> {
        Aws::write_bucket(self, bucket.as_str(), write).await
    }
}

impl LockTables for Aws {
    async fn describe_table(&self, table: &TableName) -> Result<Option<TableFacts>, AwsError> {
        Aws::describe_table(self, table.as_str()).await
    }

    async fn create_table(
        &self,
        table: &TableName,
        spec: &TableSpec,
    ) -> Result<TableCreated, AwsError> {
        Aws::create_table(self, table.as_str(), spec).await
    }

    async fn write_table(
        &self,
        table: &TableName,
        arn: &str,
        write: &TableWrite,
    ) -> Result<(), AwsError> {
        Aws::write_table(self, table.as_str(), arn, write).await
    }
}

impl Account for Aws {
    async fn caller(&self) -> Result<Caller, AwsError> {
        Aws::caller(self).await
    }
}

impl Keys for Aws {
    async fn key_arn(&self, key: &str) -> Result<Option<String>, AwsError> {
        Aws::key_arn(self, key).await
    }
}

impl Alarms for Aws {
    async fn describe_alarms(&self, names: &[String]) -> Result<Vec<AlarmSpec>, AwsError> {
        Aws::describe_alarms(self, names).await
    }

    async fn put_alarm(&self, alarm: &AlarmSpec) -> Result<(), AwsError> {
        Aws::put_alarm(self, alarm).await
    }
}

/// A read an S3-compatible store does not implement (`NotImplemented`, aws-behaviour.md A3)
/// is the setting's absence: the plan then wants the setting, and its write names the
/// `--skip-<group>` that leaves it out; a run that leaves it out never looks at it.
fn or_absent<T: Default>(read: Result<T, AwsError>) -> Result<T, AwsError> {
    match read {
        Err(error) if error.code() == Some("NotImplemented") => Ok(T::default()),
        read => read,
    }
}

impl Roles for Aws {
    async fn role(&self, name: &str, policy: &str) -> Result<Option<ObservedRole>, AwsError> {
        let Some(role) = Aws::role(self, name).await? else {
            return Ok(None);
        };
        Ok(Some(ObservedRole {
            trust_policy: role.trust_policy,
            policy: Aws::role_policy(self, name, policy).await?,
        }))
    }

    async fn create_role(
        &self,
        name: &str,
        trust_policy: &str,
        tags: &crate::model::Tags,
    ) -> Result<(), AwsError> {
        let description = "Assumed by S3 to replicate the Terraform state bucket (tfstate-toolkit)";
        Aws::create_role(self, name, trust_policy, description, tags)
            .await
            .map(drop)
    }

    async fn set_trust_policy(&self, name: &str, trust_policy: &str) -> Result<(), AwsError> {
        Aws::set_trust_policy(self, name, trust_policy).await
    }

    async fn put_role_policy(
        &self,
        name: &str,
        policy: &str,
        document: &str,
    ) -> Result<(), AwsError> {
        Aws::put_role_policy(self, name, policy, document).await
    }
}
