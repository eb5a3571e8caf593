//! Gathering the facts: every bucket's reads concurrently, several buckets at a time, the
//! account and the lock table alongside. Access denied on a read becomes an unreadable fact;
//! any other failure (after the SDK's retries) fails the audit.

use aws_client::{AwsError, AwsErrorKind};
use futures::StreamExt;

use crate::api::Inspect;
use crate::facts::{
    AccountFacts, BucketFacts, DigestRow, Fact, Facts, LockInfo, LockRow, LogTarget, ReplicaFacts,
    Role, TableFacts,
};

/// What to audit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The buckets and what each is for.
    pub buckets: Vec<(String, Role)>,
    /// Whether to check the account-level settings.
    pub account: bool,
    /// The lock table, if any.
    pub table: Option<String>,
    /// How many buckets are read at once.
    pub concurrency: usize,
    /// The partition of the region audited: the buckets' ARNs are in it (A2).
    pub partition: naming::Partition,
}

/// An answer, or the unreadable fact when access was denied.
fn fact<T>(result: Result<T, AwsError>) -> Result<Fact<T>, AwsError> {
    match result {
        Ok(value) => Ok(Fact::Known(value)),
        // Access denied, a bucket in another region, or an API an S3-compatible store lacks
        // (A3): the fact is unknown, the audit goes on.
        Err(error)
            if error.kind() == AwsErrorKind::AccessDenied
                || matches!(error.code(), Some("PermanentRedirect" | "NotImplemented")) =>
        {
            Ok(Fact::Unreadable {
                code: Some(error.code().unwrap_or("AccessDenied").to_owned()),
                message: error.message().to_owned(),
            })
        }
        Err(error) => Err(error),
    }
}

/// Reads everything `request` names. The account id comes back too (`None` when STS said
/// no), for the checks that compare accounts.
pub async fn gather<A: Inspect>(
    api: &A,
    request: &Request,
) -> Result<(Facts, Option<String>), AwsError> {
    gather_observed(api, request, &|_| {}).await
}

/// [`gather`], calling `done` with each bucket's name once its facts are in (for progress).
pub async fn gather_observed<A: Inspect>(
    api: &A,
    request: &Request,
    done: &(dyn Fn(&str) + Sync),
) -> Result<(Facts, Option<String>), AwsError> {
    let account_id = fact(api.account_id().await)?.known().cloned();
    let account = async {
        match (&account_id, request.account) {
            (Some(id), true) => Ok::<_, AwsError>(Some(AccountFacts {
                account_id: id.clone(),
                public_access_block: fact(api.account_public_access_block(id).await)?,
            })),
            _ => Ok(None),
        }
    };
    let table = async {
        match &request.table {
            Some(name) => table(api, name).await.map(Some),
            None => Ok(None),
        }
    };
    // Buckets ListBuckets shows in our region exist; the others are asked one by one (a
    // caller without s3:ListAllMyBuckets asks for each).
    let listed: std::collections::HashSet<String> = if request.buckets.len() > 1 {
        api.buckets_in_region()
            .await
            .unwrap_or_default()
            .into_iter()
            .collect()
    } else {
        Default::default()
    };
    let listed = &listed;
    let buckets = futures::stream::iter(&request.buckets)
        .map(|(name, role)| async move {
            let facts = bucket(api, name, *role, listed.contains(name)).await;
            done(name);
            facts.map(|facts| BucketFacts {
                partition: request.partition,
                ..facts
            })
        })
        .buffered(request.concurrency.max(1))
        .collect::<Vec<_>>();
    let (account, table, buckets) = futures::join!(account, table, buckets);
    let mut buckets: Vec<BucketFacts> = buckets.into_iter().collect::<Result<_, _>>()?;
    fill_log_targets(api, &mut buckets).await?;
    fill_replicas(api, &mut buckets).await?;
    let facts = Facts {
        account: account?,
        buckets,
        table: table?,
    };
    Ok((facts, account_id))
}

async fn bucket<A: Inspect>(
    api: &A,
    name: &str,
    role: Role,
    listed: bool,
) -> Result<BucketFacts, AwsError> {
    let exists = if listed {
        Fact::Known(true)
    } else {
        fact(api.bucket_exists(name).await)?
    };
    if exists != Fact::Known(true) {
        return Ok(BucketFacts::skipped(name, role, exists));
    }
    let (
        pab,
        encryption,
        versioning,
        policy,
        policy_status,
        requester_pays,
        ownership,
        logging,
        acl,
        metrics,
        lock,
        lifecycle,
        notifications,
        replication,
    ) = futures::join!(
        api.public_access_block(name),
        api.encryption(name),
        api.versioning(name),
        api.policy(name),
        api.policy_status(name),
        api.requester_pays(name),
        api.ownership(name),
        api.logging(name),
        api.acl(name),
        api.metrics(name),
        api.object_lock(name),
        api.lifecycle(name),
        api.notifications(name),
        api.replication(name),
    );
    let logging = fact(logging)?;
    Ok(BucketFacts {
        name: name.to_owned(),
        role,
        partition: naming::Partition::Aws,
        exists,
        public_access_block: fact(pab)?,
        encryption: fact(encryption)?,
        versioning: fact(versioning)?,
        policy: fact(policy)?,
        policy_status: fact(policy_status)?,
        requester_pays: fact(requester_pays)?,
        ownership: fact(ownership)?,
        logging,
        acl: fact(acl)?,
        metrics: fact(metrics)?,
        object_lock: fact(lock)?,
        lifecycle: fact(lifecycle)?,
        notifications: fact(notifications)?,
        replication: fact(replication)?,
        // Filled in by `fill_log_targets` and `fill_replicas` once every bucket is in.
        log_target: None,
        replicas: Vec::new(),
    })
}

/// The replica of every enabled replication rule, each read in its own region, with the
/// rule's latency from the source region's CloudWatch when its metrics are on.
async fn fill_replicas<A: Inspect>(api: &A, buckets: &mut [BucketFacts]) -> Result<(), AwsError> {
    for facts in buckets.iter_mut() {
        let Some(Some(replication)) = facts.replication.known() else {
            continue;
        };
        let rules: Vec<_> = replication
            .rules
            .iter()
            .filter(|r| r.enabled)
            .cloned()
            .collect();
        let source = facts.name.clone();
        let read = futures::future::join_all(rules.into_iter().map(|rule| {
            let source = source.clone();
            async move { replica(api, &source, rule).await }
        }))
        .await;
        facts.replicas = read.into_iter().collect::<Result<_, _>>()?;
    }
    Ok(())
}

async fn replica<A: Inspect>(
    api: &A,
    source: &str,
    rule: aws_client::s3::ReplicationRule,
) -> Result<ReplicaFacts, AwsError> {
    let bucket = rule
        .destination
        .rsplit(":::")
        .next()
        .unwrap_or_default()
        .to_owned();
    let latency = async {
        match rule.metrics {
            true => fact(api.replication_latency(source, &bucket, &rule.id).await),
            false => Ok(Fact::unreadable(
                None,
                "replication metrics are off for the rule",
            )),
        }
    };
    let (region, latency) = futures::join!(api.bucket_region(&bucket), latency);
    let (region, latency) = (fact(region)?, latency?);
    let missing = |exists: Fact<bool>, region: Option<String>| {
        let (code, message) = match &exists {
            Fact::Unreadable { code, message } => (code.clone(), message.clone()),
            Fact::Known(_) => (
                Some("NoSuchBucket".to_owned()),
                "the bucket does not exist".to_owned(),
            ),
        };
        ReplicaFacts {
            bucket: bucket.clone(),
            rule: rule.clone(),
            region,
            exists,
            versioning: Fact::unreadable(code.as_deref(), &message),
            encryption: Fact::unreadable(code.as_deref(), &message),
            public_access_block: Fact::unreadable(code.as_deref(), &message),
            policy: Fact::unreadable(code.as_deref(), &message),
            latency: latency.clone(),
        }
    };
    let region = match region {
        Fact::Known(Some(region)) => region,
        Fact::Known(None) => return Ok(missing(Fact::Known(false), None)),
        Fact::Unreadable { code, message } => {
            return Ok(missing(Fact::Unreadable { code, message }, None));
        }
    };
    let there = api.in_region(&region);
    let (versioning, encryption, pab, policy) = futures::join!(
        there.versioning(&bucket),
        there.encryption(&bucket),
        there.public_access_block(&bucket),
        there.policy(&bucket),
    );
    Ok(ReplicaFacts {
        bucket: bucket.clone(),
        rule: rule.clone(),
        region: Some(region),
        exists: Fact::Known(true),
        versioning: fact(versioning)?,
        encryption: fact(encryption)?,
        public_access_block: fact(pab)?,
        policy: fact(policy)?,
        latency,
    })
}

/// The log target of every bucket that logs: from the audit's own facts when the target is
/// one of the audited buckets (the project's logs bucket always is), read otherwise.
async fn fill_log_targets<A: Inspect>(
    api: &A,
    buckets: &mut [BucketFacts],
) -> Result<(), AwsError> {
    let target_of = |facts: &BucketFacts| match facts.logging.known() {
        Some(Some(logging)) => Some(logging.target_bucket.clone()),
        _ => None,
    };
    let audited = |name: &str| {
        buckets
            .iter()
            .find(|facts| facts.name == name && facts.exists == Fact::Known(true))
            .map(|facts| LogTarget {
                bucket: name.to_owned(),
                exists: facts.exists.clone(),
                policy: facts.policy.clone(),
                acl: facts.acl.clone(),
                encryption: facts.encryption.clone(),
                object_lock: facts.object_lock.clone(),
                requester_pays: facts.requester_pays.clone(),
            })
    };
    let mut targets: std::collections::HashMap<String, LogTarget> = Default::default();
    let mut unread = Vec::new();
    for target in buckets.iter().filter_map(target_of) {
        match audited(&target) {
            Some(facts) => {
                targets.insert(target, facts);
            }
            None if !unread.contains(&target) => unread.push(target),
            None => {}
        }
    }
    let read = futures::future::join_all(unread.iter().map(|target| log_target(api, target))).await;
    for (target, facts) in unread.into_iter().zip(read) {
        targets.insert(target, facts?);
    }
    for facts in buckets.iter_mut() {
        facts.log_target = target_of(facts).and_then(|target| targets.get(&target).cloned());
    }
    Ok(())
}

async fn log_target<A: Inspect>(api: &A, bucket: &str) -> Result<LogTarget, AwsError> {
    let exists = fact(api.bucket_exists(bucket).await)?;
    if exists == Fact::Known(false) {
        let (code, message) = (Some("NoSuchBucket"), "the bucket does not exist");
        return Ok(LogTarget {
            bucket: bucket.to_owned(),
            exists,
            policy: Fact::unreadable(code, message),
            acl: Fact::unreadable(code, message),
            encryption: Fact::unreadable(code, message),
            object_lock: Fact::unreadable(code, message),
            requester_pays: Fact::unreadable(code, message),
        });
    }
    let (policy, acl, encryption, object_lock, requester_pays) = futures::join!(
        api.policy(bucket),
        api.acl(bucket),
        api.encryption(bucket),
        api.object_lock(bucket),
        api.requester_pays(bucket)
    );
    Ok(LogTarget {
        bucket: bucket.to_owned(),
        exists,
        policy: fact(policy)?,
        acl: fact(acl)?,
        encryption: fact(encryption)?,
        object_lock: fact(object_lock)?,
        requester_pays: fact(requester_pays)?,
    })
}

/// Terraform's lock `Info`, as the S3 backend writes it.
#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawInfo {
    #[serde(rename = "ID", default)]
    id: String,
    #[serde(default)]
    operation: String,
    #[serde(default)]
    who: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    created: String,
    #[serde(default)]
    path: String,
}

/// Parses a lock row's `Info`; `None` when it is not Terraform's JSON.
pub fn lock_info(text: &str) -> Option<LockInfo> {
    let raw: RawInfo = serde_json::from_str(text).ok()?;
    Some(LockInfo {
        id: raw.id,
        operation: raw.operation,
        who: raw.who,
        version: raw.version,
        created: raw.created,
        path: raw.path,
    })
}

/// The digest rows' suffix: `{bucket}/{key}-md5`.
const DIGEST_SUFFIX: &str = "-md5";

async fn table<A: Inspect>(api: &A, name: &str) -> Result<TableFacts, AwsError> {
    let description = fact(api.describe_table(name).await)?;
    let description = match description {
        Fact::Known(Some(description)) => description,
        Fact::Known(None) => return Ok(TableFacts::missing(name, Fact::Known(false))),
        Fact::Unreadable { code, message } => {
            return Ok(TableFacts::missing(
                name,
                Fact::Unreadable { code, message },
            ));
        }
    };
    let rows = fact(api.lock_rows(name).await)?;
    let (locks, digests) = match rows {
        Fact::Known(rows) => {
            let (digests, locks): (Vec<_>, Vec<_>) = rows
                .into_iter()
                .partition(|(id, _)| id.ends_with(DIGEST_SUFFIX));
            let locks: Vec<LockRow> = locks
                .into_iter()
                .map(|(lock_id, info)| LockRow {
                    lock_id,
                    info: info.as_deref().and_then(lock_info),
                })
                .collect();
            let digests = futures::stream::iter(digests)
                .map(|(lock_id, _)| async move {
                    let state = lock_id
                        .strip_suffix(DIGEST_SUFFIX)
                        .and_then(|path| path.split_once('/'));
                    let state_exists = match state {
                        Some((bucket, key)) => fact(api.object_exists(bucket, key).await)?,
                        None => Fact::Unreadable {
                            code: None,
                            message: "not a {bucket}/{key}-md5 row".to_owned(),
                        },
                    };
                    Ok::<_, AwsError>(DigestRow {
                        lock_id,
                        state_exists,
                    })
                })
                .buffered(16)
                .collect::<Vec<_>>()
                .await
                .into_iter()
                .collect::<Result<Vec<_>, _>>()?;
            (Fact::Known(locks), Fact::Known(digests))
        }
        Fact::Unreadable { code, message } => (
            Fact::Unreadable {
                code: code.clone(),
                message: message.clone(),
            },
            Fact::Unreadable { code, message },
        ),
    };
    Ok(TableFacts {
        name: name.to_owned(),
        arn: Some(description.arn.clone()),
        exists: Fact::Known(true),
        key_schema: description.key_schema.clone(),
        sse: description.sse.clone(),
        // P10: a caller refused DescribeContinuousBackups still learns everything else.
        point_in_time_recovery: fact(description.point_in_time_recovery.clone())?,
        deletion_protection: description.deletion_protection,
        locks,
        digests,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terraforms_lock_info_is_read() {
        let info = lock_info(r#"{"ID":"9db590f1-b6fe-c5f2-2678-8804f089deba","Operation":"OperationTypeApply","Info":"","Who":"alice@ci-7","Version":"1.0.3","Created":"2026-11-21T08:15:02.123456789Z","Path":"state-bucket/tenants/acme/terraform.tfstate"}"#).unwrap();
        assert_eq!(info.who, "alice@ci-7");
        assert_eq!(info.operation, "OperationTypeApply");
        assert_eq!(info.created, "2026-11-21T08:15:02.123456789Z");
        assert_eq!(info.path, "state-bucket/tenants/acme/terraform.tfstate");
        assert_eq!(lock_info("not json"), None);
    }
}
