//! The core as the npm package runs it: compiled to wasm32 and called through its one
//! wasm-bindgen export (in Node, by wasm-bindgen-test-runner), in the protocol of `src/wasm.rs`.
//! Hostile input must come back as a wire error, never as a trap that would kill the module
//! for the page's life.
#![cfg(target_arch = "wasm32")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use mobproc_auth::wasm::Engine;
use wasm_bindgen_test::wasm_bindgen_test;

const CONFIG: &str = "portal-demo\nXYZ\nhttps://api.example.com/mobproc/v1\n\
    =https://oauth.example.com/as/authorization.oauth2\n=https://portal.example.com/\n\n\n\
    =https://oauth.example.com/as/token.oauth2\n\n\n\nhttps://files.example.com";

/// The answer to `request`, or a panic naming the error.
fn ok(engine: &Engine, request: &str) -> String {
    let answer = engine.call(request);
    assert!(answer.starts_with('+'), "{request:?} → {answer}");
    answer[1..].to_string()
}

/// The wire error of `request`.
fn err(engine: &Engine, request: &str) -> String {
    let answer = engine.call(request);
    assert!(
        answer.starts_with("!{\"code\":\""),
        "{request:?} → {answer}"
    );
    answer[1..].to_string()
}

#[wasm_bindgen_test]
fn config_errors_cross_as_json_naming_the_field() {
    let bad = Engine::new("a b\nXYZ\nhttps://a.example");
    let e = err(&bad, "k");
    assert!(
        e.starts_with(r#"{"code":"config_invalid","message":"invalid config: `clientId` "#),
        "{e}"
    );
    assert!(e.ends_with(r#","field":"clientId"}"#), "{e}");
    // Every operation of an invalid configuration reports the same error.
    assert_eq!(err(&bad, "a\ns"), e);
    let origins =
        "c\nXYZ\nhttps://a.example\n\n\n\n\n\n\n\n\nhttps://ok.example\nhttps://x.example/p";
    let e = err(&Engine::new(origins), "k");
    assert!(e.contains(r#""field":"allowedOrigins[1]""#), "{e}");
    // An optional value is `=value`: `=` alone is a present, empty (and refused) value.
    let empty_authorize = "c\nXYZ\nhttps://a.example\n=";
    let e = err(&Engine::new(empty_authorize), "k");
    assert!(e.contains(r#""field":"authorizeUrl""#), "{e}");
}

#[wasm_bindgen_test]
fn sign_in_round_trip() {
    let e = Engine::new(CONFIG);
    assert_eq!(
        ok(&e, "k"),
        "mobproc-auth:portal-demo:XYZ\nhttps://api.example.com/mobproc/v1"
    );
    let state = "Zm9vYmFy-_";
    let url = ok(&e, &format!("a\n{state}"));
    assert!(url.ends_with(&format!("&state={state}")), "{url}");
    let fragment = format!("access_token=abc&token_type=bearer&expires_in=60&state={state}");
    let record = ok(&e, &format!("s\n{fragment}\n={state}\n1000"));
    assert_eq!(record, r#"{"accessToken":"abc","expiresAt":61000}"#);
    assert!(err(&e, &format!("s\n{fragment}\n\n1000")).contains("state_mismatch"));
    assert_eq!(ok(&e, "c\nabc\n\n61000\n"), "1");
    let refreshed = ok(&e, "t\n=new\n=Bearer\n=7199\n\n=MOBPROC\n=r0\n0");
    assert_eq!(
        refreshed,
        r#"{"accessToken":"new","refreshToken":"r0","expiresAt":7199000,"scope":"MOBPROC"}"#
    );
    let bad = err(&e, "t\n=x\n=Bearer\n\n\n\n\n0");
    assert!(
        bad.starts_with(r#"{"code":"invalid_token_response""#),
        "{bad}"
    );
    assert_eq!(e.call("c\na b\n\n61000\n"), "-");
    assert_eq!(e.call("c\nabc\n\n\n"), "-");
    assert_eq!(e.call("c\nabc\n\n1.5\n"), "-");
}

#[wasm_bindgen_test]
fn calls_headers_and_pages() {
    let e = Engine::new(CONFIG);
    assert!(err(&e, "o\nhttps://evil.example").contains(r#""origin":"https://evil.example""#));
    assert_eq!(e.call("o\nhttps://files.example.com"), "-");
    assert_eq!(
        ok(&e, "r\n/ping?x=1"),
        "https://api.example.com/mobproc/v1/ping?x=1"
    );
    assert_eq!(e.call("r\nhttps://x.example/"), "-");
    assert_eq!(
        ok(&e, "h\ntok"),
        "X-TNGO-TENANT\nXYZ\nclient_id\nportal-demo\nAuthorization\nBearer tok"
    );
    // Client context, then the call's: inherit, remove (`x`), set.
    assert_eq!(
        ok(&e, "h\ntok\n=E1\n=c@x\n=H1\n=batch\n\nx\n=H2"),
        "X-TNGO-TENANT\nXYZ\nclient_id\nportal-demo\nAuthorization\nBearer tok\n\
         X-TNGO-CONTEXT-EMPLOYEEID\nE1\nX-TNGO-CONTEXT-COMPANYEMPLOYEEID\n\n\
         X-TNGO-CONTEXT-HIERARCHYID\nH2\nX-TNGO-CONTEXT-ACTIVITYID\nbatch"
    );
    // The JavaScript turns a line break inside a value into CR, which is refused.
    let e2 = err(&e, "h\ntok\n=E1\rX-Evil: 1");
    assert!(e2.contains(r#""field":"context.employeeId""#), "{e2}");
    let page = "https://api.example.com/mobproc/v1/employees?offset=25";
    assert_eq!(
        e.call(&format!("n\nhttps://api.example.com\n{page}\nhttps://a/1")),
        "-"
    );
    assert!(
        err(&e, &format!("n\nhttps://api.example.com\n{page}\n{page}")).contains("pagination_loop")
    );
    assert!(
        err(&e, "n\nhttps://evil.example\nhttps://evil.example/p").contains("origin_not_allowed")
    );
    assert_eq!(ok(&e, "i\nstate=x"), "1");
    assert_eq!(e.call("i\n/route"), "-");
    assert_eq!(e.call("u\n//evil.example"), "-");
    assert_eq!(ok(&e, "u\n/orders?x=1"), "/orders?x=1");
}

#[wasm_bindgen_test]
fn hostile_input_is_an_error_not_a_trap() {
    let e = Engine::new(CONFIG);
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
        for time in ["", "-1", "1e300", "99999999999999999999999", "0"] {
            let answer = e.call(&format!("s\n{fragment}\n=s\n{time}"));
            assert!(
                answer.starts_with('+') || answer.starts_with("!{\"code\":\""),
                "{answer}"
            );
        }
    }
    for request in [
        "",
        "\n",
        "?",
        "t",
        "h",
        "n",
        "c\n\n\n\n",
        "k\n\n\n\n\n\n\n\n\n\n",
    ] {
        let answer = e.call(request);
        assert!(
            matches!(answer.as_bytes()[0], b'+' | b'-' | b'!'),
            "{answer}"
        );
    }
    for config in ["", "\n\n\n", "\u{0}", &huge] {
        assert!(err(&Engine::new(config), "k").contains("config_invalid"));
    }
    // The module still works after all of the above.
    assert!(ok(&Engine::new(CONFIG), "a\ns").starts_with("https://"));
}
