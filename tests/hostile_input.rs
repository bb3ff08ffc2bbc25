//! Hostile and malformed sign-in responses, one row each, with the documented error code
//! (issue 7). The same rows run through the real package in Chromium in
//! tests/browser/hardening.test.mjs, which also checks that nothing is stored and an existing
//! session is untouched.
// Native only: the wasm test runner runs only wasm_bindgen_test functions.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use mobproc_auth::authorize::sanitize_return_to;
use mobproc_auth::callback::{evaluate, is_oauth_response, PendingSignIn};
use mobproc_auth::secret::State;
use mobproc_auth::token::{seconds_from_number, seconds_from_text, TokenRecord, MAX_TIME_MS};
use mobproc_auth::ErrorKind;

const NOW: u64 = 1_700_000_000_000;
const STATE: &str = "pending-state-0123456789abcdefghijklmnopqrstu";
const GOOD: &str = "access_token=tok.A-1&token_type=Bearer&expires_in=3600";

fn pending() -> PendingSignIn {
    PendingSignIn {
        state: State::new(STATE),
        return_to: Some("/orders".into()),
        verifier: None,
    }
}

/// The code `evaluate` gives `fragment` with this tab's pending sign-in ("ok" on success).
fn code(fragment: &str, pending: Option<&PendingSignIn>) -> &'static str {
    evaluate(fragment, pending, NOW).map_or_else(|e| e.code(), |_| "ok")
}

fn with_state(fields: &str) -> String {
    format!("{fields}&state={STATE}")
}

/// `(what, fragment, expected code)`; every fragment is checked against `pending()`.
fn rows() -> Vec<(&'static str, String, &'static str)> {
    let huge_value = "a".repeat(100 * 1024);
    vec![
        ("a good response", with_state(GOOD), "ok"),
        // access_token
        (
            "missing access_token",
            with_state("token_type=Bearer&expires_in=3600"),
            "invalid_callback",
        ),
        (
            "empty access_token",
            with_state("access_token=&token_type=Bearer&expires_in=3600"),
            "invalid_callback",
        ),
        (
            "access_token with CR LF (header injection)",
            with_state("access_token=a%0D%0AX-Evil:%201&token_type=Bearer&expires_in=3600"),
            "invalid_callback",
        ),
        (
            "access_token with a space",
            with_state("access_token=a+b&token_type=Bearer&expires_in=3600"),
            "invalid_callback",
        ),
        // expires_in
        (
            "expires_in absent",
            with_state("access_token=tok&token_type=Bearer"),
            "invalid_callback",
        ),
        (
            "expires_in empty",
            with_state("access_token=tok&token_type=Bearer&expires_in="),
            "invalid_callback",
        ),
        (
            "expires_in zero",
            with_state("access_token=tok&token_type=Bearer&expires_in=0"),
            "invalid_callback",
        ),
        (
            "expires_in negative",
            with_state("access_token=tok&token_type=Bearer&expires_in=-60"),
            "invalid_callback",
        ),
        (
            "expires_in fractional",
            with_state("access_token=tok&token_type=Bearer&expires_in=59.5"),
            "invalid_callback",
        ),
        (
            "expires_in with exponent",
            with_state("access_token=tok&token_type=Bearer&expires_in=1e3"),
            "invalid_callback",
        ),
        (
            "expires_in huge (saturates at MAX_TIME_MS)",
            with_state("access_token=tok&token_type=Bearer&expires_in=999999999999999999999999999"),
            "ok",
        ),
        (
            "expires_in not a number",
            with_state("access_token=tok&token_type=Bearer&expires_in=soon"),
            "invalid_callback",
        ),
        (
            "expires_in with a plus sign",
            with_state("access_token=tok&token_type=Bearer&expires_in=%2B60"),
            "invalid_callback",
        ),
        // token_type
        (
            "token_type missing",
            with_state("access_token=tok&expires_in=3600"),
            "invalid_callback",
        ),
        (
            "token_type mac",
            with_state("access_token=tok&token_type=mac&expires_in=3600"),
            "invalid_callback",
        ),
        (
            "scope with a control character (dropped, the token kept)",
            with_state(&format!("{GOOD}&scope=MOBPROC%7F")),
            "ok",
        ),
        (
            "scope with a line break (dropped, the token kept)",
            with_state(&format!("{GOOD}&scope=a%0D%0Ab")),
            "ok",
        ),
        (
            "token_type BEARER (case-insensitive)",
            with_state("access_token=tok&token_type=BEARER&expires_in=3600"),
            "ok",
        ),
        (
            "token_type bearer with a trailing space",
            with_state("access_token=tok&token_type=Bearer+&expires_in=3600"),
            "invalid_callback",
        ),
        // duplicated parameters (RFC 6749 §3.1)
        (
            "access_token twice",
            with_state("access_token=a&access_token=b&token_type=Bearer&expires_in=3600"),
            "invalid_callback",
        ),
        (
            "expires_in twice",
            with_state("access_token=a&token_type=Bearer&expires_in=60&expires_in=3600"),
            "invalid_callback",
        ),
        (
            "state twice, both right",
            format!("{GOOD}&state={STATE}&state={STATE}"),
            "invalid_callback",
        ),
        (
            "error twice",
            with_state("error=access_denied&error=server_error"),
            "invalid_callback",
        ),
        // percent-encoding
        (
            "bad percent-encoding in a value",
            with_state("access_token=%zz&token_type=Bearer&expires_in=3600"),
            "invalid_callback",
        ),
        (
            "truncated percent-encoding",
            with_state("access_token=tok&token_type=Bearer&expires_in=36%0"),
            "invalid_callback",
        ),
        (
            "a stray % at the end",
            format!("{}%", with_state(GOOD)),
            "invalid_callback",
        ),
        (
            "percent-encoded non-ASCII",
            with_state("access_token=tok%C3%A9&token_type=Bearer&expires_in=3600"),
            "invalid_callback",
        ),
        (
            "raw non-ASCII",
            with_state("access_token=toké&token_type=Bearer&expires_in=3600"),
            "invalid_callback",
        ),
        // size
        (
            "a 100 KB fragment (access_token too long)",
            with_state(&format!(
                "access_token={huge_value}&token_type=Bearer&expires_in=3600"
            )),
            "invalid_callback",
        ),
        (
            "a 100 KB fragment (padding parameter, token fine)",
            with_state(&format!("{GOOD}&padding={huge_value}")),
            "ok",
        ),
        (
            "a 100 KB fragment of separators",
            format!("{}{}", "&".repeat(100 * 1024), with_state(GOOD)),
            "ok",
        ),
        // state
        ("state missing", GOOD.to_owned(), "state_mismatch"),
        ("state empty", format!("{GOOD}&state="), "state_mismatch"),
        (
            "state unknown",
            format!("{GOOD}&state=someone-elses-state"),
            "state_mismatch",
        ),
        (
            "state a prefix of the right one",
            format!("{GOOD}&state={}", &STATE[..STATE.len() - 1]),
            "state_mismatch",
        ),
        (
            "state with a suffix",
            format!("{GOOD}&state={STATE}x"),
            "state_mismatch",
        ),
        (
            "state differing in case",
            format!("{GOOD}&state={}", STATE.to_uppercase()),
            "state_mismatch",
        ),
        (
            "state missing, with an error",
            "error=access_denied".to_owned(),
            "state_mismatch",
        ),
        (
            "state unknown, with an error",
            "error=access_denied&state=other".to_owned(),
            "state_mismatch",
        ),
        (
            "bad percent-encoding and an unknown state (decoding comes first; nothing stored either way)",
            "access_token=%zz&state=other".to_owned(),
            "invalid_callback",
        ),
        // error
        (
            "error without description",
            with_state("error=access_denied"),
            "authorization_denied",
        ),
        (
            "error with description",
            with_state("error=access_denied&error_description=The+user+cancelled"),
            "authorization_denied",
        ),
        (
            "error with a token beside it (the error wins)",
            with_state(&format!("{GOOD}&error=server_error")),
            "authorization_denied",
        ),
        (
            "error with a 100 KB description",
            with_state(&format!("error=access_denied&error_description={huge_value}")),
            "authorization_denied",
        ),
    ]
}

#[test]
fn every_row_has_its_documented_code() {
    let pending = pending();
    let mut failures = Vec::new();
    for (what, fragment, expected) in rows() {
        assert!(is_oauth_response(&fragment) || expected == "ok", "{what}");
        let got = code(&fragment, Some(&pending));
        if got != expected {
            failures.push(format!("{what}: expected {expected}, got {got}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn without_a_pending_sign_in_every_row_is_refused() {
    for (what, fragment, _) in rows() {
        let got = code(&fragment, None);
        assert!(
            matches!(got, "state_mismatch" | "invalid_callback"),
            "{what}: {got}"
        );
    }
}

#[test]
fn a_replayed_response_is_refused() {
    // The shell takes (reads and deletes) the pending sign-in before evaluating, so the
    // second use of a good response is evaluated with no pending sign-in.
    let fragment = with_state(GOOD);
    let first = evaluate(&fragment, Some(&pending()), NOW).unwrap();
    assert_eq!(first.record.access_token().secret(), "tok.A-1");
    assert_eq!(
        evaluate(&fragment, None, NOW + 1).unwrap_err().into_kind(),
        ErrorKind::StateMismatch
    );
    // A new sign-in in the same tab does not make the old response valid again.
    let newer = PendingSignIn {
        state: State::new("a-newer-state"),
        return_to: None,
        verifier: None,
    };
    assert_eq!(
        evaluate(&fragment, Some(&newer), NOW + 2)
            .unwrap_err()
            .into_kind(),
        ErrorKind::StateMismatch
    );
}

#[test]
fn oauth_errors_keep_what_the_server_said() {
    let with = evaluate(
        &with_state("error=access_denied&error_description=The+user+cancelled"),
        Some(&pending()),
        NOW,
    )
    .unwrap_err()
    .into_kind();
    assert_eq!(
        with,
        ErrorKind::AuthorizationDenied {
            error: "access_denied".into(),
            description: Some("The user cancelled".into()),
        }
    );
    let without = evaluate(&with_state("error=access_denied"), Some(&pending()), NOW)
        .unwrap_err()
        .into_kind();
    assert_eq!(
        without,
        ErrorKind::AuthorizationDenied {
            error: "access_denied".into(),
            description: None,
        }
    );
    // A huge description is cut, not carried whole into messages.
    let huge = evaluate(
        &with_state(&format!(
            "error=access_denied&error_description={}",
            "d".repeat(100 * 1024)
        )),
        Some(&pending()),
        NOW,
    )
    .unwrap_err()
    .into_kind();
    match huge {
        ErrorKind::AuthorizationDenied {
            description: Some(d),
            ..
        } => assert_eq!(d.len(), 500),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_huge_expires_in_saturates() {
    let ok = evaluate(
        &with_state("access_token=tok&token_type=Bearer&expires_in=999999999999999999999999999"),
        Some(&pending()),
        NOW,
    )
    .unwrap();
    assert_eq!(ok.record.expires_at_ms(), MAX_TIME_MS);
    assert_eq!(ok.return_to.as_deref(), Some("/orders"));
}

#[test]
fn return_to_tricks_are_dropped() {
    let rows: [(&str, Option<&str>); 16] = [
        ("/orders", Some("/orders")),
        ("/orders?id=7#top", Some("/orders?id=7#top")),
        ("//evil.example", None),
        ("//evil.example/path", None),
        ("/\\evil.example", None),
        ("\\\\evil.example", None),
        ("https://evil.example", None),
        ("https://evil.example/orders", None),
        ("HTTPS://evil.example", None),
        ("javascript:alert(1)", None),
        ("JaVaScRiPt:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("/\t/evil.example", None),
        ("/%0d%0aSet-Cookie:x", Some("/%0d%0aSet-Cookie:x")),
        (" /orders", None),
        ("", None),
    ];
    for (input, expected) in rows {
        assert_eq!(sanitize_return_to(input).as_deref(), expected, "{input:?}");
    }
}

/// The token endpoint's answer, field by field (`TokenRecord::from_response`), as the shell
/// hands it over after JSON parsing: the reason text is what `invalid_token_response` carries.
#[test]
fn token_response_fields() {
    type Row = (
        &'static str,
        Option<&'static str>,
        Option<&'static str>,
        Option<u64>,
        Option<&'static str>,
        Result<u64, &'static str>,
    );
    let huge = "a".repeat(100 * 1024);
    let huge: &'static str = Box::leak(huge.into_boxed_str());
    let rows: Vec<Row> = vec![
        (
            "good",
            Some("tok"),
            Some("Bearer"),
            Some(60),
            Some("r1"),
            Ok(NOW + 60_000),
        ),
        (
            "BEARER",
            Some("tok"),
            Some("BEARER"),
            Some(60),
            None,
            Ok(NOW + 60_000),
        ),
        (
            "no access_token",
            None,
            Some("Bearer"),
            Some(60),
            None,
            Err("no access_token"),
        ),
        (
            "empty access_token",
            Some(""),
            Some("Bearer"),
            Some(60),
            None,
            Err("access_token is empty, too long or has characters a bearer token cannot have"),
        ),
        (
            "100 KB access_token",
            Some(huge),
            Some("Bearer"),
            Some(60),
            None,
            Err("access_token is empty, too long or has characters a bearer token cannot have"),
        ),
        (
            "no token_type",
            Some("tok"),
            None,
            Some(60),
            None,
            Err("no token_type"),
        ),
        (
            "token_type mac",
            Some("tok"),
            Some("mac"),
            Some(60),
            None,
            Err("token_type is not Bearer"),
        ),
        (
            "no expires_in",
            Some("tok"),
            Some("Bearer"),
            None,
            None,
            Err("expires_in is missing or not a positive integer"),
        ),
        (
            "huge expires_in",
            Some("tok"),
            Some("Bearer"),
            Some(u64::MAX),
            None,
            Ok(MAX_TIME_MS),
        ),
        (
            "refresh_token with a space",
            Some("tok"),
            Some("Bearer"),
            Some(60),
            Some("r 1"),
            Err("refresh_token is empty, too long or not visible ASCII"),
        ),
        (
            "empty refresh_token",
            Some("tok"),
            Some("Bearer"),
            Some(60),
            Some(""),
            Err("refresh_token is empty, too long or not visible ASCII"),
        ),
    ];
    for (what, access, kind, expires, refresh, expected) in rows {
        let got = TokenRecord::from_response(access, kind, expires, refresh, None, NOW)
            .map(|r| r.expires_at_ms());
        assert_eq!(got, expected, "{what}");
    }
    // expires_in as the JSON number the endpoint sent, and as redirect text.
    for (number, expected) in [
        (3600.0, Some(3600)),
        (0.0, None),
        (-60.0, None),
        (59.5, None),
        (f64::NAN, None),
        (f64::INFINITY, None),
        (1e300, Some(u64::MAX)),
    ] {
        assert_eq!(seconds_from_number(number), expected, "{number}");
    }
    for (text, expected) in [
        ("3600", Some(3600)),
        ("", None),
        ("0", None),
        ("-60", None),
        ("59.5", None),
        ("soon", None),
        ("999999999999999999999999999", Some(u64::MAX)),
    ] {
        assert_eq!(seconds_from_text(text), expected, "{text:?}");
    }
}
