//! `cargo xtask demo`: the example portal against the local Tangoe emulator.

use crate::sh::Result;

/// Builds and starts both servers; stops on Ctrl-C.
pub fn run(_args: &[String]) -> Result {
    Err("demo: not built yet".into())
}
