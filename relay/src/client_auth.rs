//! The upstream request's parameters with the client's credentials added, per
//! [`ClientAuth`]: the only code that touches the secret.

use std::fmt;

use base64::Engine;

use crate::config::{ClientAuth, RelayConfig};
use crate::values::UpstreamUrl;

/// A request ready to POST upstream. It holds the secret (in `authorization`, `body` or
/// `url`, per mode), so its `Debug` shows only where it goes and how it is authenticated.
#[derive(PartialEq, Eq)]
pub struct Outgoing {
    /// Where to, with the query string in `query` mode.
    pub url: String,
    /// The form body (empty in `query` mode).
    pub body: String,
    /// `Basic …` in `basic` mode.
    pub authorization: Option<String>,
}

impl fmt::Debug for Outgoing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = self.url.split('?').next().unwrap_or_default();
        let authorization = self.authorization.as_ref().map(|_| "[redacted]");
        f.debug_struct("Outgoing")
            .field("url", &url)
            .field("body", &"[redacted]")
            .field("authorization", &authorization)
            .finish()
    }
}

fn encode(params: &[(&str, &str)]) -> String {
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.extend_pairs(params);
    form.finish()
}

/// `Basic base64(urlencode(id) ":" urlencode(secret))`, RFC 6749 §2.3.1: the encoding
/// keeps a `:` in either part from splitting the pair in the wrong place.
pub fn basic(client_id: &str, secret: &str) -> String {
    let id: String = form_urlencoded::byte_serialize(client_id.as_bytes()).collect();
    let secret: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    let pair = format!("{id}:{secret}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

/// Every form in which the secret leaves the relay, or an echo of the request may write it,
/// longest first (a shorter one may stand inside a longer): the Basic credentials that carry
/// it (`basic`), the base64 of the pair not form-encoded and of the secret alone (without
/// their padding, which an echo may drop; and base64url); form-encoded (`body` and `query`),
/// percent-encoded with `%20` for a space, as RFC 3986, Python's `quote` (`/` kept) and
/// JavaScript's `encodeURIComponent` write it, all with uppercase hex (`forward` compares
/// text with its hex in uppercase too); and as it is; so that an answer echoing the request
/// can be cleaned of each.
pub fn secret_forms(config: &RelayConfig) -> Vec<String> {
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    let secret = config.client_secret.expose();
    let id = config.client_id.as_str();
    let basic = basic(id, secret);
    let form: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    // In the form encoding `+` is only ever a space (a `+` itself is `%2B`).
    let percent = form.replace('+', "%20");
    let pair = format!("{id}:{secret}");
    let mut forms = vec![
        basic
            .trim_start_matches("Basic ")
            .trim_end_matches('=')
            .to_string(),
        STANDARD_NO_PAD.encode(&pair),
        STANDARD_NO_PAD.encode(secret),
        URL_SAFE_NO_PAD.encode(secret),
        uppercase_hex(&form),
        uppercase_hex(&percent),
        // RFC 3986 (`~` kept, `*` encoded), Python's `quote`, `encodeURIComponent`.
        percent_encoded(secret, b"-._~"),
        percent_encoded(secret, b"-._~/"),
        percent_encoded(secret, b"-._~!'()*"),
        secret.to_string(),
    ];
    forms.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    forms.dedup();
    forms
}

/// `text` percent-encoded (uppercase hex), keeping ASCII letters, digits and `keep`.
fn percent_encoded(text: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || keep.contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `text` with the two characters after each `%` in uppercase (`%2f` as `%2F`), so that an
/// encoding is found whichever case of hex wrote it.
pub fn uppercase_hex(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut hex_left = 0;
    for c in text.chars() {
        if hex_left > 0 {
            out.push(c.to_ascii_uppercase());
            hex_left -= 1;
        } else {
            out.push(c);
            if c == '%' {
                hex_left = 2;
            }
        }
    }
    out
}

/// `params` for `url`, authenticated as the configured client.
pub fn compose(config: &RelayConfig, url: &UpstreamUrl, params: &[(&str, &str)]) -> Outgoing {
    let id = config.client_id.as_str();
    let secret = config.client_secret.expose();
    let with_credentials = || {
        let mut all = params.to_vec();
        all.push(("client_id", id));
        all.push(("client_secret", secret));
        encode(&all)
    };
    match config.client_auth {
        ClientAuth::Basic => Outgoing {
            url: url.as_str().to_string(),
            body: encode(params),
            authorization: Some(basic(id, secret)),
        },
        ClientAuth::Body => Outgoing {
            url: url.as_str().to_string(),
            body: with_credentials(),
            authorization: None,
        },
        ClientAuth::Query => Outgoing {
            url: url.with_query(&with_credentials()),
            body: String::new(),
            authorization: None,
        },
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn config(auth: ClientAuth) -> RelayConfig {
        RelayConfig::new("https://h/t?v=1", "portal:x", "s p&c:1", &["https://p"])
            .unwrap()
            .with_client_auth(auth)
    }

    const PARAMS: [(&str, &str); 2] = [("grant_type", "refresh_token"), ("refresh_token", "r+1")];

    #[test]
    fn basic_encodes_before_base64() {
        // base64("portal%3Ax:s+p%26c%3A1")
        let expected = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("portal%3Ax:s+p%26c%3A1")
        );
        assert_eq!(basic("portal:x", "s p&c:1"), expected);
        let c = config(ClientAuth::Basic);
        let out = compose(&c, &c.token_url, &PARAMS);
        assert_eq!(out.url, "https://h/t?v=1");
        assert_eq!(out.body, "grant_type=refresh_token&refresh_token=r%2B1");
        assert_eq!(out.authorization, Some(expected));
    }

    #[test]
    fn the_secret_in_every_form_it_is_sent() {
        let c = config(ClientAuth::Basic);
        let forms = secret_forms(&c);
        let basic = compose(&c, &c.token_url, &PARAMS).authorization.unwrap();
        let body = compose(&config(ClientAuth::Body), &c.token_url, &PARAMS).body;
        let sent = [
            basic.trim_start_matches("Basic ").trim_end_matches('='),
            body.rsplit("client_secret=").next().unwrap(),
            "s%20p%26c%3A1",
            "s p&c:1",
            // base64 of `portal:x:s p&c:1` and of the secret alone, unpadded; base64url.
            "cG9ydGFsOng6cyBwJmM6MQ",
            "cyBwJmM6MQ",
        ];
        for form in sent {
            assert!(forms.iter().any(|f| f == form), "{form} in {forms:?}");
        }
        assert_eq!(forms.len(), sent.len(), "{forms:?}");
        assert!(
            forms.is_sorted_by(|a, b| a.len() >= b.len()),
            "longest first"
        );
    }

    #[test]
    fn the_secret_as_other_encoders_write_it() {
        let c = RelayConfig::new("https://h/t", "portal", "Sx+y&z~!(q)*", &["https://p"]).unwrap();
        let forms = secret_forms(&c);
        let forms_of = |secret: &str| {
            let c = RelayConfig::new("https://h/t", "portal", secret, &["https://p"]).unwrap();
            secret_forms(&c)
        };
        // Python's `quote` keeps `/`; base64 and base64url of `ab?>` differ.
        let slash = forms_of("s\u{e9} cr/t");
        assert!(slash.iter().any(|f| f == "s%C3%A9%20cr/t"), "{slash:?}");
        let b64 = forms_of("ab?>");
        for form in ["YWI/Pg", "YWI_Pg", "cG9ydGFsOmFiPz4"] {
            assert!(b64.iter().any(|f| f == form), "{form} in {b64:?}");
        }
        // encodeURIComponent, RFC 3986, and the form encoding.
        for form in [
            "Sx%2By%26z~!(q)*",
            "Sx%2By%26z~%21%28q%29%2A",
            "Sx%2By%26z%7E%21%28q%29*",
        ] {
            assert!(forms.iter().any(|f| f == form), "{form} in {forms:?}");
        }
    }

    #[test]
    fn body_mode() {
        let c = config(ClientAuth::Body);
        let out = compose(&c, &c.token_url, &PARAMS);
        assert_eq!(
            out.body,
            "grant_type=refresh_token&refresh_token=r%2B1&client_id=portal%3Ax&client_secret=s+p%26c%3A1"
        );
        assert_eq!(
            (out.url.as_str(), out.authorization),
            ("https://h/t?v=1", None)
        );
    }

    #[test]
    fn query_mode() {
        let c = config(ClientAuth::Query);
        let out = compose(&c, &c.token_url, &PARAMS);
        assert_eq!(
            out.url,
            "https://h/t?v=1&grant_type=refresh_token&refresh_token=r%2B1&client_id=portal%3Ax&client_secret=s+p%26c%3A1"
        );
        assert_eq!((out.body.as_str(), out.authorization), ("", None));
    }

    #[test]
    fn debug_shows_no_secret_in_any_mode() {
        for auth in [ClientAuth::Basic, ClientAuth::Body, ClientAuth::Query] {
            let c = config(auth);
            let printed = format!("{:?}", compose(&c, &c.token_url, &PARAMS));
            for secret in ["s+p%26c%3A1", "s p&c:1", "r%2B1", "Basic "] {
                assert!(!printed.contains(secret), "{auth:?}: {printed}");
            }
            assert!(printed.contains("https://h/t"), "{printed}");
        }
    }
}
