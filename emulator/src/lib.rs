//! `mobproc-emulator`: a local stand-in for Tangoe's PingFederate sign-in, token endpoint
//! and MOBPROC API, for the demo and the end-to-end tests. It shares no code with the
//! `mobproc-auth` library on purpose.
//!
//! The crate is grouped by what each part serves; no module imports one that imports it back
//! (`tests/modules.rs` checks it):
//!
//! | folder | serves |
//! |---|---|
//! | [`cli`] | the command line: flags, `MOBPROC_EMU_*` variables, `--help` |
//! | [`seed`] | the seed data: tenants, clients, users, directories |
//! | [`oauth`] | PingFederate's endpoints: sign-in (implicit grant, code grant with PKCE), token, revocation, validation |
//! | [`api`] | the MOBPROC REST API under `/mobproc/v1` |
//! | [`journal`] | the request log, counters, injected failures and the `/__emulator/` control surface |
//!
//! Shared by all: [`state`] (what every handler gets), [`cors`], [`params`] (form decoding),
//! [`random`] (tokens, error ids, constant-time comparison), [`urls`] (the parts of an
//! origin or redirect URI) and [`hint`] (what a refusal says, with the flag that fixes it).
//! The route table is [`app`].

pub mod api;
pub mod cli;
pub mod cors;
pub mod hint;
pub mod journal;
pub mod oauth;
pub mod params;
pub mod random;
pub mod seed;
pub mod state;
pub mod urls;

use std::future::Future;

use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use axum::Router;
use tokio::net::TcpListener;

pub use cli::{Command, Config, USAGE};
pub use oauth::VALIDATE_BEARER;
pub use seed::{ClientSpec, Seed, UserSpec};
pub use state::{AppState, Shared};

/// The whole application for an emulator reachable at `base_url`.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route(
            "/as/authorization.oauth2",
            get(oauth::authorize::get).post(oauth::authorize::post),
        )
        .route("/as/token.oauth2", post(oauth::token::post))
        .route("/as/revoke_token.oauth2", post(oauth::revoke::post))
        .route("/validate", get(oauth::validate::get))
        // The sign-in page's browser asks for it: "no content", not a 404 in the console.
        .route(
            "/favicon.ico",
            get(|| async { axum::http::StatusCode::NO_CONTENT }),
        )
        .nest("/mobproc/v1", api::router(state.clone()))
        .nest("/__emulator", journal::control::router())
        .layer(from_fn_with_state(state.clone(), cors::middleware))
        .layer(from_fn_with_state(state.clone(), journal::log::middleware))
        .with_state(state)
}

/// Serves on `listener` until `shutdown` completes; held (`hang`) requests are then
/// released so the graceful shutdown ends quickly.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let release = state.clone();
    let signal = async move {
        shutdown.await;
        release.release.notify_waiters();
    };
    axum::serve(listener, app(state))
        .with_graceful_shutdown(signal)
        .await
}

/// Binds 127.0.0.1 on the configured port and builds the state for it.
pub async fn bind(config: Config) -> std::io::Result<(TcpListener, AppState)> {
    let listener = TcpListener::bind(("127.0.0.1", config.port)).await?;
    let port = listener.local_addr()?.port();
    let state = Shared::new(config, format!("http://127.0.0.1:{port}"));
    Ok((listener, state))
}
