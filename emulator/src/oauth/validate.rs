//! Token validation: the validator service (`GET /validate`) and the JSON shared with
//! PingFederate's `validate_bearer` grant.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

use crate::oauth::error::no_store;
use crate::oauth::tokens::{Access, TokenStore};
use crate::params::Params;
use crate::state::AppState;

/// The validation answer for a live access token.
pub fn body(access: &Access) -> Value {
    let s = &access.subject;
    json!({
        "scope": "MOBPROC",
        "expires_in": TokenStore::remaining(access),
        "client_id": s.client_id,
        "access_token": {
            "platform": s.platform,
            "tenant": s.tenant,
            "multitenant": "false",
            "domain": "*",
            "identityProvider": "pcv_edge",
            "identifier": s.identifier,
        },
    })
}

/// `GET /validate?access_token=…`.
pub async fn get(State(state): State<AppState>, RawQuery(q): RawQuery) -> Response {
    let params = Params::query(q.as_deref());
    let token = params.get("access_token").unwrap_or_default();
    let inner = state.lock();
    match inner.tokens.access(token) {
        Ok(a) => no_store(StatusCode::OK, body(a)),
        Err(_) => no_store(StatusCode::BAD_REQUEST, json!({"error": "invalid_token"})),
    }
}
