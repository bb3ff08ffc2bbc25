//! Errors cross into JavaScript as the package's `MobprocError` (a real `Error` subclass),
//! built here once from [`Error::code`], its message and its details.

use crate::error::{Cause, Error};
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
    let d = error.details();
    let details: JsValue = Object::new().into();
    let set = |key: &str, value: JsValue| {
        let _ = Reflect::set(&details, &key.into(), &value);
    };
    // Set by hand, not serialised: a loop instead of serde code per field type (smaller
    // module). Absent fields stay unset (`MobprocError` skips `undefined` ones alike); the
    // order is `ErrorDetails`'s, as when serialised. `retryAfter` is at most 2^53 − 1.
    let texts = |fields: [(&str, Option<&str>); 5]| {
        for (key, value) in fields {
            if let Some(value) = value {
                set(key, value.into());
            }
        }
    };
    texts([
        ("field", d.field),
        ("origin", d.origin),
        ("href", d.href),
        ("oauthError", d.oauth_error),
        ("oauthErrorDescription", d.oauth_error_description),
    ]);
    if let Some(status) = d.status {
        set("status", status.into());
    }
    texts([
        ("correlationId", d.correlation_id),
        ("errorCode", d.error_code),
        ("id", d.id),
        ("apiMessage", d.api_message),
        ("body", d.body),
    ]);
    if let Some(seconds) = d.retry_after {
        set("retryAfter", (seconds as f64).into());
    }
    match error.cause() {
        Cause::None => {}
        Cause::Error(inner) => set("cause", to_js(inner)),
        Cause::Js(thrown) => set("cause", thrown.clone()),
    }
    MobprocError::new(error.code(), &error.message(), &details).into()
}

/// Any `Result` of the client as JavaScript sees it: the value, or a thrown `MobprocError`.
#[inline(always)]
pub fn throw<T>(result: Result<T, Error>) -> Result<T, JsValue> {
    result.map_err(|error| to_js(&error))
}
