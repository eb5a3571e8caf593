//! The command of `verify-s3-security` (seed 003), over `s3-audit`: the project's buckets
//! found by name, or `--bucket`, the lock table and the account, audited and reported as
//! text ([`text`]), JSON, SARIF or JUnit, with `--fix` for the safe remediations.

pub mod text;
pub mod verify_s3_security;
