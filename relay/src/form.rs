//! The browser's form: read within the size limit, from the body only, each parameter at
//! most once (RFC 6749 §3.2), and never with client credentials of its own.

use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, StatusCode};
use http_body_util::{BodyExt, LengthLimitError, Limited};

use crate::answer::OAuthError;

/// Largest accepted body. A refresh or validate form is well under 4 KiB.
pub const BODY_LIMIT: usize = 16 * 1024;

/// Parameters the relay knows, quoted by name in its errors (others are not echoed).
const KNOWN: [&str; 8] = [
    "grant_type",
    "refresh_token",
    "token",
    "token_type_hint",
    "scope",
    "client_id",
    "client_secret",
    "client_assertion",
];

/// A parsed form. Its `Debug` names the parameters, never their values (tokens, secrets).
#[derive(Default)]
pub struct Form(Vec<(String, String)>);

impl std::fmt::Debug for Form {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(name, _)| name))
            .finish()
    }
}

impl Form {
    /// Parses `application/x-www-form-urlencoded` bytes; a repeated parameter is refused.
    pub fn parse(bytes: &[u8]) -> Result<Form, OAuthError> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for (name, value) in form_urlencoded::parse(bytes) {
            if pairs.iter().any(|(n, _)| *n == name) {
                let which = KNOWN
                    .iter()
                    .find(|k| **k == name)
                    .map_or("a parameter".to_string(), |k| k.to_string());
                return Err(OAuthError::invalid_request(format!("{which} is repeated")));
            }
            pairs.push((name.into_owned(), value.into_owned()));
        }
        Ok(Form(pairs))
    }

    /// A parameter's value; an empty value counts as absent (RFC 6749 §3.1).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, v)| n == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// Refuses client credentials from the browser: the relay adds its own, and a page that
    /// holds a secret is a misconfiguration to surface, not to forward. A `client_id`, if
    /// sent, must be the relay's (a portal wired to the wrong client fails loudly here).
    pub fn check_client(&self, client_id: &str) -> Result<(), OAuthError> {
        if self.get("client_secret").is_some() || self.get("client_assertion").is_some() {
            return Err(OAuthError::invalid_request(
                "the browser must not send client credentials: the relay adds them",
            ));
        }
        match self.get("client_id") {
            Some(id) if id != client_id => Err(OAuthError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "client_id is not the client this relay speaks for",
            )),
            _ => Ok(()),
        }
    }
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| {
            m.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

fn too_large() -> OAuthError {
    let why = format!("the request body is over {BODY_LIMIT} bytes");
    OAuthError::new(StatusCode::PAYLOAD_TOO_LARGE, "invalid_request", why)
}

/// Reads the form of a POST, whose body must arrive within `deadline` (a caller that stalls
/// must not hold the request, or a shutdown, forever). Parameters in the URL are refused
/// rather than ignored: URLs end up in access logs, and a token must not.
pub async fn read(req: Request, deadline: Duration) -> Result<Form, OAuthError> {
    if req.uri().query().is_some_and(|q| !q.is_empty()) {
        return Err(OAuthError::invalid_request(
            "send the parameters in the form body, not the URL",
        ));
    }
    let headers = req.headers();
    if headers.contains_key(header::AUTHORIZATION) {
        return Err(OAuthError::invalid_request(
            "send no Authorization header: the relay authenticates the client",
        ));
    }
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > BODY_LIMIT as u64) {
        return Err(too_large());
    }
    if !is_form(headers) {
        return Err(OAuthError::invalid_request(
            "the body must be application/x-www-form-urlencoded",
        ));
    }
    let body: Body = req.into_body();
    let collected = tokio::time::timeout(deadline, Limited::new(body, BODY_LIMIT).collect());
    let bytes = match collected.await {
        Err(_) => {
            let why = format!(
                "the request body did not arrive within {} ms",
                deadline.as_millis()
            );
            return Err(OAuthError::new(
                StatusCode::REQUEST_TIMEOUT,
                "invalid_request",
                why,
            ));
        }
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(e)) if e.is::<LengthLimitError>() => return Err(too_large()),
        Ok(Err(_)) => {
            return Err(OAuthError::invalid_request(
                "the request body could not be read",
            ))
        }
    };
    Form::parse(&bytes)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn empty_values_are_absent_and_repeats_refused() {
        let f = Form::parse(b"grant_type=refresh_token&scope=&refresh_token=a%2Bb+c").unwrap();
        assert_eq!(f.get("grant_type"), Some("refresh_token"));
        assert_eq!(f.get("scope"), None);
        assert_eq!(f.get("refresh_token"), Some("a+b c"));
        let e = Form::parse(b"token=a&token=b").unwrap_err();
        assert_eq!(e.description, "token is repeated");
        let e = Form::parse(b"x-secret-thing=a&x-secret-thing=b").unwrap_err();
        assert_eq!(e.description, "a parameter is repeated");
        let printed = format!("{f:?}");
        assert_eq!(printed, r#"["grant_type", "scope", "refresh_token"]"#);
    }

    #[test]
    fn client_credentials_from_the_browser() {
        let check = |body: &[u8]| Form::parse(body).unwrap().check_client("portal");
        assert!(check(b"client_id=portal").is_ok());
        assert!(check(b"client_id=").is_ok());
        assert!(check(b"").is_ok());
        let e = check(b"client_id=other").unwrap_err();
        assert_eq!((e.status.as_u16(), e.code), (401, "invalid_client"));
        let e = check(b"client_id=portal&client_secret=x").unwrap_err();
        assert_eq!((e.status.as_u16(), e.code), (400, "invalid_request"));
    }

    #[test]
    fn content_type() {
        let mut h = HeaderMap::new();
        assert!(!is_form(&h));
        h.insert(
            header::CONTENT_TYPE,
            "application/x-www-form-urlencoded;charset=UTF-8"
                .parse()
                .unwrap(),
        );
        assert!(is_form(&h));
        h.insert(header::CONTENT_TYPE, "application/json".parse().unwrap());
        assert!(!is_form(&h));
    }
}
