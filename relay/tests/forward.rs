//! What reaches Tangoe: the refresh and validate grants with the secret in each
//! `--client-auth` mode, exactly the allowed parameters, and Tangoe's answers passed back
//! as they are (a token, `invalid_grant`, a revocation).
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod common;

use common::*;
use mobproc_relay::ClientAuth;

/// The browser's refresh form, with a field the relay must not forward.
const REFRESH: &str = "grant_type=refresh_token&refresh_token=rt%2Bold&client_id=portal-demo&scope=MOBPROC&username=jdoe";
/// `SECRET` form-encoded by hand, as RFC 6749 §2.3.1 asks.
const SECRET_ENC: &str = "relay-test-secret%3Awith%26odd+chars";

fn validate_form() -> String {
    format!(
        "grant_type={}&token=at-current&client_id=portal-demo",
        enc(VALIDATE)
    )
}

#[tokio::test]
async fn refresh_with_basic_auth() {
    let fake = fake().await;
    let relay = relay(config(&fake.token_url(), ClientAuth::Basic)).await;
    let r = post(&relay, "/token", REFRESH).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, TOKEN_JSON, "Tangoe's body byte for byte");
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(r.header("access-control-allow-origin"), Some(ORIGIN));
    let seen = fake.only();
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.path, "/as/token.oauth2");
    assert_eq!(seen.query, None);
    let expected = format!(
        "Basic {}",
        base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            format!("portal-demo:{SECRET_ENC}")
        )
    );
    assert_eq!(seen.header("authorization"), Some(expected.as_str()));
    assert_eq!(
        seen.header("authorization"),
        Some(basic(CLIENT_ID, SECRET).as_str())
    );
    assert_eq!(
        seen.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(seen.header("accept"), Some("application/json"));
    assert_eq!(
        seen.body,
        "grant_type=refresh_token&refresh_token=rt%2Bold&scope=MOBPROC"
    );
    assert_eq!(
        seen.header("origin"),
        None,
        "browser headers are not forwarded"
    );
}

#[tokio::test]
async fn refresh_with_body_auth() {
    let fake = fake().await;
    let relay = relay(config(&fake.token_url(), ClientAuth::Body)).await;
    let r = post(&relay, "/token", REFRESH).await;
    assert_eq!((r.status, r.body.as_str()), (200, TOKEN_JSON));
    let seen = fake.only();
    assert_eq!(seen.header("authorization"), None);
    assert_eq!(seen.query, None);
    assert_eq!(
        seen.body,
        format!("grant_type=refresh_token&refresh_token=rt%2Bold&scope=MOBPROC&client_id=portal-demo&client_secret={SECRET_ENC}")
    );
}

#[tokio::test]
async fn refresh_with_query_auth() {
    let fake = fake().await;
    let relay = relay(config(&fake.token_url(), ClientAuth::Query)).await;
    let r = post(&relay, "/token", REFRESH).await;
    assert_eq!((r.status, r.body.as_str()), (200, TOKEN_JSON));
    let seen = fake.only();
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.path, "/as/token.oauth2");
    assert_eq!(seen.header("authorization"), None);
    assert_eq!(
        seen.query.as_deref(),
        Some(format!("grant_type=refresh_token&refresh_token=rt%2Bold&scope=MOBPROC&client_id=portal-demo&client_secret={SECRET_ENC}").as_str())
    );
    assert_eq!(seen.body, "");
}

#[tokio::test]
async fn validate_in_each_mode() {
    let answer = r#"{"scope":"MOBPROC","expires_in":7186,"client_id":"portal-demo","access_token":{"tenant":"XYZ"}}"#;
    let grant = enc(VALIDATE);
    for (auth, body, query, authorization) in [
        (ClientAuth::Basic, format!("grant_type={grant}&token=at-current"), None, Some(basic(CLIENT_ID, SECRET))),
        (
            ClientAuth::Body,
            format!("grant_type={grant}&token=at-current&client_id=portal-demo&client_secret={SECRET_ENC}"),
            None,
            None,
        ),
        (
            ClientAuth::Query,
            String::new(),
            Some(format!("grant_type={grant}&token=at-current&client_id=portal-demo&client_secret={SECRET_ENC}")),
            None,
        ),
    ] {
        let fake = fake().await;
        fake.reply(Reply::Json(200, answer.into()));
        let relay = relay(config(&fake.token_url(), auth)).await;
        let r = post(&relay, "/token", &validate_form()).await;
        assert_eq!((r.status, r.body.as_str()), (200, answer), "{auth:?}");
        let seen = fake.only();
        assert_eq!(seen.body, body, "{auth:?}");
        assert_eq!(seen.query, query, "{auth:?}");
        assert_eq!(seen.header("authorization").map(String::from), authorization, "{auth:?}");
    }
}

#[tokio::test]
async fn invalid_grant_and_other_tangoe_errors_pass_through() {
    let fake = fake().await;
    let relay = relay(config(&fake.token_url(), ClientAuth::Basic)).await;
    for (status, body) in [
        (
            400,
            r#"{"error":"invalid_grant","error_description":"refresh token is expired"}"#,
        ),
        (
            401,
            r#"{"error":"invalid_client","error_description":"Invalid client or client credentials."}"#,
        ),
        (429, r#"{"error":"slow_down"}"#),
        (
            503,
            r#"{"error":"temporarily_unavailable","error_description":"maintenance"}"#,
        ),
    ] {
        fake.reply(Reply::Json(status, body.into()));
        let r = post(&relay, "/token", REFRESH).await;
        assert_eq!(r.status, status);
        assert_eq!(r.body, body);
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(r.header("cache-control"), Some("no-store"));
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(r.header("www-authenticate"), None);
        // Tangoe's wait is handed on where it shed load, for the page to honour.
        let wait = matches!(status, 429 | 503).then_some("30");
        assert_eq!(r.header("retry-after"), wait, "{status}");
    }
    assert_eq!(fake.seen().len(), 4);
}

#[tokio::test]
async fn revoke_forwards_token_and_hint() {
    let fake = fake().await;
    fake.reply(Reply::Raw(200, "text/plain", String::new()));
    let config = config(&fake.token_url(), ClientAuth::Basic)
        .with_revoke_url(&fake.revoke_url())
        .unwrap();
    let relay = relay(config).await;
    let r = post(
        &relay,
        "/revoke",
        "token=rt%2Bold&token_type_hint=refresh_token&client_id=portal-demo&extra=1",
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, "");
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(r.header("access-control-allow-origin"), Some(ORIGIN));
    let seen = fake.only();
    assert_eq!(seen.path, "/as/revoke_token.oauth2");
    assert_eq!(seen.body, "token=rt%2Bold&token_type_hint=refresh_token");
    assert_eq!(
        seen.header("authorization"),
        Some(basic(CLIENT_ID, SECRET).as_str())
    );
    // An error from the revocation endpoint comes back as it is.
    fake.reply(Reply::Json(
        400,
        r#"{"error":"unsupported_token_type"}"#.into(),
    ));
    let r = post(&relay, "/revoke", "token=x&token_type_hint=access_token").await;
    assert_eq!(
        (r.status, r.body.as_str()),
        (400, r#"{"error":"unsupported_token_type"}"#)
    );
    // A missing token is the relay's own error, not forwarded.
    let r = post(&relay, "/revoke", "token_type_hint=access_token").await;
    assert_eq!((r.status, r.error().as_str()), (400, "invalid_request"));
    assert_eq!(fake.seen().len(), 2);
}

#[tokio::test]
async fn revoke_is_404_without_a_revocation_url() {
    let fake = fake().await;
    let relay = relay(config(&fake.token_url(), ClientAuth::Basic)).await;
    let r = post(&relay, "/revoke", "token=rt&token_type_hint=refresh_token").await;
    assert_eq!(r.status, 404);
    assert!(fake.seen().is_empty());
}

#[tokio::test]
async fn healthz_answers_without_calling_upstream() {
    let fake = fake().await;
    let relay = relay(config(&fake.token_url(), ClientAuth::Basic)).await;
    let r = raw(&relay, "GET /healthz HTTP/1.1", b"").await;
    assert_eq!((r.status, r.body.as_str()), (200, "ok\n"));
    assert!(fake.seen().is_empty());
}

#[tokio::test]
async fn relay_mounts_under_a_prefix() {
    let fake = fake().await;
    let app = axum::Router::new().nest(
        "/relay",
        mobproc_relay::router(config(&fake.token_url(), ClientAuth::Basic)).unwrap(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let r = post(&addr, "/relay/token", REFRESH).await;
    assert_eq!((r.status, r.body.as_str()), (200, TOKEN_JSON));
    assert_eq!(
        fake.only().body,
        "grant_type=refresh_token&refresh_token=rt%2Bold&scope=MOBPROC"
    );
}
