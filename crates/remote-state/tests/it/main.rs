//! remote-state against moto over HTTP and the real Terraform 1.0.3.
