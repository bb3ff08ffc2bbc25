//! What a request to the token and revocation endpoints must look like: its parameters
//! (query string and form body) and its scope.

use axum::http::{header, HeaderMap};

use crate::oauth::error::OAuthError;
use crate::params::Params;

/// Reads query-string and body parameters (the body wins) and checks the content type.
pub fn read_params(
    headers: &HeaderMap,
    query: Option<&str>,
    body: &[u8],
) -> Result<Params, OAuthError> {
    let body_params = Params::parse(body);
    if !body.is_empty() {
        let ct = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !ct
            .to_ascii_lowercase()
            .starts_with("application/x-www-form-urlencoded")
        {
            let msg = "the body must be application/x-www-form-urlencoded";
            return Err(OAuthError::bad("invalid_request", msg));
        }
    }
    if let Some(name) = body_params.repeated() {
        let msg = format!("parameter {name} was sent more than once");
        return Err(OAuthError::bad("invalid_request", msg));
    }
    Ok(Params::query(query).overlay(body_params))
}

/// Checks a requested scope: absent or exactly `MOBPROC`.
pub fn check_scope(scope: Option<&str>) -> Result<(), OAuthError> {
    match scope {
        None => Ok(()),
        Some(s)
            if s.split(' ')
                .filter(|p| !p.is_empty())
                .all(|p| p == "MOBPROC") =>
        {
            Ok(())
        }
        Some(_) => Err(OAuthError::bad(
            "invalid_scope",
            "the only scope is MOBPROC",
        )),
    }
}
