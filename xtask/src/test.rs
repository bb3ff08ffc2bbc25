//! `cargo xtask test`: every test, in the order that fails fastest.

use crate::sh::Result;

/// Runs everything.
pub fn run(_args: &[String]) -> Result {
    let pkg = crate::build::run()?;
    crate::size::check_budget(&pkg)
}
