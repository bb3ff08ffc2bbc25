//! What the relay answers: RFC 6749 §5.2 errors of its own and Tangoe's answers passed
//! through, all JSON with `Cache-Control: no-store` (they carry tokens).

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An error the relay decides by itself (nothing was forwarded, or Tangoe failed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuthError {
    /// HTTP status.
    pub status: StatusCode,
    /// The `error` code.
    pub code: &'static str,
    /// The `error_description`.
    pub description: String,
}

impl OAuthError {
    /// An error with this status and code.
    pub fn new(status: StatusCode, code: &'static str, description: impl Into<String>) -> Self {
        OAuthError {
            status,
            code,
            description: description.into(),
        }
    }

    /// A 400 `invalid_request`.
    pub fn invalid_request(description: impl Into<String>) -> Self {
        OAuthError::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body = json!({"error": self.code, "error_description": self.description});
        json_bytes(self.status, Bytes::from(body.to_string()))
    }
}

fn no_store(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    // Answers quote Tangoe's text: never read as anything but their type.
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    resp
}

/// `body` (already known to be a JSON object) with `status`, byte for byte.
pub fn json_bytes(status: StatusCode, body: Bytes) -> Response {
    let mut resp = (status, Body::from(body)).into_response();
    let ct = HeaderValue::from_static("application/json");
    resp.headers_mut().insert(header::CONTENT_TYPE, ct);
    no_store(resp)
}

/// An empty answer with `status` (a revocation Tangoe accepted).
pub fn empty(status: StatusCode) -> Response {
    no_store(status.into_response())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_oauth_json_and_not_stored() {
        let r = OAuthError::invalid_request("token is required").into_response();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let h = r.headers();
        assert_eq!(h.get(header::CONTENT_TYPE).unwrap(), "application/json");
        assert_eq!(h.get(header::CACHE_CONTROL).unwrap(), "no-store");
        assert_eq!(h.get(header::PRAGMA).unwrap(), "no-cache");
    }
}
