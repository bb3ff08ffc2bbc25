//! `POST /revoke` (RFC 7009), routed only when a revocation URL is configured: `token` and
//! `token_type_hint` pass, with the client's credentials added.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::answer::OAuthError;
use crate::form;
use crate::forward::forward;
use crate::log::{noted, Note};
use crate::Relay;

/// The handler.
pub async fn post(State(relay): State<Arc<Relay>>, req: Request) -> Response {
    let Some(url) = relay.config.revoke_url.as_ref() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let form = match form::read(req, relay.config.timeout).await {
        Ok(f) => f,
        Err(e) => return e.into_response(),
    };
    if let Err(e) = form.check_client(&relay.config.client_id) {
        return e.into_response();
    }
    let Some(token) = form.get("token") else {
        return OAuthError::invalid_request("token is required").into_response();
    };
    let mut params = vec![("token", token)];
    if let Some(hint) = form.get("token_type_hint") {
        params.push(("token_type_hint", hint));
    }
    let (resp, upstream) = forward(&relay, url, &params, "revocation endpoint", true).await;
    noted(
        resp,
        Note {
            grant: None,
            upstream,
        },
    )
}
