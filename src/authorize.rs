//! The authorize URL (RFC 6749 §4.2.1) and the `returnTo` rule that keeps it from becoming an
//! open redirect.

use crate::prelude::*;

use crate::config::ValidConfig;
use crate::encode::form_encode;
use crate::error::{Error, Result};
use crate::secret::{CodeVerifier, State};
use crate::text::{cat, every_byte, split_once_byte};

/// Longest `returnTo` kept; longer ones are dropped like any other unacceptable value.
pub const MAX_RETURN_TO_LEN: usize = 2048;

/// `authorizeUrl?response_type=token&client_id=…&redirect_uri=…&scope=…&state=…`; with a
/// PKCE verifier, `response_type=code` and its S256 `code_challenge` (RFC 7636 §4.3).
pub fn authorize_url(
    config: &ValidConfig,
    state: &State,
    verifier: Option<&CodeVerifier>,
) -> Result<String> {
    let base = config
        .authorize_url()
        .ok_or_else(|| Error::config("authorizeUrl", "is required for sign-in"))?;
    let redirect = config
        .redirect_uri()
        .ok_or_else(|| Error::config("redirectUri", "is required for sign-in"))?;
    // Written out rather than through `form_pairs` over a chained iterator, whose adapters
    // cost more than this function. The keys and the challenge (base64url) need no encoding.
    let challenge = verifier.map(CodeVerifier::challenge);
    let mut query = String::from(if challenge.is_some() {
        "response_type=code"
    } else {
        "response_type=token"
    });
    for (key, value) in &[
        ("&client_id=", config.client_id().as_str()),
        ("&redirect_uri=", redirect.as_str()),
        ("&scope=", config.scope().as_str()),
        ("&state=", state.secret()),
    ] {
        query.push_str(key);
        query.push_str(&form_encode(value));
    }
    if let Some(challenge) = &challenge {
        query.push_str("&code_challenge=");
        query.push_str(challenge);
        query.push_str("&code_challenge_method=S256");
    }
    let base = base.as_str();
    let separator = match split_once_byte(base, b'?') {
        Some((_, "")) => "",
        Some(_) => "&",
        None => "?",
    };
    Ok(cat(&[base, separator, &query]))
}

/// Keeps `return_to` only if it is a path on this origin (`/orders?x=1#top`); anything that a
/// browser could read as another origin (`//evil.example`, `/\evil.example`, `https://…`,
/// `javascript:…`), that carries control characters, or whose path has a `.` or `..` segment
/// (the URL parser collapses those: `/..//evil.example` is the path `//evil.example`, which a
/// later `location.href = location.pathname` would leave the origin for) is dropped (`None`),
/// not repaired.
pub fn sanitize_return_to(return_to: &str) -> Option<String> {
    let bytes = return_to.as_bytes();
    let safe = return_to.len() <= MAX_RETURN_TO_LEN
        && bytes.first() == Some(&b'/')
        && !matches!(bytes.get(1), Some(b'/') | Some(b'\\'))
        && every_byte(return_to, |b| {
            !(b.is_ascii_control() || b == b'\\' || b == b' ')
        })
        && !has_dot_segment(return_to);
    safe.then(|| return_to.to_owned())
}

/// Whether the path of `return_to` (up to `?` or `#`) may hold a `.` or `..` segment: a
/// segment that starts with a dot, or an encoded dot (`%2e`, any case). Paths such as
/// `/.well-known` are dropped with them: a place to return to after a sign-in has none.
fn has_dot_segment(return_to: &str) -> bool {
    let (mut after_slash, mut percent_two) = (false, 0u8);
    for &b in return_to.as_bytes() {
        if b == b'?' || b == b'#' {
            return false;
        }
        if (after_slash && b == b'.') || (percent_two == 2 && b | 0x20 == b'e') {
            return true;
        }
        percent_two = match (percent_two, b) {
            (_, b'%') => 1,
            (1, b'2') => 2,
            _ => 0,
        };
        after_slash = b == b'/';
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::encode::parse_form;
    use crate::error::ErrorKind;

    fn config(authorize: Option<&str>, redirect: Option<&str>) -> Result<ValidConfig> {
        ValidConfig::new(&Config {
            client_id: "portal-demo".into(),
            tenant: "XYZ".into(),
            api_base_url: "https://api.example.com/mobproc/v1".into(),
            authorize_url: authorize.map(Into::into),
            redirect_uri: redirect.map(Into::into),
            ..Config::default()
        })
    }

    #[test]
    fn builds_the_implicit_grant_url() {
        let c = config(
            Some("https://oauth.example.com/as/authorization.oauth2"),
            Some("https://portal.example.com/callback?x=1"),
        )
        .unwrap();
        let url = authorize_url(&c, &State::new("s/1+2"), None).unwrap();
        let (base, query) = url.split_once('?').unwrap();
        assert_eq!(base, "https://oauth.example.com/as/authorization.oauth2");
        let pairs = parse_form(query).unwrap();
        let expected = [
            ("response_type", "token"),
            ("client_id", "portal-demo"),
            ("redirect_uri", "https://portal.example.com/callback?x=1"),
            ("scope", "MOBPROC"),
            ("state", "s/1+2"),
        ];
        let got: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn builds_the_code_grant_url_with_an_s256_challenge() {
        let c = config(
            Some("https://o.example/authorize"),
            Some("https://p.example/"),
        )
        .unwrap();
        let verifier = CodeVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        let url = authorize_url(&c, &State::new("s"), Some(&verifier)).unwrap();
        let pairs = parse_form(url.split_once('?').unwrap().1).unwrap();
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("response_type"), Some("code"));
        assert_eq!(
            get("code_challenge"),
            Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        );
        assert_eq!(get("code_challenge_method"), Some("S256"));
        assert!(
            !url.contains(verifier.secret()),
            "the verifier never leaves"
        );
    }

    #[test]
    fn keeps_an_existing_query() {
        let c = config(
            Some("https://o.example/authorize?tenant=1"),
            Some("https://p.example/"),
        )
        .unwrap();
        let url = authorize_url(&c, &State::new("s"), None).unwrap();
        assert!(
            url.starts_with("https://o.example/authorize?tenant=1&response_type=token&"),
            "{url}"
        );
    }

    #[test]
    fn sign_in_needs_both_urls() {
        let no_authorize = config(None, Some("https://p.example/")).unwrap();
        let no_redirect = config(Some("https://o.example/a"), None).unwrap();
        for (c, field) in [(no_authorize, "authorizeUrl"), (no_redirect, "redirectUri")] {
            match authorize_url(&c, &State::new("s"), None).map_err(Error::into_kind) {
                Err(ErrorKind::ConfigInvalid { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn return_to_only_same_origin_paths() {
        for ok in [
            "/",
            "/orders",
            "/orders?id=1#top",
            "/a/b%20c",
            "/v1.2/file.json",
            "/a/b.c/d",
            "/%25%32e",
            "/orders?next=/../x",
            "/orders#/./x",
        ] {
            assert_eq!(sanitize_return_to(ok).as_deref(), Some(ok));
        }
        for bad in [
            "",
            "orders",
            "//evil.example",
            "/\\evil.example",
            "https://evil.example/",
            "javascript:alert(1)",
            "/a\r\nb",
            "/a b",
            "/a\\b",
            "\t/orders",
            "/.//evil.example",
            "/..//evil.example",
            "/%2e//evil.example",
            "/%2E%2E//evil.example",
            "/a/..//evil.example",
            "/a/.",
            "/a/..?x",
            "/a/..#x",
            "/.well-known",
        ] {
            assert_eq!(sanitize_return_to(bad), None, "{bad:?}");
        }
        assert_eq!(
            sanitize_return_to(&format!("/{}", "a".repeat(MAX_RETURN_TO_LEN))),
            None
        );
    }
}
