//! MOBPROC API errors in Tangoe's shape: `{"status","id","errorCode","message"}`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// A Tangoe-shaped error response with `errorCode` = `<status>-<code>`.
pub fn error(status: u16, code: &str, message: &str) -> Response {
    let st = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = json!({
        "status": st.as_u16(),
        "id": crate::random::short_id(),
        "errorCode": format!("{}-{code}", st.as_u16()),
        "message": message,
    });
    let mut resp = (st, Json(body)).into_response();
    let h = resp.headers_mut();
    match st.as_u16() {
        401 => {
            let v = "Bearer realm=\"MOBPROC\", error=\"invalid_token\"";
            h.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(v));
        }
        429 | 503 => {
            h.insert(header::RETRY_AFTER, HeaderValue::from_static("7"));
        }
        _ => {}
    }
    resp
}
