//! The test-only control surface and the request log.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod common;

use std::time::Duration;

use common::s;

const TOKEN: &str = "/as/token.oauth2";
const PW: &str = "grant_type=password&username=demo&password=demo&client_id=server-demo&client_secret=server-demo-secret";

#[tokio::test]
async fn fail_next_500_then_garbage_then_normal() {
    let emu = common::start().await;
    assert_eq!(
        emu.send("POST", "/__emulator/fail-next?count=2&mode=500", &[], "")
            .await
            .status,
        200
    );
    for _ in 0..2 {
        let r = emu.post_form(TOKEN, &[], PW).await;
        assert_eq!(
            (r.status, r.json()["error"].clone()),
            (500, "server_error".into())
        );
    }
    assert_eq!(emu.post_form(TOKEN, &[], PW).await.status, 200);
    emu.send("POST", "/__emulator/fail-next?mode=garbage", &[], "")
        .await;
    let r = emu.post_form(TOKEN, &[], PW).await;
    assert_eq!(r.status, 200);
    assert!(serde_json::from_str::<serde_json::Value>(&r.body).is_err());
    assert_eq!(
        emu.send("POST", "/__emulator/fail-next?mode=bogus", &[], "")
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn hang_is_released_by_reset() {
    let emu = std::sync::Arc::new(common::start().await);
    emu.send("POST", "/__emulator/fail-next?mode=hang", &[], "")
        .await;
    let e = emu.clone();
    let held = tokio::spawn(async move { e.post_form(TOKEN, &[], PW).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!held.is_finished());
    emu.send("POST", "/__emulator/reset", &[], "").await;
    let r = tokio::time::timeout(Duration::from_secs(5), held)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.status, 503);
}

#[tokio::test]
async fn expire_all_and_revoke_all() {
    let emu = common::start().await;
    let j = emu.password_token().await;
    let at = s(&j["access_token"]);
    assert_eq!(emu.api("/mobproc/v1/ping", &at, &[]).await.status, 200);
    emu.send("POST", "/__emulator/expire-all", &[], "").await;
    let r = emu.api("/mobproc/v1/ping", &at, &[]).await;
    assert_eq!(r.status, 401);
    assert!(r.json()["message"].as_str().unwrap().contains("expired"));
    let body = common::form(&[
        ("grant_type", "refresh_token"),
        ("scope", "MOBPROC"),
        ("refresh_token", &s(&j["refresh_token"])),
        ("client_id", "server-demo"),
        ("client_secret", "server-demo-secret"),
    ]);
    let fresh = emu.post_form(TOKEN, &[], &body).await.json();
    assert_eq!(
        emu.api("/mobproc/v1/ping", &s(&fresh["access_token"]), &[])
            .await
            .status,
        200
    );
    emu.send("POST", "/__emulator/revoke-all", &[], "").await;
    assert_eq!(
        emu.api("/mobproc/v1/ping", &s(&fresh["access_token"]), &[])
            .await
            .status,
        401
    );
    let body = body.replace(
        j["refresh_token"].as_str().unwrap(),
        fresh["refresh_token"].as_str().unwrap(),
    );
    assert_eq!(
        emu.post_form(TOKEN, &[], &body).await.json()["error"],
        "invalid_grant"
    );
}

#[tokio::test]
async fn api_fail_next_429_has_retry_after() {
    let emu = common::start().await;
    let at = s(&emu.password_token().await["access_token"]);
    emu.send(
        "POST",
        "/__emulator/api-fail-next?count=1&status=429",
        &[],
        "",
    )
    .await;
    let r = emu.api("/mobproc/v1/ping", &at, &[]).await;
    assert_eq!((r.status, r.header("retry-after")), (429, Some("7")));
    assert_eq!(r.json()["status"], 429);
    assert_eq!(emu.api("/mobproc/v1/ping", &at, &[]).await.status, 200);
    emu.send("POST", "/__emulator/api-fail-next?status=401", &[], "")
        .await;
    let r = emu.api("/mobproc/v1/ping", &at, &[]).await;
    assert!(r
        .header("www-authenticate")
        .unwrap()
        .contains("invalid_token"));
}

#[tokio::test]
async fn api_fail_next_without_retry_after() {
    let emu = common::start().await;
    let at = s(&emu.password_token().await["access_token"]);
    let fail = |q: &'static str| emu.send("POST", q, &[], "");
    let q = "/__emulator/api-fail-next?count=2&status=429&retryAfter=none";
    assert_eq!(fail(q).await.status, 200);
    for _ in 0..2 {
        let r = emu.api("/mobproc/v1/ping", &at, &[]).await;
        assert_eq!((r.status, r.header("retry-after")), (429, None));
        assert_eq!(r.json()["errorCode"], "429-Injected");
    }
    fail("/__emulator/api-fail-next?status=503&retryAfter=none").await;
    let r = emu.api("/mobproc/v1/ping", &at, &[]).await;
    assert_eq!((r.status, r.header("retry-after")), (503, None));
    // Only `none` is understood; the default still sends the header.
    let r = fail("/__emulator/api-fail-next?status=429&retryAfter=3").await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(emu.api("/mobproc/v1/ping", &at, &[]).await.status, 200);
    fail("/__emulator/api-fail-next?status=429").await;
    let r = emu.api("/mobproc/v1/ping", &at, &[]).await;
    assert_eq!((r.status, r.header("retry-after")), (429, Some("7")));
}

#[tokio::test]
async fn stats_count_and_reset_clears() {
    let emu = common::start().await;
    let j = emu.password_token().await;
    let at = s(&j["access_token"]);
    let body = common::form(&[
        ("grant_type", "refresh_token"),
        ("scope", "MOBPROC"),
        ("refresh_token", &s(&j["refresh_token"])),
        ("client_id", "server-demo"),
        ("client_secret", "server-demo-secret"),
    ]);
    emu.post_form(TOKEN, &[], &body).await;
    let h = [
        ("X-TNGO-CONTEXT-CORRELATIONID", "corr-1"),
        ("X-TNGO-CONTEXT-ACTIVITYID", "act-9"),
    ];
    let r = emu.api("/mobproc/v1/ping", &at, &h).await;
    assert_eq!(r.header("x-tngo-context-correlationid"), Some("corr-1"));
    let st = emu.get("/__emulator/stats", &[]).await.json();
    assert_eq!(st["token_requests"]["password"], 1);
    assert_eq!(st["token_requests"]["refresh_token"], 1);
    assert_eq!(st["token_requests"]["validate_bearer"], 0);
    assert_eq!(st["api_requests"], 1);
    let rec = &st["requests"][0];
    assert_eq!(
        (
            rec["method"].clone(),
            rec["path"].clone(),
            rec["status"].clone()
        ),
        ("GET".into(), "/mobproc/v1/ping".into(), 200.into())
    );
    assert_eq!(
        (
            rec["correlation_id"].clone(),
            rec["activity_id"].clone(),
            rec["tenant"].clone()
        ),
        ("corr-1".into(), "act-9".into(), "XYZ".into())
    );
    let present: Vec<&str> = rec["headers_present"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(present.contains(&"client_id") && present.contains(&"Authorization"));
    assert!(!st.to_string().contains(&at));
    emu.send("POST", "/__emulator/reset", &[], "").await;
    let st = emu.get("/__emulator/stats", &[]).await.json();
    assert_eq!(
        (
            st["api_requests"].clone(),
            st["token_requests"]["password"].clone()
        ),
        (0.into(), 0.into())
    );
    assert_eq!(
        emu.api("/mobproc/v1/ping", &at, &[]).await.status,
        401,
        "reset forgets tokens"
    );
}

#[tokio::test]
async fn log_never_contains_secrets() {
    let emu = common::start().await;
    let j = emu.password_token().await;
    let f = emu.implicit("command://jdoe", "jdoe-pass", "st").await;
    let at = s(&j["access_token"]);
    emu.get(&format!("/validate?access_token={at}"), &[]).await;
    emu.api(
        "/mobproc/v1/me",
        &at,
        &[
            ("X-TNGO-CONTEXT-CORRELATIONID", "c-42"),
            ("X-TNGO-CONTEXT-ACTIVITYID", "a-7"),
        ],
    )
    .await;
    let log = emu.get("/__emulator/log", &[]).await.body;
    assert!(log.contains("GET /validate 200"), "{log}");
    assert!(
        log.contains("GET /mobproc/v1/me 200 tenant client_id bearer corr=c-42 act=a-7"),
        "{log}"
    );
    let mut secrets = emu.state.lock().tokens.all_values();
    secrets.extend([
        f["access_token"].clone(),
        "server-demo-secret".into(),
        "jdoe-pass".into(),
    ]);
    assert!(secrets.len() >= 5);
    for secret in secrets {
        assert!(!log.contains(&secret), "log leaks a secret:\n{log}");
    }
    assert!(!log.contains("access_token="));
}
