//! One upstream call: the browser's checked parameters plus the client's credentials to
//! Tangoe, and Tangoe's answer (or a 502) back.

use axum::body::Bytes;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::answer::{self, OAuthError};
use crate::client_auth::{compose, secret_forms, uppercase_hex};
use crate::log::Upstreamed;
use crate::upstream::{Answer, Failure};
use crate::values::UpstreamUrl;
use crate::Relay;

/// The 502 for a call that got no usable answer. `temporarily_unavailable` because the
/// browser's best move is to try again later; the description says what went wrong.
fn bad_gateway(failure: Failure, endpoint: &str, relay: &Relay) -> Response {
    let why = match failure {
        Failure::Unreachable => format!("Tangoe's {endpoint} could not be reached"),
        Failure::Broken => format!("the connection to Tangoe's {endpoint} broke"),
        Failure::Timeout => format!(
            "Tangoe's {endpoint} did not answer within {} ms",
            relay.config.timeout.as_millis()
        ),
        Failure::Garbage => format!("Tangoe's {endpoint} did not answer with a JSON object"),
    };
    OAuthError::new(StatusCode::BAD_GATEWAY, "temporarily_unavailable", why).into_response()
}

/// POSTs `params` to `url` (named `endpoint` in errors); `empty_ok` accepts an empty 2xx.
pub async fn forward(
    relay: &Relay,
    url: &UpstreamUrl,
    params: &[(&str, &str)],
    endpoint: &str,
    empty_ok: bool,
) -> (Response, Upstreamed) {
    let out = compose(&relay.config, url, params);
    match relay.upstream.post(out, empty_ok).await {
        Ok((Answer::Json(status, body), retry_after)) => {
            // A token answer (2xx) is passed as it is: it quotes no request, and a short
            // secret might stand inside a token by chance.
            // An error's `Retry-After` (digits or a date, `upstream`) is dropped if it is the
            // secret's echo. The forms are built for errors only, not on every refresh.
            let (body, retry_after) = if status.is_success() {
                (body, retry_after)
            } else {
                let forms = secret_forms(&relay.config);
                let retry_after = retry_after.filter(|value| !quotes(value.as_bytes(), &forms));
                (without_secret(body, &forms), retry_after)
            };
            let mut resp = answer::json_bytes(status, body);
            if let Some(value) = retry_after {
                resp.headers_mut().insert(header::RETRY_AFTER, value);
            }
            (resp, Upstreamed::Status(status.as_u16()))
        }
        Ok((Answer::Empty(status), _)) => {
            (answer::empty(status), Upstreamed::Status(status.as_u16()))
        }
        Err(f) => (
            bad_gateway(f, endpoint, relay),
            Upstreamed::Failed(f.label()),
        ),
    }
}

/// Tangoe's error answer with the client secret taken out of every string and number in it,
/// in each form the relay sends it or an echo may write it (`secret_forms`, longest first),
/// should Tangoe ever echo it (an error description quoting the request): the browser never
/// gets it. Read as JSON, so an escaped echo (`\/`, `\u0041`) is found too, and always written
/// again from what was read: a key given twice is read once (the last), so the copy not read,
/// which was not searched, must not be passed on either.
fn without_secret(body: Bytes, forms: &[String]) -> Bytes {
    let Ok(mut value) = serde_json::from_slice::<Value>(&body) else {
        // `upstream::classify` passes JSON objects only.
        return Bytes::from_static(b"{}");
    };
    // A secret of digits quoted as a number: read as a double, a long one would keep only
    // its first digits, which no search finds; every number goes.
    let numeric = forms.iter().any(|form| {
        form.bytes().all(|b| b.is_ascii_digit()) && quotes(&body, std::slice::from_ref(form))
    });
    for form in forms.iter().filter(|form| !form.is_empty()) {
        scrub(&mut value, form, numeric);
    }
    serde_json::to_vec(&value).map_or(Bytes::from_static(b"{}"), Bytes::from)
}

/// Whether `text` holds one of the secret's `forms`.
fn quotes(text: &[u8], forms: &[String]) -> bool {
    forms
        .iter()
        .any(|form| !form.is_empty() && text.windows(form.len()).any(|w| w == form.as_bytes()))
}

/// `text` with `secret` as `[redacted]`, if it holds it as it is or with its percent-encoding's
/// hex in uppercase (the case `secret_forms` writes).
fn hidden(text: &str, secret: &str) -> Option<String> {
    if text.contains(secret) {
        return Some(text.replace(secret, "[redacted]"));
    }
    let upper = uppercase_hex(text);
    upper
        .contains(secret)
        .then(|| upper.replace(secret, "[redacted]"))
}

/// Replaces `secret` in `value`'s strings (keys included), and every number when `numeric`;
/// true if it found any.
fn scrub(value: &mut Value, secret: &str, numeric: bool) -> bool {
    match value {
        Value::String(text) => match hidden(text, secret) {
            Some(clean) => {
                *text = clean;
                true
            }
            None => false,
        },
        Value::Number(number) if numeric || number.to_string().contains(secret) => {
            *value = Value::String("[redacted]".into());
            true
        }
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |found, v| scrub(v, secret, numeric) | found),
        Value::Object(map) => {
            let echoed = map.keys().any(|key| hidden(key, secret).is_some());
            if echoed {
                *map = std::mem::take(map)
                    .into_iter()
                    .map(|(key, v)| (hidden(&key, secret).unwrap_or(key), v))
                    .collect();
            }
            map.values_mut()
                .fold(echoed, |found, v| scrub(v, secret, numeric) | found)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_echoed_secret_never_reaches_the_browser() {
        let forms = [
            "cG9ydGFsOnMrcA==".to_string(),
            "s+p%26c%2Ft".into(),
            "s p&c/t".into(),
        ];
        let echo = br#"{"error":"invalid_client","error_description":"bad secret s p&c\/t","s p&c/t":["s\u0020p&c/t"],"form":"client_secret=s+p%26c%2Ft","header":"Basic cG9ydGFsOnMrcA=="}"#;
        let out = without_secret(Bytes::from_static(echo), &forms);
        let text = String::from_utf8(out.to_vec()).unwrap_or_default();
        for form in &forms {
            assert!(!text.contains(form.as_str()), "{text}");
        }
        assert!(
            text.contains(r#""error_description":"bad secret [redacted]""#),
            "{text}"
        );
        assert!(
            text.contains(r#""form":"client_secret=[redacted]""#),
            "{text}"
        );
        let clean = br#"{"error":"invalid_grant",  "error_description":"expired"}"#;
        assert_eq!(
            without_secret(Bytes::from_static(clean), &forms),
            Bytes::from_static(br#"{"error":"invalid_grant","error_description":"expired"}"#),
            "the same JSON, written again"
        );
    }

    #[test]
    fn an_encoding_with_hex_of_either_case_and_a_long_number_hide_no_secret() {
        let forms = [
            "s%20p%26c%2Ft".to_string(),
            "98765432109876543210987".into(),
        ];
        let body =
            br#"{"error_description":"got s%20p%26c%2ft","n":98765432109876543210987,"m":1}"#;
        let text = String::from_utf8(without_secret(Bytes::from_static(body), &forms).to_vec())
            .unwrap_or_default();
        assert_eq!(
            text,
            r#"{"error_description":"got [redacted]","m":"[redacted]","n":"[redacted]"}"#
        );
    }

    #[test]
    fn a_retry_after_that_quotes_the_secret_is_dropped() {
        let forms = ["Sx y".to_string(), "Sx%20y".into()];
        assert!(quotes(b"Sx y", &forms));
        assert!(quotes(b"in Sx%20y", &forms));
        assert!(!quotes(b"30", &forms));
        assert!(!quotes(b"30", &[String::new()]));
    }

    #[test]
    fn a_key_given_twice_or_a_number_hides_no_secret() {
        let forms = ["4242".to_string(), "s p&c/t".into()];
        // serde_json reads the last of two equal keys: the first copy was never searched.
        let twice = br#"{"error":"invalid_client","error_description":"bad secret s p&c\/t","error_description":"bad client","n":424242}"#;
        let text = String::from_utf8(without_secret(Bytes::from_static(twice), &forms).to_vec())
            .unwrap_or_default();
        assert_eq!(
            text,
            r#"{"error":"invalid_client","error_description":"bad client","n":"[redacted]"}"#
        );
    }
}
