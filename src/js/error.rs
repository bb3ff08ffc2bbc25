//! Errors cross into JavaScript as the package's `MobprocError` (a real `Error` subclass),
//! built here once from [`Error::code`], its message and its details.

use crate::error::{Cause, Error};
use js_sys::Reflect;
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
    let details = super::output::object(&error.details(), false);
    if details.is_object() {
        let cause = match error.cause() {
            Cause::None => None,
            Cause::Error(inner) => Some(to_js(inner)),
            Cause::Js(thrown) => Some(thrown.clone()),
        };
        if let Some(cause) = cause {
            let _ = Reflect::set(&details, &"cause".into(), &cause);
        }
    }
    MobprocError::new(error.code(), &error.message(), &details).into()
}

/// Any `Result` of the client as JavaScript sees it: the value, or a thrown `MobprocError`.
#[inline(always)]
pub fn throw<T>(result: Result<T, Error>) -> Result<T, JsValue> {
    result.map_err(|error| to_js(&error))
}
