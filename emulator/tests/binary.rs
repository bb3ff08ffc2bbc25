//! The real binary: the `listening on` line, one log line per request without the query
//! string or token values, a clean stop on SIGTERM; with `--tenant`/`--user`/`--client`,
//! startup errors exit 2 with a clear message, and the `MOBPROC_EMU_*` variables reach the
//! running server; the confidential portal client and `--no-implicit-refresh-token` as a
//! harness starts them (flags or variables); an app origin or redirect URI that could never
//! match exits 2 naming the flag and the fix; refusals end their log line with the fix.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStdout, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_mobproc-emulator");

/// The binary on a free port with `args` and `env`: the child, its stdout after the first
/// line, and the `127.0.0.1:port` that line names.
fn serve(args: &[&str], env: &[(&str, &str)]) -> (Child, BufReader<ChildStdout>, String) {
    let mut child = Command::new(BIN)
        .args(["--port", "0"])
        .args(args)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let addr = line
        .trim_end()
        .strip_prefix("mobproc-emulator listening on http://")
        .expect("first line names the address")
        .to_string();
    (child, out, addr)
}

/// One HTTP/1.1 request over a fresh connection; the whole raw answer.
fn request(addr: &str, head: &str, body: &str) -> String {
    request_with(addr, head, &[], body)
}

/// [`request`] with extra header lines.
fn request_with(addr: &str, head: &str, headers: &[&str], body: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    let extra: String = headers.iter().map(|h| format!("{h}\r\n")).collect();
    let req = format!(
        "{head} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nclient_id: portal-demo\r\n\
         {extra}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn prints_port_logs_requests_and_stops_on_sigterm() {
    let (mut child, mut out, addr) = serve(&["--token-lifetime", "60"], &[]);
    let resp = request(&addr, "GET /validate?access_token=sekrit-value", "");
    assert!(resp.starts_with("HTTP/1.1 400"));
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert_eq!(line, "GET /validate 400 client_id\n");
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert!(child.wait().unwrap().success());
}

/// Runs the binary and expects exit code 2; a binary that starts serving instead is killed
/// after 10 s and the test fails (rather than hanging).
fn refused(args: &[&str], env: &[(&str, &str)]) -> String {
    let mut child = Command::new(BIN)
        .args(["--port", "0"])
        .args(args)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            let _ = child.wait();
            panic!("{args:?} {env:?} was accepted: the emulator started");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out: Output = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(out.stdout.is_empty(), "{out:?}");
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn bad_user_and_unknown_tenant_exit_2() {
    let e = refused(&["--user", "bob:pw"], &[]);
    assert!(e.starts_with("mobproc-emulator: user \"bob:pw\": "), "{e}");
    assert!(
        e.contains("expected USERNAME:PASSWORD:TENANT[:EMPLOYEEID[:NAME[:EMAIL]]]"),
        "{e}"
    );
    let e = refused(&["--user", "bob:pw:NOPE"], &[]);
    assert!(
        e.starts_with("mobproc-emulator: user bob: unknown tenant NOPE (known: XYZ, ABC)"),
        "{e}"
    );
    let e = refused(&[], &[("MOBPROC_EMU_USER", "bob:pw:NOPE")]);
    assert!(e.contains("unknown tenant NOPE"), "{e}");
    let e = refused(&["--client", "svc:"], &[]);
    assert!(e.contains("empty secret"), "{e}");
}

#[test]
fn env_vars_reach_the_server() {
    let env = [
        ("MOBPROC_EMU_TENANT", "FOO"),
        (
            "MOBPROC_EMU_USER",
            "command://fred:fred-pw:FOO;ann:ann-pw:XYZ",
        ),
        ("MOBPROC_EMU_CLIENT", "svc:sec,spa"),
    ];
    let (mut child, _out, addr) = serve(&[], &env);
    let post = |path: &str, body: &str| request(&addr, &format!("POST {path}"), body);
    let grant = "grant_type=password&username=command%3A%2F%2Ffred&password=fred-pw\
                 &client_id=svc&client_secret=sec";
    let ok = post("/as/token.oauth2", grant);
    let public = post("/as/token.oauth2", &grant.replace("svc", "spa"));
    let sign_in = "response_type=token&client_id=spa\
                   &redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2Fcallback\
                   &username=ann&password=ann-pw&action=sign-in";
    let page = post("/as/authorization.oauth2", sign_in);
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
    assert!(public.starts_with("HTTP/1.1 401"), "{public}");
    assert!(page.starts_with("HTTP/1.1 302"), "{page}");
    assert!(
        page.contains("location: http://127.0.0.1:8080/callback#access_token="),
        "{page}"
    );
}

/// Signs `demo` in through `portal-demo` on the running binary, then validates the token as
/// `portal-demo` without and with `secret`. Returns the redirect location and the two answers.
fn sign_in_and_validate(addr: &str, secret: &str) -> (String, String, String) {
    let sign_in = "response_type=token&client_id=portal-demo\
                   &redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2Fcallback\
                   &username=demo&password=demo&action=sign-in&state=st";
    let page = request(addr, "POST /as/authorization.oauth2", sign_in);
    let location = page
        .lines()
        .find_map(|l| l.strip_prefix("location: "))
        .unwrap_or_else(|| panic!("no redirect: {page}"))
        .to_string();
    let grant = "grant_type=urn%3Apingidentity.com%3Aoauth2%3Agrant_type%3Avalidate_bearer";
    let at = location
        .split("access_token=")
        .nth(1)
        .and_then(|r| r.split('&').next())
        .unwrap_or_default()
        .to_string();
    let no_secret = request(
        addr,
        "POST /as/token.oauth2",
        &format!("{grant}&token={at}&client_id=portal-demo"),
    );
    let with_secret = request(
        addr,
        "POST /as/token.oauth2",
        &format!("{grant}&token={at}&client_id=portal-demo&client_secret={secret}"),
    );
    (location, no_secret, with_secret)
}

#[test]
fn confidential_portal_client_without_implicit_refresh_token_by_flags_and_by_variables() {
    let flags = [
        "--client",
        "portal-demo:s3cret",
        "--no-implicit-refresh-token",
    ];
    let vars = [
        ("MOBPROC_EMU_CLIENT", "portal-demo:s3cret"),
        ("MOBPROC_EMU_NO_IMPLICIT_REFRESH_TOKEN", "1"),
    ];
    for (args, env) in [(&flags[..], &[][..]), (&[][..], &vars[..])] {
        let (mut child, _out, addr) = serve(args, env);
        let (location, no_secret, with_secret) = sign_in_and_validate(&addr, "s3cret");
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(location.contains("#access_token="), "{location}");
        assert!(
            !location.contains("refresh_token"),
            "{args:?} {env:?}: {location}"
        );
        assert!(no_secret.starts_with("HTTP/1.1 401"), "{no_secret}");
        assert!(no_secret.contains("\"invalid_client\""), "{no_secret}");
        assert!(with_secret.starts_with("HTTP/1.1 200"), "{with_secret}");
    }
    // Without them: a refresh token in the fragment; portal-demo is public and may not validate.
    let (mut child, _out, addr) = serve(&[], &[]);
    let (location, _, with_secret) = sign_in_and_validate(&addr, "s3cret");
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(location.contains("&refresh_token="), "{location}");
    assert!(with_secret.starts_with("HTTP/1.1 401"), "{with_secret}");
}

#[test]
fn origins_and_redirect_uris_that_could_never_match_exit_2_naming_the_flag_and_the_fix() {
    let e = refused(&["--app-origin", "127.0.0.1:5173"], &[]);
    assert!(
        e.starts_with("mobproc-emulator: --app-origin \"127.0.0.1:5173\": no scheme"),
        "{e}"
    );
    assert!(
        e.contains("use --app-origin http://127.0.0.1:5173\n"),
        "{e}"
    );
    let e = refused(&["--app-origin", "http://127.0.0.1:5173/"], &[]);
    assert!(e.contains("no trailing /"), "{e}");
    assert!(
        e.contains("use --app-origin http://127.0.0.1:5173\n"),
        "{e}"
    );
    let e = refused(&["--redirect-uri", "127.0.0.1:5173/"], &[]);
    assert!(
        e.starts_with("mobproc-emulator: --redirect-uri \"127.0.0.1:5173/\": no scheme"),
        "{e}"
    );
    assert!(
        e.contains("use --redirect-uri http://127.0.0.1:5173/\n"),
        "{e}"
    );
    let e = refused(&["--redirect-uri", "ftp://127.0.0.1/"], &[]);
    assert!(e.contains("not an absolute http(s) URL"), "{e}");
    let e = refused(&[], &[("MOBPROC_EMU_APP_ORIGIN", "localhost:5173")]);
    assert!(
        e.contains("use MOBPROC_EMU_APP_ORIGIN=http://localhost:5173\n"),
        "{e}"
    );
}

#[test]
fn refusals_are_logged_with_the_fix() {
    let (mut child, mut out, addr) = serve(
        &[
            "--app-origin",
            "http://127.0.0.1:5173",
            "--redirect-uri",
            "http://127.0.0.1:5173/",
        ],
        &[],
    );
    let page = request(
        &addr,
        "GET /as/authorization.oauth2?response_type=token&client_id=portal-demo\
         &redirect_uri=http%3A%2F%2Flocalhost%3A5173%2F&scope=MOBPROC&state=x",
        "",
    );
    let preflight = request_with(
        &addr,
        "OPTIONS /mobproc/v1/ping",
        &[
            "Origin: http://localhost:5173",
            "Access-Control-Request-Method: GET",
        ],
        "",
    );
    let mut sign_in = String::new();
    out.read_line(&mut sign_in).unwrap();
    let mut cors = String::new();
    out.read_line(&mut cors).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(page.starts_with("HTTP/1.1 400"), "{page}");
    assert!(
        page.contains("The redirect_uri http://localhost:5173/ is not registered"),
        "{page}"
    );
    assert!(preflight.starts_with("HTTP/1.1 403"), "{preflight}");
    assert!(
        sign_in.starts_with(
            "GET /as/authorization.oauth2 400 client_id | The redirect_uri \
             http://localhost:5173/ is not registered for client portal-demo. Registered for \
             portal-demo: http://127.0.0.1:5173/. Near miss: localhost and 127.0.0.1 are \
             different hosts to a browser"
        ),
        "{sign_in}"
    );
    assert!(
        sign_in.ends_with(
            "start the emulator with --redirect-uri http://localhost:5173/ (and --app-origin \
             http://localhost:5173 for the app's API calls; repeated flags replace the \
             defaults), or run cargo xtask emulator --app http://localhost:5173/\n"
        ),
        "{sign_in}"
    );
    assert!(
        cors.starts_with(
            "OPTIONS /mobproc/v1/ping 403 client_id | CORS preflight refused: origin \
             http://localhost:5173 is not allowed (allowed: http://127.0.0.1:5173)"
        ),
        "{cors}"
    );
    assert!(
        cors.contains("--app-origin http://localhost:5173 "),
        "{cors}"
    );
}
