//! Shared helpers: an in-process emulator on 127.0.0.1:0 and a tiny HTTP/1.1 client.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::HashMap;

use mobproc_emulator::{AppState, Command, Config};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;

/// A running emulator; dropped with the test's runtime.
pub struct Emu {
    pub addr: String,
    pub base: String,
    pub state: AppState,
    _stop: oneshot::Sender<()>,
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
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

pub async fn start() -> Emu {
    start_with(Config {
        port: 0,
        print_log: false,
        ..Config::default()
    })
    .await
}

pub async fn start_with(config: Config) -> Emu {
    let (listener, state) = mobproc_emulator::bind(config).await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (tx, rx) = oneshot::channel::<()>();
    let st = state.clone();
    tokio::spawn(async move {
        let _ = mobproc_emulator::serve(listener, st, async {
            let _ = rx.await;
        })
        .await;
    });
    Emu {
        base: format!("http://{addr}"),
        addr,
        state,
        _stop: tx,
    }
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(pos) = body.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size_txt = String::from_utf8_lossy(&body[..pos]);
        let size = usize::from_str_radix(size_txt.split(';').next().unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&body[pos + 2..pos + 2 + size]);
        body = &body[pos + 2 + size + 2..];
    }
}

impl Emu {
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Resp {
        let mut s = TcpStream::connect(&self.addr).await.unwrap();
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.addr
        );
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
        s.write_all(req.as_bytes()).await.unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).await.unwrap();
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("no header end");
        let head = String::from_utf8_lossy(&raw[..split]).to_string();
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
        let mut body = raw[split + 4..].to_vec();
        let chunked = headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
        if chunked {
            body = dechunk(&body);
        }
        Resp {
            status,
            headers,
            body: String::from_utf8_lossy(&body).to_string(),
        }
    }

    pub async fn get(&self, path: &str, headers: &[(&str, &str)]) -> Resp {
        self.send("GET", path, headers, "").await
    }

    pub async fn post_form(&self, path: &str, headers: &[(&str, &str)], body: &str) -> Resp {
        let mut h = vec![("Content-Type", "application/x-www-form-urlencoded")];
        h.extend_from_slice(headers);
        self.send("POST", path, &h, body).await
    }

    /// Password grant for `demo` through `server-demo` (body auth): returns the JSON.
    pub async fn password_token(&self) -> Value {
        let body = "grant_type=password&username=demo&password=demo&scope=MOBPROC\
                    &client_id=server-demo&client_secret=server-demo-secret";
        let r = self.post_form("/as/token.oauth2", &[], body).await;
        assert_eq!(r.status, 200, "{}", r.body);
        r.json()
    }

    /// Implicit sign-in of `login` through `portal-demo`: the fragment parameters.
    pub async fn implicit(
        &self,
        login: &str,
        password: &str,
        state: &str,
    ) -> HashMap<String, String> {
        self.implicit_via("portal-demo", login, password, state)
            .await
    }

    /// Implicit sign-in of `login` through the public client `client_id`.
    pub async fn implicit_via(
        &self,
        client_id: &str,
        login: &str,
        password: &str,
        state: &str,
    ) -> HashMap<String, String> {
        let body = form(&[
            ("response_type", "token"),
            ("client_id", client_id),
            ("redirect_uri", "http://127.0.0.1:8080/callback"),
            ("scope", "MOBPROC"),
            ("state", state),
            ("username", login),
            ("password", password),
            ("action", "sign-in"),
        ]);
        let r = self.post_form("/as/authorization.oauth2", &[], &body).await;
        assert_eq!(r.status, 302, "{}", r.body);
        fragment(r.header("location").unwrap())
    }

    /// An API call with the usual headers for a `server-demo` token of tenant XYZ.
    pub async fn api(&self, path: &str, token: &str, extra: &[(&str, &str)]) -> Resp {
        let auth = format!("Bearer {token}");
        let mut h = vec![
            ("Authorization", auth.as_str()),
            ("X-TNGO-TENANT", "XYZ"),
            ("client_id", "server-demo"),
        ];
        h.extend_from_slice(extra);
        self.get(path, &h).await
    }
}

/// An HTTP Basic `Authorization` value: id and secret form-urlencoded (RFC 6749 §2.3.1).
pub fn basic(id: &str, secret: &str) -> String {
    use base64::Engine;
    let enc = |v: &str| form(&[("x", v)])[2..].to_string();
    let raw = format!("{}:{}", enc(id), enc(secret));
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

pub fn form(pairs: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

/// Parses the fragment of a redirect location.
pub fn fragment(location: &str) -> HashMap<String, String> {
    let (_, frag) = location.split_once('#').expect("no fragment");
    form_urlencoded::parse(frag.as_bytes())
        .into_owned()
        .collect()
}

/// The keys of a JSON object, sorted.
pub fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

/// The keys of a token endpoint answer as Tangoe documents it (TANGOE.md): no `scope`.
pub const TOKEN_ANSWER: [&str; 4] = ["access_token", "expires_in", "refresh_token", "token_type"];

pub fn s(v: &Value) -> String {
    v.as_str().unwrap().to_string()
}

/// `Config::from_args` with these flags and environment variables.
pub fn parse(args: &[&str], env: &[(&str, &str)]) -> Result<Command, String> {
    let env: HashMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::from_args(args.iter().map(|s| s.to_string()), &env)
}

/// The `Config` the flags and variables give (`Err` with the message, or "help").
pub fn run_config(args: &[&str], env: &[(&str, &str)]) -> Result<Config, String> {
    match parse(args, env)? {
        Command::Run(c) => Ok(c),
        Command::Help => Err("help".into()),
    }
}

/// An emulator started with these flags, on a free port, without printing its log.
pub async fn start_args(args: &[&str]) -> Emu {
    let c = run_config(args, &[]).expect("flags accepted");
    start_with(Config {
        port: 0,
        print_log: false,
        ..c
    })
    .await
}
