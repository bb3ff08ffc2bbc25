//! The token endpoint (password, refresh, validate_bearer) and revocation.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod common;

use common::{basic, keys, s, TOKEN_ANSWER};

const TOKEN: &str = "/as/token.oauth2";

#[tokio::test]
async fn password_grant_with_basic_auth() {
    let emu = common::start().await;
    let auth = basic("server-demo", "server-demo-secret");
    let body = "grant_type=password&username=command%3A%2F%2Fjdoe&password=jdoe-pass&scope=MOBPROC";
    let r = emu
        .post_form(TOKEN, &[("Authorization", &auth)], body)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let j = r.json();
    assert_eq!(j["token_type"], "Bearer");
    assert_eq!(j["expires_in"], 3600);
    // Tangoe's answer names no scope (the implicit grant's redirect does).
    assert_eq!(keys(&j), TOKEN_ANSWER);
    assert!(s(&j["access_token"]).len() >= 43);
}

#[tokio::test]
async fn password_grant_with_body_auth_and_query_form() {
    let emu = common::start().await;
    let j = emu.password_token().await;
    assert!(j["refresh_token"].is_string());
    let q = "grant_type=password&username=demo&password=demo&client_id=server-demo&client_secret=server-demo-secret";
    let r = emu.send("POST", &format!("{TOKEN}?{q}"), &[], "").await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test]
async fn bad_secret_is_invalid_client() {
    let emu = common::start().await;
    let auth = basic("server-demo", "wrong");
    let r = emu
        .post_form(
            TOKEN,
            &[("Authorization", &auth)],
            "grant_type=password&username=demo&password=demo",
        )
        .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"], "invalid_client");
    assert!(r.header("www-authenticate").unwrap().starts_with("Basic"));
    let body =
        "grant_type=password&username=demo&password=demo&client_id=server-demo&client_secret=x";
    let r = emu.post_form(TOKEN, &[], body).await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (401, "invalid_client".into())
    );
    assert!(r.header("www-authenticate").is_none());
    let body = "grant_type=password&username=demo&password=demo&client_id=portal-demo";
    let r = emu.post_form(TOKEN, &[], body).await;
    assert_eq!(
        r.status, 401,
        "public clients cannot use the password grant"
    );
}

#[tokio::test]
async fn wrong_user_password_and_bad_requests() {
    let emu = common::start().await;
    let auth = basic("server-demo", "server-demo-secret");
    let h = [("Authorization", auth.as_str())];
    let cases = [
        (
            "grant_type=password&username=demo&password=x",
            "invalid_grant",
        ),
        (
            "grant_type=password&username=demo&password=demo&scope=ADMIN",
            "invalid_scope",
        ),
        ("grant_type=client_credentials", "unsupported_grant_type"),
        ("username=demo", "invalid_request"),
        (
            "grant_type=password&grant_type=password&username=demo&password=demo",
            "invalid_request",
        ),
    ];
    for (body, code) in cases {
        let r = emu.post_form(TOKEN, &h, body).await;
        assert_eq!(r.status, 400, "{body}");
        assert_eq!(r.json()["error"], code, "{body}");
        assert_eq!(r.header("cache-control"), Some("no-store"));
    }
}

#[tokio::test]
async fn a_refresh_without_the_scope_is_refused() {
    // Tangoe's refresh page lists scope=MOBPROC: a client that stopped sending it is caught.
    let emu = common::start().await;
    let f = emu.implicit("demo", "demo", "x").await;
    let body = common::form(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", &f["refresh_token"]),
        ("client_id", "portal-demo"),
    ]);
    let r = emu.post_form(TOKEN, &[], &body).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.json()["error"], "invalid_request");
}

#[tokio::test]
async fn refresh_rotates_and_old_refresh_token_dies() {
    let emu = common::start().await;
    let f = emu.implicit("demo", "demo", "x").await;
    let body = |rt: &str| {
        common::form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", rt),
            ("client_id", "portal-demo"),
            ("scope", "MOBPROC"),
        ])
    };
    let r = emu.post_form(TOKEN, &[], &body(&f["refresh_token"])).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let j = r.json();
    assert_eq!(keys(&j), TOKEN_ANSWER, "a refresh names no scope either");
    assert_ne!(s(&j["refresh_token"]), f["refresh_token"]);
    assert_ne!(s(&j["access_token"]), f["access_token"]);
    let again = emu.post_form(TOKEN, &[], &body(&f["refresh_token"])).await;
    assert_eq!(
        (again.status, again.json()["error"].clone()),
        (400, "invalid_grant".into())
    );
    let next = emu
        .post_form(TOKEN, &[], &body(&s(&j["refresh_token"])))
        .await;
    assert_eq!(next.status, 200);
}

#[tokio::test]
async fn refresh_token_belongs_to_its_client() {
    let emu = common::start().await;
    let j = emu.password_token().await;
    let body = common::form(&[
        ("grant_type", "refresh_token"),
        ("scope", "MOBPROC"),
        ("refresh_token", &s(&j["refresh_token"])),
        ("client_id", "portal-demo"),
    ]);
    let r = emu.post_form(TOKEN, &[], &body).await;
    assert_eq!(r.json()["error"], "invalid_grant");
    let body =
        format!("{body}&client_secret=server-demo-secret").replace("portal-demo", "server-demo");
    assert_eq!(emu.post_form(TOKEN, &[], &body).await.status, 200);
}

#[tokio::test]
async fn validate_bearer_and_validator_service() {
    let emu = common::start().await;
    let f = emu.implicit("demo", "demo", "x").await;
    let at = &f["access_token"];
    let auth = basic("server-demo", "server-demo-secret");
    let body = common::form(&[
        ("grant_type", mobproc_emulator::VALIDATE_BEARER),
        ("token", at),
    ]);
    let r = emu
        .post_form(TOKEN, &[("Authorization", &auth)], &body)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let j = r.json();
    assert_eq!(j["client_id"], "portal-demo");
    assert_eq!(j["scope"], "MOBPROC");
    assert!(j["expires_in"].as_u64().unwrap() > 3500);
    assert_eq!(j["access_token"]["tenant"], "XYZ");
    assert_eq!(j["access_token"]["identifier"], "demo");
    assert_eq!(j["access_token"]["identityProvider"], "pcv_edge");
    let v = emu.get(&format!("/validate?access_token={at}"), &[]).await;
    assert_eq!(v.json(), j);
    let bad = emu.get("/validate?access_token=nope", &[]).await;
    assert_eq!(
        (bad.status, bad.json()["error"].clone()),
        (400, "invalid_token".into())
    );
    let body = common::form(&[
        ("grant_type", mobproc_emulator::VALIDATE_BEARER),
        ("token", "nope"),
    ]);
    assert_eq!(
        emu.post_form(TOKEN, &[("Authorization", &auth)], &body)
            .await
            .json()["error"],
        "invalid_grant"
    );
    let public = format!("{body}&client_id=portal-demo");
    assert_eq!(emu.post_form(TOKEN, &[], &public).await.status, 401);
}

#[tokio::test]
async fn revoke_access_and_refresh_tokens() {
    let emu = common::start().await;
    let f = emu.implicit("demo", "demo", "x").await;
    let revoke = |t: &str| {
        common::form(&[
            ("token", t),
            ("token_type_hint", "access_token"),
            ("client_id", "portal-demo"),
        ])
    };
    let r = emu
        .post_form("/as/revoke_token.oauth2", &[], &revoke(&f["access_token"]))
        .await;
    assert_eq!(r.status, 200);
    let v = emu
        .get(
            &format!("/validate?access_token={}", f["access_token"]),
            &[],
        )
        .await;
    assert_eq!(v.status, 400);
    assert_eq!(
        emu.post_form("/as/revoke_token.oauth2", &[], &revoke("unknown"))
            .await
            .status,
        200
    );
    emu.post_form("/as/revoke_token.oauth2", &[], &revoke(&f["refresh_token"]))
        .await;
    let body = common::form(&[
        ("grant_type", "refresh_token"),
        ("scope", "MOBPROC"),
        ("refresh_token", &f["refresh_token"]),
        ("client_id", "portal-demo"),
    ]);
    assert_eq!(
        emu.post_form(TOKEN, &[], &body).await.json()["error"],
        "invalid_grant"
    );
    let r = emu
        .post_form("/as/revoke_token.oauth2", &[], "client_id=portal-demo")
        .await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (400, "invalid_request".into())
    );
    let r = emu
        .post_form(
            "/as/revoke_token.oauth2",
            &[],
            "token=x&client_id=server-demo",
        )
        .await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn token_lifetime_flag_is_honoured() {
    let cfg = mobproc_emulator::Config {
        port: 0,
        print_log: false,
        token_lifetime: 42,
        ..Default::default()
    };
    let emu = common::start_with(cfg).await;
    assert_eq!(emu.password_token().await["expires_in"], 42);
}

#[tokio::test]
async fn a_client_without_the_validation_grant_is_unauthorized_client() {
    let emu = common::start().await;
    let auth = basic("server-novalidate", "server-novalidate-secret");
    let h = [("Authorization", auth.as_str())];
    // It signs in, refreshes and revokes like server-demo.
    let pw = "grant_type=password&username=demo&password=demo&scope=MOBPROC";
    let r = emu.post_form(TOKEN, &h, pw).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let j = r.json();
    let at = s(&j["access_token"]);
    let refresh = common::form(&[
        ("grant_type", "refresh_token"),
        ("scope", "MOBPROC"),
        ("refresh_token", &s(&j["refresh_token"])),
    ]);
    assert_eq!(emu.post_form(TOKEN, &h, &refresh).await.status, 200);
    // Validating, even its own token: 400 unauthorized_client (RFC 6749 §5.2), not 401.
    let body = common::form(&[
        ("grant_type", mobproc_emulator::VALIDATE_BEARER),
        ("token", &at),
    ]);
    let r = emu.post_form(TOKEN, &h, &body).await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (400, "unauthorized_client".into()),
        "{}",
        r.body
    );
    assert!(s(&r.json()["error_description"]).contains("validate"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert!(r.header("www-authenticate").is_none());
    // The same by body credentials; a wrong secret is still invalid_client first.
    let by_body =
        format!("{body}&client_id=server-novalidate&client_secret=server-novalidate-secret");
    let r = emu.post_form(TOKEN, &[], &by_body).await;
    assert_eq!(r.json()["error"], "unauthorized_client");
    let wrong = basic("server-novalidate", "wrong");
    let r = emu
        .post_form(TOKEN, &[("Authorization", &wrong)], &body)
        .await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (401, "invalid_client".into())
    );
    // The token is fine: server-demo validates it, and so does the validator service.
    let ok = basic("server-demo", "server-demo-secret");
    let r = emu.post_form(TOKEN, &[("Authorization", &ok)], &body).await;
    assert_eq!(
        (r.status, r.json()["client_id"].clone()),
        (200, "server-novalidate".into())
    );
    let v = emu.get(&format!("/validate?access_token={at}"), &[]).await;
    assert_eq!(v.status, 200);
    let revoke = common::form(&[("token", &at)]);
    let r = emu.post_form("/as/revoke_token.oauth2", &h, &revoke).await;
    assert_eq!(r.status, 200);
}
