//! JSON calls: the body parsed on 2xx, Tangoe's error fields on anything else.

use super::http::CallContext;
use super::value::{href, now_ms, parse_json};
use super::Client;
use crate::error::{ApiError, ErrorKind, Result};
use crate::text::{cat, decimal};
use crate::url::is_absolute_reference;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Request, Response};

impl Client {
    /// GETs `path` (joined onto the API base URL; an absolute URL is used as it is) and
    /// parses the JSON body into `T` on 2xx; anything else is `api_error` with Tangoe's fields
    /// (its `correlation_id` among them). The correlation id of a call that succeeded is not
    /// kept with a `T`: [`Client::fetch`] and [`Client::correlation_id`] of its response give it.
    /// An empty body (204) reads as JSON `null`: ask for an `Option<T>` where one may come.
    pub async fn fetch_json<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        let mut call = CallContext::for_url(self.context());
        let request = json_request(&self.resolve(path)?)?;
        let response = self.fetch_with(request, &mut call, true).await?;
        // A 2xx need not be 200: the shape error names the status the body came with.
        let status = super::http::status_of(&response);
        let (value, id) = self.read_json(response, &call).await?;
        shaped(value, status, &id, &call)
    }

    /// The parsed JSON body of a GET of `url`, and the call's correlation id (a JavaScript
    /// string, or `null`); `call` ([`CallContext::for_url`]) then says what it was sent with.
    pub(crate) async fn fetch_json_value(
        &self,
        url: &str,
        call: &mut CallContext,
    ) -> Result<(JsValue, JsValue)> {
        let request = json_request(url)?;
        let response = self.fetch_with(request, call, true).await?;
        self.read_json(response, call).await
    }

    /// A relative reference joined onto the API base path, an absolute one as the URL
    /// parser reads it.
    pub fn resolve(&self, input: &str) -> Result<String> {
        let base = self.0.config.api_base();
        if !is_absolute_reference(input) {
            return Ok(base.join_path(input));
        }
        web_sys::Url::new_with_base(input, base.as_str())
            .map(|url| href(&url))
            .map_err(super::http::invalid_thrown)
    }

    /// The JSON of a response: the parsed body on 2xx (`null` when empty, as for 204), else
    /// `api_error` with Tangoe's fields and `Retry-After`, none of which holds the token
    /// `call` was sent with.
    pub(crate) async fn read_json(
        &self,
        response: Response,
        call: &CallContext,
    ) -> Result<(JsValue, JsValue)> {
        // The body stays a JavaScript string: a large page is parsed where it is, not copied
        // into wasm memory (which never shrinks) and back.
        let text = super::http::body_value(&response).await;
        // Read after the await: fewer values kept across it.
        let id = self.correlation_id_value(&response);
        let status = super::http::status_of(&response);
        let ok = super::http::is_ok(status);
        let text = match text {
            Some(text) => text,
            None => {
                return Err(ErrorKind::NetworkError {
                    why: "the response body could not be read".into(),
                    correlation_id: id.as_string(),
                    status: Some(status),
                    cause: crate::error::Cause::None,
                }
                .into())
            }
        };
        if ok && text.length() == 0 {
            return Ok((JsValue::NULL, id));
        }
        let parsed = match parse_json(&text) {
            Ok(body) if ok => return Ok((body, id)),
            parsed => parsed,
        };
        // Errors are logged and reported: a body that echoes the request (a proxy's or a
        // framework's error page) must not carry the token there, however it was escaped
        // (`hide_token`): a JSON body is written again with JSON's plain escapes first (so a
        // token in a field reads as it is), hidden, and read again.
        let plain = match &parsed {
            Ok(body) => js_sys::JSON::stringify(body).unwrap_or(text),
            Err(_) => text,
        };
        let text = hide_token(&plain, call);
        let parsed = parsed.and_then(|_| parse_json(&text));
        // One error, filled in as the body says: one construction in the module.
        // The defaults written into the allocation, then the fields set there: no 96-byte
        // value built on the stack and copied in.
        let mut error = Box::<ApiError>::default();
        error.status = status;
        error.correlation_id = id.as_string();
        // The summary after `HTTP <status>`, in two parts; whether the body is quoted.
        let mut quote_body = true;
        let (lead, summary) = match parsed {
            Err(_) if ok => (" with a body that is not JSON", String::new()),
            parsed => {
                let body = parsed.unwrap_or(JsValue::UNDEFINED);
                error.retry_after = super::http::response_header(&response, "retry-after")
                    .and_then(|v| retry_after(&v, now_ms()));
                // Tangoe's error body (TANGOE.md, "Errors"): `{status, id, errorCode, message}`.
                let summary = match short(&body, "message") {
                    Some(message) => {
                        quote_body = false;
                        let code = short(&body, "errorCode");
                        let (open, shown, close) = match &code {
                            Some(code) => (" (", code.as_str(), ")"),
                            None => ("", "", ""),
                        };
                        let summary = cat(&[&message, open, shown, close]);
                        error.error_code = code;
                        error.id = short(&body, "id");
                        error.api_message = Some(message);
                        summary
                    }
                    None => {
                        let short = clip(&text, 200);
                        if short.is_empty() {
                            // A reason phrase is the server's too: it may echo the token.
                            let reason = super::value::field(&response, "statusText");
                            reason
                                .dyn_into()
                                .map(|reason| String::from(hide_token(&reason, call)))
                                .unwrap_or_default()
                        } else {
                            short
                        }
                    }
                };
                (": ", summary)
            }
        };
        if quote_body {
            error.body = Some(clip(&text, 1000));
        }
        error.summary = cat(&["HTTP ", &decimal(u64::from(status)), lead, &summary]);
        Err(ErrorKind::ApiError(error).into())
    }
}

/// A JSON body `value` (answered with `status`, 0 where not kept) as the caller's `T`, or
/// `api_error` saying what did not fit, with the token `call` was sent with hidden.
pub(super) fn shaped<T: DeserializeOwned>(
    value: JsValue,
    status: u16,
    id: &JsValue,
    call: &CallContext,
) -> Result<T> {
    serde_wasm_bindgen::from_value(value).map_err(|error| {
        // serde quotes the value it could not take, which may be the token echoed.
        let why = js_sys::JsString::from(error.to_string());
        ErrorKind::ApiError(Box::new(ApiError {
            summary: cat(&[
                "the body does not have the expected shape: ",
                &clip(&hide_token(&why, call), 1000),
            ]),
            status,
            correlation_id: id.as_string(),
            ..ApiError::default()
        }))
        .into()
    })
}

/// `text` with the access token `call` was sent with replaced by `[redacted]` wherever it
/// stands, as it is or escaped (`crate::redact`).
fn hide_token(text: &js_sys::JsString, call: &CallContext) -> js_sys::JsString {
    match &call.sent_with {
        Some(record) => hide(text, record.access_token().secret()),
        None => text.clone(),
    }
}

/// `text` with `secret` replaced by `[redacted]` wherever it stands, as it is or escaped.
pub(super) fn hide(text: &js_sys::JsString, secret: &str) -> js_sys::JsString {
    if secret.is_empty() {
        return text.clone();
    }
    // Caught: a short secret quoted millions of times may grow the text past what a string
    // may hold (`RangeError`), which must not throw through the module.
    let hidden = replace_all_caught(text, secret, REDACTED).and_then(|text| {
        match crate::redact::escaped_pattern(secret) {
            // Valid by construction (escaped punctuation, ASCII letters and digits) and linear.
            Some(pattern) => replace_caught(&text, &js_sys::RegExp::new(&pattern, "gi"), REDACTED),
            None => Ok(text),
        }
    });
    // A text the engine gives up on (out of memory) is not quoted at all.
    hidden.unwrap_or_else(|_| "[not quoted: it could not be searched for the token]".into())
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `String.prototype.replace` with a pattern; what it throws is returned, not thrown
    /// through the module.
    #[wasm_bindgen(catch, js_namespace = ["String", "prototype", "replace"], js_name = call)]
    fn replace_caught(
        text: &js_sys::JsString,
        pattern: &js_sys::RegExp,
        with: &str,
    ) -> std::result::Result<js_sys::JsString, JsValue>;

    /// `String.prototype.replaceAll` with a text, what it throws returned.
    #[wasm_bindgen(catch, js_namespace = ["String", "prototype", "replaceAll"], js_name = call)]
    fn replace_all_caught(
        text: &js_sys::JsString,
        pattern: &str,
        with: &str,
    ) -> std::result::Result<js_sys::JsString, JsValue>;
}

/// What stands for a token in an error.
const REDACTED: &str = "[redacted]";

/// The first `max` characters of a JavaScript string, copied into Rust (a body quoted in an
/// error).
fn clip(text: &js_sys::JsString, max: u32) -> String {
    String::from(text.slice(0, max))
}

/// `object[key]` if it is a string, at most 1000 characters of it: a hostile answer's
/// megabytes stay out of the module's memory (which never shrinks) and out of the error.
fn short(object: &JsValue, key: &str) -> Option<String> {
    let text = super::value::field(object, key).dyn_into().ok()?;
    Some(clip(&text, 1000))
}

/// `Retry-After` in seconds (RFC 9110 §10.2.3: seconds or an HTTP date), when it is one.
pub(super) fn retry_after(value: &str, now_ms: u64) -> Option<u64> {
    // Headers.get strips white space already; SP/HTAB (HTTP's) is all a header value has.
    let value = crate::text::trim_ows(value);
    if let Some(seconds) = crate::text::digits(value) {
        // At most 2^53 − 1, the largest whole number JavaScript holds exactly.
        return Some(seconds.min((1 << 53) - 1));
    }
    // A date names its day or month; "-5" or "1.5" (which Date.parse would take) is no date.
    if crate::text::every_byte(value, |b| !b.is_ascii_alphabetic()) {
        return None;
    }
    let at = js_sys::Date::parse(value);
    if at.is_nan() {
        return None;
    }
    let seconds = ((at - now_ms as f64) / 1000.0).ceil();
    Some(if seconds > 0.0 { seconds as u64 } else { 0 })
}

/// A GET of `url` that asks for JSON.
#[inline(always)]
fn json_request(url: &str) -> Result<Request> {
    super::http::no_userinfo(url)?;
    let request = Request::new_with_str(url).map_err(super::http::invalid_thrown)?;
    // Set on the new request's own (mutable) headers: the same request as one made with an
    // init, without the imports that builds one.
    super::http::set_header(&request, "accept", "application/json");
    Ok(request)
}
