//! manage-remote-state as a process, against moto and the real Terraform 1.0.3.
