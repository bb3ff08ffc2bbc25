//! What never reaches Tangoe: other grants, foreign or missing origins, oversized bodies,
//! parameters in the URL, client credentials from the browser, a foreign client id. Each
//! is answered by the relay and the fake upstream sees nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod common;

use std::time::Duration;

use common::*;
use mobproc_relay::ClientAuth;

async fn setup() -> (Fake, String) {
    let fake = fake().await;
    let config = config(&fake.token_url(), ClientAuth::Basic)
        .with_revoke_url(&fake.revoke_url())
        .unwrap();
    let relay = relay(config).await;
    (fake, relay)
}

#[tokio::test]
async fn other_grants_are_unsupported() {
    let (fake, relay) = setup().await;
    for body in [
        "grant_type=password&username=command%3A%2F%2Fjdoe&password=pw&scope=MOBPROC",
        "grant_type=authorization_code&code=c1&redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2F",
        "grant_type=client_credentials&scope=MOBPROC",
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=x",
        "grant_type=Refresh_Token&refresh_token=rt",
    ] {
        let r = post(&relay, "/token", body).await;
        assert_eq!(r.status, 400, "{body}");
        assert_eq!(r.error(), "unsupported_grant_type", "{body}");
        assert!(r.json()["error_description"].is_string());
        assert_eq!(r.header("cache-control"), Some("no-store"));
        assert_eq!(
            r.header("access-control-allow-origin"),
            Some(ORIGIN),
            "readable by the portal"
        );
    }
    assert!(fake.seen().is_empty());
}

#[tokio::test]
async fn missing_parameters_are_invalid_requests() {
    let (fake, relay) = setup().await;
    let validate = format!("grant_type={}", enc(VALIDATE));
    for body in [
        "",
        "refresh_token=rt",
        "grant_type=&refresh_token=rt",
        "grant_type=refresh_token",
        "grant_type=refresh_token&refresh_token=",
        validate.as_str(),
        "grant_type=refresh_token&refresh_token=a&refresh_token=b",
    ] {
        let r = post(&relay, "/token", body).await;
        assert_eq!(
            (r.status, r.error().as_str()),
            (400, "invalid_request"),
            "{body:?}"
        );
    }
    assert!(fake.seen().is_empty());
}

#[tokio::test]
async fn client_credentials_from_the_browser_are_refused() {
    let (fake, relay) = setup().await;
    let body =
        "grant_type=refresh_token&refresh_token=rt&client_id=portal-demo&client_secret=leaked";
    let r = post(&relay, "/token", body).await;
    assert_eq!((r.status, r.error().as_str()), (400, "invalid_request"));
    let r = post(&relay, "/revoke", "token=rt&client_secret=leaked").await;
    assert_eq!((r.status, r.error().as_str()), (400, "invalid_request"));
    let headers = [
        ("Origin", ORIGIN),
        ("Authorization", "Basic cG9ydGFsLWRlbW86eA=="),
    ];
    let r = post_with(
        &relay,
        "/token",
        &headers,
        "grant_type=refresh_token&refresh_token=rt",
    )
    .await;
    assert_eq!((r.status, r.error().as_str()), (400, "invalid_request"));
    let r = post(
        &relay,
        "/token",
        "grant_type=refresh_token&refresh_token=rt&client_id=server-demo",
    )
    .await;
    assert_eq!((r.status, r.error().as_str()), (401, "invalid_client"));
    let r = post(&relay, "/revoke", "token=rt&client_id=server-demo").await;
    assert_eq!((r.status, r.error().as_str()), (401, "invalid_client"));
    assert!(fake.seen().is_empty());
}

#[tokio::test]
async fn parameters_in_the_url_and_other_bodies_are_refused() {
    let (fake, relay) = setup().await;
    // Even with a good form in the body: a token in a URL ends up in access logs.
    let form = "grant_type=refresh_token&refresh_token=rt";
    let r = post(&relay, "/token?refresh_token=rt", form).await;
    assert_eq!((r.status, r.error().as_str()), (400, "invalid_request"));
    let r = post(&relay, "/token?x=1", form).await;
    assert_eq!((r.status, r.error().as_str()), (400, "invalid_request"));
    let head = format!("POST /token HTTP/1.1\r\nOrigin: {ORIGIN}\r\nContent-Type: application/json\r\nContent-Length: 2");
    let r = raw(&relay, &head, b"{}").await;
    assert_eq!((r.status, r.error().as_str()), (400, "invalid_request"));
    let r = raw(
        &relay,
        &format!("GET /token HTTP/1.1\r\nOrigin: {ORIGIN}"),
        b"",
    )
    .await;
    assert_eq!(r.status, 405);
    assert!(fake.seen().is_empty());
}

#[tokio::test]
async fn foreign_and_missing_origins_get_403() {
    let (fake, relay) = setup().await;
    let body = "grant_type=refresh_token&refresh_token=rt";
    for origin in [
        Some("https://evil.example"),
        Some("null"),
        Some("http://127.0.0.1:8081"),
        Some("http://127.0.0.1:8080/"),
        Some("HTTP://127.0.0.1:8080"),
        None,
    ] {
        let headers: Vec<(&str, &str)> = origin.iter().map(|o| ("Origin", *o)).collect();
        for path in ["/token", "/revoke"] {
            let r = post_with(&relay, path, &headers, body).await;
            assert_eq!(r.status, 403, "{origin:?} {path}");
            assert_eq!(r.error(), "access_denied");
            assert_eq!(r.header("access-control-allow-origin"), None);
            assert_eq!(r.header("vary"), Some("Origin"));
        }
    }
    assert!(fake.seen().is_empty());
}

#[tokio::test]
async fn every_configured_origin_is_allowed() {
    let (fake, relay) = setup().await;
    let headers = [("Origin", "https://portal.example.com")];
    let r = post_with(
        &relay,
        "/token",
        &headers,
        "grant_type=refresh_token&refresh_token=rt",
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("https://portal.example.com")
    );
    assert_eq!(fake.seen().len(), 1);
}

#[tokio::test]
async fn oversized_bodies_get_413() {
    let (fake, relay) = setup().await;
    let big = format!(
        "grant_type=refresh_token&refresh_token={}",
        "a".repeat(16 * 1024)
    );
    // Declared length over the limit: refused before the body is read.
    let r = post(&relay, "/token", &big).await;
    assert_eq!(r.status, 413);
    assert_eq!(r.error(), "invalid_request");
    // A declared length over the limit is refused at once, without waiting for a body
    // that never comes.
    let head = format!(
        "POST /token HTTP/1.1\r\nOrigin: {ORIGIN}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000000"
    );
    let quick =
        tokio::time::timeout(Duration::from_secs(5), raw(&relay, &head, b"grant_type=")).await;
    assert_eq!(quick.expect("answered without the body").status, 413);
    // Chunked, no length declared: refused once the limit is crossed.
    let chunk = format!("{:x}\r\n{big}\r\n0\r\n\r\n", big.len());
    let head = format!(
        "POST /revoke HTTP/1.1\r\nOrigin: {ORIGIN}\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked"
    );
    let r = raw(&relay, &head, chunk.as_bytes()).await;
    assert_eq!(r.status, 413);
    // Just under the limit is read (and forwarded).
    let fits = format!(
        "grant_type=refresh_token&refresh_token={}",
        "a".repeat(16 * 1024 - 64)
    );
    assert!(fake.seen().is_empty());
    let r = post(&relay, "/token", &fits).await;
    assert_eq!(r.status, 200);
    assert_eq!(fake.seen().len(), 1);
}

/// The router alone, as an app mounts it in its own server (which may set no timer at all):
/// a body that stops arriving is 408 after the timeout, and nothing is forwarded.
#[tokio::test]
async fn a_body_that_never_arrives_is_408_after_the_timeout() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let fake = fake().await;
    let config = config(&fake.token_url(), ClientAuth::Basic)
        .with_timeout(Duration::from_millis(300))
        .unwrap();
    let relay = relay(config).await;
    let mut s = tokio::net::TcpStream::connect(&relay).await.unwrap();
    let head = format!(
        "POST /token HTTP/1.1\r\nHost: x\r\nOrigin: {ORIGIN}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ngrant_type="
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let mut buf = [0u8; 1024];
    let n = tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf))
        .await
        .expect("the request was held open")
        .unwrap();
    let answer = String::from_utf8_lossy(&buf[..n]);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("did not arrive within 300 ms"), "{answer}");
    assert!(fake.seen().is_empty());
}
