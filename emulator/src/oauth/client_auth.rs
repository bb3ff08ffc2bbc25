//! Client authentication at the token and revocation endpoints: HTTP Basic with
//! form-urlencoded id and secret (RFC 6749 §2.3.1) or `client_id`/`client_secret` params.

use axum::http::{header, HeaderMap};
use base64::Engine;

use crate::oauth::error::OAuthError;
use crate::params::Params;
use crate::seed::model::{Client, Seed};

/// How the client presented itself.
struct Presented {
    id: String,
    secret: Option<String>,
    basic: bool,
}

fn decode_component(s: &str) -> String {
    form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

fn basic(headers: &HeaderMap) -> Result<Option<(String, String)>, OAuthError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().unwrap_or_default();
    let Some((scheme, rest)) = value.split_once(' ') else {
        return Ok(None);
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Ok(None);
    }
    let bad = || OAuthError::invalid_client("malformed HTTP Basic credentials", true);
    let raw = base64::engine::general_purpose::STANDARD
        .decode(rest.trim())
        .map_err(|_| bad())?;
    let text = String::from_utf8(raw).map_err(|_| bad())?;
    let (id, secret) = text.split_once(':').ok_or_else(bad)?;
    Ok(Some((decode_component(id), decode_component(secret))))
}

fn presented(headers: &HeaderMap, params: &Params) -> Result<Presented, OAuthError> {
    if let Some((id, secret)) = basic(headers)? {
        if params.get("client_secret").is_some() {
            let msg = "use one client authentication method, not HTTP Basic and client_secret";
            return Err(OAuthError::bad("invalid_request", msg));
        }
        if params.get("client_id").is_some_and(|b| b != id) {
            let msg = "client_id differs from the HTTP Basic user";
            return Err(OAuthError::bad("invalid_request", msg));
        }
        return Ok(Presented {
            id,
            secret: Some(secret),
            basic: true,
        });
    }
    let id = params
        .get("client_id")
        .ok_or_else(|| OAuthError::invalid_client("client authentication is required", false))?;
    Ok(Presented {
        id: id.to_string(),
        secret: params.get("client_secret").map(String::from),
        basic: false,
    })
}

/// Authenticates the client. A confidential client must present its secret; a public
/// client is identified by its id alone.
pub fn authenticate<'a>(
    seed: &'a Seed,
    headers: &HeaderMap,
    params: &Params,
) -> Result<&'a Client, OAuthError> {
    let p = presented(headers, params)?;
    let client = seed
        .client(&p.id)
        .ok_or_else(|| OAuthError::invalid_client("unknown client", p.basic))?;
    if let Some(expected) = &client.secret {
        let ok = p
            .secret
            .as_deref()
            .is_some_and(|s| crate::random::same(s, expected));
        if !ok {
            return Err(OAuthError::invalid_client(
                "client authentication failed",
                p.basic,
            ));
        }
    }
    Ok(client)
}
