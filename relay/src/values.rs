//! Checks of single settings: each returns the reason a value is refused, and the caller
//! names the setting (see [`crate::config::ConfigError`]).

use std::net::IpAddr;
use std::time::Duration;

use axum::http::uri::{Scheme, Uri};

use crate::secret::Secret;

/// Longest accepted `--timeout-ms`: a browser gives up long before ten minutes.
pub const MAX_TIMEOUT_MS: u64 = 600_000;

/// An upstream endpoint (Tangoe's token or revocation URL), checked once at start-up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpstreamUrl {
    text: String,
}

impl UpstreamUrl {
    /// The URL as configured.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The URL with `extra` (already form-encoded) appended to its query string.
    pub(crate) fn with_query(&self, extra: &str) -> String {
        if extra.is_empty() {
            self.text.clone()
        } else if self.text.contains('?') {
            format!("{}&{extra}", self.text)
        } else {
            format!("{}?{extra}", self.text)
        }
    }
}

/// Loopback hosts may be reached over plain HTTP (the emulator); everything else needs TLS,
/// because the secret travels on every call.
fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// An absolute `https://` URL, or `http://` to a loopback host; no user info, no fragment.
pub fn upstream_url(value: &str) -> Result<UpstreamUrl, String> {
    let uri: Uri = value
        .parse()
        .map_err(|_| format!("not a valid URL: {value:?}"))?;
    let authority = uri
        .authority()
        .ok_or_else(|| format!("must be an absolute https:// URL, not {value:?}"))?;
    if authority.as_str().contains('@') {
        return Err("must not carry user info: the relay sends the client credentials".into());
    }
    // `Uri` would drop it silently, and in `query` mode everything appended after it.
    if value.contains('#') {
        return Err(format!("must not carry a fragment: {value:?}"));
    }
    match uri.scheme() {
        Some(s) if *s == Scheme::HTTPS => {}
        Some(s) if *s == Scheme::HTTP => {
            if !is_loopback(authority.host()) {
                return Err(format!(
                    "plain http:// is allowed only to a loopback host (the secret would travel in clear text): {value:?}"
                ));
            }
        }
        _ => return Err(format!("must be an absolute https:// URL, not {value:?}")),
    }
    Ok(UpstreamUrl {
        text: value.to_string(),
    })
}

/// An origin exactly as a browser serialises it in the `Origin` header:
/// `scheme://host[:port]`, lower case, no default port, no path. `null` and `*` are refused
/// (any sandboxed or file page sends `null`).
pub fn origin(value: &str) -> Result<String, String> {
    let rest = value
        .strip_prefix("https://")
        .map(|r| (r, ":443"))
        .or_else(|| value.strip_prefix("http://").map(|r| (r, ":80")));
    let Some((host, default_port)) = rest else {
        return Err(format!(
            "must be http://host[:port] or https://host[:port], not {value:?}"
        ));
    };
    if host.is_empty() || host.contains(['/', '?', '#', '@', ' ']) {
        return Err(format!(
            "must be an origin (scheme://host[:port], no path, no trailing slash), not {value:?}"
        ));
    }
    if value.chars().any(|c| c.is_ascii_uppercase()) {
        return Err(format!(
            "must be lower case, as browsers send it: {:?}",
            value.to_ascii_lowercase()
        ));
    }
    if host.ends_with(default_port) {
        return Err(format!(
            "must omit the default port {}, as browsers do: {value:?}",
            default_port.trim_start_matches(':')
        ));
    }
    Ok(value.to_string())
}

/// A client id: non-empty visible ASCII, as Tangoe issues them.
pub fn client_id(value: &str) -> Result<String, String> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("must be non-empty visible ASCII (no spaces)".into());
    }
    Ok(value.to_string())
}

/// The client secret: non-empty, no control characters (a stray newline from a secrets
/// file would otherwise fail every call with `invalid_client`). The value is never quoted
/// in the message.
pub fn secret(value: &str) -> Result<Secret, String> {
    if value.is_empty() {
        return Err("is empty".into());
    }
    if value.chars().any(char::is_control) {
        return Err("contains a control character (a trailing newline?)".into());
    }
    Ok(Secret::new(value.to_string()))
}

/// Milliseconds between 1 and [`MAX_TIMEOUT_MS`].
pub fn timeout_ms(value: &str) -> Result<Duration, String> {
    match value.parse::<u64>() {
        Ok(ms) if (1..=MAX_TIMEOUT_MS).contains(&ms) => Ok(Duration::from_millis(ms)),
        _ => Err(format!(
            "must be a whole number of milliseconds from 1 to {MAX_TIMEOUT_MS}, not {value:?}"
        )),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn upstream_urls() {
        assert!(upstream_url("https://oauth.tangoe.com/as/token.oauth2").is_ok());
        assert!(upstream_url("http://127.0.0.1:8081/as/token.oauth2").is_ok());
        assert!(upstream_url("http://localhost:8081/as/token.oauth2").is_ok());
        assert!(upstream_url("http://[::1]:8081/t").is_ok());
        for bad in [
            "http://oauth.tangoe.com/as/token.oauth2",
            "http://10.0.0.1/t",
            "ftp://127.0.0.1/t",
            "/as/token.oauth2",
            "https://user:pw@oauth.tangoe.com/t",
            "https://oauth.tangoe.com/as/token.oauth2#x",
            "http://127.0.0.1:8081/t?a=1#frag",
            "not a url",
            "",
        ] {
            assert!(upstream_url(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn query_is_appended() {
        let u = upstream_url("https://h/t").unwrap();
        assert_eq!(u.with_query("a=1"), "https://h/t?a=1");
        assert_eq!(u.with_query(""), "https://h/t");
        let u = upstream_url("https://h/t?x=y").unwrap();
        assert_eq!(u.with_query("a=1"), "https://h/t?x=y&a=1");
    }

    #[test]
    fn origins() {
        for good in [
            "https://portal.example.com",
            "http://127.0.0.1:8080",
            "https://portal.example.com:8443",
        ] {
            assert_eq!(origin(good).as_deref(), Ok(good));
        }
        for bad in [
            "null",
            "*",
            "https://portal.example.com/",
            "https://portal.example.com/app",
            "https://Portal.example.com",
            "https://portal.example.com:443",
            "http://portal.example.com:80",
            "portal.example.com",
            "https://",
        ] {
            assert!(origin(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn secrets_and_ids() {
        assert!(secret("").is_err());
        assert!(secret("abc\n").is_err());
        assert!(secret("s3cr3t with spaces & :colons").is_ok());
        assert!(client_id("").is_err());
        assert!(client_id("a b").is_err());
        assert_eq!(client_id("portal-demo").as_deref(), Ok("portal-demo"));
    }

    #[test]
    fn timeouts() {
        assert_eq!(timeout_ms("250"), Ok(Duration::from_millis(250)));
        for bad in ["0", "-1", "abc", "600001", ""] {
            assert!(timeout_ms(bad).is_err(), "{bad} accepted");
        }
    }
}
