//! The HTTP client to Tangoe: hyper's pooled HTTP/1.1 client, rustls (ring, Mozilla's roots)
//! for `https://` and plain TCP for a loopback emulator. Every call has one deadline from
//! connection to last byte, and an answer is accepted only if it is a JSON object.

use std::time::Duration;

use axum::body::Bytes;
use axum::http::{header, HeaderValue, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use crate::client_auth::Outgoing;

/// Largest answer read from Tangoe; a token or validation answer is under 4 KiB.
pub const ANSWER_LIMIT: usize = 64 * 1024;

const USER_AGENT: &str = concat!("mobproc-relay/", env!("CARGO_PKG_VERSION"));

/// `Retry-After` of a 429 or 503 answer, when it is a short printable value: passed on, so
/// that the library can pause its calls' refreshes (README, "Sessions and refresh").
pub type RetryAfter = Option<HeaderValue>;

/// What Tangoe answered, to pass on as it is.
#[derive(Debug, PartialEq, Eq)]
pub enum Answer {
    /// A JSON object, any status from 200 to 599 except redirects.
    Json(StatusCode, Bytes),
    /// A 2xx with no body (a revocation).
    Empty(StatusCode),
}

/// Why no usable answer came; each becomes a 502.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// No connection (refused, DNS, TLS handshake or certificate).
    Unreachable,
    /// The connection broke before a whole answer came.
    Broken,
    /// The deadline passed.
    Timeout,
    /// An answer that is not a JSON object (an HTML error page, a redirect…) or too large.
    Garbage,
}

impl Failure {
    /// A short word for the log line (never the error text, which may quote the URL).
    pub fn label(self) -> &'static str {
        match self {
            Failure::Unreachable => "unreachable",
            Failure::Broken => "broken",
            Failure::Timeout => "timeout",
            Failure::Garbage => "garbage",
        }
    }
}

/// Accepts a JSON object with any non-redirect status, or an empty 2xx when `empty_ok`.
pub fn classify(status: StatusCode, body: Bytes, empty_ok: bool) -> Result<Answer, Failure> {
    if !(status.is_success() || status.is_client_error() || status.is_server_error()) {
        return Err(Failure::Garbage);
    }
    if body.is_empty() && empty_ok && status.is_success() {
        return Ok(Answer::Empty(status));
    }
    match serde_json::from_slice::<serde_json::Value>(&body) {
        Ok(v) if v.is_object() => Ok(Answer::Json(status, body)),
        _ => Err(Failure::Garbage),
    }
}

/// `Retry-After` of a 429 or 503 when it can be seconds or an HTTP date (at most 64
/// characters, each a letter, digit, space, `,`, `:` or `-`: `120`, `Sun, 06 Nov 1994 08:49:37
/// GMT` and the obsolete forms), else none: a page reads it, so no markup or other text.
fn retry_after(status: StatusCode, headers: &header::HeaderMap) -> RetryAfter {
    if status != StatusCode::TOO_MANY_REQUESTS && status != StatusCode::SERVICE_UNAVAILABLE {
        return None;
    }
    let value = headers.get(header::RETRY_AFTER)?;
    let bytes = value.as_bytes();
    let date_or_digits = bytes
        .iter()
        .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b' ' | b',' | b':' | b'-'));
    (!bytes.is_empty() && bytes.len() <= 64 && date_or_digits).then(|| value.clone())
}

/// The OAuth error passed on for a 429 or 503 whose body is no JSON object.
fn shed_load(status: StatusCode) -> Bytes {
    let why = format!(
        "Tangoe answered HTTP {} without a JSON body",
        status.as_u16()
    );
    let body = serde_json::json!({"error": "temporarily_unavailable", "error_description": why});
    Bytes::from(body.to_string())
}

/// A pooled client with a deadline.
#[derive(Clone, Debug)]
pub struct Upstream {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    timeout: Duration,
}

impl Upstream {
    /// A client whose calls end after `timeout`. Errors only if rustls's ring provider
    /// cannot offer its default protocol versions, which it always can.
    pub fn new(timeout: Duration) -> Result<Upstream, rustls::Error> {
        let mut http = HttpConnector::new();
        // hyper's connector refuses https:// URLs unless told the TLS layer wraps it.
        http.enforce_http(false);
        http.set_nodelay(true);
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())?
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new()).build(connector);
        Ok(Upstream { client, timeout })
    }

    /// POSTs `out` and reads the answer within the deadline.
    pub async fn post(
        &self,
        out: Outgoing,
        empty_ok: bool,
    ) -> Result<(Answer, RetryAfter), Failure> {
        let mut req = Request::builder()
            .method(Method::POST)
            .uri(out.url)
            .header(header::ACCEPT, "application/json")
            .header(header::USER_AGENT, USER_AGENT)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(auth) = out.authorization {
            req = req.header(header::AUTHORIZATION, auth);
        }
        // Cannot fail for a URL checked at start-up plus encoded parameters.
        let req = req
            .body(Full::new(Bytes::from(out.body)))
            .map_err(|_| Failure::Unreachable)?;
        let call = async {
            let resp = self.client.request(req).await.map_err(|e| {
                if e.is_connect() {
                    Failure::Unreachable
                } else {
                    Failure::Broken
                }
            })?;
            let status = resp.status();
            let retry_after = retry_after(status, resp.headers());
            let body = Limited::new(resp.into_body(), ANSWER_LIMIT)
                .collect()
                .await
                .map_err(|e| {
                    if e.is::<http_body_util::LengthLimitError>() {
                        Failure::Garbage
                    } else {
                        Failure::Broken
                    }
                })?
                .to_bytes();
            match classify(status, body, empty_ok) {
                // A gateway shedding load answers in HTML or with nothing: its status and its
                // `Retry-After` still tell the page how long to wait, in an OAuth error.
                Err(Failure::Garbage) if retry_after.is_some() => {
                    Ok((Answer::Json(status, shed_load(status)), retry_after))
                }
                answer => answer.map(|answer| (answer, retry_after)),
            }
        };
        tokio::time::timeout(self.timeout, call)
            .await
            .unwrap_or(Err(Failure::Timeout))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_seconds_or_a_date_of_a_429_or_503() {
        let kept = |status: u16, value: &str| {
            let mut headers = header::HeaderMap::new();
            if let Ok(value) = HeaderValue::from_str(value) {
                headers.insert(header::RETRY_AFTER, value);
            }
            let status = StatusCode::from_u16(status).unwrap_or_default();
            retry_after(status, &headers).is_some()
        };
        assert!(kept(429, "120"));
        assert!(kept(503, "Sun, 06 Nov 1994 08:49:37 GMT"));
        assert!(kept(503, "Sunday, 06-Nov-94 08:49:37 GMT"));
        assert!(kept(503, "Sun Nov  6 08:49:37 1994"));
        assert!(!kept(429, "<script>alert(1)</script>"));
        assert!(!kept(429, "Sx+y&z~!(q)*"));
        assert!(!kept(429, &"9".repeat(65)));
        assert!(!kept(429, ""));
        assert!(!kept(400, "120"));
        assert!(!kept(200, "120"));
    }

    fn c(status: u16, body: &'static str, empty_ok: bool) -> Result<Answer, Failure> {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::IM_A_TEAPOT);
        classify(status, Bytes::from_static(body.as_bytes()), empty_ok)
    }

    #[test]
    fn only_json_objects_pass() {
        let ok = |s: u16, b: &'static str| {
            Answer::Json(
                StatusCode::from_u16(s).unwrap_or_default(),
                Bytes::from_static(b.as_bytes()),
            )
        };
        assert_eq!(
            c(200, r#"{"access_token":"a"}"#, false),
            Ok(ok(200, r#"{"access_token":"a"}"#))
        );
        assert_eq!(
            c(400, r#"{"error":"invalid_grant"}"#, false),
            Ok(ok(400, r#"{"error":"invalid_grant"}"#))
        );
        assert_eq!(
            c(503, r#"{"error":"x"}"#, false),
            Ok(ok(503, r#"{"error":"x"}"#))
        );
        for (status, body) in [
            (200, "<html>maintenance</html>"),
            (500, "Internal Server Error"),
            (200, "[1,2]"),
            (200, "\"text\""),
            (200, ""),
            (302, r#"{"error":"x"}"#),
        ] {
            assert_eq!(
                c(status, body, false),
                Err(Failure::Garbage),
                "{status} {body}"
            );
        }
    }

    #[test]
    fn empty_only_for_a_revocation_success() {
        assert_eq!(c(200, "", true), Ok(Answer::Empty(StatusCode::OK)));
        assert_eq!(c(400, "", true), Err(Failure::Garbage));
        assert_eq!(c(200, "<p>ok</p>", true), Err(Failure::Garbage));
    }
}
