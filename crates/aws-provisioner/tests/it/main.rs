//! aws-provisioner's tests: the plan with values, the executor against an in-memory cloud,
//! and whole runs against the moto emulator over HTTP (faults included).

mod emulator;
mod faults;
mod memory;
mod plans;
mod support;
