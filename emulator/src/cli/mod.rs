//! The command line: flags and `MOBPROC_EMU_*` variables ([`config`]), the syntax of the
//! `--tenant`, `--user` and `--client` values ([`syntax`]), the check of app origins and
//! redirect URIs ([`urls`]) and the `--help` text ([`usage`]).
//! Nothing here serves a request: the result is a [`Config`] the server starts with.

pub mod config;
pub mod syntax;
pub mod urls;
pub mod usage;

pub use config::{Command, Config};
pub use usage::USAGE;
