//! The catalogue: every rule's description, paired with its check.

use super::checks::*;
use super::{Context, Outcome, Rule, Severity, Subject};
use crate::facts::{AccountFacts, BucketFacts, TableFacts};

macro_rules! rule {
    ($id:literal, $label:literal, $severity:ident, $subject:ident, $hub:expr, $title:literal, $remediation:literal, $cli:literal, $terraform:literal, $fixable:literal) => {
        Rule {
            id: $id,
            label: $label,
            title: $title,
            severity: Severity::$severity,
            subject: Subject::$subject,
            security_hub: $hub,
            remediation: $remediation,
            cli: $cli,
            terraform: $terraform,
            fixable: $fixable,
        }
    };
}

pub(super) type BucketCheck = fn(&BucketFacts, &Context) -> Option<Outcome>;
pub(super) type AccountCheck = fn(&AccountFacts) -> Option<Outcome>;
pub(super) type TableCheck = fn(&TableFacts, &Context) -> Option<Outcome>;

/// The bucket rules and their checks, in report order. A check that answers `None` does
/// not apply to the bucket (the retention rule to a state bucket, say).
pub static BUCKET_RULES: &[(Rule, BucketCheck)] = &[
    (
        rule!(
            "bucket-exists",
            "Bucket",
            High,
            Bucket,
            None,
            "The bucket exists",
            "Create it with the provisioning command, or remove it from the audit.",
            "provision-s3-client-centric --region REGION --environment ENV --project-name PROJECT",
            "aws_s3_bucket",
            false
        ),
        bucket_exists,
    ),
    (
        rule!(
            "public-access-block",
            "Public Access Block",
            High,
            Bucket,
            Some("S3.8"),
            "All four public-access-block settings are on for the bucket",
            "Turn on BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy and RestrictPublicBuckets.",
            "aws s3api put-public-access-block --bucket {bucket} --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true",
            "aws_s3_bucket_public_access_block",
            true
        ),
        public_access_block,
    ),
    (
        rule!(
            "encryption",
            "Server-Side Encryption",
            High,
            Bucket,
            Some("S3.4"),
            "Default encryption is configured (AES256 or aws:kms)",
            "Set default encryption: SSE-S3 (AES256), or SSE-KMS with a bucket key.",
            "aws s3api put-bucket-encryption --bucket {bucket} --server-side-encryption-configuration '{\"Rules\":[{\"ApplyServerSideEncryptionByDefault\":{\"SSEAlgorithm\":\"AES256\"}}]}'",
            "aws_s3_bucket_server_side_encryption_configuration",
            true
        ),
        encryption,
    ),
    (
        rule!(
            "versioning",
            "Versioning",
            High,
            Bucket,
            Some("S3.14"),
            "Versioning is enabled, so an overwritten or deleted state can be recovered",
            "Enable versioning.",
            "aws s3api put-bucket-versioning --bucket {bucket} --versioning-configuration Status=Enabled",
            "aws_s3_bucket_versioning",
            true
        ),
        versioning,
    ),
    (
        rule!(
            "policy-public-read",
            "Bucket Policy (public read)",
            Critical,
            Bucket,
            Some("S3.2"),
            "The bucket policy does not let anyone on the internet read",
            "Remove the statements that allow `*` to read, or pin them with a condition (aws:SourceVpce, aws:PrincipalOrgID, ...).",
            "aws s3api get-bucket-policy --bucket {bucket} --query Policy --output text > policy.json  # edit, then: aws s3api put-bucket-policy --bucket {bucket} --policy file://policy.json",
            "aws_s3_bucket_policy",
            false
        ),
        policy_public_read,
    ),
    (
        rule!(
            "object-ownership",
            "Object Ownership",
            Medium,
            Bucket,
            Some("S3.12"),
            "Object ownership is BucketOwnerEnforced: ACLs are disabled",
            "Set object ownership to BucketOwnerEnforced (the bucket ACL must grant nothing beyond the owner first).",
            "aws s3api put-bucket-ownership-controls --bucket {bucket} --ownership-controls 'Rules=[{ObjectOwnership=BucketOwnerEnforced}]'",
            "aws_s3_bucket_ownership_controls",
            true
        ),
        object_ownership,
    ),
    (
        rule!(
            "access-logging",
            "Access Logging",
            Medium,
            Bucket,
            Some("S3.9"),
            "Server access logging is on (required for the state bucket)",
            "Send the bucket's server access logs to the logs bucket.",
            "aws s3api put-bucket-logging --bucket {bucket} --bucket-logging-status '{\"LoggingEnabled\":{\"TargetBucket\":\"LOGS_BUCKET\",\"TargetPrefix\":\"s3-access-logs/{bucket}/\"}}'",
            "aws_s3_bucket_logging",
            false
        ),
        access_logging,
    ),
    (
        rule!(
            "acl-public-read",
            "ACL (public read)",
            Critical,
            Bucket,
            Some("S3.2"),
            "The bucket ACL grants no read access to AllUsers or AuthenticatedUsers",
            "Reset the ACL to private.",
            "aws s3api put-bucket-acl --bucket {bucket} --acl private",
            "aws_s3_bucket_acl",
            true
        ),
        acl_public_read,
    ),
    (
        rule!(
            "acl-public-write",
            "ACL (public write)",
            Critical,
            Bucket,
            Some("S3.3"),
            "The bucket ACL grants no write access to AllUsers or AuthenticatedUsers",
            "Reset the ACL to private.",
            "aws s3api put-bucket-acl --bucket {bucket} --acl private",
            "aws_s3_bucket_acl",
            true
        ),
        acl_public_write,
    ),
    (
        rule!(
            "request-metrics",
            "CloudWatch Metrics",
            Low,
            Bucket,
            None,
            "CloudWatch request metrics are enabled",
            "Add a request-metrics configuration for the whole bucket.",
            "aws s3api put-bucket-metrics-configuration --bucket {bucket} --id EntireBucket --metrics-configuration Id=EntireBucket",
            "aws_s3_bucket_metric",
            true
        ),
        request_metrics,
    ),
    (
        rule!(
            "tls-only",
            "TLS-only Policy",
            Medium,
            Bucket,
            Some("S3.5"),
            "The bucket policy denies every request made without TLS",
            "Add a Deny statement for s3:* on the bucket and its objects when aws:SecureTransport is false.",
            "provision-s3-client-centric merges the statement; by hand: add {\"Sid\":\"TfstateToolkitDenyInsecureTransport\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":[\"arn:aws:s3:::{bucket}\",\"arn:aws:s3:::{bucket}/*\"],\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}} to the policy with aws s3api put-bucket-policy --bucket {bucket}",
            "aws_s3_bucket_policy",
            true
        ),
        tls_only,
    ),
    (
        rule!(
            "policy-public-write",
            "Bucket Policy (public write)",
            Critical,
            Bucket,
            Some("S3.3"),
            "The bucket policy does not let anyone on the internet write or delete",
            "Remove the statements that allow `*` to write, or pin them with a condition.",
            "aws s3api get-bucket-policy --bucket {bucket} --query Policy --output text > policy.json  # edit, then: aws s3api put-bucket-policy --bucket {bucket} --policy file://policy.json",
            "aws_s3_bucket_policy",
            false
        ),
        policy_public_write,
    ),
    (
        rule!(
            "policy-public-status",
            "Bucket Policy (S3's verdict)",
            Critical,
            Bucket,
            Some("S3.2"),
            "S3 itself does not judge the bucket policy public (GetBucketPolicyStatus)",
            "Remove or pin the statements S3 counts as public: a condition makes a statement non-public only with fixed values (no wildcards, no StringNotEquals or ...IfExists, IP ranges no wider than /8 for IPv4 and /32 for IPv6).",
            "aws s3api get-bucket-policy-status --bucket {bucket}; aws s3api get-bucket-policy --bucket {bucket} --query Policy --output text > policy.json  # edit, then: aws s3api put-bucket-policy --bucket {bucket} --policy file://policy.json",
            "aws_s3_bucket_policy",
            false
        ),
        policy_public_status,
    ),
    (
        rule!(
            "cross-account",
            "Cross-Account Access",
            High,
            Bucket,
            Some("S3.6"),
            "The bucket policy grants nothing to other AWS accounts",
            "Remove the statements naming other accounts, or confirm each is intended and document it.",
            "aws s3api get-bucket-policy --bucket {bucket} --query Policy --output text",
            "aws_s3_bucket_policy",
            false
        ),
        cross_account,
    ),
    (
        rule!(
            "kms-encryption",
            "KMS Encryption",
            Low,
            Bucket,
            Some("S3.17"),
            "Objects are encrypted with a KMS key (key policies, CloudTrail records of key use)",
            "Use SSE-KMS with a bucket key (provisioning: --kms-key-id).",
            "aws s3api put-bucket-encryption --bucket {bucket} --server-side-encryption-configuration '{\"Rules\":[{\"ApplyServerSideEncryptionByDefault\":{\"SSEAlgorithm\":\"aws:kms\",\"KMSMasterKeyID\":\"KEY_ARN\"},\"BucketKeyEnabled\":true}]}'",
            "aws_s3_bucket_server_side_encryption_configuration",
            false
        ),
        kms_encryption,
    ),
    (
        rule!(
            "mfa-delete",
            "MFA Delete",
            Low,
            Bucket,
            Some("S3.20"),
            "Deleting versions or suspending versioning needs MFA",
            "Enable MFA delete (only the root user, with its MFA device, can).",
            "aws s3api put-bucket-versioning --bucket {bucket} --versioning-configuration Status=Enabled,MFADelete=Enabled --mfa 'SERIAL CODE'",
            "aws_s3_bucket_versioning",
            false
        ),
        mfa_delete,
    ),
    (
        rule!(
            "object-lock",
            "Object Lock",
            Low,
            Bucket,
            Some("S3.15"),
            "Object Lock protects objects from deletion for a retention period",
            "Enable Object Lock with a default retention (possible on existing buckets through AWS Support or at creation).",
            "aws s3api put-object-lock-configuration --bucket {bucket} --object-lock-configuration 'ObjectLockEnabled=Enabled,Rule={DefaultRetention={Mode=GOVERNANCE,Days=30}}'",
            "aws_s3_bucket_object_lock_configuration",
            false
        ),
        object_lock,
    ),
    (
        rule!(
            "lifecycle",
            "Lifecycle",
            Low,
            Bucket,
            Some("S3.13"),
            "Lifecycle rules expire what is no longer needed, including noncurrent versions of a versioned bucket",
            "Add a lifecycle rule that expires noncurrent versions (and current objects where that fits).",
            "aws s3api put-bucket-lifecycle-configuration --bucket {bucket} --lifecycle-configuration file://lifecycle.json",
            "aws_s3_bucket_lifecycle_configuration",
            false
        ),
        lifecycle,
    ),
    (
        rule!(
            "event-notifications",
            "Event Notifications",
            Informational,
            Bucket,
            Some("S3.11"),
            "Event notifications report object changes",
            "Send object events to EventBridge (or SNS, SQS, Lambda).",
            "aws s3api put-bucket-notification-configuration --bucket {bucket} --notification-configuration '{\"EventBridgeConfiguration\":{}}'",
            "aws_s3_bucket_notification",
            false
        ),
        event_notifications,
    ),
    (
        rule!(
            "replication",
            "Cross-Region Replication",
            Low,
            Bucket,
            Some("S3.7"),
            "Objects are replicated to another region",
            "Replicate to a bucket in another region (needs a role and a versioned destination).",
            "aws s3api put-bucket-replication --bucket {bucket} --replication-configuration file://replication.json",
            "aws_s3_bucket_replication_configuration",
            false
        ),
        replication,
    ),
    (
        rule!(
            "replication-rule",
            "Replication Rule",
            Medium,
            Bucket,
            None,
            "Replication is active, with delete markers and (on an SSE-KMS bucket) SSE-KMS objects",
            "Enable the rule, with DeleteMarkerReplication and SourceSelectionCriteria.SseKmsEncryptedObjects on (provision-s3-* --replicate-to REGION does).",
            "aws s3api get-bucket-replication --bucket {bucket}",
            "aws_s3_bucket_replication_configuration",
            false
        ),
        replication_rule,
    ),
    (
        rule!(
            "replica-hardened",
            "Replica Hardening",
            High,
            Bucket,
            None,
            "Each replica exists and is versioned, encrypted, blocks public access and denies requests without TLS",
            "Harden the replica as the state bucket (provision-s3-* --replicate-to REGION does): it holds the same states.",
            "aws s3api get-bucket-versioning --bucket REPLICA --region REPLICA_REGION",
            "aws_s3_bucket_versioning",
            false
        ),
        replica_hardened,
    ),
    (
        rule!(
            "replication-lag",
            "Replication Lag",
            Informational,
            Bucket,
            None,
            "How far each replica lags, from CloudWatch's ReplicationLatency (the rule's metrics on)",
            "Turn the rule's replication metrics on to see the lag; look at failed replication if it grows.",
            "aws cloudwatch get-metric-statistics --namespace AWS/S3 --metric-name ReplicationLatency --dimensions Name=SourceBucket,Value={bucket} Name=DestinationBucket,Value=REPLICA Name=RuleId,Value=RULE --statistics Maximum --period 300 --start-time START --end-time END",
            "aws_s3_bucket_replication_configuration",
            false
        ),
        replication_lag,
    ),
    (
        rule!(
            "access-log-target",
            "Access Log Target",
            Medium,
            Bucket,
            None,
            "The bucket receiving the access logs exists and lets S3 deliver them",
            "Grant logging.s3.amazonaws.com s3:PutObject on the target prefix in the target's bucket policy (provisioning does).",
            "aws s3api get-bucket-policy --bucket LOG_TARGET",
            "aws_s3_bucket_policy",
            false
        ),
        access_log_target,
    ),
    (
        rule!(
            "retention",
            "Retention",
            Medium,
            Bucket,
            None,
            "An observability bucket keeps data exactly as long as the contract says for its kind",
            "Set the kind's retention rule (provisioning does): logs 90 days, traces 30, metrics 90, audit logs 2,555 with Glacier after 90.",
            "provision-s3-client-centric --observability-only --region REGION --environment ENV --project-name PROJECT",
            "aws_s3_bucket_lifecycle_configuration",
            false
        ),
        retention,
    ),
];

/// The account rules.
pub static ACCOUNT_RULES: &[(Rule, AccountCheck)] = &[(
    rule!(
        "account-public-access-block",
        "Account Public Access Block",
        High,
        Account,
        Some("S3.1"),
        "All four public-access-block settings are on for the account",
        "Turn on the four settings for the whole account (S3 Control).",
        "aws s3control put-public-access-block --account-id {account} --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true",
        "aws_s3_account_public_access_block",
        true
    ),
    account_public_access_block,
)];

/// The lock-table rules.
pub static TABLE_RULES: &[(Rule, TableCheck)] = &[
    (
        rule!(
            "lock-table-exists",
            "Lock Table",
            High,
            LockTable,
            None,
            "The lock table exists",
            "Create it with the provisioning command.",
            "provision-s3-infrastructure --region REGION --environment ENV --project-name PROJECT",
            "aws_dynamodb_table",
            false
        ),
        table_exists,
    ),
    (
        rule!(
            "lock-table-key",
            "Lock Table Key",
            High,
            LockTable,
            None,
            "The key is LockID, a string, the hash key: what Terraform's S3 backend writes",
            "Recreate the table with hash key LockID (S); Terraform cannot lock with any other key.",
            "aws dynamodb create-table --table-name {table} --attribute-definitions AttributeName=LockID,AttributeType=S --key-schema AttributeName=LockID,KeyType=HASH --billing-mode PAY_PER_REQUEST",
            "aws_dynamodb_table",
            false
        ),
        table_key,
    ),
    (
        rule!(
            "lock-table-encryption",
            "Lock Table Encryption",
            Medium,
            LockTable,
            None,
            "The table is encrypted with a KMS key (AWS-managed or your own)",
            "Turn on KMS server-side encryption.",
            "aws dynamodb update-table --table-name {table} --sse-specification Enabled=true,SSEType=KMS",
            "aws_dynamodb_table (server_side_encryption)",
            true
        ),
        table_encryption,
    ),
    (
        rule!(
            "lock-table-pitr",
            "Point-in-Time Recovery",
            Medium,
            LockTable,
            Some("DynamoDB.2"),
            "Point-in-time recovery is on",
            "Turn on point-in-time recovery.",
            "aws dynamodb update-continuous-backups --table-name {table} --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true",
            "aws_dynamodb_table (point_in_time_recovery)",
            true
        ),
        table_pitr,
    ),
    (
        rule!(
            "lock-table-deletion-protection",
            "Deletion Protection",
            Medium,
            LockTable,
            Some("DynamoDB.6"),
            "Deletion protection is on",
            "Turn on deletion protection.",
            "aws dynamodb update-table --table-name {table} --deletion-protection-enabled",
            "aws_dynamodb_table (deletion_protection_enabled)",
            true
        ),
        table_deletion_protection,
    ),
    (
        rule!(
            "stale-locks",
            "Stale Locks",
            Medium,
            LockTable,
            None,
            "No Terraform lock has been held longer than the stale threshold",
            "Ask who holds the lock; if its run is dead, release it with terraform force-unlock LOCK_ID in that stack.",
            "terraform force-unlock LOCK_ID",
            "-",
            false
        ),
        stale_locks,
    ),
    (
        rule!(
            "orphaned-digests",
            "Orphaned Digests",
            Low,
            LockTable,
            None,
            "Every -md5 digest row belongs to a state object that exists",
            "Delete the digest rows of states that no longer exist (a leftover digest makes a new state at that key fail its checksum).",
            "aws dynamodb delete-item --table-name {table} --key '{\"LockID\":{\"S\":\"BUCKET/KEY-md5\"}}'",
            "-",
            false
        ),
        orphaned_digests,
    ),
];
