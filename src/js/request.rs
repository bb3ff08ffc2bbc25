//! `fetch(input, init)` and `fetchJson(input, init)` as JavaScript calls them, turned into a
//! `web_sys::Request` and what the call says about its context.

use super::config::read_overrides;
use super::read::{copy, could_not_read, own};
use crate::client::{invalid_thrown, message_of, set_field, CallContext, Client};
use crate::error::{Error, Result};
use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Headers, Request, RequestInit, Url};

/// A request ready for [`Client`]: the `Request`, and whether it may be replayed after a 401
/// (not when its body is the caller's stream).
pub struct Prepared {
    /// The request, before its headers are set.
    pub request: Request,
    /// Whether a clone may be replayed.
    pub replayable: bool,
}

/// The Request `fetch(input, init)` would send (`fetchJson`'s when `json`), redirects refused
/// unless `"manual"`; the call's context overrides go to `call` (which the caller's future
/// holds for `fetch_with`, rather than a copy moved through here).
pub fn prepare(
    client: &Client,
    input: &JsValue,
    init: &JsValue,
    json: bool,
    call: &mut CallContext,
) -> Result<Prepared> {
    // A nullish `init` (most calls) gives nothing to read.
    let nullish = check_init(init)?;
    // `fetchJson`'s init is a copy already, made here and ours to change.
    let source = input.dyn_ref::<Request>();
    let options = match json {
        true => json_init(source, init)?,
        false => copy(init).map_err(|thrown| could_not_read("init", &thrown))?,
    };
    let read = |key| match nullish {
        true => Ok(JsValue::UNDEFINED),
        false => init_field(&options, key),
    };
    // A Request made from a URL has no header of the caller's but those `init` gives
    // (`fetchJson`'s copy always has headers: the caller's own `init` says).
    let given = match json {
        true => init_field(init, "headers")?,
        false => read("headers")?,
    };
    let no_own_headers = source.is_none() && given.is_undefined();
    let init = if json { &options } else { init };
    let context = read("context")?;
    // A followed redirect would take the Tangoe and context headers to any origin.
    let mut redirect = read("redirect")?;
    if redirect.is_undefined() {
        if let Some(source) = source {
            redirect = crate::client::field(source, "redirect");
        }
    }
    // Compared as JavaScript strings (`===`): nothing copied into Rust; most calls give none.
    // A value `fetch` would refuse (`"nope"`, `null`) is the caller's mistake: said, not
    // taken as `"error"`.
    let redirect = if redirect.is_undefined() || redirect == "error" || redirect == "follow" {
        "error"
    } else if redirect == "manual" {
        "manual"
    } else {
        return Err(Error::invalid_request(
            "init.redirect is not \"follow\", \"error\" or \"manual\"",
        ));
    };
    // On our prototype-free copy the write cannot be refused; `no_redirects` in `fetch_with`
    // checks the Request anyway, for every path.
    set_field(&options, "redirect", &redirect.into());
    let options: &RequestInit = options.unchecked_ref();
    let request = match source {
        Some(source) => {
            crate::client::keep_referrer(source, options);
            Request::new_with_request_and_init(source, options)
        }
        None => {
            let url = resolve(client, input, "input")?;
            crate::client::no_userinfo(&url)?;
            Request::new_with_str_and_init(&url, options)
        }
    }
    .map_err(invalid_thrown)?;
    read_overrides(&context, "init.context", &mut call.overrides)?;
    call.no_own_headers = no_own_headers;
    call.from_request = source.is_some();
    let stream = (json || !nullish)
        && match own(init, "body") {
            Ok(body) => body.is_instance_of::<web_sys::ReadableStream>(),
            Err(_) => true,
        };
    Ok(Prepared {
        request,
        replayable: !stream,
    })
}

/// `fetchJson`'s `init` (checked by `prepare`): `Accept`, and `json` sent as the body (POST
/// unless a method is given).
fn json_init(source: Option<&Request>, init: &JsValue) -> Result<JsValue> {
    let unreadable = |thrown: JsValue| could_not_read("init", &thrown);
    let rest = copy(init).map_err(unreadable)?;
    let get = |key: &str| init_field(&rest, key);
    let json = get("json")?;
    // `json` stays in the copy: the Request constructor reads only RequestInit's members.
    let mut given = get("headers")?;
    if given.is_undefined() || given.is_null() {
        given = match source {
            Some(request) => key_get(request, "headers").map_err(unreadable)?,
            None => JsValue::UNDEFINED,
        };
    }
    // `new Headers(undefined)` is empty Headers, as `new Headers()`.
    let headers = Headers::new_with_str_sequence_sequence(&given).map_err(unreadable)?;
    if !headers.has("accept").unwrap_or(false) {
        let _ = headers.set("accept", "application/json");
    }
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
        // A Request's own method stays, unless it is one that cannot carry a body.
        // Read through `Reflect`: a getter of the caller's that throws is not thrown through
        // the module.
        let bodiless = source.is_none_or(|request| {
            let method = crate::client::field(request, "method");
            method == "GET" || method == "HEAD"
        });
        if bodiless && get("method")?.is_undefined() {
            set_field(&rest, "method", &"POST".into());
        }
        let _ = headers.set("content-type", "application/json");
    }
    set_field(&rest, "headers", &headers);
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

/// Refuses an `init` that is neither an object nor nullish; `true` when nullish.
fn check_init(init: &JsValue) -> Result<bool> {
    if init.is_undefined() || init.is_null() {
        return Ok(true);
    }
    if super::read::is_object(init) {
        return Ok(false);
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
