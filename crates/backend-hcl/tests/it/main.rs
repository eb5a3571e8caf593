//! backend-hcl's tests: golden files of every layout, the model under proptest, writes and
//! scans on disk, sync checks and isolation policies with values.

mod files;
mod golden;
mod policy;
mod roundtrip;
mod sync;
