//! The naming crate's integration tests: the seeds' examples, shared-config.toml, and
//! the invariants under proptest.

mod config;
mod props;
mod seeds;
