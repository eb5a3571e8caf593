//! The `provision-s3-infrastructure` and `provision-s3-client-centric` binaries end to end, as processes
//! against moto.

mod provision_s3_client_centric;
mod provision_s3_infrastructure;
