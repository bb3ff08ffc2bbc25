//! What a failed request threw, made safe to keep as an error's `cause`.

use super::value::{field, set_field};
use wasm_bindgen::{JsCast, JsValue};

/// How many `cause`s deep a copy follows (Node's fetch: `TypeError` → `HTTPParserError`).
const DEPTH: u8 = 3;

/// `thrown` as a plain `Error` that may be logged: its `name`, `message` and `code` (at most
/// 2000 characters each, with the call's secrets hidden (`hide`)), and the same of its `cause`,
/// three deep; nothing else. Node's fetch keeps the raw bytes of an answer it could not parse
/// on its errors (`HTTPParserError.data`): from a server that echoes the request, the token,
/// a password or the client secret would reach whoever logs the error. A primitive (a string
/// a wrapped `fetch` rejected with) is kept, a string hidden the same way.
pub fn scrubbed(thrown: &JsValue, secrets: &[String]) -> JsValue {
    copy(thrown, secrets, DEPTH)
}

fn copy(thrown: &JsValue, secrets: &[String], depth: u8) -> JsValue {
    // Searched whole, then cut: a secret is not split at the cut and half shown.
    let text = |value: JsValue| {
        let text = value.dyn_into::<js_sys::JsString>().ok()?;
        Some(JsValue::from(hide_all(&text, secrets).slice(0, 2000)))
    };
    if !thrown.is_object() {
        return text(thrown.clone()).unwrap_or_else(|| thrown.clone());
    }
    let plain = js_sys::Error::new("");
    for key in ["name", "message", "code"] {
        if let Some(value) = text(field(thrown, key)) {
            set_field(&plain, key, &value);
        }
    }
    let inner = field(thrown, "cause");
    if depth > 0 && !inner.is_undefined() {
        set_field(&plain, "cause", &copy(&inner, secrets, depth - 1));
    }
    plain.into()
}

/// `text` with each of `secrets` replaced by `[redacted]` (`api::hide`).
pub fn hide_all(text: &js_sys::JsString, secrets: &[String]) -> js_sys::JsString {
    let mut hidden = text.clone();
    for secret in secrets {
        hidden = super::api::hide(&hidden, secret);
    }
    hidden
}
