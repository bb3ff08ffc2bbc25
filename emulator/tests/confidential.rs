//! A confidential portal client (`--client portal-demo:SECRET`), as Tangoe documents it: the
//! implicit grant still signs users in, but refresh, validate and revoke need the secret
//! (HTTP Basic, body or query string); without it, or with a wrong one, PingFederate's
//! `invalid_client` (401, `WWW-Authenticate: Basic` when Basic was tried).
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
mod common;

use common::run_config as config;

use common::{basic, form, s, Emu, Resp};
use mobproc_emulator::seed::ClientKind;
use mobproc_emulator::{Config, Seed, VALIDATE_BEARER};

const TOKEN: &str = "/as/token.oauth2";
const REVOKE: &str = "/as/revoke_token.oauth2";
const SECRET: &str = "p0rtal:s3cret/+&=";

/// An emulator whose `portal-demo` has the secret [`SECRET`].
async fn start() -> Emu {
    let c = config(&["--client", &format!("portal-demo:{SECRET}")], &[]).unwrap();
    common::start_with(Config {
        port: 0,
        print_log: false,
        ..c
    })
    .await
}

fn refresh_body(rt: &str, extra: &[(&str, &str)]) -> String {
    let mut p = vec![
        ("grant_type", "refresh_token"),
        ("refresh_token", rt),
        ("scope", "MOBPROC"),
    ];
    p.extend_from_slice(extra);
    form(&p)
}

fn assert_invalid_client(r: &Resp, basic_tried: bool, what: &str) {
    assert_eq!(r.status, 401, "{what}: {}", r.body);
    let j = r.json();
    assert_eq!(j["error"], "invalid_client", "{what}");
    assert!(j["error_description"].is_string(), "{what}");
    assert_eq!(r.header("cache-control"), Some("no-store"), "{what}");
    let challenge = r.header("www-authenticate");
    if basic_tried {
        assert!(
            challenge.is_some_and(|v| v.starts_with("Basic")),
            "{what}: {challenge:?}"
        );
    } else {
        assert_eq!(challenge, None, "{what}");
    }
}

/// One way of (not) presenting the secret.
struct Attempt {
    what: &'static str,
    authorization: Option<String>,
    /// Added to the request's parameters.
    params: Vec<(&'static str, &'static str)>,
    /// The parameters go in the query string of the POST, the body stays empty.
    in_query: bool,
}

/// The refusals every grant and revocation gets without the right secret: id only, Basic
/// with an empty and a wrong secret, a wrong secret in the body and in the query string.
async fn refused_without_secret(emu: &Emu, path: &str, params: &str) {
    let wrong = vec![("client_id", "portal-demo"), ("client_secret", "wrong")];
    let attempts = [
        Attempt {
            what: "id only",
            authorization: None,
            params: vec![("client_id", "portal-demo")],
            in_query: false,
        },
        Attempt {
            what: "Basic, empty secret",
            authorization: Some(basic("portal-demo", "")),
            params: vec![],
            in_query: false,
        },
        Attempt {
            what: "Basic, wrong secret",
            authorization: Some(basic("portal-demo", "wrong")),
            params: vec![],
            in_query: false,
        },
        Attempt {
            what: "body, wrong secret",
            authorization: None,
            params: wrong.clone(),
            in_query: false,
        },
        Attempt {
            what: "query, wrong secret",
            authorization: None,
            params: wrong,
            in_query: true,
        },
    ];
    for a in attempts {
        let mut all = params.to_string();
        if !a.params.is_empty() {
            all = format!("{all}&{}", form(&a.params));
        }
        let h: Vec<(&str, &str)> = a
            .authorization
            .iter()
            .map(|v| ("Authorization", v.as_str()))
            .collect();
        let r = if a.in_query {
            emu.send("POST", &format!("{path}?{all}"), &h, "").await
        } else {
            emu.post_form(path, &h, &all).await
        };
        let basic_tried = a.authorization.is_some();
        assert_invalid_client(&r, basic_tried, &format!("{path} {}", a.what));
    }
}

#[tokio::test]
async fn implicit_sign_in_still_works_for_the_confidential_portal_client() {
    let emu = start().await;
    let client = emu.state.seed.client("portal-demo").unwrap();
    assert!(client.is_confidential());
    assert_eq!(client.kind, ClientKind::Portal);
    assert_eq!(
        client.redirect_uris,
        ["http://127.0.0.1:8080/", "http://127.0.0.1:8080/callback"]
    );
    let f = emu.implicit("demo", "demo", "st-1").await;
    assert_eq!(f["state"], "st-1");
    assert_eq!(f["token_type"], "Bearer");
    assert!(f["refresh_token"].len() >= 43);
    // The token works on the API with the portal's client id.
    let auth = format!("Bearer {}", f["access_token"]);
    let h = [
        ("Authorization", auth.as_str()),
        ("X-TNGO-TENANT", "XYZ"),
        ("client_id", "portal-demo"),
    ];
    assert_eq!(emu.get("/mobproc/v1/me", &h).await.status, 200);
}

#[tokio::test]
async fn refresh_needs_the_secret_by_basic_body_or_query() {
    let emu = start().await;
    let f = emu.implicit("demo", "demo", "x").await;
    let rt0 = f["refresh_token"].clone();
    refused_without_secret(&emu, TOKEN, &refresh_body(&rt0, &[])).await;
    // None of the refusals used up the refresh token. Basic:
    let auth = basic("portal-demo", SECRET);
    let r = emu
        .post_form(TOKEN, &[("Authorization", &auth)], &refresh_body(&rt0, &[]))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let rt1 = s(&r.json()["refresh_token"]);
    assert_ne!(rt1, rt0);
    assert_ne!(s(&r.json()["access_token"]), f["access_token"]);
    // Body:
    let secret = [("client_id", "portal-demo"), ("client_secret", SECRET)];
    let r = emu
        .post_form(TOKEN, &[], &refresh_body(&rt1, &secret))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let rt2 = s(&r.json()["refresh_token"]);
    assert_ne!(rt2, rt1);
    // Query string, empty body (Tangoe's pages):
    let q = refresh_body(&rt2, &secret);
    let r = emu.send("POST", &format!("{TOKEN}?{q}"), &[], "").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let rt3 = s(&r.json()["refresh_token"]);
    assert!(![&rt0, &rt1, &rt2].contains(&&rt3));
    // Rotation: the used ones are dead, even with the secret.
    let r = emu
        .post_form(TOKEN, &[], &refresh_body(&rt1, &secret))
        .await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (400, "invalid_grant".into())
    );
}

#[tokio::test]
async fn validate_needs_the_secret_by_basic_body_or_query() {
    let emu = start().await;
    let f = emu.implicit("demo", "demo", "x").await;
    let at = &f["access_token"];
    let body = form(&[("grant_type", VALIDATE_BEARER), ("token", at)]);
    refused_without_secret(&emu, TOKEN, &body).await;
    let auth = basic("portal-demo", SECRET);
    let secret = form(&[("client_id", "portal-demo"), ("client_secret", SECRET)]);
    let answers = [
        emu.post_form(TOKEN, &[("Authorization", &auth)], &body)
            .await,
        emu.post_form(TOKEN, &[], &format!("{body}&{secret}")).await,
        emu.send("POST", &format!("{TOKEN}?{body}&{secret}"), &[], "")
            .await,
    ];
    for r in answers {
        assert_eq!(r.status, 200, "{}", r.body);
        let j = r.json();
        assert_eq!(j["client_id"], "portal-demo");
        assert_eq!(j["access_token"]["identifier"], "demo");
    }
}

#[tokio::test]
async fn revocation_needs_the_secret() {
    let emu = start().await;
    let f = emu.implicit("demo", "demo", "x").await;
    let at = f["access_token"].clone();
    let body = form(&[("token", &at), ("token_type_hint", "access_token")]);
    refused_without_secret(&emu, REVOKE, &body).await;
    let live = |r: Resp| r.status;
    let validate = format!("/validate?access_token={at}");
    assert_eq!(
        live(emu.get(&validate, &[]).await),
        200,
        "a refused revocation revoked"
    );
    assert_eq!(emu.state.lock().journal.revocations, 0);
    let auth = basic("portal-demo", SECRET);
    let r = emu
        .post_form(REVOKE, &[("Authorization", &auth)], &body)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(live(emu.get(&validate, &[]).await), 400);
    // The refresh token by body auth, and its grant's tokens with it.
    let rt = form(&[
        ("token", &f["refresh_token"]),
        ("client_id", "portal-demo"),
        ("client_secret", SECRET),
    ]);
    assert_eq!(emu.post_form(REVOKE, &[], &rt).await.status, 200);
    let r = emu
        .post_form(
            TOKEN,
            &[("Authorization", &auth)],
            &refresh_body(&f["refresh_token"], &[]),
        )
        .await;
    assert_eq!(r.json()["error"], "invalid_grant");
}

#[tokio::test]
async fn the_confidential_portal_client_has_no_password_grant_and_no_secret_in_the_log() {
    let emu = start().await;
    let body = form(&[
        ("grant_type", "password"),
        ("username", "demo"),
        ("password", "demo"),
        ("client_id", "portal-demo"),
        ("client_secret", SECRET),
    ]);
    let r = emu.post_form(TOKEN, &[], &body).await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (400, "unauthorized_client".into()),
        "{}",
        r.body
    );
    let q = format!("{TOKEN}?{body}");
    emu.send("POST", &q, &[], "").await;
    let lines = emu.state.lock().journal.lines.clone();
    assert!(!lines.is_empty());
    let encoded = form(&[("x", SECRET)]);
    for line in lines {
        assert!(
            !line.contains(SECRET) && !line.contains(&encoded[2..]),
            "{line}"
        );
    }
}

#[tokio::test]
async fn public_and_service_clients_are_unchanged() {
    let emu = start().await;
    // server-demo still uses the password grant; a wrong secret is still refused.
    assert!(emu.password_token().await["refresh_token"].is_string());
    let auth = basic("server-demo", "portal-demo");
    let r = emu
        .post_form(
            TOKEN,
            &[("Authorization", &auth)],
            "grant_type=password&username=demo&password=demo",
        )
        .await;
    assert_invalid_client(&r, true, "server-demo, wrong secret");
    // Without the flag portal-demo is public: refresh by client_id alone.
    let public = common::start().await;
    let f = public.implicit("demo", "demo", "x").await;
    let r = public
        .post_form(
            TOKEN,
            &[],
            &refresh_body(&f["refresh_token"], &[("client_id", "portal-demo")]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

fn kind_and_uris(seed: &Seed, id: &str) -> (ClientKind, bool, usize) {
    let c = seed.client(id).unwrap();
    (c.kind, c.is_confidential(), c.redirect_uris.len())
}

#[test]
fn a_secret_for_an_existing_public_client_by_flag_or_variable() {
    let flag = config(&["--client", "portal-demo:s"], &[]).unwrap();
    let var = config(&[], &[("MOBPROC_EMU_CLIENT", "portal-demo:s")]).unwrap();
    assert_eq!(flag, var);
    let seed = Seed::new(&flag.seed_spec());
    assert_eq!(
        kind_and_uris(&seed, "portal-demo"),
        (ClientKind::Portal, true, 2)
    );
    assert_eq!(
        seed.client("portal-demo").unwrap().secret.as_deref(),
        Some("s")
    );
    assert_eq!(
        seed.clients.len(),
        3,
        "portal-demo made confidential, not a new client"
    );
    // A new portal client made confidential: public first, then its secret.
    let c = config(
        &["--no-seed", "--client", "spa", "--client", "spa:s:t"],
        &[],
    )
    .unwrap();
    let seed = Seed::new(&c.seed_spec());
    assert_eq!(kind_and_uris(&seed, "spa"), (ClientKind::Portal, true, 2));
    assert_eq!(seed.client("spa").unwrap().secret.as_deref(), Some("s:t"));
    // Without the public client first, ID:SECRET stays a service client.
    let c = config(&["--no-seed", "--client", "portal-demo:s"], &[]).unwrap();
    let seed = Seed::new(&c.seed_spec());
    assert_eq!(
        kind_and_uris(&seed, "portal-demo"),
        (ClientKind::Service, true, 0)
    );
    let c = config(&["--client", "svc:s"], &[]).unwrap();
    let seed = Seed::new(&c.seed_spec());
    assert_eq!(kind_and_uris(&seed, "svc"), (ClientKind::Service, true, 0));
}

#[test]
fn other_reuses_of_a_client_id_are_still_refused() {
    for args in [
        vec!["--client", "portal-demo:a", "--client", "portal-demo:b"],
        vec!["--client", "portal-demo"],
        vec!["--client", "server-demo:x"],
        vec!["--client", "spa:s", "--client", "spa"],
    ] {
        let e = config(&args, &[]).unwrap_err();
        assert!(e.contains("is defined twice"), "{args:?}: {e}");
    }
    let env = [("MOBPROC_EMU_CLIENT", "portal-demo:a,portal-demo:b")];
    assert!(config(&[], &env).unwrap_err().contains("portal-demo"));
}
