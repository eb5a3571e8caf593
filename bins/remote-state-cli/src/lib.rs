//! The command of `manage-remote-state`, a tool with no original script: Terraform's remote
//! state once it exists, through the `remote-state` library.

pub mod manage_remote_state;
