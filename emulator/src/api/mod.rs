//! The MOBPROC REST API under `/mobproc/v1`: every call passes [`guard`] (token, tenant and
//! `client_id` checks, injected failures); resources answer in Tangoe's shapes, errors in
//! Tangoe's error shape ([`error`]).

pub mod clock;
pub mod employees;
pub mod error;
pub mod guard;
pub mod handlers;

use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

/// The API router (to be nested at `/mobproc/v1`).
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/ping", get(handlers::ping))
        .route("/me", get(handlers::me))
        .route("/employees", get(employees::list))
        .route("/employees/{id}", get(employees::one))
        .route("/orders", post(handlers::orders))
        .route(
            "/status/{code}",
            get(handlers::status).post(handlers::status),
        )
        .fallback(handlers::not_found)
        .layer(axum::middleware::from_fn_with_state(state, guard::guard))
}
