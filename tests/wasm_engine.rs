//! The core as the npm package runs it: compiled to wasm32 and called through its
//! wasm-bindgen exports (in Node, by wasm-bindgen-test-runner). Hostile input must come back
//! as a wire error, never as a trap that would kill the module for the page's life.
#![cfg(target_arch = "wasm32")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use mobproc_auth::wasm::{check_record, is_oauth_response, sanitize_return_to, Engine};
use wasm_bindgen_test::wasm_bindgen_test;

fn engine() -> Engine {
    Engine::new(
        "portal-demo".into(),
        "XYZ".into(),
        "https://api.example.com/mobproc/v1".into(),
        Some("https://oauth.example.com/as/authorization.oauth2".into()),
        Some("https://portal.example.com/".into()),
        None,
        "https://files.example.com\n",
        None,
        Some("https://oauth.example.com/as/token.oauth2".into()),
        None,
        None,
        None,
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

#[wasm_bindgen_test]
fn config_errors_cross_as_json_naming_the_field() {
    let err = Engine::new(
        "a b".into(),
        "XYZ".into(),
        "https://a.example".into(),
        None,
        None,
        None,
        "",
        None,
        None,
        None,
        None,
        None,
    )
    .err()
    .unwrap();
    assert!(
        err.starts_with(r#"{"code":"config_invalid","message":"invalid config: `clientId` "#),
        "{err}"
    );
    assert!(err.ends_with(r#","field":"clientId"}"#), "{err}");
    let err = Engine::new(
        "c".into(),
        "XYZ".into(),
        "https://a.example".into(),
        None,
        None,
        None,
        "https://ok.example\nhttps://x.example/p",
        None,
        None,
        None,
        None,
        None,
    )
    .err()
    .unwrap();
    assert!(err.contains(r#""field":"allowedOrigins[1]""#), "{err}");
}

#[wasm_bindgen_test]
fn sign_in_round_trip() {
    let e = engine();
    assert_eq!(e.storage_key(), "mobproc-auth:portal-demo:XYZ");
    let state = String::from("Zm9vYmFy-_");
    let url = e.authorize_url(&state).unwrap();
    assert!(url.ends_with(&format!("&state={state}")), "{url}");
    let record = e
        .sign_in(
            &format!("access_token=abc&token_type=bearer&expires_in=60&state={state}"),
            Some(state.clone()),
            1000.0,
        )
        .unwrap();
    assert_eq!(record, r#"{"accessToken":"abc","expiresAt":61000}"#);
    assert!(check_record("abc", None, 61000.0, None));
    let refreshed = e
        .token_record(
            Some("new".into()),
            Some("Bearer".into()),
            7199.0,
            None,
            Some("MOBPROC".into()),
            Some("r0".into()),
            0.0,
        )
        .unwrap();
    assert_eq!(
        refreshed,
        r#"{"accessToken":"new","refreshToken":"r0","expiresAt":7199000,"scope":"MOBPROC"}"#
    );
    let bad = e
        .token_record(
            Some("x".into()),
            Some("Bearer".into()),
            f64::NAN,
            None,
            None,
            None,
            0.0,
        )
        .unwrap_err();
    assert!(
        bad.starts_with(r#"{"code":"invalid_token_response""#),
        "{bad}"
    );
    assert!(!check_record("a b", None, 61000.0, None));
    assert!(!check_record("abc", None, f64::NAN, None));
}

#[wasm_bindgen_test]
fn hostile_input_is_an_error_not_a_trap() {
    let e = engine();
    let huge = "a".repeat(100_000);
    let fragments = [
        String::from("%"),
        String::from("access_token=%FF&state=s"),
        format!("access_token={huge}&token_type=Bearer&expires_in=1&state=s"),
        format!("state=s&{}", "x=1&".repeat(20_000)),
        String::from("access_token=a&token_type=Bearer&expires_in=18446744073709551616&state=s"),
        String::from("\u{0}=\u{0}&state=\u{10ffff}"),
    ];
    for fragment in &fragments {
        let result = e.sign_in(fragment, Some("s".into()), f64::MAX);
        if let Err(wire) = result {
            assert!(wire.starts_with(r#"{"code":""#), "{wire}");
        }
    }
    for time in [f64::NAN, f64::INFINITY, -1.0, 0.0, 1e300] {
        let _ = e.sign_in(
            "access_token=a&token_type=Bearer&expires_in=1&state=s",
            Some("s".into()),
            time,
        );
    }
    assert!(e
        .check_origin("https://evil.example")
        .unwrap_err()
        .contains(r#""origin":"https://evil.example""#));
    assert!(e.check_origin("https://files.example.com").is_ok());
    assert_eq!(
        e.resolve("/ping?x=1").as_deref(),
        Some("https://api.example.com/mobproc/v1/ping?x=1")
    );
    assert_eq!(e.resolve("https://x.example/"), None);
    assert_eq!(
        e.api_headers("tok"),
        "X-TNGO-TENANT\nXYZ\nclient_id\nportal-demo\nAuthorization\nBearer tok"
    );
    assert!(is_oauth_response("state=x"));
    assert_eq!(sanitize_return_to("//evil.example"), None);
    // The module still works after all of the above.
    assert!(engine().authorize_url("s").is_ok());
}
