//! A down, slow or garbage Tangoe gives a quick 502 with an OAuth-shaped error, never a
//! hang and never the garbage itself.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod common;

use std::time::{Duration, Instant};

use common::*;
use mobproc_relay::ClientAuth;

const REFRESH: &str = "grant_type=refresh_token&refresh_token=rt";
const TIMEOUT: Duration = Duration::from_millis(300);
/// Slack for a loaded 2-core CI machine; far below the fake's 5 s sleep.
const MARGIN: Duration = Duration::from_millis(1500);

fn assert_502(r: &Resp, why: &str) {
    assert_eq!(r.status, 502, "{why}: {}", r.body);
    assert_eq!(r.error(), "temporarily_unavailable", "{why}");
    assert!(
        r.json()["error_description"]
            .as_str()
            .unwrap()
            .contains("Tangoe"),
        "{why}"
    );
    assert_eq!(r.header("content-type"), Some("application/json"), "{why}");
    assert_eq!(r.header("cache-control"), Some("no-store"), "{why}");
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some(ORIGIN),
        "{why}: the portal can read it"
    );
}

#[tokio::test]
async fn closed_port_is_a_quick_502() {
    let url = closed_port_url().await;
    let relay = relay(
        config(&url, ClientAuth::Basic)
            .with_timeout(TIMEOUT)
            .unwrap(),
    )
    .await;
    let started = Instant::now();
    let r = post(&relay, "/token", REFRESH).await;
    assert!(
        started.elapsed() < TIMEOUT + MARGIN,
        "{:?}",
        started.elapsed()
    );
    assert_502(&r, "closed port");
    assert!(r.body.contains("could not be reached"), "{}", r.body);
}

#[tokio::test]
async fn slow_upstream_times_out() {
    let fake = fake().await;
    fake.reply(Reply::Sleep(Duration::from_secs(5)));
    let relay = relay(
        config(&fake.token_url(), ClientAuth::Basic)
            .with_timeout(TIMEOUT)
            .unwrap(),
    )
    .await;
    let started = Instant::now();
    let r = post(&relay, "/token", REFRESH).await;
    let elapsed = started.elapsed();
    assert!(
        elapsed >= TIMEOUT,
        "answered before the deadline: {elapsed:?}"
    );
    assert!(elapsed < TIMEOUT + MARGIN, "{elapsed:?}");
    assert_502(&r, "slow");
    assert!(r.body.contains("within 300 ms"), "{}", r.body);
    assert_eq!(fake.seen().len(), 1, "it was tried once");
}

#[tokio::test]
async fn garbage_answers_are_502() {
    let fake = fake().await;
    let relay = relay(
        config(&fake.token_url(), ClientAuth::Basic)
            .with_timeout(TIMEOUT)
            .unwrap(),
    )
    .await;
    let cases = [
        Reply::Raw(
            200,
            "text/html",
            "<html><body>Maintenance</body></html>".into(),
        ),
        Reply::Raw(500, "text/plain", "Internal Server Error".into()),
        Reply::Raw(502, "text/html", "<h1>Bad Gateway</h1>".into()),
        Reply::Json(200, "[\"not\",\"an\",\"object\"]".into()),
        Reply::Json(200, "{\"access_token\":".into()),
        Reply::Json(200, String::new()),
        Reply::Json(200, format!("{{\"pad\":\"{}\"}}", "x".repeat(70 * 1024))),
        Reply::Redirect,
    ];
    for reply in cases {
        let why = format!("{reply:?}").chars().take(60).collect::<String>();
        fake.reply(reply);
        let started = Instant::now();
        let r = post(&relay, "/token", REFRESH).await;
        assert!(started.elapsed() < TIMEOUT + MARGIN, "{why}");
        assert_502(&r, &why);
        assert!(
            !r.body.contains("Maintenance") && !r.body.contains("pad"),
            "{why}"
        );
    }
    assert_eq!(fake.seen().len(), 8, "a redirect is not followed");
}

#[tokio::test]
async fn https_to_a_plain_http_server_is_a_502() {
    // The TLS client is wired in: a handshake with a server that does not speak TLS fails
    // (and fails quickly) instead of sending the secret in clear text.
    let fake = fake().await;
    let url = fake
        .token_url()
        .replace("http://127.0.0.1", "https://127.0.0.1");
    let relay = relay(
        config(&url, ClientAuth::Basic)
            .with_timeout(TIMEOUT)
            .unwrap(),
    )
    .await;
    let started = Instant::now();
    let r = post(&relay, "/token", REFRESH).await;
    assert!(started.elapsed() < TIMEOUT + MARGIN);
    assert_502(&r, "tls");
    assert!(fake.seen().is_empty(), "no plain HTTP request was made");
}

#[tokio::test]
async fn a_gateway_shedding_load_without_json_keeps_its_status_and_retry_after() {
    let fake = fake().await;
    let relay = relay(config(&fake.token_url(), ClientAuth::Basic)).await;
    for (status, body) in [(429, "<h1>Too Many Requests</h1>"), (503, "")] {
        // The fake adds `Retry-After: 30` to a 429 or 503.
        fake.reply(Reply::Raw(status, "text/html", body.into()));
        let r = post(&relay, "/token", REFRESH).await;
        assert_eq!(r.status, status, "{}", r.body);
        assert_eq!(r.header("retry-after"), Some("30"));
        assert_eq!(r.json()["error"], "temporarily_unavailable");
        assert!(
            !r.body.contains("Too Many"),
            "the gateway's page is not passed on"
        );
    }
    // Without a `Retry-After` there is nothing to keep: the usual 502.
    fake.reply(Reply::Raw(500, "text/html", "<h1>oops</h1>".into()));
    assert_502(&post(&relay, "/token", REFRESH).await, "500");
}
