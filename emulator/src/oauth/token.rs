//! `POST /as/token.oauth2`: the password grant (service clients), authorization_code with
//! PKCE (portal clients, see [`crate::oauth::code_grant`]), refresh_token (every client; a
//! confidential one with its secret) and validate_bearer (confidential clients granted it).

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use crate::journal::faults::TokenFault;
use crate::oauth::client_auth::authenticate;
use crate::oauth::code_grant;
use crate::oauth::error::{no_store, OAuthError};
use crate::oauth::request::{check_scope, read_params};
use crate::oauth::tokens::{Issued, Subject};
use crate::oauth::validate;
use crate::params::Params;
use crate::state::AppState;

/// The PingFederate grant type for token validation.
pub const VALIDATE_BEARER: &str = "urn:pingidentity.com:oauth2:grant_type:validate_bearer";

/// A token answer as Tangoe documents it: no `scope` (unlike the implicit grant's redirect), so
/// a client must keep the scope it asked for (RFC 6749 §5.1: optional when as requested).
fn issued(i: Issued) -> Response {
    let mut body = Map::new();
    body.insert("token_type".into(), "Bearer".into());
    body.insert("expires_in".into(), i.expires_in.into());
    if let Some(rt) = i.refresh_token {
        body.insert("refresh_token".into(), rt.into());
    }
    body.insert("access_token".into(), i.access_token.into());
    no_store(StatusCode::OK, Value::Object(body))
}

async fn fault(state: &AppState, f: TokenFault) -> Response {
    match f {
        TokenFault::ServerError => OAuthError::server().into_response(),
        TokenFault::Garbage => {
            let mut r = (
                StatusCode::OK,
                "<html><body>upstream gateway says hi</body></html>",
            )
                .into_response();
            let ct = HeaderValue::from_static("application/json");
            r.headers_mut().insert(header::CONTENT_TYPE, ct);
            r
        }
        TokenFault::TooManyRequests => {
            let mut e = OAuthError::server();
            e.status = StatusCode::TOO_MANY_REQUESTS;
            e.code = "temporarily_unavailable";
            let mut r = e.into_response();
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("7"));
            r
        }
        TokenFault::Hang => {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(300)) => {}
                _ = state.release.notified() => {}
            }
            let mut e = OAuthError::server();
            e.status = StatusCode::SERVICE_UNAVAILABLE;
            e.code = "temporarily_unavailable";
            e.into_response()
        }
    }
}

/// `POST /as/token.oauth2`.
pub async fn post(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    let params = read_params(&headers, q.as_deref(), &body);
    let pending = {
        let mut inner = state.lock();
        let grant = params.as_ref().ok().and_then(|p| p.get("grant_type"));
        inner.journal.count_grant(grant);
        inner.faults.take_token()
    };
    if let Some(f) = pending {
        return fault(&state, f).await;
    }
    let result = params.and_then(|p| grant(&state, &headers, &p));
    result.unwrap_or_else(IntoResponse::into_response)
}

fn grant(state: &AppState, headers: &HeaderMap, p: &Params) -> Result<Response, OAuthError> {
    let grant_type = p
        .get("grant_type")
        .ok_or_else(|| OAuthError::bad("invalid_request", "grant_type is required"))?;
    let known = [
        "password",
        "authorization_code",
        "refresh_token",
        VALIDATE_BEARER,
    ];
    if !known.contains(&grant_type) {
        let msg = format!("grant type {grant_type} is not supported");
        return Err(OAuthError::bad("unsupported_grant_type", msg));
    }
    let client = authenticate(&state.seed, headers, p)?;
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.get(..6))
        .is_some_and(|v| v.eq_ignore_ascii_case("basic "));
    let lifetime = state.config.token_lifetime;
    match grant_type {
        "password" => {
            if !client.is_confidential() {
                let msg = "the password grant needs a confidential client";
                return Err(OAuthError::invalid_client(msg, basic));
            }
            if !client.may_use_password() {
                let msg = "this client signs users in on the sign-in page (implicit grant), not with the password grant";
                return Err(OAuthError::bad("unauthorized_client", msg));
            }
            check_scope(p.get("scope"))?;
            let (login, password) = (p.get("username"), p.get("password"));
            let (Some(login), Some(password)) = (login, password) else {
                return Err(OAuthError::bad(
                    "invalid_request",
                    "username and password are required",
                ));
            };
            let user = state
                .seed
                .user(login, password)
                .ok_or_else(|| OAuthError::bad("invalid_grant", "wrong username or password"))?;
            let subject = Subject::new(client, user);
            let i = state.lock().tokens.issue(subject, lifetime, true);
            i.map(issued).ok_or_else(OAuthError::server)
        }
        "authorization_code" => code_grant::exchange(state, client, p).map(issued),
        "refresh_token" => {
            // Tangoe's refresh page lists `scope=MOBPROC` among the parameters (TANGOE.md):
            // asked for here, so a client that stopped sending it would be caught.
            let scope = p.get("scope");
            if scope.is_none() {
                let msg = "scope is required (MOBPROC)";
                return Err(OAuthError::bad("invalid_request", msg));
            }
            check_scope(scope)?;
            let token = p
                .get("refresh_token")
                .ok_or_else(|| OAuthError::bad("invalid_request", "refresh_token is required"))?;
            let rotated = state.lock().tokens.rotate(token, &client.id, lifetime);
            match rotated {
                Ok(Some(i)) => Ok(issued(i)),
                Ok(None) => Err(OAuthError::server()),
                Err(msg) => Err(OAuthError::bad("invalid_grant", msg)),
            }
        }
        _ => {
            if !client.is_confidential() {
                let msg = "this client may not validate tokens";
                return Err(OAuthError::invalid_client(msg, basic));
            }
            // Authenticated, but the grant is not among its own (RFC 6749 §5.2).
            if !client.may_validate {
                let msg =
                    "this client is not allowed to validate tokens (no validate_bearer grant)";
                return Err(OAuthError::bad("unauthorized_client", msg));
            }
            let token = p
                .get("token")
                .ok_or_else(|| OAuthError::bad("invalid_request", "token is required"))?;
            let inner = state.lock();
            match inner.tokens.access(token) {
                Ok(a) => Ok(no_store(StatusCode::OK, validate::body(a))),
                Err(_) => Err(OAuthError::bad("invalid_grant", "token is not valid")),
            }
        }
    }
}
