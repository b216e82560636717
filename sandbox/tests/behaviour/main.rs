//! Throttling, faults, CORS, the control endpoints and the state file.

#[path = "../common/mod.rs"]
mod common;

mod control;
mod faults;
mod throttling;
