//! The `createClient` config and the small option objects of the methods, read into the
//! Rust types: own fields only, JavaScript types checked here, values checked by the core.

use super::read::{
    array, could_not_read, is_object, only_known, optional_string, own, plain_object,
    string_or_null, whole, Fault,
};
use crate::client::{in_browser_page, LoginOptions};
use crate::config::{ClientAuth, Config};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::text::{cat, decimal};
use wasm_bindgen::JsValue;

/// The fields `createClient` knows, as JavaScript names them.
const FIELDS: &[&str] = &[
    "clientId",
    "tenant",
    "apiBaseUrl",
    "authorizeUrl",
    "redirectUri",
    "scope",
    "allowedOrigins",
    "storageKey",
    "tokenUrl",
    "validateUrl",
    "revokeUrl",
    "clientSecret",
    "clientAuth",
    "refreshSkewSeconds",
    "timeoutMs",
    "context",
    "activityId",
];

/// The context fields, in header order.
const CONTEXT_FIELDS: &[&str] = &["employeeId", "companyEmployeeId", "hierarchyId"];

/// Reads the `createClient` config.
pub fn read_config(value: &JsValue) -> Result<Config> {
    if !is_object(value) {
        return Err(Error::config("config", "must be an object"));
    }
    fields(value).map_err(|fault| fault.named("config"))
}

/// The string fields, in the order `fields` reads them; the first three are required.
const STRINGS: [&str; 11] = [
    "clientId",
    "tenant",
    "apiBaseUrl",
    "authorizeUrl",
    "redirectUri",
    "scope",
    "storageKey",
    "tokenUrl",
    "validateUrl",
    "revokeUrl",
    "clientSecret",
];

fn fields(value: &JsValue) -> Result<Config, Fault> {
    plain_object(value, "config", "must be an object")?;
    only_known(value, FIELDS, "", "is not a known option")?;
    let mut strings: [Option<String>; 11] = Default::default();
    for (i, (slot, key)) in strings.iter_mut().zip(STRINGS).enumerate() {
        *slot = optional_string(own(value, key)?, key)?;
        if i < 3 && slot.is_none() {
            return Err(Error::config(key, "is required").into());
        }
    }
    let [client_id, tenant, api_base_url, authorize_url, redirect_uri, scope, storage_key, token_url, validate_url, revoke_url, client_secret] =
        strings;
    let number = |key: &str, max: f64| -> Result<Option<u32>, Fault> {
        let v = own(value, key)?;
        if v.is_null() {
            return Ok(None);
        }
        match whole(&v, 0.0, max) {
            None => Ok(None),
            Some(Ok(n)) => Ok(Some(n as u32)),
            Some(Err(())) => Err(Error::config_owned(
                key,
                cat(&["must be an integer from 0 to ", &decimal(max as u64)]),
            )
            .into()),
        }
    };
    let origins = own(value, "allowedOrigins")?;
    let mut allowed_origins = Vec::new();
    if !origins.is_undefined() && !origins.is_null() {
        let list: Option<js_sys::Array> = array(&origins)?.then(|| origins.clone().into());
        let list = list.filter(|l| l.length() <= 64).ok_or_else(|| {
            Error::config(
                "allowedOrigins",
                "must be an array of at most 64 origin strings",
            )
        })?;
        for (i, origin) in list.iter().enumerate() {
            let origin = super::read::text(&origin)?
                .filter(|o| !o.contains(['\r', '\n']))
                .ok_or_else(|| {
                    Error::config(
                        &cat(&["allowedOrigins[", &decimal(i as u64), "]"]),
                        "must be an origin string",
                    )
                })?;
            allowed_origins.push(origin);
        }
    }
    if client_secret.is_some() && in_browser_page() {
        return Err(Error::InsecureGrant(
            "a clientSecret is refused in a browser page, where it cannot stay secret: \
             use login() (the implicit grant)",
        )
        .into());
    }
    let auth = own(value, "clientAuth")?;
    let client_auth = match auth.as_string().as_deref() {
        _ if auth.is_undefined() || auth.is_null() => ClientAuth::Basic,
        Some("basic") => ClientAuth::Basic,
        Some("body") => ClientAuth::Body,
        _ => return Err(Error::config("clientAuth", "must be \"basic\" or \"body\"").into()),
    };
    Ok(Config {
        client_id: client_id.unwrap_or_default(),
        tenant: tenant.unwrap_or_default(),
        api_base_url: api_base_url.unwrap_or_default(),
        authorize_url,
        redirect_uri,
        scope,
        allowed_origins,
        storage_key,
        token_url,
        validate_url,
        revoke_url,
        client_secret,
        client_auth,
        refresh_skew_seconds: number("refreshSkewSeconds", 86_400.0)?,
        timeout_ms: number("timeoutMs", 600_000.0)?,
        context: read_context(&own(value, "context")?, "context")?,
        activity_id: read_activity_id(&own(value, "activityId")?)?,
    })
}

/// A context object as `setContext` and the config take it: `null` or `undefined` for none.
pub fn read_context(value: &JsValue, name: &str) -> Result<Context> {
    let [a, b, c] = read_overrides(value, name)?;
    Ok(Context {
        employee_id: a.flatten(),
        company_employee_id: b.flatten(),
        hierarchy_id: c.flatten(),
    })
}

/// A context object's three values: `None` when not given, `Some(None)` for `null`.
pub fn read_overrides(value: &JsValue, name: &str) -> Result<[Option<Option<String>>; 3]> {
    if value.is_undefined() || value.is_null() {
        return Ok([None, None, None]);
    }
    let read = || -> Result<[Option<Option<String>>; 3], Fault> {
        plain_object(value, name, "must be an object or null")?;
        let prefix = cat(&[name, "."]);
        only_known(value, CONTEXT_FIELDS, &prefix, "is not a context field")?;
        let mut out = [None, None, None];
        for (slot, key) in out.iter_mut().zip(CONTEXT_FIELDS) {
            *slot = string_or_null(own(value, key)?, &cat(&[&prefix, key]))?;
        }
        Ok(out)
    };
    read().map_err(|fault| fault.named(name))
}

/// An activity id: a string, or `null`/`undefined` for none.
pub fn read_activity_id(value: &JsValue) -> Result<Option<String>> {
    Ok(string_or_null(value.clone(), "activityId")?.flatten())
}

/// `{ returnTo? }` of `login` and `authorizeUrl`.
pub fn read_login_options(value: &JsValue) -> Result<LoginOptions> {
    if value.is_undefined() || value.is_null() {
        return Ok(LoginOptions::default());
    }
    if !is_object(value) {
        return Err(Error::config("options", "must be an object"));
    }
    let return_to = own(value, "returnTo").map_err(|fault| fault.named("options"))?;
    Ok(LoginOptions {
        return_to: optional_string(return_to, "returnTo")?,
    })
}

/// `config_invalid` for a value that threw while read as `field`.
pub fn unreadable(field: &str, thrown: &JsValue) -> Error {
    could_not_read(field, thrown)
}
