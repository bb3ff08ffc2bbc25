//! Tenants, users and clients added by flags, end to end through the HTTP endpoints.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
mod common;

use common::start_args as start;

use common::{form, s, Emu};

const TOKEN: &str = "/as/token.oauth2";
const AUTHORIZE: &str = "/as/authorization.oauth2";

/// Starts an emulator configured by these flags (and no environment).
async fn password(emu: &Emu, client: &str, secret: &str, user: &str, pw: &str) -> common::Resp {
    let body = form(&[
        ("grant_type", "password"),
        ("username", user),
        ("password", pw),
        ("scope", "MOBPROC"),
        ("client_id", client),
        ("client_secret", secret),
    ]);
    emu.post_form(TOKEN, &[], &body).await
}

async fn me(emu: &Emu, token: &str, tenant: &str, client: &str) -> common::Resp {
    let auth = format!("Bearer {token}");
    let h = [
        ("Authorization", auth.as_str()),
        ("X-TNGO-TENANT", tenant),
        ("client_id", client),
    ];
    emu.get("/mobproc/v1/me", &h).await
}

#[tokio::test]
async fn flag_user_signs_in_by_page_and_by_password_grant() {
    let emu = start(&[
        "--user",
        "command://kim:kim-pw:XYZ:K1:Kim Park:kim@xyz.example",
        "--client",
        "svc:svc-secret",
    ])
    .await;
    // The sign-in page (implicit grant) through the seeded public client.
    let f = emu.implicit("command://kim", "kim-pw", "st-1").await;
    assert_eq!(f["state"], "st-1");
    let r = me(&emu, &f["access_token"], "XYZ", "portal-demo").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["user"]["employeeId"], "K1");
    assert_eq!(r.json()["user"]["name"], "Kim Park");
    // A wrong password is still wrong.
    let bad = form(&[
        ("response_type", "token"),
        ("client_id", "portal-demo"),
        ("redirect_uri", "http://127.0.0.1:8080/callback"),
        ("username", "command://kim"),
        ("password", "nope"),
        ("action", "sign-in"),
    ]);
    let r = emu.post_form(AUTHORIZE, &[], &bad).await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Wrong username or password"));
    // The password grant through the confidential client added by flag.
    let r = password(&emu, "svc", "svc-secret", "command://kim", "kim-pw").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let token = s(&r.json()["access_token"]);
    let r = me(&emu, &token, "XYZ", "svc").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["user"]["username"], "command://kim");
    // The confidential client may validate; the platform comes from the username.
    let body = form(&[
        (
            "grant_type",
            "urn:pingidentity.com:oauth2:grant_type:validate_bearer",
        ),
        ("token", &token),
        ("client_id", "svc"),
        ("client_secret", "svc-secret"),
    ]);
    let v = emu.post_form(TOKEN, &[], &body).await.json();
    assert_eq!(v["client_id"], "svc");
    assert_eq!(v["access_token"]["platform"], "command");
    assert_eq!(v["access_token"]["identifier"], "kim");
    // The wrong secret is refused.
    let r = password(&emu, "svc", "wrong", "command://kim", "kim-pw").await;
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"], "invalid_client");
}

#[tokio::test]
async fn flag_public_client_has_implicit_grant_but_no_password_grant() {
    let emu = start(&[
        "--client",
        "spa",
        "--redirect-uri",
        "http://127.0.0.1:8080/callback",
    ])
    .await;
    let f = emu.implicit_via("spa", "demo", "demo", "s").await;
    let r = me(&emu, &f["access_token"], "XYZ", "spa").await;
    assert_eq!(r.status, 200, "{}", r.body);
    // Refresh and revoke work by client_id alone.
    let body = form(&[
        ("grant_type", "refresh_token"),
        ("scope", "MOBPROC"),
        ("refresh_token", &f["refresh_token"]),
        ("client_id", "spa"),
    ]);
    let r = emu.post_form(TOKEN, &[], &body).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let body = form(&[
        ("token", &s(&r.json()["access_token"])),
        ("client_id", "spa"),
    ]);
    let r = emu.post_form("/as/revoke_token.oauth2", &[], &body).await;
    assert_eq!(r.status, 200, "{}", r.body);
    // No password grant for a public client, with or without a made-up secret.
    for secret in ["", "anything"] {
        let r = password(&emu, "spa", secret, "demo", "demo").await;
        assert_eq!(r.status, 401, "{}", r.body);
        assert_eq!(r.json()["error"], "invalid_client");
    }
    // Unregistered redirect URI: the error page, as for portal-demo.
    let q = "?response_type=token&client_id=spa&redirect_uri=http%3A%2F%2Fevil.test%2F";
    let r = emu.get(&format!("{AUTHORIZE}{q}"), &[]).await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn extra_tenant_user_needs_that_tenant_header() {
    let emu = start(&[
        "--tenant",
        "FOO",
        "--user",
        "fred:fred-pw:FOO",
        "--client",
        "svc:sec",
    ])
    .await;
    let r = password(&emu, "svc", "sec", "fred", "fred-pw").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let token = s(&r.json()["access_token"]);
    let r = me(&emu, &token, "FOO", "svc").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let user = &r.json()["user"];
    assert_eq!(user["employeeId"], "U1");
    assert_eq!(user["email"], "fred@foo.example");
    let r = me(&emu, &token, "XYZ", "svc").await;
    assert_eq!(r.status, 403, "{}", r.body);
    let auth = format!("Bearer {token}");
    let h = [
        ("Authorization", auth.as_str()),
        ("X-TNGO-TENANT", "FOO"),
        ("client_id", "svc"),
    ];
    let list = emu.get("/mobproc/v1/employees", &h).await.json();
    assert_eq!(list["_meta"]["totalCount"], 3);
    assert_eq!(list["employees"][0]["employeeId"], "FOO1001");
    assert_eq!(list["employees"][2]["email"], "chloe.costa@foo.example");
    // A seeded XYZ token is still refused for FOO.
    let xyz = s(&emu.password_token().await["access_token"]);
    let r = me(&emu, &xyz, "FOO", "server-demo").await;
    assert_eq!(r.status, 403, "{}", r.body);
}

#[tokio::test]
async fn no_seed_keeps_only_what_flags_give() {
    let emu = start(&[
        "--no-seed",
        "--tenant",
        "FOO",
        "--user",
        "fred:fred-pw:FOO",
        "--client",
        "svc:sec",
    ])
    .await;
    let r = password(&emu, "server-demo", "server-demo-secret", "demo", "demo").await;
    assert_eq!(r.status, 401, "{}", r.body);
    let r = password(&emu, "svc", "sec", "demo", "demo").await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.json()["error"], "invalid_grant");
    let r = password(&emu, "svc", "sec", "fred", "fred-pw").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let q = "?response_type=token&client_id=portal-demo&redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2Fcallback";
    assert_eq!(emu.get(&format!("{AUTHORIZE}{q}"), &[]).await.status, 400);
}
