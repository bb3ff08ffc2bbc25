//! The real binary: start-up errors name the setting (exit 2), the `listening on` line
//! with the real port, the secret taken from the environment (never argv), one log line
//! per request on stderr without any token or secret, and a clean stop on SIGTERM, also while
//! callers stall.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

const BIN: &str = env!("CARGO_BIN_EXE_mobproc-relay");
const VAR: &str = "MOBPROC_RELAY_CLIENT_SECRET";

/// Runs the binary with `args` and the secret variable set to `secret` (or unset); it must
/// exit by itself within 10 s. Returns the exit code and stderr.
fn exits(args: &[&str], secret: Option<&str>) -> (i32, String) {
    let mut cmd = Command::new(BIN);
    cmd.args(args).stdout(Stdio::null()).stderr(Stdio::piped());
    match secret {
        Some(s) => cmd.env(VAR, s),
        None => cmd.env_remove(VAR),
    };
    let mut child = cmd.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("the relay started with {args:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    (child.wait().unwrap().code().unwrap(), err)
}

const GOOD: [&str; 8] = [
    "--listen",
    "127.0.0.1:0",
    "--token-url",
    "http://127.0.0.1:9/as/token.oauth2",
    "--client-id",
    "portal-demo",
    "--allow-origin",
    "http://127.0.0.1:8080",
];

fn with(replace: &str, value: &str) -> Vec<String> {
    let mut args: Vec<String> = GOOD.iter().map(|s| s.to_string()).collect();
    match args.iter().position(|a| a == replace) {
        Some(i) => args[i + 1] = value.to_string(),
        None => args.extend([replace.to_string(), value.to_string()]),
    }
    args
}

fn without(flag: &str) -> Vec<String> {
    let mut args: Vec<String> = GOOD.iter().map(|s| s.to_string()).collect();
    let i = args.iter().position(|a| a == flag).unwrap();
    args.drain(i..i + 2);
    args
}

#[test]
fn start_up_errors_name_the_setting() {
    let cases: Vec<(Vec<String>, Option<&str>, &str)> = vec![
        (with("--client-id", "portal-demo"), None, VAR),
        (with("--client-id", "portal-demo"), Some(""), VAR),
        (with("--client-id", "portal-demo"), Some("line\n"), VAR),
        (without("--listen"), Some("s"), "--listen"),
        (with("--listen", "localhost"), Some("s"), "--listen"),
        (without("--token-url"), Some("s"), "--token-url"),
        (
            with("--token-url", "http://oauth.tangoe.com/as/token.oauth2"),
            Some("s"),
            "--token-url",
        ),
        (without("--client-id"), Some("s"), "--client-id"),
        (without("--allow-origin"), Some("s"), "--allow-origin"),
        (
            with("--allow-origin", "http://127.0.0.1:8080/"),
            Some("s"),
            "--allow-origin",
        ),
        (with("--client-auth", "post"), Some("s"), "--client-auth"),
        (with("--timeout-ms", "soon"), Some("s"), "--timeout-ms"),
        (with("--timeout-ms", "0"), Some("s"), "--timeout-ms"),
        (
            with("--revoke-url", "ftp://127.0.0.1/r"),
            Some("s"),
            "--revoke-url",
        ),
        (
            with("--client-secret", "argv-secret-value"),
            Some("s"),
            "--client-secret",
        ),
        (with("--port", "8090"), Some("s"), "--port"),
    ];
    for (args, secret, setting) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, err) = exits(&args, secret);
        assert_eq!(code, 2, "{args:?}: {err}");
        let first = err.lines().next().unwrap_or_default();
        assert!(
            first.starts_with(&format!("mobproc-relay: {setting}: ")),
            "{args:?}: {first}"
        );
        assert!(err.contains("usage: mobproc-relay"), "{err}");
        assert!(
            !err.contains("argv-secret-value"),
            "a secret given as a flag is not echoed"
        );
    }
}

#[test]
fn a_busy_port_names_listen() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let args: Vec<String> = with("--listen", &addr);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, err) = exits(&args, Some("s"));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.starts_with("mobproc-relay: --listen: cannot bind"),
        "{err}"
    );
}

#[test]
fn help_prints_usage() {
    let out = Command::new(BIN)
        .arg("--help")
        .env_remove(VAR)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("--allow-origin") && text.contains(VAR),
        "{text}"
    );
}

/// Distinctive values that must never appear in the log or the command line.
const BIN_SECRET: &str = "BIN-SECRET-7f3a9c";
const SECRETS: [&str; 6] = [
    BIN_SECRET,
    "RT-SECRET-1111",
    "AT-SECRET-2222",
    "RT-SECRET-3333",
    "PW-SECRET-4444",
    "AT-FROM-TANGOE-5555",
];

/// The running binary, killed when dropped so a failing test leaves no relay behind.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Everything `child` writes on stderr, once it has exited.
fn read_stderr(child: &mut Child) -> std::thread::JoinHandle<String> {
    let mut stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        let mut s = String::new();
        stderr.read_to_string(&mut s).unwrap();
        s
    })
}

/// Sends SIGTERM and waits up to 10 s for `child` to exit.
fn terminate(child: &mut Child) -> std::process::ExitStatus {
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "no stop after SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn start(fake: &Fake) -> (Running, String) {
    start_with(fake, "5000")
}

fn start_with(fake: &Fake, timeout_ms: &str) -> (Running, String) {
    let mut child = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--token-url", &fake.token_url()])
        .args(["--client-id", CLIENT_ID, "--allow-origin", ORIGIN])
        .args([
            "--revoke-url",
            &fake.revoke_url(),
            "--timeout-ms",
            timeout_ms,
        ])
        .env(VAR, BIN_SECRET)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let child = Running(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let addr = line
        .trim_end()
        .strip_prefix("mobproc-relay listening on http://")
        .unwrap_or_else(|| panic!("first line: {line:?}"))
        .to_string();
    assert!(
        addr.starts_with("127.0.0.1:") && !addr.ends_with(":0"),
        "{addr}"
    );
    (child, addr)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_logs_without_secrets_and_stops_on_sigterm() {
    let fake = fake().await;
    fake.reply(Reply::Json(
        200,
        r#"{"token_type":"Bearer","expires_in":60,"refresh_token":"RT-NEXT","access_token":"AT-FROM-TANGOE-5555"}"#.into(),
    ));
    let (mut running, addr) = start(&fake);
    let child = &mut running.0;
    let log = read_stderr(child);
    #[cfg(target_os = "linux")]
    {
        let argv = std::fs::read(format!("/proc/{}/cmdline", child.id())).unwrap();
        assert!(!String::from_utf8_lossy(&argv).contains(BIN_SECRET));
    }

    let r = post(
        &addr,
        "/token",
        "grant_type=refresh_token&refresh_token=RT-SECRET-1111&scope=MOBPROC",
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("AT-FROM-TANGOE-5555"));
    let validate = format!("grant_type={}&token=AT-SECRET-2222", enc(VALIDATE));
    assert_eq!(post(&addr, "/token", &validate).await.status, 200);
    fake.reply(Reply::Raw(200, "text/plain", String::new()));
    let r = post(
        &addr,
        "/revoke",
        "token=RT-SECRET-3333&token_type_hint=refresh_token",
    )
    .await;
    assert_eq!(r.status, 200);
    let r = post(
        &addr,
        "/token",
        "grant_type=password&username=jdoe&password=PW-SECRET-4444",
    )
    .await;
    assert_eq!(r.status, 400);
    let foreign = [("Origin", "https://evil.example")];
    let r = post_with(&addr, "/token?refresh_token=RT-SECRET-1111", &foreign, "").await;
    assert_eq!(r.status, 403);

    // The secret came from the environment.
    let seen = fake.seen();
    assert_eq!(seen.len(), 3);
    for s in &seen {
        assert_eq!(
            s.header("authorization"),
            Some(basic(CLIENT_ID, BIN_SECRET).as_str())
        );
    }

    let status = terminate(child);
    assert!(status.success(), "{status:?}");

    let log = log.join().unwrap();
    let lines: Vec<&str> = log.lines().collect();
    let expected = [
        "POST /token origin=http://127.0.0.1:8080 grant=refresh_token status=200 upstream=200 ms=",
        "POST /token origin=http://127.0.0.1:8080 grant=validate_bearer status=200 upstream=200 ms=",
        "POST /revoke origin=http://127.0.0.1:8080 grant=- status=200 upstream=200 ms=",
        "POST /token origin=http://127.0.0.1:8080 grant=password status=400 upstream=- ms=",
        "POST /token origin=https://evil.example grant=- status=403 upstream=- ms=",
    ];
    assert_eq!(lines.len(), expected.len(), "{log}");
    for (line, prefix) in lines.iter().zip(expected) {
        assert!(
            line.starts_with(prefix),
            "{line:?} does not start with {prefix:?}"
        );
        let ms = line.rsplit("ms=").next().unwrap();
        assert!(ms.parse::<u64>().is_ok(), "{line}");
    }
    let basic_value = basic(CLIENT_ID, BIN_SECRET);
    let basic_b64 = basic_value.trim_start_matches("Basic ");
    for secret in SECRETS.iter().copied().chain([basic_b64, "RT-NEXT"]) {
        assert!(!log.contains(secret), "{secret} in the log:\n{log}");
    }
}

/// Opens a connection to `addr` and sends `bytes`, then nothing more.
async fn stall(addr: &str, bytes: &str) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt;
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(bytes.as_bytes()).await.unwrap();
    s
}

/// What the relay sends on `s` until it closes it, waiting at most `within`.
async fn until_closed(s: &mut tokio::net::TcpStream, within: Duration) -> String {
    use tokio::io::AsyncReadExt;
    let mut out = Vec::new();
    let read = tokio::time::timeout(within, async {
        let mut buf = [0u8; 1024];
        while let Ok(n @ 1..) = s.read(&mut buf).await {
            out.extend_from_slice(&buf[..n]);
        }
    });
    assert!(
        read.await.is_ok(),
        "the connection was still open after {within:?}"
    );
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_that_stalls_is_cut_off_after_the_timeout_and_does_not_hold_a_shutdown() {
    let fake = fake().await;
    let (mut running, addr) = start_with(&fake, "300");
    let within = Duration::from_secs(5);
    // A request head that never ends (no Origin yet, so the gate has not run).
    let mut head = stall(&addr, "POST /token HTTP/1.1\r\nHost: x\r\n").await;
    until_closed(&mut head, within).await;
    // A body that never comes: 408, nothing forwarded.
    let partial = format!(
        "POST /token HTTP/1.1\r\nHost: x\r\nOrigin: {ORIGIN}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ngrant_type="
    );
    let mut body = stall(&addr, &partial).await;
    let answer = until_closed(&mut body, within).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(fake.seen().is_empty());
    // SIGTERM while a caller stalls in its body: the relay stops within its grace.
    let _held = stall(&addr, &partial).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let child = &mut running.0;
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + within;
    while child.try_wait().unwrap().is_none() {
        assert!(
            Instant::now() < deadline,
            "no stop after SIGTERM while a caller stalls"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_that_hangs_up_while_tangoe_is_asked_still_gets_a_line() {
    let fake = fake().await;
    // Tangoe answers after 400 ms; the caller leaves after 100 ms.
    fake.reply(Reply::Sleep(Duration::from_millis(400)));
    let (mut running, addr) = start(&fake);
    let child = &mut running.0;
    let log = read_stderr(child);
    let form = "grant_type=refresh_token&refresh_token=RT-SECRET-1111";
    let request = format!(
        "POST /token HTTP/1.1\r\nHost: x\r\nOrigin: {ORIGIN}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
        form.len()
    );
    let caller = stall(&addr, &request).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    drop(caller);
    let deadline = Instant::now() + Duration::from_secs(5);
    while fake.seen().is_empty() {
        assert!(Instant::now() < deadline, "Tangoe was never asked");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    terminate(child);
    let log = log.join().unwrap();
    // Tangoe was asked; the line says the caller left before the answer.
    let prefix = format!("POST /token origin={ORIGIN} grant=- status=499 upstream=abandoned ms=");
    assert!(
        log.lines().any(|line| line.starts_with(&prefix)),
        "no line for the call:\n{log}"
    );
    assert!(!log.contains("RT-SECRET-1111"), "{log}");
}
