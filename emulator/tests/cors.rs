//! CORS: preflights and actual responses for the configured app origins only.
#![allow(clippy::unwrap_used)]
mod common;

const ORIGIN: &str = "http://127.0.0.1:8080";

fn preflight<'a>(origin: &'a str, headers: &'a str) -> [(&'a str, &'a str); 3] {
    [
        ("Origin", origin),
        ("Access-Control-Request-Method", "GET"),
        ("Access-Control-Request-Headers", headers),
    ]
}

#[tokio::test]
async fn preflight_allows_tangoe_headers() {
    let emu = common::start().await;
    let asked = "authorization,x-tngo-tenant,CLIENT_ID,x-tngo-context-correlationid,x-tngo-context-activityid";
    for path in [
        "/mobproc/v1/employees",
        "/as/token.oauth2",
        "/as/revoke_token.oauth2",
        "/validate",
        "/__emulator/stats",
    ] {
        let r = emu
            .send("OPTIONS", path, &preflight(ORIGIN, asked), "")
            .await;
        assert_eq!(r.status, 204, "{path}");
        assert_eq!(r.header("access-control-allow-origin"), Some(ORIGIN));
        assert_eq!(
            r.header("access-control-allow-methods"),
            Some("GET, POST, PUT, PATCH, DELETE, OPTIONS")
        );
        let allowed = r
            .header("access-control-allow-headers")
            .unwrap()
            .to_ascii_lowercase();
        for h in asked.split(',') {
            assert!(allowed.contains(&h.to_ascii_lowercase()), "{h}");
        }
        assert!(r.header("vary").unwrap().contains("Origin"));
        assert!(r.header("access-control-allow-credentials").is_none());
    }
}

#[tokio::test]
async fn other_origins_and_headers_are_refused() {
    let emu = common::start().await;
    let r = emu
        .send(
            "OPTIONS",
            "/mobproc/v1/me",
            &preflight("http://evil.example", "authorization"),
            "",
        )
        .await;
    assert_ne!(r.status, 204);
    assert!(r.header("access-control-allow-origin").is_none());
    let r = emu
        .send(
            "OPTIONS",
            "/mobproc/v1/me",
            &preflight(ORIGIN, "x-secret-header"),
            "",
        )
        .await;
    assert!(r.header("access-control-allow-headers").is_none());
    let r = emu
        .get("/mobproc/v1/me", &[("Origin", "http://evil.example")])
        .await;
    assert!(r.header("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn actual_responses_expose_headers() {
    let emu = common::start().await;
    let r = emu.get("/mobproc/v1/me", &[("Origin", ORIGIN)]).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.header("access-control-allow-origin"), Some(ORIGIN));
    let exposed = r.header("access-control-expose-headers").unwrap();
    for h in [
        "WWW-Authenticate",
        "Retry-After",
        "X-TNGO-CONTEXT-CORRELATIONID",
    ] {
        assert!(exposed.contains(h));
    }
    let r = emu
        .post_form("/as/token.oauth2", &[("Origin", ORIGIN)], "grant_type=nope")
        .await;
    assert_eq!(r.header("access-control-allow-origin"), Some(ORIGIN));
}

#[tokio::test]
async fn configured_origins_replace_the_default() {
    let cfg = mobproc_emulator::Config {
        port: 0,
        print_log: false,
        app_origins: vec!["http://localhost:3000".into()],
        ..Default::default()
    };
    let emu = common::start_with(cfg).await;
    let r = emu
        .send(
            "OPTIONS",
            "/validate",
            &preflight("http://localhost:3000", "authorization"),
            "",
        )
        .await;
    assert_eq!(r.status, 204);
    let r = emu
        .send(
            "OPTIONS",
            "/validate",
            &preflight(ORIGIN, "authorization"),
            "",
        )
        .await;
    assert!(r.header("access-control-allow-origin").is_none());
}
