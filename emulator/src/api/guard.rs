//! The checks every MOBPROC API call passes, in Tangoe's order: bearer token, tenant
//! header, `client_id` header. Injected API failures come first.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

use crate::api::error::error;
use crate::oauth::tokens::{Refused, Subject};
use crate::state::AppState;

/// Echoed back on every API response when the caller sent it.
const CORRELATION: &str = "x-tngo-context-correlationid";

/// The authenticated caller, stored in request extensions for the handlers.
#[derive(Clone, Debug)]
pub struct Caller(pub Subject);

fn text<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok()).map(str::trim)
}

fn bearer(h: &HeaderMap) -> Option<&str> {
    let (scheme, token) = text(h, "authorization")?.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

fn check(state: &AppState, h: &HeaderMap) -> Result<Subject, Response> {
    let Some(token) = bearer(h) else {
        let mut r = error(401, "Unauthorized", "A bearer access token is required.");
        let v = HeaderValue::from_static("Bearer realm=\"MOBPROC\"");
        r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        return Err(r);
    };
    let subject = match state.lock().tokens.access(token) {
        Ok(a) => a.subject.clone(),
        Err(why) => {
            let msg = match why {
                Refused::Unknown => "The access token is not valid.",
                Refused::Revoked => "The access token was revoked.",
                Refused::Expired => "The access token has expired.",
            };
            return Err(error(401, "Invalid-Token", msg));
        }
    };
    match text(h, "X-TNGO-TENANT") {
        None | Some("") => Err(error(400, "Tenant-Missing", "X-TNGO-TENANT is required.")),
        Some(t) if t != subject.tenant => Err(error(
            403,
            "Tenant-Mismatch",
            "X-TNGO-TENANT does not match the token's tenant.",
        )),
        Some(_) => match text(h, "client_id") {
            None | Some("") => Err(error(400, "ClientId-Missing", "client_id is required.")),
            Some(c) if c != subject.client_id => Err(error(
                403,
                "ClientId-Mismatch",
                "client_id does not match the token's client.",
            )),
            Some(_) => Ok(subject),
        },
    }
}

/// Middleware for everything under `/mobproc/v1`; echoes the correlation id.
pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let correlation = req.headers().get(CORRELATION).cloned();
    let mut resp = checked(state, req, next).await;
    if let Some(v) = correlation {
        resp.headers_mut().insert(CORRELATION, v);
    }
    resp
}

async fn checked(state: AppState, mut req: Request, next: Next) -> Response {
    let injected = state.lock().faults.take_api();
    if let Some(fault) = injected {
        let mut resp = error(
            fault.status,
            "Injected",
            "Failure injected by the emulator control surface.",
        );
        if !fault.retry_after {
            resp.headers_mut().remove(header::RETRY_AFTER);
        }
        return resp;
    }
    match check(&state, req.headers()) {
        Ok(subject) => {
            req.extensions_mut().insert(Caller(subject));
            next.run(req).await
        }
        Err(resp) => resp,
    }
}
