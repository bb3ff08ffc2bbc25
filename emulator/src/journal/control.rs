//! The test-only control surface under `/__emulator/` (loopback only: the emulator binds
//! 127.0.0.1; no auth).

use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use crate::journal::faults::{ApiFault, TokenFault};
use crate::params::Params;
use crate::state::AppState;

/// The control router (to be nested at `/__emulator`).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/stats", get(stats))
        .route("/log", get(log))
        .route("/expire-all", post(expire_all))
        .route("/revoke-all", post(revoke_all))
        .route("/fail-next", post(fail_next))
        .route("/api-fail-next", post(api_fail_next))
        .route("/reset", post(reset))
}

fn ok() -> Response {
    Json(json!({"ok": true})).into_response()
}

fn bad(message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"ok": false, "error": message})),
    )
        .into_response()
}

async fn stats(State(state): State<AppState>) -> Response {
    let inner = state.lock();
    let j = &inner.journal;
    let mut counts = serde_json::Map::new();
    for k in [
        "password",
        "authorization_code",
        "refresh_token",
        "validate_bearer",
        "other",
        "missing",
    ] {
        counts.insert(k.into(), 0.into());
    }
    for (k, v) in &j.token_requests {
        counts.insert(k.clone(), (*v).into());
    }
    Json(json!({
        "token_requests": counts,
        "api_requests": j.api_requests,
        "revocations": j.revocations,
        "sign_ins": j.sign_ins,
        "requests": j.records,
    }))
    .into_response()
}

async fn log(State(state): State<AppState>) -> Response {
    let inner = state.lock();
    let mut text = String::new();
    for line in &inner.journal.lines {
        text.push_str(line);
        text.push('\n');
    }
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response()
}

/// Every access token and every pending authorization code expires now.
async fn expire_all(State(state): State<AppState>) -> Response {
    let mut inner = state.lock();
    inner.tokens.expire_all();
    inner.codes.expire_all();
    ok()
}

async fn revoke_all(State(state): State<AppState>) -> Response {
    state.lock().tokens.revoke_all();
    ok()
}

fn count(p: &Params) -> Option<u32> {
    p.get("count").map_or(Some(1), |c| c.parse().ok())
}

async fn fail_next(State(state): State<AppState>, RawQuery(q): RawQuery) -> Response {
    let p = Params::query(q.as_deref());
    let (Some(n), Some(mode)) = (count(&p), TokenFault::parse(p.get("mode").unwrap_or("500")))
    else {
        return bad("count must be a number and mode one of 500, hang, garbage, 429");
    };
    state.lock().faults.set_token(n, mode);
    ok()
}

async fn api_fail_next(State(state): State<AppState>, RawQuery(q): RawQuery) -> Response {
    let p = Params::query(q.as_deref());
    let status = p.get("status").unwrap_or("500").parse::<u16>().ok();
    let (Some(n), Some(s @ 400..=599)) = (count(&p), status) else {
        return bad("count must be a number and status between 400 and 599");
    };
    let retry_after = match p.get("retryAfter") {
        None => true,
        Some("none") => false,
        Some(_) => return bad("retryAfter must be none (or left out: Retry-After: 7)"),
    };
    let fault = ApiFault {
        status: s,
        retry_after,
    };
    state.lock().faults.set_api(n, fault);
    ok()
}

async fn reset(State(state): State<AppState>) -> Response {
    {
        let mut inner = state.lock();
        *inner = Default::default();
    }
    state.release.notify_waiters();
    ok()
}
