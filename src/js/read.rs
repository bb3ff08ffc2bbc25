//! Reading what JavaScript hands over: own properties only (a polluted `Object.prototype`
//! must not configure or steer anything), every type checked, and a throwing getter, Proxy
//! trap or revoked Proxy turned into a typed error instead of an exception through the wasm.

use crate::error::Error;
use crate::text::{cat, names_option};
use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = Object, js_name = keys)]
    fn object_keys(value: &JsValue) -> Result<Array, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn is_array(value: &JsValue) -> Result<bool, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Object, js_name = hasOwn)]
    fn has_own(value: &JsValue, key: &str) -> Result<bool, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Object, js_name = assign)]
    fn assign(target: &JsValue, source: &JsValue) -> Result<JsValue, JsValue>;
}

/// What went wrong reading a JavaScript value: a typed error, or what the value threw.
pub enum Fault {
    /// The value is of the wrong shape.
    Invalid(Error),
    /// A getter or Proxy trap threw this.
    Threw(JsValue),
}

impl From<Error> for Fault {
    fn from(error: Error) -> Self {
        Fault::Invalid(error)
    }
}

impl From<JsValue> for Fault {
    fn from(thrown: JsValue) -> Self {
        Fault::Threw(thrown)
    }
}

impl Fault {
    /// The error, a throw being `config_invalid` of `field` ("could not be read").
    pub fn named(self, field: &str) -> Error {
        match self {
            Fault::Invalid(error) => error,
            Fault::Threw(thrown) => could_not_read(field, &thrown),
        }
    }
}

/// `config_invalid`: `field` could not be read, and why.
pub fn could_not_read(field: &str, thrown: &JsValue) -> Error {
    let why = crate::client::message_of(thrown);
    Error::config_owned(field, cat(&["could not be read: ", &why]))
}

/// `typeof value === "object" && value !== null` (functions excluded).
pub fn is_object(value: &JsValue) -> bool {
    value.is_object() && !value.is_function()
}

/// `value[key]` when it is an own property, else `undefined`.
pub fn own(value: &JsValue, key: &str) -> Result<JsValue, Fault> {
    if !value.is_object() || !has_own(value, key)? {
        return Ok(JsValue::UNDEFINED);
    }
    Ok(Reflect::get(value, &JsValue::from_str(key))?)
}

/// [`own`], a throw being `config_invalid` of `field` ("could not be read"): one non-generic
/// copy for the option objects of the methods.
pub fn own_in(value: &JsValue, key: &str, field: &str) -> Result<JsValue, Error> {
    own(value, key).map_err(|fault| fault.named(field))
}

/// An object that is not an array, else `config_invalid` of `field`.
pub fn plain_object(value: &JsValue, field: &str, reason: &'static str) -> Result<(), Fault> {
    // A Map's entries are no properties: taken as an object it would read as empty.
    if !is_object(value) || is_array(value)? || value.is_instance_of::<js_sys::Map>() {
        return Err(Error::config(field, reason).into());
    }
    Ok(())
}

/// `value`'s own keys not in `known`: `config_invalid` of `<prefix><key>` for the first, with
/// `reason` (which lists the known keys: see `known!` in `config.rs`). With `sign_in`, only a
/// key that names `returnTo` or `timeoutMs` another way (`text::names_option`: `returnUrl`,
/// `return_to`, `returTo`) is refused: the option objects of the sign-in methods. (Passing
/// the names in instead of this flag cost 32 B.)
pub fn only_known(
    value: &JsValue,
    known: &[&str],
    prefix: &str,
    reason: &'static str,
    sign_in: bool,
) -> Result<(), Fault> {
    for key in object_keys(value)?.iter() {
        // Compared as JavaScript strings (`===`): a key is copied out only to judge it.
        if known.iter().any(|name| key == *name) {
            continue;
        }
        // Its first 64 characters, all an error quotes (a hostile key of megabytes is not
        // copied into the module's memory, which never shrinks).
        let key = key
            .dyn_ref::<js_sys::JsString>()
            .map(|key| String::from(key.slice(0, 64)))
            .unwrap_or_default();
        if !sign_in || names_option(&key, "returnto") || names_option(&key, "timeoutms") {
            return Err(Error::config(&cat(&[prefix, &key]), reason).into());
        }
    }
    Ok(())
}

/// The most characters one string may carry: far above any real one (a URL, a fragment). A
/// longer one is refused before it is copied into the module's memory.
const MAX_CHARS: u32 = 1 << 22;

/// `value` as a Rust string if it is a JavaScript string; `invalid_request` when oversized.
pub fn text(value: &JsValue) -> Result<Option<String>, Error> {
    text_of(value, None)
}

/// [`text`], for a setting when `field` is given (a config field or argument, rather than a
/// request): oversized, or with a lone surrogate (which Rust's text would turn into U+FFFD, so
/// that two storage keys or passwords became one), it is `config_invalid` naming it.
pub fn text_of(value: &JsValue, field: Option<&str>) -> Result<Option<String>, Error> {
    let Some(js) = value.dyn_ref::<js_sys::JsString>() else {
        return Ok(None);
    };
    if js.length() > MAX_CHARS {
        return Err(match field {
            Some(field) => Error::config(field, "must be at most 4194304 characters"),
            None => Error::invalid_request("a string of more than 4194304 characters"),
        });
    }
    let text = value.as_string();
    if let (Some(field), Some(text)) = (field, &text) {
        // Compared as JavaScript strings (`===`): the copy back differs only there.
        if JsValue::from_str(text) != *value {
            return Err(Error::config(field, "must not hold a lone surrogate"));
        }
    }
    Ok(text)
}

/// An optional string: `undefined` is `None`, anything but a string is `config_invalid`.
pub fn optional_string(value: JsValue, field: &str) -> Result<Option<String>, Error> {
    if value.is_undefined() {
        return Ok(None);
    }
    text_of(&value, Some(field))?
        .map(Some)
        .ok_or_else(|| Error::config(field, "must be a string"))
}

/// A string, `null` or `undefined`: `Some(None)` for `null`. The field's name is given in
/// parts (`context.`, `employeeId`), joined only for an error.
pub fn string_or_null(value: JsValue, field: &[&str]) -> Result<Option<Option<String>>, Error> {
    if value.is_undefined() {
        return Ok(None);
    }
    if value.is_null() {
        return Ok(Some(None));
    }
    let name = cat(field);
    text_of(&value, Some(&name))?
        .map(|s| Some(Some(s)))
        .ok_or_else(|| Error::config(&name, "must be a string or null"))
}

/// A whole number from `min` to `max`, or `None` when `undefined` (or `null`, if `nullish`).
pub fn whole(value: &JsValue, min: f64, max: f64) -> Option<Result<f64, ()>> {
    if value.is_undefined() {
        return None;
    }
    let ok = value
        .as_f64()
        .filter(|n| n.is_finite() && n.fract() == 0.0 && *n >= min && *n <= max);
    Some(ok.ok_or(()))
}

/// A copy of an object's own enumerable properties, on an object without a prototype: a
/// polluted `Object.prototype` adds nothing to it, and an own `__proto__` key stays a plain
/// key, where `{ ...value }` would make it the copy's prototype. What reads it as a
/// dictionary (the `Request` constructor) sees only what the caller gave.
pub fn copy(value: &JsValue) -> Result<JsValue, JsValue> {
    let target = crate::client::bare_object(&JsValue::NULL).into();
    if value.is_undefined() || value.is_null() {
        return Ok(target);
    }
    assign(&target, value)
}

/// Whether `value` is an array (a revoked Proxy throws).
pub fn array(value: &JsValue) -> Result<bool, JsValue> {
    is_array(value)
}
