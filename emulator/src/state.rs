//! Shared state of one running emulator.

use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::Notify;

use crate::cli::config::Config;
use crate::journal::entries::Journal;
use crate::journal::faults::Faults;
use crate::oauth::codes::CodeStore;
use crate::oauth::tokens::TokenStore;
use crate::seed::model::Seed;

/// The state handed to every handler.
pub type AppState = Arc<Shared>;

/// Immutable settings plus the mutable parts behind one lock.
#[derive(Debug)]
pub struct Shared {
    /// The configuration the emulator was started with.
    pub config: Config,
    /// Tenants, clients, users and employees (seeded and added by flags).
    pub seed: Seed,
    /// `http://127.0.0.1:PORT`, for absolute links.
    pub base_url: String,
    /// Wakes requests held by the `hang` failure mode (reset, shutdown).
    pub release: Notify,
    inner: Mutex<Inner>,
}

/// The mutable part of the state.
#[derive(Debug, Default)]
pub struct Inner {
    /// Issued tokens.
    pub tokens: TokenStore,
    /// Issued authorization codes (the code grant with PKCE).
    pub codes: CodeStore,
    /// Injected failures.
    pub faults: Faults,
    /// Log lines, counters and API request records.
    pub journal: Journal,
    /// Sequence for `POST /orders` ids.
    pub order_seq: u64,
}

impl Shared {
    /// Creates the state for an emulator reachable at `base_url`.
    pub fn new(config: Config, base_url: String) -> AppState {
        let seed = Seed::new(&config.seed_spec());
        Arc::new(Shared {
            config,
            seed,
            base_url,
            release: Notify::new(),
            inner: Mutex::new(Inner::default()),
        })
    }

    /// Locks the mutable state (a poisoned lock is still usable: the data stays consistent
    /// because no code panics while holding it).
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}
