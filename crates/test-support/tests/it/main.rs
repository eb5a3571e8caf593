//! The harness proves itself: moto answers real SDK calls over HTTP, terraform runs, and
//! the fault proxy injects exactly what it is told to.

mod emulator;
mod proxy;
