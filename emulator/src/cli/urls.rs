//! The start-up check of app origins (`--app-origin`, `MOBPROC_EMU_APP_ORIGIN`) and redirect
//! URIs (`--redirect-uri`, `MOBPROC_EMU_REDIRECT_URI`).
//!
//! Both are compared as exact strings at run time: an origin with the browser's `Origin`
//! header, a redirect URI with the `redirect_uri` the app sends (which `mobproc-auth` and a
//! browser's `URL` write in one normal form). A value that can never match (no scheme, a
//! trailing `/` on an origin, a path without `/`) is refused here, with the value that would
//! work, rather than accepted and silently never matched.

use crate::urls::{default_port, is_loopback_name, Parts};

/// Why `p` is not an absolute http(s) URL a browser could be at, if it is not.
fn not_absolute(p: &Parts) -> Option<&'static str> {
    let scheme = p.scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return Some("the scheme must be http:// or https://");
    }
    if p.host.contains('@') {
        return Some("user information (user@) has no place here");
    }
    let host_ok = if let Some(inner) = p.host.strip_prefix('[') {
        inner.strip_suffix(']').is_some_and(|v6| {
            !v6.is_empty()
                && v6
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        })
    } else {
        !p.host.is_empty()
            && p.host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
    };
    if !host_ok {
        return Some("no valid host");
    }
    if let Some(port) = p.port {
        let n = port.parse::<u16>().ok().filter(|n| *n != 0);
        if n.is_none() || !port.chars().all(|c| c.is_ascii_digit()) {
            return Some("the port must be a number 1..65535");
        }
    }
    None
}

/// `NAME VALUE` for a flag, `NAME=VALUE` for a variable: how to write the fix.
fn usage(name: &str, value: &str) -> String {
    if name.starts_with("--") {
        format!("{name} {value}")
    } else {
        format!("{name}={value}")
    }
}

/// Refusals common to both kinds of value; `Ok(None)` when `v` has no `scheme://`.
fn read<'a>(name: &str, v: &'a str, example: &str) -> Result<Option<Parts<'a>>, String> {
    if v.is_empty() {
        return Err(format!(
            "{name}: empty value; use e.g. {}",
            usage(name, example)
        ));
    }
    if v.chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
    {
        return Err(format!(
            "{name} {v:?}: contains a space, a control character or a backslash"
        ));
    }
    let Some(p) = Parts::split(v) else {
        return Ok(None);
    };
    match not_absolute(&p) {
        Some(why) => Err(format!(
            "{name} {v:?}: not an absolute http(s) URL ({why}); e.g. {}",
            usage(name, example)
        )),
        None => Ok(Some(p)),
    }
}

/// `http://` + `v`, split, if that makes an absolute URL: the likely meaning of a value
/// written without a scheme (`127.0.0.1:5173`).
fn with_http(v: &str) -> Option<String> {
    let likely = |p: &Parts| {
        not_absolute(p).is_none()
            && (p.port.is_some() || p.host.contains('.') || is_loopback_name(p.host))
    };
    Some(format!("http://{v}")).filter(|g| Parts::split(g).is_some_and(|p| likely(&p)))
}

/// Checks an app origin: exactly `scheme://host[:port]` as a browser's `Origin` header
/// writes it (lower case, no default port, no path, no trailing `/`). `name` is the flag or
/// variable it came from, named in the error with the value to use instead.
pub fn check_origin(name: &str, v: &str) -> Result<String, String> {
    let Some(p) = read(name, v, "http://127.0.0.1:5173")? else {
        let fix = match with_http(v).as_deref().and_then(Parts::split) {
            Some(p) => usage(name, &p.origin()),
            None => format!("e.g. {}", usage(name, "http://127.0.0.1:5173")),
        };
        return Err(format!(
            "{name} {v:?}: no scheme (an origin is scheme://host[:port], as the browser sends \
             it); use {fix}"
        ));
    };
    let origin = p.origin();
    if origin == v {
        return Ok(origin);
    }
    let why = if p.rest == "/" {
        "an origin has no trailing / (the browser's Origin header never ends in /)"
    } else if !p.rest.is_empty() {
        "an origin has no path, query or fragment (the page's own URL goes in --redirect-uri)"
    } else if p.port.is_some() && p.port == default_port(p.scheme) {
        "the browser leaves the scheme's default port out of its Origin header"
    } else {
        "the browser's Origin header has scheme and host in lower case"
    };
    Err(format!("{name} {v:?}: {why}; use {}", usage(name, &origin)))
}

/// Checks a redirect URI: an absolute http(s) URL without a fragment (RFC 6749 §3.1.2), in
/// the form a browser's `URL` and `mobproc-auth` write it (lower-case scheme and host, no
/// default port, a path of at least `/`), since the sign-in request carries that form.
pub fn check_redirect_uri(name: &str, v: &str) -> Result<String, String> {
    let Some(p) = read(name, v, "http://127.0.0.1:5173/")? else {
        let fix = match with_http(v).as_deref().and_then(Parts::split) {
            Some(p) => usage(name, &normal_form(&p)),
            None => format!("e.g. {}", usage(name, "http://127.0.0.1:5173/")),
        };
        return Err(format!(
            "{name} {v:?}: no scheme (a redirect URI is an absolute URL); use {fix}"
        ));
    };
    if v.contains('#') {
        return Err(format!(
            "{name} {v:?}: a redirect URI has no #fragment (RFC 6749 §3.1.2: the token goes \
             there); use {}",
            usage(name, &normal_form(&p))
        ));
    }
    let normal = normal_form(&p);
    if normal != v {
        return Err(format!(
            "{name} {v:?}: a browser (and mobproc-auth) writes this URL as {normal}, and that is \
             what the sign-in request will carry; use {}",
            usage(name, &normal)
        ));
    }
    Ok(normal)
}

/// `origin` + the rest without its fragment, with `/` for an empty path.
fn normal_form(p: &Parts) -> String {
    let rest = p.rest.split('#').next().unwrap_or_default();
    let slash = if rest.starts_with('/') { "" } else { "/" };
    format!("{}{slash}{rest}", p.origin())
}
