//! The commands of the two teardown scripts, over `s3-destroy`: `destroy-s3-buckets`
//! (seed 003: the project's buckets by type, or `--bucket`) and `emergency-s3-cleanup` (a
//! stuck bucket). Both run [`destroy::run`] — inventory report, confirmations, backups,
//! execution with progress, JSON — on the buckets they select; each script's module holds
//! its flags (`Cli`) and its `main`.

pub mod destroy;
pub mod destroy_s3_buckets;
pub mod emergency_s3_cleanup;
