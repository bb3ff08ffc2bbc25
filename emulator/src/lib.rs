//! `mobproc-emulator`: a local stand-in for Tangoe's PingFederate sign-in, token endpoint
//! and MOBPROC API, for the demo and the end-to-end tests. It shares no code with the
//! `mobproc-auth` library on purpose.

pub mod api;
pub mod api_guard;
pub mod authorize;
pub mod client_auth;
pub mod clock;
pub mod config;
pub mod control;
pub mod cors;
pub mod employees;
pub mod extra;
pub mod faults;
pub mod html;
pub mod log;
pub mod oauth_error;
pub mod params;
pub mod random;
pub mod revoke;
pub mod seed;
pub mod seed_data;
pub mod seed_extra;
pub mod state;
pub mod tangoe_error;
pub mod token;
pub mod tokens;
pub mod usage;
pub mod validate;

use std::future::Future;

use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use axum::Router;
use tokio::net::TcpListener;

pub use config::Config;
pub use state::{AppState, Shared};

/// The whole application for an emulator reachable at `base_url`.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route(
            "/as/authorization.oauth2",
            get(authorize::get).post(authorize::post),
        )
        .route("/as/token.oauth2", post(token::post))
        .route("/as/revoke_token.oauth2", post(revoke::post))
        .route("/validate", get(validate::get))
        .nest("/mobproc/v1", api::router(state.clone()))
        .nest("/__emulator", control::router())
        .layer(from_fn_with_state(state.clone(), cors::middleware))
        .layer(from_fn_with_state(state.clone(), log::middleware))
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
