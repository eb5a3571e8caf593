//! s3-audit against moto over HTTP: buckets hardened by the provisioner pass; buckets
//! misconfigured on purpose fail exactly the rules they should; the lock table's stale
//! locks and orphaned digests are found; the account block goes through S3 Control; the
//! safe fixes make failing rules pass; JSON and SARIF validate against their schemas.

mod account;
mod audit;
mod formats;
mod support;
