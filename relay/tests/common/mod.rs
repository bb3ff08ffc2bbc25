//! Shared helpers: a fake Tangoe token endpoint on 127.0.0.1 that records what it received,
//! the relay served in-process on 127.0.0.1:0, and a tiny HTTP/1.1 client that sends
//! exactly the bytes a test asks for.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use mobproc_relay::{ClientAuth, RelayConfig};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub const ORIGIN: &str = "http://127.0.0.1:8080";
pub const CLIENT_ID: &str = "portal-demo";
pub const SECRET: &str = "relay-test-secret:with&odd chars";
pub const VALIDATE: &str = "urn:pingidentity.com:oauth2:grant_type:validate_bearer";
pub const TOKEN_JSON: &str =
    r#"{"token_type":"Bearer","expires_in":7199,"refresh_token":"rt-new","access_token":"at-new"}"#;

/// One request the fake upstream received.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: String,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
}

/// How the fake upstream answers.
#[derive(Clone, Debug)]
pub enum Reply {
    /// This status, `Content-Type: application/json`, this body.
    Json(u16, String),
    /// This status, content type and body.
    Raw(u16, &'static str, String),
    /// Sleeps, then answers a token.
    Sleep(Duration),
    /// A 302 to elsewhere with a JSON body.
    Redirect,
}

#[derive(Default)]
pub struct FakeState {
    pub seen: Mutex<Vec<Seen>>,
    pub reply: Mutex<Option<Reply>>,
}

/// A fake Tangoe on 127.0.0.1: every path answers with the current [`Reply`].
pub struct Fake {
    pub base: String,
    pub state: Arc<FakeState>,
}

impl Fake {
    pub fn token_url(&self) -> String {
        format!("{}/as/token.oauth2", self.base)
    }
    pub fn revoke_url(&self) -> String {
        format!("{}/as/revoke_token.oauth2", self.base)
    }
    pub fn reply(&self, r: Reply) {
        *self.state.reply.lock().unwrap() = Some(r);
    }
    pub fn seen(&self) -> Vec<Seen> {
        self.state.seen.lock().unwrap().clone()
    }
    /// The one request it received.
    pub fn only(&self) -> Seen {
        let seen = self.seen();
        assert_eq!(seen.len(), 1, "upstream saw {seen:?}");
        seen.into_iter().next().unwrap()
    }
}

async fn record(State(st): State<Arc<FakeState>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body = to_bytes(body, usize::MAX).await.unwrap();
    st.seen.lock().unwrap().push(Seen {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(String::from),
        headers: parts.headers,
        body: String::from_utf8(body.to_vec()).unwrap(),
    });
    let reply = st.reply.lock().unwrap().clone();
    let reply = reply.unwrap_or(Reply::Json(200, TOKEN_JSON.into()));
    let (status, ct, body) = match reply {
        Reply::Json(s, b) => (s, "application/json", b),
        Reply::Raw(s, ct, b) => (s, ct, b),
        Reply::Sleep(d) => {
            tokio::time::sleep(d).await;
            (200, "application/json", TOKEN_JSON.into())
        }
        Reply::Redirect => {
            let h = [
                ("location", "http://127.0.0.1:9/elsewhere"),
                ("content-type", "application/json"),
            ];
            return (StatusCode::FOUND, h, r#"{"moved":true}"#).into_response();
        }
    };
    let status = StatusCode::from_u16(status).unwrap();
    // Tangoe sheds load with a 429 or 503; the relay must hand its `Retry-After` on.
    let mut resp = (status, [("content-type", ct)], Body::from(body)).into_response();
    if status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::SERVICE_UNAVAILABLE {
        resp.headers_mut()
            .insert("retry-after", axum::http::HeaderValue::from_static("30"));
    }
    resp
}

pub async fn fake() -> Fake {
    let state = Arc::new(FakeState::default());
    let app = Router::new().fallback(record).with_state(state.clone());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Fake { base, state }
}

/// A URL on 127.0.0.1 where nothing listens (bound, then released).
pub async fn closed_port_url() -> String {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    drop(l);
    format!("http://{addr}/as/token.oauth2")
}

/// The test configuration: logging off, the fake's token URL.
pub fn config(token_url: &str, auth: ClientAuth) -> RelayConfig {
    RelayConfig::new(
        token_url,
        CLIENT_ID,
        SECRET,
        &[ORIGIN, "https://portal.example.com"],
    )
    .unwrap()
    .with_client_auth(auth)
    .with_log(false)
}

/// Serves the relay on 127.0.0.1:0; returns `host:port`.
pub async fn relay(config: RelayConfig) -> String {
    let app = mobproc_relay::router(config).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

/// An HTTP response.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    /// The OAuth `error` code.
    pub fn error(&self) -> String {
        self.json()["error"].as_str().unwrap().to_string()
    }
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(pos) = body.windows(2).position(|w| w == b"\r\n") {
        let size = std::str::from_utf8(&body[..pos]).unwrap().trim();
        let size = usize::from_str_radix(size, 16).unwrap();
        if size == 0 {
            break;
        }
        out.extend_from_slice(&body[pos + 2..pos + 2 + size]);
        body = &body[pos + 4 + size..];
    }
    out
}

/// Sends `head` (request line and headers, without the final blank line) and `body` over a
/// fresh connection and reads the answer. A reset after the answer arrived (the server
/// refused a body it did not read) is tolerated.
pub async fn raw(addr: &str, head: &str, body: &[u8]) -> Resp {
    let mut s = TcpStream::connect(addr).await.unwrap();
    let mut req = format!("{head}\r\nHost: {addr}\r\nConnection: close\r\n\r\n").into_bytes();
    req.extend_from_slice(body);
    let _ = s.write_all(&req).await;
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match s.read(&mut buf).await {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if !out.is_empty() => {
                let _ = e;
                break;
            }
            Err(e) => panic!("no answer: {e}"),
        }
    }
    let split = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a whole head");
    let head = String::from_utf8(out[..split].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = out[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        body = dechunk(&body);
    }
    Resp {
        status,
        headers,
        body: String::from_utf8(body).unwrap(),
    }
}

/// POSTs a form to `path` with these extra header lines.
pub async fn post_with(addr: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Resp {
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("\r\n{k}: {v}"));
    }
    raw(addr, &head, body.as_bytes()).await
}

/// POSTs a form to `path` as a page of [`ORIGIN`] would.
pub async fn post(addr: &str, path: &str, body: &str) -> Resp {
    post_with(
        addr,
        path,
        &[("Origin", ORIGIN), ("Accept", "application/json")],
        body,
    )
    .await
}

/// The `Authorization` value for HTTP Basic with form-encoded id and secret.
pub fn basic(id: &str, secret: &str) -> String {
    use base64::Engine;
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let pair = format!("{}:{}", enc(id), enc(secret));
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

/// `value` form-encoded.
pub fn enc(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}
