//! The commands of the two backend-file scripts, over `backend-hcl`:
//! `manage-tenant-backends` (seed 000: per-tenant backend files, `--check-sync`, every state
//! path) and `generate-client-backend` (seed 001: a client's backend file or its isolation
//! policy). What both need — the layout, the deployment, the existence probe of
//! `--check-sync` answered with `aws-client` — is in [`backends`]; each script's module
//! holds its flags (`Cli`) and its `main`.

pub mod backends;
pub mod generate_client_backend;
pub mod manage_tenant_backends;
