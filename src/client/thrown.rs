//! What a failed request threw, made safe to keep as an error's `cause`.

use super::value::{field, set_field};
use wasm_bindgen::{JsCast, JsValue};

/// How many `cause`s deep a copy follows (Node's fetch: `TypeError` → `HTTPParserError`).
const DEPTH: u8 = 3;

/// What a text that quoted a secret becomes: replaced whole, since `[redacted]` in its place
/// would show where a weak one stood (a password `fetch` in `fetch failed`).
const QUOTED: &str = "[redacted: it quoted what was sent]";

/// `thrown` as a plain `Error` (a `TypeError` if it was one) that may be logged: its `name`,
/// `code` and `syscall` when they are identifiers (`TypeError`, `ECONNREFUSED`, `connect`),
/// its `message` (at most 2000 characters; [`QUOTED`] if it quoted one of `secrets`), and the
/// same of its `cause`, three deep; nothing else. Node's fetch keeps the raw bytes of an
/// answer it could not parse on its errors (`HTTPParserError.data`): from a server that echoes
/// the request, the token, a password or the client secret would reach whoever logs the error.
/// A string (what a wrapped `fetch` rejected with) is treated as a message, a Symbol becomes
/// `"symbol"` (its description is text too), and other primitives are kept.
pub fn scrubbed(thrown: &JsValue, secrets: &[String]) -> JsValue {
    copy(thrown, secrets, DEPTH)
}

fn copy(thrown: &JsValue, secrets: &[String], depth: u8) -> JsValue {
    // Searched whole, then cut: a secret is not split at the cut and half shown.
    let message = |value: &JsValue| {
        let text = value.dyn_ref::<js_sys::JsString>()?;
        Some(match hide_all(text, secrets) == *text {
            true => JsValue::from(text.slice(0, 2000)),
            false => JsValue::from_str(QUOTED),
        })
    };
    if !(thrown.is_object() || thrown.is_function()) {
        return match message(thrown) {
            Some(text) => text,
            None if thrown.is_symbol() => thrown.js_typeof(),
            None => thrown.clone(),
        };
    }
    // A `TypeError` (what `fetch` throws for a network failure) stays one, for callers that
    // test `cause instanceof TypeError`; anything else becomes a plain `Error`.
    let plain: js_sys::Error = match thrown.is_instance_of::<js_sys::TypeError>() {
        true => js_sys::TypeError::new("").unchecked_into(),
        false => js_sys::Error::new(""),
    };
    for key in ["name", "code", "syscall"] {
        let value = field(thrown, key);
        if value.as_string().is_some_and(|text| is_identifier(&text)) {
            set_field(&plain, key, &value);
        }
    }
    if let Some(text) = message(&field(thrown, "message")) {
        set_field(&plain, "message", &text);
    }
    // What consoles print: the stack's first line was written before the name and message.
    set_field(&plain, "stack", &plain.to_string());
    let inner = field(thrown, "cause");
    if depth > 0 && !inner.is_undefined() {
        set_field(&plain, "cause", &copy(&inner, secrets, depth - 1));
    }
    plain.into()
}

/// Whether `text` is a short identifier: letters, digits and `_`, 1 to 64 of them.
fn is_identifier(text: &str) -> bool {
    (1..=64).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// `text` with each of `secrets` replaced by `[redacted]` (`api::hide`).
pub fn hide_all(text: &js_sys::JsString, secrets: &[String]) -> js_sys::JsString {
    let mut hidden = text.clone();
    for secret in secrets {
        hidden = super::api::hide(&hidden, secret);
    }
    hidden
}
