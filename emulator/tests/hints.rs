//! Refusals that say how to fix them: the sign-in error page and its log line name the
//! redirect URI received, the ones registered and the flag that registers it; a refused CORS
//! preflight or cross-origin request is logged with the origin and the flag that allows it.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use common::{form, Emu};
use mobproc_emulator::Config;

async fn start_for(origins: &[&str], uris: &[&str]) -> Emu {
    common::start_with(Config {
        port: 0,
        print_log: false,
        app_origins: origins.iter().map(|s| s.to_string()).collect(),
        redirect_uris: uris.iter().map(|s| s.to_string()).collect(),
        ..Config::default()
    })
    .await
}

async fn last_line(emu: &Emu) -> String {
    let log = emu.get("/__emulator/log", &[]).await.body;
    // The control request itself is logged after it answers, so the last line is ours.
    log.lines().last().unwrap().to_string()
}

fn authorize(client_id: &str, redirect_uri: &str) -> String {
    let q = form(&[
        ("response_type", "token"),
        ("client_id", client_id),
        ("redirect_uri", redirect_uri),
        ("scope", "MOBPROC"),
        ("state", "x"),
    ]);
    format!("/as/authorization.oauth2?{q}")
}

#[tokio::test]
async fn unregistered_redirect_uri_names_it_the_registered_ones_and_the_flag() {
    let emu = start_for(&["http://127.0.0.1:5173"], &["http://127.0.0.1:5173/"]).await;
    let r = emu
        .get(&authorize("portal-demo", "http://127.0.0.1:4000/cb"), &[])
        .await;
    assert_eq!(r.status, 400);
    for part in [
        "<p id=\"error\">The redirect_uri http://127.0.0.1:4000/cb is not registered for client portal-demo.</p>",
        "Registered for portal-demo: http://127.0.0.1:5173/.",
        "--redirect-uri http://127.0.0.1:4000/cb",
        "--app-origin http://127.0.0.1:4000",
        "cargo xtask emulator --app http://127.0.0.1:4000/cb",
    ] {
        assert!(r.body.contains(part), "missing {part:?} in {}", r.body);
    }
    let line = last_line(&emu).await;
    assert!(
        line.starts_with("GET /as/authorization.oauth2 400 - | The redirect_uri http://127.0.0.1:4000/cb is not registered for client portal-demo. Registered for portal-demo: http://127.0.0.1:5173/."),
        "{line}"
    );
    assert!(
        line.contains("--redirect-uri http://127.0.0.1:4000/cb"),
        "{line}"
    );
    assert!(
        line.contains("cargo xtask emulator --app http://127.0.0.1:4000/cb"),
        "{line}"
    );
}

#[tokio::test]
async fn near_misses_are_explained() {
    let emu = start_for(&["http://127.0.0.1:5173"], &["http://127.0.0.1:5173/"]).await;
    let cases = [
        (
            "http://localhost:5173/",
            "localhost and 127.0.0.1 are different hosts to a browser",
        ),
        ("http://127.0.0.1:5173", "differ only by the trailing /"),
        ("http://127.0.0.1:5174/", "only by the port"),
        ("https://127.0.0.1:5173/", "only by the scheme"),
    ];
    for (uri, why) in cases {
        let r = emu.get(&authorize("portal-demo", uri), &[]).await;
        assert_eq!(r.status, 400, "{uri}");
        assert!(r.body.contains(why), "{uri}: {}", r.body);
        assert!(last_line(&emu).await.contains(why), "{uri}");
    }
    // A value that could not be registered as sent says so instead of giving a flag.
    let r = emu
        .get(&authorize("portal-demo", "127.0.0.1:5173/"), &[])
        .await;
    assert!(
        r.body
            .contains("It cannot be registered as it is: --redirect-uri"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("use --redirect-uri http://127.0.0.1:5173/"),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn missing_redirect_uri_unknown_and_service_clients_say_what_to_do() {
    let emu = common::start().await;
    let r = emu
        .get(
            "/as/authorization.oauth2?response_type=token&client_id=portal-demo",
            &[],
        )
        .await;
    assert!(
        r.body
            .contains("No redirect_uri was sent for client portal-demo."),
        "{}",
        r.body
    );
    assert!(r
        .body
        .contains("http://127.0.0.1:8080/, http://127.0.0.1:8080/callback"));
    let r = emu
        .get(&authorize("nobody", "http://127.0.0.1:8080/"), &[])
        .await;
    assert!(r.body.contains("Unknown client_id nobody."), "{}", r.body);
    assert!(r
        .body
        .contains("Portal clients here (implicit grant): portal-demo;"));
    let r = emu
        .get(&authorize("server-demo", "http://127.0.0.1:8080/"), &[])
        .await;
    assert!(
        r.body.contains("server-demo is a service client"),
        "{}",
        r.body
    );
    assert!(last_line(&emu)
        .await
        .contains("server-demo is a service client"));
}

#[tokio::test]
async fn what_a_request_sent_is_escaped_and_cut_on_the_page_and_in_the_log() {
    let emu = common::start().await;
    let evil = format!(
        "http://127.0.0.1:8080/<script>\r\nFAKE 200{}",
        "a".repeat(300)
    );
    let r = emu.get(&authorize("portal-demo", &evil), &[]).await;
    assert_eq!(r.status, 400);
    assert!(!r.body.contains("<script>"));
    assert!(r.body.contains("&lt;script&gt;??FAKE 200"), "{}", r.body);
    let line = last_line(&emu).await;
    assert!(line.contains("<script>??FAKE 200"), "{line}");
    assert!(line.contains("aaa..."), "{line}");
    assert!(!line.contains(&"a".repeat(250)), "{line}");
    let log = emu.get("/__emulator/log", &[]).await.body;
    assert!(!log.lines().any(|l| l.starts_with("FAKE")), "{log}");
}

fn preflight(origin: &str) -> [(&str, &str); 3] {
    [
        ("Origin", origin),
        ("Access-Control-Request-Method", "GET"),
        (
            "Access-Control-Request-Headers",
            "authorization,x-tngo-tenant,client_id",
        ),
    ]
}

#[tokio::test]
async fn a_refused_preflight_is_logged_with_the_origin_and_the_flag() {
    let emu = start_for(&["http://127.0.0.1:5173"], &["http://127.0.0.1:5173/"]).await;
    let r = emu
        .send(
            "OPTIONS",
            "/mobproc/v1/ping",
            &preflight("http://localhost:5173"),
            "",
        )
        .await;
    assert_eq!(r.status, 403);
    let line = last_line(&emu).await;
    assert!(
        line.starts_with("OPTIONS /mobproc/v1/ping 403 - | CORS preflight refused: origin http://localhost:5173 is not allowed (allowed: http://127.0.0.1:5173)"),
        "{line}"
    );
    assert!(
        line.contains("localhost and 127.0.0.1 are different hosts"),
        "{line}"
    );
    assert!(
        line.contains("--app-origin http://localhost:5173 "),
        "{line}"
    );
    assert!(
        line.contains("cargo xtask emulator --app http://localhost:5173/"),
        "{line}"
    );
    // Allowed: no note.
    let r = emu
        .send(
            "OPTIONS",
            "/mobproc/v1/ping",
            &preflight("http://127.0.0.1:5173"),
            "",
        )
        .await;
    assert_eq!(r.status, 204);
    assert!(!last_line(&emu).await.contains(" | "));
}

#[tokio::test]
async fn a_refused_cross_origin_request_and_refused_headers_are_logged() {
    let emu = common::start().await;
    let r = emu
        .get("/mobproc/v1/ping", &[("Origin", "http://127.0.0.1:5173")])
        .await;
    assert_eq!(r.status, 401);
    assert!(r.header("access-control-allow-origin").is_none());
    let line = last_line(&emu).await;
    assert!(
        line.starts_with("GET /mobproc/v1/ping 401 - | CORS: response hidden from the page: origin http://127.0.0.1:5173 is not allowed (allowed: http://127.0.0.1:8080)"),
        "{line}"
    );
    assert!(line.contains("only by the port"), "{line}");
    assert!(
        line.contains("--app-origin http://127.0.0.1:5173"),
        "{line}"
    );
    let r = emu
        .send(
            "OPTIONS",
            "/mobproc/v1/ping",
            &[
                ("Origin", "http://127.0.0.1:8080"),
                ("Access-Control-Request-Method", "GET"),
                ("Access-Control-Request-Headers", "authorization,x-custom"),
            ],
            "",
        )
        .await;
    assert_eq!(r.status, 403);
    let line = last_line(&emu).await;
    assert!(
        line.contains("| CORS preflight refused: request header(s) x-custom not allowed"),
        "{line}"
    );
    // A page from file:// sends Origin null.
    emu.get("/mobproc/v1/ping", &[("Origin", "null")]).await;
    let line = last_line(&emu).await;
    assert!(line.contains("origin null is not allowed"), "{line}");
    assert!(line.contains("serve the app over http://"), "{line}");
    // No Origin (Node, curl): nothing to say.
    emu.get("/mobproc/v1/ping", &[]).await;
    assert!(!last_line(&emu).await.contains(" | "));
}
