//! The real binary: the `listening on` line, one log line per request without the query
//! string or token values, and a clean stop on SIGTERM.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

fn get(addr: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nclient_id: portal-demo\r\n\r\n");
    s.write_all(req.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn prints_port_logs_requests_and_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mobproc-emulator"))
        .args(["--port", "0", "--token-lifetime", "60"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let base = line
        .trim_end()
        .strip_prefix("mobproc-emulator listening on http://127.0.0.1:")
        .map(|port| format!("127.0.0.1:{port}"))
        .expect("first line names the address");
    let resp = get(&base, "/validate?access_token=sekrit-value");
    assert!(resp.starts_with("HTTP/1.1 400"));
    line.clear();
    out.read_line(&mut line).unwrap();
    assert_eq!(line, "GET /validate 400 client_id\n");
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert!(child.wait().unwrap().success());
}
