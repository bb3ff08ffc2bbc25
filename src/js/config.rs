//! The `createClient` config and the small option objects of the methods, read into the
//! Rust types: own fields only, JavaScript types checked here, values checked by the core.

use super::read::{
    array, could_not_read, is_object, only_known, optional_string, own, own_in, plain_object,
    string_or_null, whole, Fault,
};
use crate::client::{refused_in_browser, LoginOptions, PopupOptions};
use crate::config::{origin_field, ClientAuth, Config, ResponseType};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::text::{cat, every_byte};
use wasm_bindgen::JsValue;

/// A list of known keys and the reason that refuses any other key, which names them all:
/// written out at compile time rather than joined at run time.
macro_rules! known {
    ($(#[$doc:meta])* $list:ident, $reason:ident, $why:literal, $first:literal $(, $name:literal)*) => {
        $(#[$doc])*
        const $list: &[&str] = &[$first $(, $name)*];
        /// The reason an unknown key is refused, naming the known ones.
        const $reason: &str = concat!($why, " (known: ", $first $(, ", ", $name)*, ")");
    };
}

known!(
    /// The fields `createClient` knows, in the order `fill` reads them: the strings (the
    /// first three required), then the others.
    KNOWN,
    UNKNOWN_OPTION,
    "is not a known option",
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
    "allowedOrigins",
    "clientAuth",
    "refreshSkewSeconds",
    "timeoutMs",
    "context",
    "activityId",
    "responseType",
    "shareSessionAcrossTabs"
);

known!(
    /// The context fields, in header order.
    CONTEXT_FIELDS,
    UNKNOWN_CONTEXT_FIELD,
    "is not a context field",
    "employeeId",
    "companyEmployeeId",
    "hierarchyId"
);

/// Reads the `createClient` config.
pub fn read_config(value: &JsValue) -> Result<Config> {
    if !is_object(value) {
        return Err(Error::config("config", "must be an object"));
    }
    fields(value).map_err(|fault| fault.named("config"))
}

fn fields(value: &JsValue) -> Result<Config, Fault> {
    plain_object(value, "config", "must be an object")?;
    only_known(value, KNOWN, "", UNKNOWN_OPTION, false)?;
    // Filled in place: an error drops one `Config`, not a ladder of half-read fields.
    let mut config = Config::default();
    fill(value, &mut config)?;
    Ok(config)
}

// Not inlined into `read_config` (−50 B gzip, with LTO).
#[inline(never)]
fn fill(value: &JsValue, c: &mut Config) -> Result<(), Fault> {
    let required = [&mut c.client_id, &mut c.tenant, &mut c.api_base_url];
    for (slot, key) in required.into_iter().zip(KNOWN) {
        *slot = optional_string(own(value, key)?, key)?
            .ok_or_else(|| Error::config(key, "is required"))?;
    }
    let slots: [&mut Option<String>; 8] = [
        &mut c.authorize_url,
        &mut c.redirect_uri,
        &mut c.scope,
        &mut c.storage_key,
        &mut c.token_url,
        &mut c.validate_url,
        &mut c.revoke_url,
        &mut c.client_secret,
    ];
    for (slot, key) in slots.into_iter().zip(KNOWN.get(3..).unwrap_or_default()) {
        *slot = optional_string(own(value, key)?, key)?;
    }
    c.allowed_origins = origins(&own(value, "allowedOrigins")?)?;
    refused_in_browser(&c.client_secret, &c.validate_url)?;
    let auth = own(value, "clientAuth")?;
    // Compared as JavaScript strings (`===`): nothing copied into Rust.
    c.client_auth = if auth.is_undefined() || auth.is_null() || auth == "basic" {
        ClientAuth::Basic
    } else if auth == "body" {
        ClientAuth::Body
    } else {
        return Err(Error::config("clientAuth", "must be \"basic\" or \"body\"").into());
    };
    c.refresh_skew_seconds = number(
        &own(value, "refreshSkewSeconds")?,
        "refreshSkewSeconds",
        0.0,
        86_400,
        "must be an integer from 0 to 86400",
    )?;
    c.timeout_ms = number(
        &own(value, "timeoutMs")?,
        "timeoutMs",
        1.0,
        600_000,
        "must be an integer from 1 to 600000",
    )?;
    read_context(&own(value, "context")?, "context", &mut c.context)?;
    c.activity_id = read_activity_id(&own(value, "activityId")?)?;
    let response_type = own(value, "responseType")?;
    let rt = &response_type;
    c.response_type = if rt.is_undefined() || rt.is_null() || *rt == "token" {
        ResponseType::Token
    } else if *rt == "code" {
        ResponseType::Code
    } else {
        return Err(Error::config("responseType", "must be \"token\" or \"code\"").into());
    };
    let share = own(value, "shareSessionAcrossTabs")?;
    c.share_session_across_tabs = match share.as_bool() {
        _ if share.is_undefined() || share.is_null() => None,
        Some(share) => Some(share),
        None => return Err(Error::config("shareSessionAcrossTabs", "must be a boolean").into()),
    };
    Ok(())
}

/// A whole number from `min` to `max`; `None` when `undefined` or `null`; else `reason`.
fn number(
    v: &JsValue,
    key: &str,
    min: f64,
    max: u32,
    reason: &'static str,
) -> Result<Option<u32>, Error> {
    if v.is_null() {
        return Ok(None);
    }
    match whole(v, min, f64::from(max)) {
        None => Ok(None),
        Some(Ok(n)) => Ok(Some(n as u32)),
        Some(Err(())) => Err(Error::config(key, reason)),
    }
}

/// `allowedOrigins`: at most 64 strings.
fn origins(origins: &JsValue) -> Result<Vec<String>, Fault> {
    let mut out = Vec::new();
    if origins.is_undefined() || origins.is_null() {
        return Ok(out);
    }
    // Read through Reflect: an element getter or a Proxy trap may throw.
    let length = match array(origins)? {
        true => js_sys::Reflect::get(origins, &"length".into())?.as_f64(),
        false => None,
    };
    let length = length.filter(|n| *n <= 64.0).ok_or_else(|| {
        Error::config(
            "allowedOrigins",
            "must be an array of at most 64 origin strings",
        )
    })?;
    for i in 0..length as u32 {
        let origin = js_sys::Reflect::get(origins, &JsValue::from(i))?;
        // Named by its index, as the core's checks name it, also when it is too long.
        let field = origin_field(i as usize);
        let origin = super::read::text_of(&origin, Some(&field))?
            .filter(|o| every_byte(o, |b| b != b'\r' && b != b'\n'))
            .ok_or_else(|| Error::config(&field, "must be an origin string"))?;
        out.push(origin);
    }
    Ok(out)
}

/// A context object as `setContext` and the config take it, into `out` (a default one):
/// `null` or `undefined` for none. In place: no 36-byte `Result<Context>` to return.
pub fn read_context(value: &JsValue, name: &str, out: &mut Context) -> Result<()> {
    let mut values = [None, None, None];
    read_overrides(value, name, &mut values)?;
    let [a, b, c] = values;
    *out = Context {
        employee_id: a.flatten(),
        company_employee_id: b.flatten(),
        hierarchy_id: c.flatten(),
    };
    Ok(())
}

/// A context object's three values, into `out` (left as it was when the object is not
/// given): `None` when not given, `Some(None)` for `null`. Written in place rather than
/// returned: no 36-byte `Result` through the `?`s.
pub fn read_overrides(
    value: &JsValue,
    name: &str,
    out: &mut [Option<Option<String>>; 3],
) -> Result<()> {
    if value.is_undefined() || value.is_null() {
        return Ok(());
    }
    let mut read = || -> Result<(), Fault> {
        plain_object(value, name, "must be an object or null")?;
        let prefix = cat(&[name, "."]);
        only_known(value, CONTEXT_FIELDS, &prefix, UNKNOWN_CONTEXT_FIELD, false)?;
        for (slot, key) in out.iter_mut().zip(CONTEXT_FIELDS) {
            *slot = string_or_null(own(value, key)?, &[&prefix, key])?;
        }
        Ok(())
    };
    read().map_err(|fault| fault.named(name))
}

/// An activity id: a string, or `null`/`undefined` for none.
pub fn read_activity_id(value: &JsValue) -> Result<Option<String>> {
    Ok(string_or_null(value.clone(), &["activityId"])?.flatten())
}

known!(
    /// The options of `paginate`: literal objects, so any other key is a typo and refused.
    PAGE_OPTIONS,
    UNKNOWN_PAGE_OPTION,
    "is not an option of paginate",
    "limit",
    "offset",
    "maxPages",
    "context"
);

/// Refuses a key of `paginate`'s options that is not one of them (`limt`).
pub fn only_page_options(value: &JsValue) -> Result<()> {
    only_known(value, PAGE_OPTIONS, "options.", UNKNOWN_PAGE_OPTION, false)
        .map_err(|fault| fault.named("options"))
}

known!(
    /// The options of `loginPopup`, `login` and `authorizeUrl`. The last two ignore
    /// `timeoutMs` (a redirect has no timeout), so that a blocked popup's options can be
    /// handed to `login`, as its `popup_blocked` suggests.
    SIGN_IN_OPTIONS,
    UNKNOWN_SIGN_IN_OPTION,
    "is not an option of login, loginPopup or authorizeUrl",
    "returnTo",
    "timeoutMs"
);

/// `{ returnTo?, timeoutMs? }` of `loginPopup`, into `out` (the defaults): in place, no
/// 20-byte `Result` to return.
pub fn read_popup_options(value: &JsValue, out: &mut PopupOptions) -> Result<()> {
    let return_to = login_options(value, SIGN_IN_OPTIONS, UNKNOWN_SIGN_IN_OPTION)?.return_to;
    if value.is_undefined() || value.is_null() {
        return Ok(());
    }
    let timeout = own_in(value, "timeoutMs", "options")?;
    let timeout_ms = number(
        &timeout,
        "timeoutMs",
        1.0,
        3_600_000,
        "must be an integer from 1 to 3600000",
    )?;
    *out = PopupOptions {
        return_to,
        timeout_ms,
    };
    Ok(())
}

/// `{ returnTo? }` of `login` and `authorizeUrl`.
pub fn read_login_options(value: &JsValue) -> Result<LoginOptions> {
    login_options(value, SIGN_IN_OPTIONS, UNKNOWN_SIGN_IN_OPTION)
}

/// `returnTo` of an option object whose keys are `known`. Another key that names a return
/// or a timeout (`returnto`, `return_to`, `returnUrl`, `timeout`) is refused, not silently
/// left out; any other is ignored, so that an event or a UI library's handler payload
/// (`{ key, domEvent }`) counts as no options.
fn login_options(value: &JsValue, known: &[&str], reason: &'static str) -> Result<LoginOptions> {
    if value.is_undefined() || value.is_null() {
        return Ok(LoginOptions::default());
    }
    if !is_object(value) {
        return Err(Error::config("options", "must be an object"));
    }
    only_known(value, known, "options.", reason, true).map_err(|fault| fault.named("options"))?;
    let return_to = own_in(value, "returnTo", "options")?;
    Ok(LoginOptions {
        return_to: optional_string(return_to, "returnTo")?,
    })
}

/// `{ username, password }` of `signInWithPassword` (read as any property, not only own).
pub fn read_credentials(credentials: &JsValue) -> Result<(String, String)> {
    if !credentials.is_object() && !credentials.is_undefined() && !credentials.is_null() {
        return Err(Error::config(
            "credentials",
            "must be an object { username, password }",
        ));
    }
    let read = |key: &str| -> Result<JsValue> {
        if credentials.is_undefined() || credentials.is_null() {
            return Ok(JsValue::UNDEFINED);
        }
        js_sys::Reflect::get(credentials, &key.into())
            .map_err(|thrown| could_not_read("credentials", &thrown))
    };
    let username = super::read::text_of(&read("username")?, Some("username"))?;
    let username = username.filter(|u| !u.is_empty());
    let username =
        username.ok_or_else(|| Error::config("username", "must be a non-empty string"))?;
    let password = super::read::text_of(&read("password")?, Some("password"))?;
    let password = password.ok_or_else(|| Error::config("password", "must be a string"))?;
    Ok((username, password))
}
