//! The origin gate and CORS, for the configured portal origins only. The gate is what keeps
//! other sites' pages from using the relay: a form POST with `Accept` and `Content-Type:
//! application/x-www-form-urlencoded` is a CORS "simple request" that browsers send without
//! a preflight, so the relay itself refuses it (403, nothing forwarded) when the `Origin`
//! is missing or not allowed. `/healthz` is outside the gate (load balancers call it).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::answer::OAuthError;
use crate::Relay;

/// The one method a preflight may ask for.
pub const ALLOW_METHODS: &str = "POST";
/// Request headers a portal may send; both are also CORS-safelisted for a form POST, so a
/// preflight only comes when a page sends an unusual value.
pub const ALLOW_HEADERS: [&str; 2] = ["Content-Type", "Accept"];

/// Whether every header named in `Access-Control-Request-Headers` is allowed.
fn headers_allowed(requested: &str) -> bool {
    requested
        .split(',')
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .all(|h| ALLOW_HEADERS.iter().any(|a| a.eq_ignore_ascii_case(h)))
}

fn text(h: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

fn preflight(h: &HeaderMap) -> Response {
    let method_ok = text(h, header::ACCESS_CONTROL_REQUEST_METHOD) == Some("POST");
    let requested = text(h, header::ACCESS_CONTROL_REQUEST_HEADERS).unwrap_or_default();
    if !method_ok || !headers_allowed(requested) {
        return StatusCode::FORBIDDEN.into_response();
    }
    let mut r = StatusCode::NO_CONTENT.into_response();
    let h = r.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(ALLOW_METHODS),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("Content-Type, Accept"),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    r
}

fn refused(origin_sent: bool) -> Response {
    let why = if origin_sent {
        "this origin may not use the relay"
    } else {
        "requests without an Origin header are refused: the relay serves browser pages of the allowed origins only"
    };
    OAuthError::new(StatusCode::FORBIDDEN, "access_denied", why).into_response()
}

/// Middleware: refuses foreign and missing origins before anything is read, answers
/// preflights, and adds `Access-Control-Allow-Origin` for allowed ones.
pub async fn middleware(State(relay): State<Arc<Relay>>, req: Request, next: Next) -> Response {
    if req.uri().path() == "/healthz" {
        return next.run(req).await;
    }
    let headers = req.headers();
    let origin = headers.get(header::ORIGIN).cloned();
    let allowed = origin
        .as_ref()
        .and_then(|o| o.to_str().ok())
        .is_some_and(|o| relay.config.allow_origins.iter().any(|a| a == o));
    let is_preflight = req.method() == Method::OPTIONS
        && headers.contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut resp = match (allowed, origin.clone()) {
        (false, sent) => refused(sent.is_some()),
        (true, _) if is_preflight => preflight(headers),
        (true, _) => next.run(req).await,
    };
    let h = resp.headers_mut();
    h.append(header::VARY, HeaderValue::from_static("Origin"));
    if let (true, Some(o)) = (allowed, origin) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, o);
        // Tangoe's `Retry-After` on a 429 or 503, which the library reads to pause refreshes.
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("Retry-After"),
        );
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::headers_allowed;

    #[test]
    fn requested_headers() {
        assert!(headers_allowed(""));
        assert!(headers_allowed("content-type"));
        assert!(headers_allowed("Content-Type, accept"));
        assert!(!headers_allowed("content-type, authorization"));
        assert!(!headers_allowed("x-client-secret"));
    }
}
