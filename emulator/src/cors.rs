//! CORS for the configured app origins only (no credentials mode). A refusal is logged with
//! the origin and the flag that allows it (see [`crate::hint`]).

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::hint::{headers_refused, origin_refused, LogNote};
use crate::state::AppState;

/// Methods answered to a preflight.
pub const ALLOW_METHODS: &str = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
/// Request headers a page may send.
pub const ALLOW_HEADERS: [&str; 10] = [
    "Authorization",
    "Content-Type",
    "Accept",
    "X-TNGO-TENANT",
    "client_id",
    "X-TNGO-CONTEXT-EMPLOYEEID",
    "X-TNGO-CONTEXT-COMPANYEMPLOYEEID",
    "X-TNGO-CONTEXT-HIERARCHYID",
    "X-TNGO-CONTEXT-ACTIVITYID",
    "X-TNGO-CONTEXT-CORRELATIONID",
];
/// Response headers a page may read.
pub const EXPOSE_HEADERS: &str = "WWW-Authenticate, Retry-After, X-TNGO-CONTEXT-CORRELATIONID";

/// Whether every header named in `Access-Control-Request-Headers` is allowed.
pub fn headers_allowed(requested: &str) -> bool {
    refused_headers(requested).is_empty()
}

/// The headers named in `Access-Control-Request-Headers` that are not allowed.
pub fn refused_headers(requested: &str) -> Vec<&str> {
    requested
        .split(',')
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .filter(|h| !ALLOW_HEADERS.iter().any(|a| a.eq_ignore_ascii_case(h)))
        .collect()
}

/// The note for a request whose `Origin` is not allowed; `None` without an `Origin`, or
/// from the emulator's own origin.
fn refusal(state: &AppState, h: &HeaderMap, preflight: bool) -> Option<LogNote> {
    let origin = String::from_utf8_lossy(h.get(header::ORIGIN)?.as_bytes()).into_owned();
    (origin != state.base_url).then(|| {
        LogNote(origin_refused(
            &origin,
            &state.config.app_origins,
            preflight,
        ))
    })
}

fn allowed_origin(state: &AppState, h: &HeaderMap) -> Option<HeaderValue> {
    let origin = h.get(header::ORIGIN)?;
    let text = origin.to_str().ok()?;
    state
        .config
        .app_origins
        .iter()
        .any(|o| o == text)
        .then(|| origin.clone())
}

/// Middleware: answers preflights and decorates responses for allowed origins. The
/// authorization endpoint (a navigation, not a fetch) is left alone.
pub async fn middleware(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.uri().path() == "/as/authorization.oauth2" {
        return next.run(req).await;
    }
    let origin = allowed_origin(&state, req.headers());
    let is_preflight = req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut resp = if is_preflight {
        let requested = req
            .headers()
            .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let refused = refused_headers(requested);
        if origin.is_none() || !refused.is_empty() {
            let note = match origin {
                None => refusal(&state, req.headers(), true),
                Some(_) => Some(LogNote(headers_refused(&refused, &ALLOW_HEADERS))),
            };
            let mut r = StatusCode::FORBIDDEN.into_response();
            if let Some(note) = note {
                r.extensions_mut().insert(note);
            }
            r
        } else {
            let mut r = StatusCode::NO_CONTENT.into_response();
            let h = r.headers_mut();
            h.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static(ALLOW_METHODS),
            );
            let list = ALLOW_HEADERS.join(", ");
            if let Ok(v) = HeaderValue::from_str(&list) {
                h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, v);
            }
            h.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static("600"),
            );
            r
        }
    } else {
        let note = match origin {
            None => refusal(&state, req.headers(), false),
            Some(_) => None,
        };
        let mut r = next.run(req).await;
        if origin.is_some() {
            let v = HeaderValue::from_static(EXPOSE_HEADERS);
            r.headers_mut()
                .insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, v);
        }
        if let Some(note) = note {
            r.extensions_mut().insert(note);
        }
        r
    };
    let h = resp.headers_mut();
    h.append(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(o) = origin {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, o);
    }
    resp
}
