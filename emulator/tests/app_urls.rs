//! `--app-origin` and `--redirect-uri` (and their variables) are checked at start-up: a value
//! that could never match what a browser sends is refused, naming the flag or variable and
//! giving the value to use instead.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use common::parse;
use mobproc_emulator::Command;

fn err(args: &[&str], env: &[(&str, &str)]) -> String {
    match parse(args, env) {
        Err(e) => e,
        other => panic!("{args:?} {env:?} accepted: {other:?}"),
    }
}

#[test]
fn an_origin_without_scheme_is_refused_with_the_fix() {
    let e = err(&["--app-origin", "127.0.0.1:5173"], &[]);
    assert!(
        e.starts_with("--app-origin \"127.0.0.1:5173\": no scheme"),
        "{e}"
    );
    assert!(e.ends_with("use --app-origin http://127.0.0.1:5173"), "{e}");
    // `localhost:5173` is not the scheme `localhost`.
    let e = err(&["--app-origin=localhost:5173/"], &[]);
    assert!(e.ends_with("use --app-origin http://localhost:5173"), "{e}");
    let e = err(&[], &[("MOBPROC_EMU_APP_ORIGIN", "127.0.0.1:5173")]);
    assert!(
        e.starts_with("MOBPROC_EMU_APP_ORIGIN \"127.0.0.1:5173\": no scheme"),
        "{e}"
    );
    assert!(
        e.ends_with("use MOBPROC_EMU_APP_ORIGIN=http://127.0.0.1:5173"),
        "{e}"
    );
}

#[test]
fn an_origin_is_exactly_what_the_browser_sends() {
    let cases = [
        (
            "http://127.0.0.1:5173/",
            "no trailing /",
            "http://127.0.0.1:5173",
        ),
        (
            "http://127.0.0.1:5173/app/",
            "no path",
            "http://127.0.0.1:5173",
        ),
        (
            "http://127.0.0.1:5173?x",
            "no path, query",
            "http://127.0.0.1:5173",
        ),
        ("http://127.0.0.1:80", "default port", "http://127.0.0.1"),
        (
            "https://portal.test:443",
            "default port",
            "https://portal.test",
        ),
        (
            "HTTP://LocalHost:5173",
            "lower case",
            "http://localhost:5173",
        ),
    ];
    for (value, why, fix) in cases {
        let e = err(&["--app-origin", value], &[]);
        assert!(e.starts_with(&format!("--app-origin {value:?}: ")), "{e}");
        assert!(e.contains(why), "{value}: {e}");
        assert!(e.ends_with(&format!("; use --app-origin {fix}")), "{e}");
    }
    let e = err(
        &[],
        &[("MOBPROC_EMU_APP_ORIGIN", "http://a.test, http://b.test/")],
    );
    assert!(
        e.starts_with("MOBPROC_EMU_APP_ORIGIN \"http://b.test/\": "),
        "{e}"
    );
    assert!(
        e.ends_with("use MOBPROC_EMU_APP_ORIGIN=http://b.test"),
        "{e}"
    );
}

#[test]
fn malformed_values_are_refused() {
    for flag in ["--app-origin", "--redirect-uri"] {
        for value in [
            "",
            "ftp://127.0.0.1:21",
            "http://",
            "http://:5173",
            "http://127.0.0.1:0",
            "http://127.0.0.1:99999",
            "http://127.0.0.1:51x",
            "http://me@127.0.0.1:5173",
            "http://127.0.0.1 :5173",
            "http://exa mple.test",
            "http://[::1",
            "http://a\\b.test",
            "*",
            "null",
            "/callback",
        ] {
            let e = err(&[flag, value], &[]);
            assert!(e.starts_with(flag), "{flag} {value:?}: {e}");
        }
    }
    let e = err(&["--redirect-uri", "ftp://x.test/"], &[]);
    assert!(e.contains("not an absolute http(s) URL"), "{e}");
    assert!(e.contains("http:// or https://"), "{e}");
}

#[test]
fn a_redirect_uri_is_in_the_form_the_sign_in_request_carries() {
    let cases = [
        ("127.0.0.1:5173", "no scheme", "http://127.0.0.1:5173/"),
        ("127.0.0.1:5173/cb", "no scheme", "http://127.0.0.1:5173/cb"),
        (
            "http://127.0.0.1:5173",
            "writes this URL as",
            "http://127.0.0.1:5173/",
        ),
        (
            "http://127.0.0.1:80/",
            "writes this URL as",
            "http://127.0.0.1/",
        ),
        (
            "HTTP://LOCALHOST:5173/Cb",
            "writes this URL as",
            "http://localhost:5173/Cb",
        ),
        (
            "http://127.0.0.1:5173/#cb",
            "no #fragment",
            "http://127.0.0.1:5173/",
        ),
    ];
    for (value, why, fix) in cases {
        let e = err(&["--redirect-uri", value], &[]);
        assert!(e.starts_with(&format!("--redirect-uri {value:?}: ")), "{e}");
        assert!(e.contains(why), "{value}: {e}");
        assert!(e.ends_with(&format!("use --redirect-uri {fix}")), "{e}");
    }
    let e = err(&[], &[("MOBPROC_EMU_REDIRECT_URI", "127.0.0.1:5173/")]);
    assert!(
        e.ends_with("use MOBPROC_EMU_REDIRECT_URI=http://127.0.0.1:5173/"),
        "{e}"
    );
}

#[test]
fn good_values_are_kept_as_given() {
    let Ok(Command::Run(c)) = parse(
        &[
            "--app-origin",
            "http://127.0.0.1:5173",
            "--app-origin",
            "http://localhost:5173",
            "--app-origin",
            "https://portal.test",
            "--app-origin",
            "http://[::1]:3000",
            "--redirect-uri",
            "http://127.0.0.1:5173/",
            "--redirect-uri",
            "http://localhost:5173/auth/callback?x=1",
            "--redirect-uri",
            "http://[::1]:3000/",
        ],
        &[],
    ) else {
        unreachable!()
    };
    assert_eq!(
        c.app_origins,
        [
            "http://127.0.0.1:5173",
            "http://localhost:5173",
            "https://portal.test",
            "http://[::1]:3000"
        ]
    );
    assert_eq!(
        c.redirect_uris,
        [
            "http://127.0.0.1:5173/",
            "http://localhost:5173/auth/callback?x=1",
            "http://[::1]:3000/"
        ]
    );
}
