//! The implicit grant: sign-in page, redirects and the errors that must not redirect.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod common;

const OK: &str = "response_type=token&client_id=portal-demo&redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2F&scope=MOBPROC&state=s%201";

#[tokio::test]
async fn page_has_the_form() {
    let emu = common::start().await;
    let r = emu
        .get(&format!("/as/authorization.oauth2?{OK}"), &[])
        .await;
    assert_eq!(r.status, 200);
    for part in [
        "<title>Tangoe sign-in</title>",
        "id=\"username\"",
        "id=\"password\"",
        "id=\"sign-in\"",
        "id=\"cancel\"",
        "name=\"state\" value=\"s 1\"",
    ] {
        assert!(r.body.contains(part), "missing {part}");
    }
    assert_eq!(r.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn sign_in_redirects_with_tokens_in_fragment() {
    let emu = common::start().await;
    let f = emu.implicit("demo", "demo", "st&=é x").await;
    assert_eq!(f["state"], "st&=é x");
    assert_eq!(f["token_type"], "Bearer");
    assert_eq!(f["expires_in"], "3600");
    assert_eq!(f["scope"], "MOBPROC");
    assert!(f["access_token"].len() >= 43 && f["refresh_token"].len() >= 43);
    assert_ne!(f["access_token"], f["refresh_token"]);
}

#[tokio::test]
async fn location_goes_to_the_registered_uri() {
    let emu = common::start().await;
    let body = format!("{OK}&username=demo&password=demo&action=sign-in");
    let r = emu.post_form("/as/authorization.oauth2", &[], &body).await;
    assert_eq!(r.status, 302);
    assert!(r
        .header("location")
        .unwrap()
        .starts_with("http://127.0.0.1:8080/#access_token="));
}

#[tokio::test]
async fn wrong_password_shows_the_page_again() {
    let emu = common::start().await;
    let body = format!("{OK}&username=demo&password=nope&action=sign-in");
    let r = emu.post_form("/as/authorization.oauth2", &[], &body).await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("id=\"error\""));
    assert!(r.body.contains("Wrong username or password"));
    assert!(!r.body.contains("nope"));
}

#[tokio::test]
async fn cancel_redirects_access_denied() {
    let emu = common::start().await;
    let r = emu
        .post_form(
            "/as/authorization.oauth2",
            &[],
            &format!("{OK}&action=cancel"),
        )
        .await;
    assert_eq!(r.status, 302);
    let loc = r.header("location").unwrap();
    assert!(
        loc.ends_with(
            "#error=access_denied&error_description=The+user+cancelled+sign-in&state=s+1"
        ),
        "{loc}"
    );
}

#[tokio::test]
async fn unknown_client_or_bad_redirect_is_400_without_redirect() {
    let emu = common::start().await;
    let cases = [
        "response_type=token&client_id=nobody&redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2F",
        "response_type=token&client_id=portal-demo&redirect_uri=http%3A%2F%2Fevil.example%2F",
        "response_type=token&client_id=portal-demo&redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2Fcallback%2F",
        "response_type=token&client_id=portal-demo",
        "response_type=token&client_id=server-demo&redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2F",
    ];
    for q in cases {
        let r = emu.get(&format!("/as/authorization.oauth2?{q}"), &[]).await;
        assert_eq!(r.status, 400, "{q}");
        assert!(r.header("location").is_none());
        let r = emu
            .post_form(
                "/as/authorization.oauth2",
                &[],
                &format!("{q}&username=demo&password=demo"),
            )
            .await;
        assert_eq!(r.status, 400, "POST {q}");
    }
}

#[tokio::test]
async fn other_response_types_redirect_with_error() {
    let emu = common::start().await;
    let q = OK.replace("response_type=token", "response_type=id_token");
    let r = emu.get(&format!("/as/authorization.oauth2?{q}"), &[]).await;
    assert_eq!(r.status, 302);
    let f = common::fragment(r.header("location").unwrap());
    assert_eq!(f["error"], "unsupported_response_type");
    assert_eq!(f["state"], "s 1");
    assert!(f.contains_key("error_description"));
}

#[tokio::test]
async fn unknown_scope_redirects_invalid_scope() {
    let emu = common::start().await;
    let q = OK.replace("scope=MOBPROC", "scope=ADMIN");
    let r = emu.get(&format!("/as/authorization.oauth2?{q}"), &[]).await;
    let f = common::fragment(r.header("location").unwrap());
    assert_eq!(f["error"], "invalid_scope");
}

#[tokio::test]
async fn the_favicon_the_sign_in_page_asks_for_is_no_content_not_a_404() {
    let emu = common::start().await;
    let r = emu.get("/favicon.ico", &[]).await;
    assert_eq!(r.status, 204);
    assert!(r.body.is_empty());
}
