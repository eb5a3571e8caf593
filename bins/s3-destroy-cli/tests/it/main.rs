//! The `destroy-s3-buckets` and `emergency-s3-cleanup` binaries end to end, as processes
//! against moto.

mod destroy_s3_buckets;
mod emergency_s3_cleanup;
