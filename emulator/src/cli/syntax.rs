//! The syntax of `--tenant`, `--user` and `--client`: extra tenants, users and clients.
//!
//! A user is `USERNAME:PASSWORD:TENANT[:EMPLOYEEID[:NAME[:EMAIL]]]`. Fields are separated by
//! `:`; the only exception is a leading `SOURCE://` (Tangoe's `command://jdoe` form), which
//! belongs to the username. So `command://jdoe:pw:XYZ` is user `command://jdoe`, password `pw`.
//! No field may contain `:` otherwise. Empty optional fields take their defaults.

use crate::seed::spec::{ClientSpec, UserSpec};

/// The syntax of a `--user` value, for error messages and help.
pub const USER_SYNTAX: &str = "USERNAME:PASSWORD:TENANT[:EMPLOYEEID[:NAME[:EMAIL]]]";

/// True for a non-empty code of ASCII letters, digits, `-`, `_` and `.`.
fn is_code(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Parses a tenant code (letters, digits, `-`, `_`, `.`).
pub fn parse_tenant(s: &str) -> Result<String, String> {
    let s = s.trim();
    if is_code(s) {
        Ok(s.to_string())
    } else {
        Err(format!(
            "tenant {s:?}: use letters, digits, '-', '_' or '.'"
        ))
    }
}

/// Splits off the username: a leading `SOURCE://` stays with it.
fn split_login(spec: &str) -> Option<(String, &str)> {
    let (prefix, body) = match spec.split_once("://") {
        Some((src, after)) if is_code(src) => (format!("{src}://"), after),
        _ => (String::new(), spec),
    };
    let (name, rest) = body.split_once(':')?;
    (!name.is_empty()).then(|| (format!("{prefix}{name}"), rest))
}

fn optional(field: Option<&&str>) -> Option<String> {
    field.filter(|f| !f.is_empty()).map(|f| f.to_string())
}

/// Parses a `--user` value (see the module documentation).
pub fn parse_user(spec: &str) -> Result<UserSpec, String> {
    let bad = |why: &str| format!("user {spec:?}: {why}; expected {USER_SYNTAX}");
    let (login, rest) = split_login(spec).ok_or_else(|| bad("no username"))?;
    let fields: Vec<&str> = rest.split(':').collect();
    if !(2..=5).contains(&fields.len()) {
        return Err(bad("wrong number of ':'-separated fields"));
    }
    let password = fields.first().copied().unwrap_or_default();
    if password.is_empty() {
        return Err(bad("empty password"));
    }
    let tenant = fields.get(1).copied().unwrap_or_default();
    let tenant = parse_tenant(tenant).map_err(|e| bad(&e))?;
    let employee_id = optional(fields.get(2));
    if employee_id.as_deref().is_some_and(|id| !is_code(id)) {
        return Err(bad("employee id: use letters, digits, '-', '_' or '.'"));
    }
    let email = optional(fields.get(4));
    if email.as_deref().is_some_and(|e| !e.contains('@')) {
        return Err(bad("the e-mail has no '@'"));
    }
    Ok(UserSpec {
        login,
        password: password.to_string(),
        tenant,
        employee_id,
        name: optional(fields.get(3)),
        email,
    })
}

/// Parses a `--client` value, `ID[:SECRET]`; the secret may contain `:`.
pub fn parse_client(spec: &str) -> Result<ClientSpec, String> {
    let (id, secret) = match spec.split_once(':') {
        Some((id, secret)) => (id, Some(secret)),
        None => (spec, None),
    };
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_graphic()) {
        return Err(format!(
            "client {spec:?}: the id must be non-empty printable ASCII without spaces; expected ID[:SECRET]"
        ));
    }
    if secret == Some("") {
        return Err(format!(
            "client {spec:?}: empty secret (leave out the ':' for a public client)"
        ));
    }
    Ok(ClientSpec {
        id: id.to_string(),
        secret: secret.map(String::from),
    })
}
