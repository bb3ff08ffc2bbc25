//! Flags and `MOBPROC_EMU_*` environment variables.
#![allow(clippy::unwrap_used)]

mod common;

use common::parse;
use mobproc_emulator::Command;

#[test]
fn defaults() {
    let Ok(Command::Run(c)) = parse(&[], &[]) else {
        unreachable!()
    };
    assert_eq!(c.port, 8081);
    assert_eq!(c.app_origins, ["http://127.0.0.1:8080"]);
    assert_eq!(
        c.redirect_uris,
        ["http://127.0.0.1:8080/", "http://127.0.0.1:8080/callback"]
    );
    assert_eq!(c.token_lifetime, 3600);
}

#[test]
fn flags_repeat_and_win_over_env() {
    let env = [
        ("MOBPROC_EMU_PORT", "9000"),
        ("MOBPROC_EMU_APP_ORIGIN", "http://a.test, http://b.test"),
        ("MOBPROC_EMU_TOKEN_LIFETIME", "5"),
    ];
    let Ok(Command::Run(c)) = parse(
        &[
            "--port",
            "0",
            "--redirect-uri",
            "http://x.test/cb",
            "--redirect-uri=http://y.test/",
        ],
        &env,
    ) else {
        unreachable!()
    };
    assert_eq!(c.port, 0);
    assert_eq!(c.app_origins, ["http://a.test", "http://b.test"]);
    assert_eq!(c.redirect_uris, ["http://x.test/cb", "http://y.test/"]);
    assert_eq!(c.token_lifetime, 5);
    let Ok(Command::Run(c)) = parse(&["--app-origin", "http://c.test"], &env) else {
        unreachable!()
    };
    assert_eq!(c.app_origins, ["http://c.test"]);
}

#[test]
fn errors_and_help() {
    assert!(parse(&["--port", "x"], &[]).is_err());
    assert!(parse(&["--port"], &[]).is_err());
    assert!(parse(&["--nope", "1"], &[]).is_err());
    assert!(parse(&["--token-lifetime", "0"], &[]).is_err());
    assert_eq!(parse(&["--help"], &[]), Ok(Command::Help));
}
