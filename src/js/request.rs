//! `fetch(input, init)` and `fetchJson(input, init)` as JavaScript calls them, turned into a
//! `web_sys::Request` and what the call says about its context.

use super::config::read_overrides;
use super::read::{copy, could_not_read, only_known, own};
use crate::client::{
    invalid_thrown, message_of, set_field, set_redirect, CallContext, Client, Outgoing,
};
use crate::error::{Error, Result};
use js_sys::Reflect;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Headers, Request, Url};

/// A call ready for [`Client`]: what `fetch` is handed, and whether it may be replayed after a
/// 401 (not when its body is the caller's stream).
pub struct Prepared {
    /// The `Request`, or the URL and init, before the headers are set.
    pub outgoing: Outgoing,
    /// Whether it may be sent again.
    pub replayable: bool,
}

/// The members of an `init` that a `Request` made from a URL and that `init` cannot refuse
/// (`headers` are checked by the `Headers` constructor here).
const PLAIN_INIT: [&str; 3] = ["headers", "context", "json"];

/// The call `fetch(input, init)` would make (`fetchJson`'s when `json`), redirects refused
/// unless `"manual"`; the call's context overrides go to `call` (which the caller's future
/// holds for `fetch_with`, rather than a copy moved through here). A URL with an `init` of only
/// [`PLAIN_INIT`] members is sent as `fetch(url, init)`, without a `Request`.
// Not inlined into `fetch`'s async body, where it made that state machine larger (−76 B gzip).
#[inline(never)]
pub fn prepare(
    client: &Client,
    input: &JsValue,
    init: &JsValue,
    json: bool,
    call: &mut CallContext,
) -> Result<Prepared> {
    check_init(init)?;
    let source = input.dyn_ref::<Request>();
    let options = call_init(source, init, json)?;
    let plain = source.is_none() && plain_init(init);
    let init = if json { &options } else { init };
    let context = init_field(&options, "context")?;
    // A followed redirect would take the Tangoe and context headers to any origin.
    let mut redirect = init_field(&options, "redirect")?;
    if redirect.is_undefined() {
        if let Some(source) = source {
            redirect = crate::client::field(source, "redirect");
        }
    }
    // Compared as JavaScript strings (`===`): nothing copied into Rust. On our copy: only a
    // prototype the caller gave it (an own `__proto__` key) could refuse the write, and
    // `Outgoing::request` sends a Request with `"error"` unless it says `"manual"` anyway.
    set_redirect(&options, redirect == "manual");
    let target = match source {
        Some(_) => input.clone(),
        None => resolve(client, input, "input")?.into(),
    };
    let body = own(init, "body");
    let stream = match body {
        Ok(body) => body.is_instance_of::<web_sys::ReadableStream>(),
        Err(_) => true,
    };
    let outgoing = if plain {
        Outgoing {
            input: target,
            init: options,
        }
    } else {
        Outgoing::request(new_request(&target, &options).map_err(invalid_thrown)?)?
    };
    read_overrides(&context, "init.context", &mut call.overrides)?;
    Ok(Prepared {
        outgoing,
        replayable: !stream,
    })
}

#[wasm_bindgen]
extern "C" {
    /// `Request`, constructed from a `Request` or a URL alike.
    #[wasm_bindgen(js_name = Request)]
    type AnyRequest;
    #[wasm_bindgen(catch, constructor, js_class = Request)]
    fn new(input: &JsValue, init: &JsValue) -> std::result::Result<AnyRequest, JsValue>;
}

/// `new Request(input, init)`.
fn new_request(input: &JsValue, init: &JsValue) -> std::result::Result<Request, JsValue> {
    AnyRequest::new(input, init).map(JsCast::unchecked_into)
}

/// Whether `init` has no members but [`PLAIN_INIT`]'s (or is nullish). Its own keys, which
/// `copy` takes too: an own `__proto__` is not one of them.
fn plain_init(init: &JsValue) -> bool {
    !super::read::is_object(init) || only_known(init, &PLAIN_INIT, "", "").is_ok()
}

/// A copy of the call's `init` (checked by `prepare`), ours to change, with its own `Headers`:
/// the given ones, else the source Request's. For `fetchJson` (`json`), `Accept`, and `json`
/// sent as the body (POST unless a method is given).
// Not inlined into `prepare` (−65 B gzip).
#[inline(never)]
fn call_init(source: Option<&Request>, init: &JsValue, json: bool) -> Result<JsValue> {
    // What the `Request` constructor would throw for `fetch`; `init` unreadable for
    // `fetchJson`, which reads it first.
    let unreadable = |thrown: JsValue| match json {
        true => could_not_read("init", &thrown),
        false => invalid_thrown(thrown),
    };
    let rest = copy(init).map_err(unreadable)?;
    let get = |key: &str| init_field(&rest, key);
    // `json` stays in the copy: the Request constructor reads only RequestInit's members.
    let mut given = get("headers")?;
    // `null` headers are refused for `fetch`, as by the Request constructor.
    if given.is_undefined() || (json && given.is_null()) {
        given = match source {
            Some(request) => key_get(request, "headers").map_err(unreadable)?,
            None => JsValue::UNDEFINED,
        };
    }
    // `new Headers(undefined)` is empty Headers, as `new Headers()`.
    let headers = Headers::new_with_str_sequence_sequence(&given).map_err(unreadable)?;
    set_field(&rest, "headers", &headers);
    if !json {
        return Ok(rest);
    }
    if !headers.has("accept").unwrap_or(false) {
        let _ = headers.set("accept", "application/json");
    }
    let json = get("json")?;
    if !json.is_undefined() {
        let body = get("body")?;
        if !body.is_undefined() && !body.is_null() {
            return Err(Error::invalid_request("give `json` or `body`, not both"));
        }
        let text: JsValue = js_sys::JSON::stringify(&json)
            .map_err(|thrown| {
                Error::invalid_request(&crate::text::cat(&[
                    "`json` cannot be serialised as JSON (",
                    &message_of(&thrown),
                    ")",
                ]))
            })?
            .into();
        if !text.is_string() {
            return Err(Error::invalid_request(
                "`json` cannot be serialised as JSON",
            ));
        }
        set_field(&rest, "body", &text);
        if source.is_none() && get("method")?.is_undefined() {
            set_field(&rest, "method", &"POST".into());
        }
        let _ = headers.set("content-type", "application/json");
    }
    Ok(rest)
}

/// A URL or string joined onto the API base (a relative one) or parsed (an absolute one).
pub fn resolve(client: &Client, input: &JsValue, field: &str) -> Result<String> {
    if input.is_instance_of::<Url>() {
        // Read as a property: an object that only borrows URL's prototype throws here.
        let href = key_get(input, "href").map_err(invalid_thrown)?;
        return super::read::text(&href)?
            .ok_or_else(|| Error::invalid_request("the URL has no href"));
    }
    let Some(text) = super::read::text(input)? else {
        let reason = if field == "input" {
            "must be a string, URL or Request"
        } else {
            "must be a string or URL"
        };
        return Err(Error::config(field, reason));
    };
    client.resolve(&text)
}

/// Refuses an `init` that is neither an object nor nullish. Not inlined into `prepare`
/// (−15 B gzip).
#[inline(never)]
fn check_init(init: &JsValue) -> Result<()> {
    if init.is_undefined() || init.is_null() || super::read::is_object(init) {
        return Ok(());
    }
    Err(Error::config(
        "init",
        "must be an object (fetch's RequestInit)",
    ))
}

/// An own field of the call's `init` (a throw is `config_invalid` of `init`).
fn init_field(init: &JsValue, key: &str) -> Result<JsValue> {
    super::read::own_in(init, key, "init")
}

/// `Reflect.get(target, key)`: one copy of the key's making and dropping for every read here.
fn key_get(target: &JsValue, key: &str) -> std::result::Result<JsValue, JsValue> {
    Reflect::get(target, &JsValue::from_str(key))
}
