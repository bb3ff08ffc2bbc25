//! CORS: preflights for the configured origins only, `Vary: Origin` everywhere,
//! `/healthz` outside the origin gate.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod common;

use common::*;
use mobproc_relay::ClientAuth;

fn preflight(origin: &str, method: &str, headers: &str) -> String {
    format!(
        "OPTIONS /token HTTP/1.1\r\nOrigin: {origin}\r\nAccess-Control-Request-Method: {method}\r\nAccess-Control-Request-Headers: {headers}"
    )
}

#[tokio::test]
async fn preflight_for_an_allowed_origin() {
    let fake = fake().await;
    let relay = relay(config(&fake.token_url(), ClientAuth::Basic)).await;
    let r = raw(&relay, &preflight(ORIGIN, "POST", "content-type"), b"").await;
    assert_eq!(r.status, 204);
    assert_eq!(r.header("access-control-allow-origin"), Some(ORIGIN));
    assert_eq!(r.header("access-control-allow-methods"), Some("POST"));
    assert_eq!(
        r.header("access-control-allow-headers"),
        Some("Content-Type, Accept")
    );
    assert_eq!(r.header("access-control-max-age"), Some("600"));
    assert_eq!(r.header("access-control-allow-credentials"), None);
    assert_eq!(r.all("vary"), ["Origin"]);
    assert!(fake.seen().is_empty());
}

#[tokio::test]
async fn preflight_refused_for_another_origin_method_or_header() {
    let fake = fake().await;
    let relay = relay(config(&fake.token_url(), ClientAuth::Basic)).await;
    for head in [
        preflight("https://evil.example", "POST", "content-type"),
        preflight("null", "POST", "content-type"),
        preflight(ORIGIN, "PUT", "content-type"),
        preflight(ORIGIN, "POST", "content-type, authorization"),
        preflight(ORIGIN, "POST", "x-client-secret"),
    ] {
        let r = raw(&relay, &head, b"").await;
        assert_eq!(r.status, 403, "{head}");
        assert_eq!(r.header("access-control-allow-methods"), None, "{head}");
        assert_eq!(r.header("vary"), Some("Origin"));
    }
    let r = raw(&relay, &preflight("https://evil.example", "POST", ""), b"").await;
    assert_eq!(r.header("access-control-allow-origin"), None);
    assert!(fake.seen().is_empty());
}

#[tokio::test]
async fn responses_vary_on_origin() {
    let fake = fake().await;
    let relay = relay(config(&fake.token_url(), ClientAuth::Basic)).await;
    let r = post(
        &relay,
        "/token",
        "grant_type=refresh_token&refresh_token=rt",
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.all("vary"), ["Origin"]);
    assert_eq!(r.header("access-control-allow-origin"), Some(ORIGIN));
    // A page may read Tangoe's `Retry-After` (a 429 or 503 passed on).
    assert_eq!(
        r.header("access-control-expose-headers"),
        Some("Retry-After")
    );
}

#[tokio::test]
async fn healthz_needs_no_origin_and_gets_no_cors_headers() {
    let fake = fake().await;
    let relay = relay(config(&fake.token_url(), ClientAuth::Basic)).await;
    let r = raw(
        &relay,
        "GET /healthz HTTP/1.1\r\nOrigin: https://evil.example",
        b"",
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("access-control-allow-origin"), None);
    let r = raw(&relay, "GET /healthz HTTP/1.1", b"").await;
    assert_eq!(r.status, 200);
}
