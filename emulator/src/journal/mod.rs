//! The journal: what the emulator did and what it should get wrong next, for people reading
//! its log and for tests steering it.
//!
//! - [`log`]: the middleware writing one line per request (stdout and journal) and an API record.
//! - [`entries`]: the journal itself: log lines, counters, API records.
//! - [`faults`]: failures injected for the next token or API requests.
//! - [`control`]: the test-only `/__emulator/` surface that reads the journal, injects faults,
//!   expires or revokes tokens and resets everything.

pub mod control;
pub mod entries;
pub mod faults;
pub mod log;
