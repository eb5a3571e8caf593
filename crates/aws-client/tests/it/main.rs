//! aws-client against moto over HTTP.

mod emulator;
