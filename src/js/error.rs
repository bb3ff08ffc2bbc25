//! Errors cross into JavaScript as the package's `MobprocError` (a real `Error` subclass),
//! built here once from [`Error::code`], its message and its details.

use crate::error::{Cause, Error, ErrorKind, OAuthError};
use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/pkg-template/errors.js")]
extern "C" {
    /// `MobprocError` of pkg-template/errors.js.
    type MobprocError;
    #[wasm_bindgen(constructor)]
    fn new(code: &str, message: &str, details: &JsValue) -> MobprocError;
}

/// The JavaScript `MobprocError` for `error`, with its details and cause.
pub fn to_js(error: &Error) -> JsValue {
    let details: JsValue = Object::new().into();
    let set = |key: &str, value: JsValue| {
        let _ = Reflect::set(&details, &key.into(), &value);
    };
    let text = |key: &str, value: &Option<String>| {
        if let Some(value) = value {
            set(key, value.into());
        }
    };
    let status = |status: Option<u16>| {
        if let Some(status) = status {
            set("status", status.into());
        }
    };
    let seconds = |seconds: Option<u64>| {
        if let Some(seconds) = seconds {
            set("retryAfter", (seconds as f64).into());
        }
    };
    let oauth = |oauth: &OAuthError| {
        text("oauthError", &oauth.error);
        text("oauthErrorDescription", &oauth.description);
    };
    // The fields of `Error::details`, set straight from the error: no `ErrorDetails` built and
    // read back (smaller module). Absent fields stay unset (`MobprocError` skips `undefined`
    // ones alike); within each error the order is `ErrorDetails`'s, as when serialised.
    // `retryAfter` is at most 2^53 − 1.
    match error.kind() {
        ErrorKind::ConfigInvalid { field, .. } => set("field", field.into()),
        ErrorKind::OriginNotAllowed { origin, .. } => set("origin", origin.into()),
        ErrorKind::PaginationLoop { href, .. } => set("href", href.into()),
        ErrorKind::AuthorizationDenied { error, description } => {
            set("oauthError", error.into());
            text("oauthErrorDescription", description);
        }
        ErrorKind::GrantRefused {
            status: code,
            oauth: o,
        }
        | ErrorKind::TokenInvalid {
            status: code,
            oauth: o,
        } => {
            oauth(o);
            status(Some(*code));
        }
        ErrorKind::RefreshFailed {
            status: code,
            oauth: o,
            retry_after,
            ..
        } => {
            oauth(o);
            status(*code);
            seconds(retry_after.map(u64::from));
        }
        ErrorKind::SessionExpired { oauth: o } => oauth(o),
        ErrorKind::RevokeFailed { status: code, .. } => status(*code),
        ErrorKind::NetworkError {
            correlation_id,
            status: code,
            ..
        } => {
            status(*code);
            text("correlationId", correlation_id);
        }
        ErrorKind::ApiError(api) => {
            // 0: a 2xx page that is no page (`ApiError::status`).
            status((api.status != 0).then_some(api.status));
            text("correlationId", &api.correlation_id);
            text("errorCode", &api.error_code);
            text("id", &api.id);
            text("apiMessage", &api.api_message);
            text("body", &api.body);
            seconds(api.retry_after);
        }
        _ => {}
    }
    match error.cause() {
        Cause::None => {}
        Cause::Error(inner) => set("cause", to_js(inner)),
        Cause::Js(thrown) => set("cause", thrown.clone()),
    }
    MobprocError::new(error.code(), &error.message(), &details).into()
}

/// Any `Result` of the client as JavaScript sees it: the value, or a thrown `MobprocError`.
pub fn throw<T>(result: Result<T, Error>) -> Result<T, JsValue> {
    result.map_err(|error| to_js(&error))
}
