//! Reading JavaScript arguments defensively and turning errors into JavaScript values.
//!
//! Arguments arrive as `JsValue` and are checked here, so a wrong type is a `config_invalid`
//! error rather than a wasm trap. Only own properties are read: a polluted
//! `Object.prototype` cannot inject configuration.

use crate::prelude::*;

use super::client::WebError;
use crate::config::RawConfig;
use crate::error::Error;
use crate::text::{cat, decimal};
use crate::token::SessionInfo;
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The config fields `createClient` knows; anything else is refused as a likely typo.
const CONFIG_FIELDS: &[&str] = &[
    "clientId",
    "tenant",
    "apiBaseUrl",
    "authorizeUrl",
    "redirectUri",
    "scope",
    "allowedOrigins",
    "storageKey",
];

const UNKNOWN_FIELD: &str = "is not a known option (known: clientId, tenant, apiBaseUrl, \
     authorizeUrl, redirectUri, scope, allowedOrigins, storageKey)";

/// Reads and type-checks the `createClient` config object.
pub fn read_config(value: &JsValue) -> Result<RawConfig, Error> {
    let obj = plain_object(value, "config")?;
    for key in Object::keys(&obj).iter() {
        let key = key.as_string().unwrap_or_default();
        if !CONFIG_FIELDS.contains(&key.as_str()) {
            let key: String = key.chars().take(64).collect();
            return Err(Error::config(&key, UNKNOWN_FIELD));
        }
    }
    let required =
        |name: &str| optional_string(&obj, name)?.ok_or_else(|| Error::config(name, "is required"));
    Ok(RawConfig {
        client_id: required("clientId")?,
        tenant: required("tenant")?,
        api_base_url: required("apiBaseUrl")?,
        authorize_url: optional_string(&obj, "authorizeUrl")?,
        redirect_uri: optional_string(&obj, "redirectUri")?,
        scope: optional_string(&obj, "scope")?,
        allowed_origins: string_array(&obj, "allowedOrigins")?,
        storage_key: optional_string(&obj, "storageKey")?,
    })
}

/// Reads `{ returnTo? }` of `login` and `authorizeUrl`.
pub fn read_return_to(options: &JsValue) -> Result<Option<String>, Error> {
    if options.is_undefined() || options.is_null() {
        return Ok(None);
    }
    let obj = plain_object(options, "options")?;
    optional_string(&obj, "returnTo")
}

/// An object that is not `null`, an array or a function.
pub fn plain_object(value: &JsValue, name: &str) -> Result<Object, Error> {
    if !value.is_object() || Array::is_array(value) {
        return Err(Error::config(name, "must be an object"));
    }
    Ok(value.clone().unchecked_into())
}

/// An own property: absent or `undefined` is `None`; present, it must be a string.
pub fn optional_string(obj: &Object, name: &str) -> Result<Option<String>, Error> {
    let value = own(obj, name)?;
    if value.is_undefined() {
        return Ok(None);
    }
    value
        .as_string()
        .map(Some)
        .ok_or_else(|| Error::config(name, "must be a string"))
}

fn string_array(obj: &Object, name: &str) -> Result<Vec<String>, Error> {
    let value = own(obj, name)?;
    if value.is_undefined() {
        return Ok(Vec::new());
    }
    if !Array::is_array(&value) {
        return Err(Error::config(name, "must be an array of origin strings"));
    }
    let array: Array = value.unchecked_into();
    if array.length() > 64 {
        return Err(Error::config(name, "must have at most 64 entries"));
    }
    array
        .iter()
        .enumerate()
        .map(|(i, v)| {
            v.as_string().ok_or_else(|| {
                Error::config(
                    &cat(&[name, "[", &decimal(i as u64), "]"]),
                    "must be a string",
                )
            })
        })
        .collect()
}

fn own(obj: &Object, name: &str) -> Result<JsValue, Error> {
    let key = JsValue::from_str(name);
    if !Object::has_own(obj, &key) {
        return Ok(JsValue::UNDEFINED);
    }
    Reflect::get(obj, &key).map_err(|_| Error::config(name, "could not be read"))
}

/// `{ expiresAt, scope, hasRefreshToken }` for `client.session()`.
pub fn session_to_js(info: &SessionInfo) -> JsValue {
    let obj = Object::new();
    set(
        &obj,
        "expiresAt",
        &JsValue::from_f64(info.expires_at_ms as f64),
    );
    set(
        &obj,
        "scope",
        &info
            .scope
            .as_deref()
            .map_or(JsValue::NULL, JsValue::from_str),
    );
    set(
        &obj,
        "hasRefreshToken",
        &JsValue::from_bool(info.has_refresh_token),
    );
    obj.into()
}

/// A JavaScript `Error` named `MobprocError` with the stable `code` and the details the
/// package's `MobprocError` class carries; the ESM entry re-creates it as that class.
pub fn error_to_js(err: WebError) -> JsValue {
    let js = js_sys::Error::new(&err.error.message());
    js.set_name("MobprocError");
    set(&js, "code", &JsValue::from_str(err.error.code()));
    match &err.error {
        Error::ConfigInvalid { field, .. } => set(&js, "field", &JsValue::from_str(field)),
        Error::AuthorizationDenied { error, description } => {
            set(&js, "oauthError", &JsValue::from_str(error));
            if let Some(d) = description {
                set(&js, "oauthErrorDescription", &JsValue::from_str(d));
            }
        }
        Error::OriginNotAllowed { origin } => set(&js, "origin", &JsValue::from_str(origin)),
        _ => {}
    }
    if let Some(cause) = &err.cause {
        set(&js, "cause", cause);
    }
    js.into()
}

/// [`error_to_js`] for a core error.
pub fn fail(error: Error) -> JsValue {
    error_to_js(error.into())
}

fn set(obj: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}
