//! `manage-tenant-backends` end to end, as a process against moto and with the real
//! Terraform client.

mod generate_client_backend;

mod commands;
mod support;
mod sync;
mod terraform;
