//! `mobproc-relay`: a token relay for browser portals whose Tangoe client is confidential.
//! It forwards only the refresh and validate grants (and revocations) to Tangoe with the
//! client secret added, for the configured portal origins only, and keeps no state.
//!
//! Mount it in an existing axum server:
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let secret = std::env::var("MOBPROC_RELAY_CLIENT_SECRET")?;
//! let config = mobproc_relay::RelayConfig::new(
//!     "https://oauth.tangoe.com/as/token.oauth2",
//!     "portal-client",
//!     &secret,
//!     &["https://portal.example.com"],
//! )?;
//! let app: axum::Router = axum::Router::new().nest("/relay", mobproc_relay::router(config)?);
//! # let _ = app;
//! # Ok(())
//! # }
//! ```

pub mod cli;
pub mod config;
pub mod serve;
pub mod usage;

mod answer;
mod client_auth;
mod cors;
mod form;
mod forward;
mod grant;
mod log;
mod revoke;
mod secret;
mod upstream;
mod values;

use std::fmt;
use std::sync::Arc;

use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use axum::Router;

pub use config::{ClientAuth, ConfigError, RelayConfig};

/// What every handler shares: the settings and the pooled upstream client.
#[derive(Debug)]
struct Relay {
    config: RelayConfig,
    upstream: upstream::Upstream,
}

/// The TLS client could not be set up (rustls refused its own defaults; not expected).
#[derive(Debug)]
pub struct TlsSetupError(rustls::Error);

impl fmt::Display for TlsSetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot set up TLS: {}", self.0)
    }
}

impl std::error::Error for TlsSetupError {}

async fn healthz() -> &'static str {
    "ok\n"
}

/// The relay's routes: `POST /token`, `POST /revoke` (with a revocation URL), `GET /healthz`,
/// behind the origin gate and the log line.
pub fn router(config: RelayConfig) -> Result<Router, TlsSetupError> {
    let upstream = upstream::Upstream::new(config.timeout).map_err(TlsSetupError)?;
    let with_revoke = config.revoke_url.is_some();
    let relay = Arc::new(Relay { config, upstream });
    let mut app = Router::new()
        .route("/token", post(grant::post))
        .route("/healthz", get(healthz));
    if with_revoke {
        app = app.route("/revoke", post(revoke::post));
    }
    Ok(app
        .layer(from_fn_with_state(relay.clone(), cors::middleware))
        .layer(from_fn_with_state(relay.clone(), log::middleware))
        .with_state(relay))
}
