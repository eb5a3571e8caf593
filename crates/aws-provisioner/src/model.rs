//! The settings of a bucket and of the lock table, as values: what AWS has (observed) and
//! what the contract wants (desired) are both expressed in these types.

pub use aws_client::cloudwatch::AlarmSpec;
pub use aws_client::dynamodb::{
    KeyAttribute, TableCreated, TableFacts, TableSpec, TableStatus, TableWrite, lock_key,
};
pub use aws_client::iam::Role;
pub use aws_client::s3::{
    BucketPresence, BucketWrite, Created, Encryption, Logging, ObjectOwnership, PublicAccessBlock,
    Replication, ReplicationRule, Tags, Versioning,
};
pub use aws_client::sts::Caller;

use crate::lifecycle::{self, LifecycleRule};
use crate::policy::Policy;

/// Everything the toolkit reads and sets on a bucket. A configuration that is missing is a
/// value (`None`, empty), not an error.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BucketSettings {
    /// Versioning.
    pub versioning: Versioning,
    /// Default encryption, if configured.
    pub encryption: Option<Encryption>,
    /// The bucket-level public access block, if configured.
    pub public_access_block: Option<PublicAccessBlock>,
    /// Object ownership, if configured.
    pub ownership: Option<ObjectOwnership>,
    /// The bucket policy, if any.
    pub policy: Option<Policy>,
    /// Tags.
    pub tags: Tags,
    /// Whether the `EntireBucket` request-metrics configuration exists.
    pub request_metrics: bool,
    /// Server access logging, if on.
    pub logging: Option<Logging>,
    /// Lifecycle rules, in order.
    pub lifecycle: Vec<LifecycleRule>,
    /// Replication, if configured (read only when `--replicate-to` asks for it).
    pub replication: Option<Replication>,
}

impl BucketSettings {
    /// These settings as they are after `write` succeeds.
    pub fn apply(&mut self, write: &BucketWrite) {
        match write.clone() {
            BucketWrite::OwnershipEnforced => {
                self.ownership = Some(ObjectOwnership::BucketOwnerEnforced)
            }
            BucketWrite::BlockPublicAccess => {
                self.public_access_block = Some(PublicAccessBlock::ALL_ON)
            }
            BucketWrite::Encryption(encryption) => self.encryption = Some(encryption),
            BucketWrite::EnableVersioning => self.versioning = Versioning::Enabled,
            BucketWrite::Tags(tags) => self.tags = tags,
            BucketWrite::RequestMetrics => self.request_metrics = true,
            BucketWrite::Lifecycle(rules) => self.lifecycle = lifecycle::from_rules(rules),
            BucketWrite::Policy(policy) => self.policy = Some(policy),
            BucketWrite::Logging(logging) => self.logging = Some(logging),
            // The ACL is not a setting the plan compares.
            BucketWrite::PrivateAcl => {}
            BucketWrite::Replication(replication) => self.replication = Some(replication),
        }
    }
}

/// Which of a bucket's settings to read: only those the plan compares for its role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reads {
    /// Versioning, encryption, public-access block, ownership, tags, request metrics.
    pub hardening: bool,
    /// The bucket policy.
    pub policy: bool,
    /// Server access logging (the state bucket's).
    pub logging: bool,
    /// Lifecycle rules (observability buckets').
    pub lifecycle: bool,
    /// Replication (the state bucket's, with `--replicate-to`).
    pub replication: bool,
}

impl Reads {
    /// Everything.
    pub const ALL: Reads = Reads {
        hardening: true,
        policy: true,
        logging: true,
        lifecycle: true,
        replication: true,
    };

    /// What the plan compares for a bucket of `role`.
    pub fn for_role(role: crate::spec::BucketRole) -> Reads {
        use crate::spec::BucketRole;
        match role {
            BucketRole::State => Reads {
                lifecycle: false,
                replication: false,
                ..Reads::ALL
            },
            BucketRole::Observability(_) => Reads {
                logging: false,
                replication: false,
                ..Reads::ALL
            },
            // Provisioning manages no other bucket; one would be read as a log target is,
            // only its policy.
            BucketRole::LogTarget | BucketRole::Other => Reads {
                hardening: false,
                policy: true,
                logging: false,
                lifecycle: false,
                replication: false,
            },
        }
    }
}
