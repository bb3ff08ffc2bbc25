//! `POST /as/revoke_token.oauth2` (RFC 7009).

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::oauth::client_auth::authenticate;
use crate::oauth::error::OAuthError;
use crate::oauth::request::read_params;
use crate::state::AppState;

/// Revokes an access or refresh token of the calling client. Unknown tokens, and tokens
/// of other clients (left untouched), still answer 200 so nothing leaks.
pub async fn post(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    let outcome = read_params(&headers, q.as_deref(), &body).and_then(|p| {
        let client = authenticate(&state.seed, &headers, &p)?;
        let token = p
            .get("token")
            .ok_or_else(|| OAuthError::bad("invalid_request", "token is required"))?;
        let mut inner = state.lock();
        inner.journal.revocations += 1;
        inner.tokens.revoke(token, &client.id);
        Ok(())
    });
    match outcome {
        Ok(()) => {
            let h = [("cache-control", "no-store"), ("pragma", "no-cache")];
            (StatusCode::OK, h).into_response()
        }
        Err(e) => e.into_response(),
    }
}
