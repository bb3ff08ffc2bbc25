//! The authorization code grant with PKCE (RFC 6749 §4.1, RFC 7636 S256 only), as
//! PingFederate serves a public client configured for it: the code in the query, exchanged
//! once within 60 s by its client, with its redirect URI and the verifier of its challenge.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod common;

use common::start_args as start;

use std::collections::HashMap;

use common::{basic, form, s, Emu, Resp, TOKEN_ANSWER};

const AUTHZ: &str = "/as/authorization.oauth2";
const TOKEN: &str = "/as/token.oauth2";
const REDIRECT: &str = "http://127.0.0.1:8080/callback";
/// RFC 7636 Appendix B.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
/// Another well-formed verifier (its S256 is not [`CHALLENGE`]).
const OTHER_VERIFIER: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

/// The authorization request's parameters; `changes` replace (`Some`) or drop (`None`) one.
fn request(changes: &[(&str, Option<&str>)]) -> Vec<(String, String)> {
    changed(
        &[
            ("response_type", "code"),
            ("client_id", "portal-demo"),
            ("redirect_uri", REDIRECT),
            ("scope", "MOBPROC"),
            ("state", "st&=é x"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ],
        changes,
    )
}

/// `base` with `changes` applied: each replaces (`Some`) or drops (`None`) a parameter.
fn changed(base: &[(&str, &str)], changes: &[(&str, Option<&str>)]) -> Vec<(String, String)> {
    let mut p: Vec<(String, String)> = base
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    for (k, v) in changes {
        p.retain(|(name, _)| name != k);
        if let Some(v) = v {
            p.push((k.to_string(), v.to_string()));
        }
    }
    p
}

fn encode(p: &[(String, String)]) -> String {
    let pairs: Vec<(&str, &str)> = p.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    form(&pairs)
}

/// Submits the sign-in form for `demo` with these authorization parameters.
async fn sign_in(emu: &Emu, p: &[(String, String)], action: &str) -> Resp {
    let body = format!(
        "{}&{}",
        encode(p),
        form(&[
            ("username", "demo"),
            ("password", "demo"),
            ("action", action)
        ])
    );
    emu.post_form(AUTHZ, &[], &body).await
}

/// The query parameters of a redirect location that has no fragment.
fn query(location: &str) -> HashMap<String, String> {
    assert!(!location.contains('#'), "{location}");
    let (_, q) = location.split_once('?').expect("no query");
    form_urlencoded::parse(q.as_bytes()).into_owned().collect()
}

/// Signs `demo` in with the default request and returns the code.
async fn code(emu: &Emu) -> String {
    let r = sign_in(emu, &request(&[]), "sign-in").await;
    assert_eq!(r.status, 302, "{}", r.body);
    query(r.header("location").unwrap())["code"].clone()
}

/// The token request's parameters; `changes` as for [`request`].
fn exchange_body(code: &str, changes: &[(&str, Option<&str>)]) -> String {
    encode(&changed(
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("client_id", "portal-demo"),
            ("code_verifier", VERIFIER),
        ],
        changes,
    ))
}

async fn exchange(emu: &Emu, code: &str, changes: &[(&str, Option<&str>)]) -> Resp {
    emu.post_form(TOKEN, &[], &exchange_body(code, changes))
        .await
}

fn assert_error(r: &Resp, status: u16, error: &str, description: &str) {
    assert_eq!(r.status, status, "{}", r.body);
    let j = r.json();
    assert_eq!(j["error"], error, "{}", r.body);
    let d = s(&j["error_description"]);
    assert!(d.contains(description), "{d:?} lacks {description:?}");
}

/// `GET /mobproc/v1/ping` with a `portal-demo` token of tenant XYZ.
async fn ping(emu: &Emu, token: &str) -> Resp {
    let auth = format!("Bearer {token}");
    let h = [
        ("Authorization", auth.as_str()),
        ("X-TNGO-TENANT", "XYZ"),
        ("client_id", "portal-demo"),
    ];
    emu.get("/mobproc/v1/ping?echoText=pkce", &h).await
}

#[tokio::test]
async fn sign_in_gives_a_code_in_the_query_that_buys_working_tokens() {
    let emu = start(&[]).await;
    let page = emu
        .get(&format!("{AUTHZ}?{}", encode(&request(&[]))), &[])
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    for part in [
        "name=\"response_type\" value=\"code\"",
        &format!("name=\"code_challenge\" value=\"{CHALLENGE}\""),
        "name=\"code_challenge_method\" value=\"S256\"",
    ] {
        assert!(page.body.contains(part), "missing {part}");
    }

    let r = sign_in(&emu, &request(&[]), "sign-in").await;
    assert_eq!(r.status, 302, "{}", r.body);
    let location = r.header("location").unwrap();
    assert!(
        location.starts_with(&format!("{REDIRECT}?code=")),
        "{location}"
    );
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let q = query(location);
    let mut keys: Vec<&str> = q.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["code", "state"]);
    assert_eq!(q["state"], "st&=é x");
    assert_eq!(q["code"].len(), 64);

    let t = exchange(&emu, &q["code"], &[]).await;
    assert_eq!(t.status, 200, "{}", t.body);
    assert_eq!(t.header("cache-control"), Some("no-store"));
    let j = t.json();
    assert_eq!(j["token_type"], "Bearer");
    assert_eq!(j["expires_in"], 3600);
    assert_eq!(common::keys(&j), TOKEN_ANSWER, "no scope in the answer");
    let (at, rt) = (s(&j["access_token"]), s(&j["refresh_token"]));
    assert_eq!((at.len(), rt.len()), (64, 64));

    let p = ping(&emu, &at).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert_eq!(p.json()["echoText"], "pkce");

    // The refresh token works like the implicit grant's (a public client: no secret).
    let body = form(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", &rt),
        ("client_id", "portal-demo"),
        ("scope", "MOBPROC"),
    ]);
    let r = emu.post_form(TOKEN, &[], &body).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let fresh = s(&r.json()["access_token"]);
    assert_eq!(ping(&emu, &fresh).await.status, 200);

    let st = emu.get("/__emulator/stats", &[]).await.json();
    assert_eq!(st["token_requests"]["authorization_code"], 1, "{st}");
    assert_eq!(st["token_requests"]["refresh_token"], 1, "{st}");
    assert_eq!(st["token_requests"]["other"], 0, "{st}");
    assert_eq!(st["sign_ins"], 1, "{st}");
}

#[tokio::test]
async fn stats_list_authorization_code_before_any_request() {
    let emu = start(&[]).await;
    let st = emu.get("/__emulator/stats", &[]).await.json();
    assert_eq!(st["token_requests"]["authorization_code"], 0, "{st}");
    let refused = exchange(&emu, "nope", &[]).await;
    assert_error(&refused, 400, "invalid_grant", "unknown authorization code");
    let st = emu.get("/__emulator/stats", &[]).await.json();
    assert_eq!(st["token_requests"]["authorization_code"], 1, "{st}");
}

#[tokio::test]
async fn a_replayed_code_is_refused_and_revokes_its_tokens() {
    let emu = start(&[]).await;
    let c = code(&emu).await;
    let j = exchange(&emu, &c, &[]).await.json();
    let (at, rt) = (s(&j["access_token"]), s(&j["refresh_token"]));
    assert_eq!(ping(&emu, &at).await.status, 200);

    let again = exchange(&emu, &c, &[]).await;
    assert_error(&again, 400, "invalid_grant", "already used");
    assert_eq!(ping(&emu, &at).await.status, 401);
    let body = form(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", &rt),
        ("client_id", "portal-demo"),
        ("scope", "MOBPROC"),
    ]);
    let r = emu.post_form(TOKEN, &[], &body).await;
    assert_error(&r, 400, "invalid_grant", "refresh token");
}

#[tokio::test]
async fn a_wrong_verifier_is_refused_and_uses_the_code_up() {
    let emu = start(&[]).await;
    let c = code(&emu).await;
    let r = exchange(&emu, &c, &[("code_verifier", Some(OTHER_VERIFIER))]).await;
    assert_error(&r, 400, "invalid_grant", "PKCE verifier does not match");
    // The code was presented once: even the right verifier cannot use it now.
    let r = exchange(&emu, &c, &[]).await;
    assert_error(&r, 400, "invalid_grant", "already used");
}

#[tokio::test]
async fn a_malformed_or_missing_verifier_is_invalid_request_and_leaves_the_code() {
    let emu = start(&[]).await;
    let c = code(&emu).await;
    let short = &VERIFIER[..42];
    let padded = format!("{VERIFIER}=");
    let long = "a".repeat(129);
    for (v, why) in [
        (Some(short), "43 to 128"),
        (Some(padded.as_str()), "may only contain"),
        (Some(long.as_str()), "43 to 128"),
        (None, "code_verifier is required"),
    ] {
        let r = exchange(&emu, &c, &[("code_verifier", v)]).await;
        assert_error(&r, 400, "invalid_request", why);
    }
    for (name, why) in [
        ("code", "code is required"),
        ("redirect_uri", "redirect_uri is required"),
    ] {
        let r = exchange(&emu, &c, &[(name, None)]).await;
        assert_error(&r, 400, "invalid_request", why);
    }
    // None of these looked the code up: it still works.
    assert_eq!(exchange(&emu, &c, &[]).await.status, 200);
}

#[tokio::test]
async fn plain_other_methods_and_a_missing_or_malformed_challenge_are_refused_in_the_query() {
    let emu = start(&[]).await;
    let padded = format!("{CHALLENGE}=");
    let cases: [(&str, Option<&str>, &str); 6] = [
        (
            "code_challenge_method",
            Some("plain"),
            "plain is not accepted",
        ),
        (
            "code_challenge_method",
            None,
            "code_challenge_method is required",
        ),
        ("code_challenge_method", Some("S512"), "must be S256"),
        ("code_challenge_method", Some("s256"), "must be S256"),
        ("code_challenge", None, "code_challenge is required"),
        ("code_challenge", Some(&padded), "without padding"),
    ];
    for (name, value, why) in cases {
        let p = request(&[(name, value)]);
        let get = emu.get(&format!("{AUTHZ}?{}", encode(&p)), &[]).await;
        let post = sign_in(&emu, &p, "sign-in").await;
        for r in [get, post] {
            assert_eq!(r.status, 302, "{name}={value:?}: {}", r.body);
            let location = r.header("location").unwrap();
            assert!(location.starts_with(&format!("{REDIRECT}?error=invalid_request&")));
            let q = query(location);
            assert_eq!(q["error"], "invalid_request");
            assert!(q["error_description"].contains(why), "{q:?}");
            assert_eq!(q["state"], "st&=é x");
            assert!(!q.contains_key("code"));
        }
    }
    let st = emu.get("/__emulator/stats", &[]).await.json();
    assert_eq!(st["sign_ins"], 0, "{st}");
}

#[tokio::test]
async fn cancel_and_a_wrong_scope_answer_in_the_query() {
    let emu = start(&[]).await;
    let r = sign_in(&emu, &request(&[]), "cancel").await;
    assert_eq!(r.status, 302);
    let q = query(r.header("location").unwrap());
    assert_eq!(q["error"], "access_denied");
    assert_eq!(q["state"], "st&=é x");
    assert!(!q.contains_key("code"));

    let p = request(&[("scope", Some("ADMIN"))]);
    let r = emu.get(&format!("{AUTHZ}?{}", encode(&p)), &[]).await;
    assert_eq!(
        query(r.header("location").unwrap())["error"],
        "invalid_scope"
    );

    // The implicit grant still answers in the fragment.
    let f = emu.implicit("demo", "demo", "s").await;
    assert_eq!(f["token_type"], "Bearer");
}

#[tokio::test]
async fn client_and_redirect_uri_errors_stay_on_the_page() {
    let emu = start(&[]).await;
    for p in [
        request(&[("redirect_uri", Some("http://evil.example/cb"))]),
        request(&[("redirect_uri", None)]),
        request(&[("client_id", Some("nobody"))]),
        request(&[("client_id", Some("server-demo"))]),
    ] {
        let r = emu.get(&format!("{AUTHZ}?{}", encode(&p)), &[]).await;
        assert_eq!(r.status, 400, "{p:?}");
        assert!(r.header("location").is_none());
        assert!(r.body.contains("id=\"error\""));
        let r = sign_in(&emu, &p, "sign-in").await;
        assert_eq!(r.status, 400, "{p:?}");
        assert!(r.header("location").is_none());
    }
}

#[tokio::test]
async fn the_code_is_bound_to_its_client_and_redirect_uri() {
    let emu = start(&["--client", "spa"]).await;

    let c = code(&emu).await;
    let r = exchange(&emu, &c, &[("client_id", Some("spa"))]).await;
    assert_error(&r, 400, "invalid_grant", "issued to another client");

    let c = code(&emu).await;
    let r = exchange(
        &emu,
        &c,
        &[("redirect_uri", Some("http://127.0.0.1:8080/"))],
    )
    .await;
    assert_error(&r, 400, "invalid_grant", "redirect_uri does not match");

    // Unknown clients and service clients are told so before the code is looked up.
    let c = code(&emu).await;
    let r = exchange(&emu, &c, &[("client_id", Some("nobody"))]).await;
    assert_error(&r, 401, "invalid_client", "unknown client");
    let auth = basic("server-demo", "server-demo-secret");
    let body = exchange_body(&c, &[("client_id", None)]);
    let r = emu
        .post_form(TOKEN, &[("Authorization", auth.as_str())], &body)
        .await;
    assert_error(&r, 400, "unauthorized_client", "password grant");
    assert_eq!(exchange(&emu, &c, &[]).await.status, 200);
}

#[tokio::test]
async fn an_expired_code_is_refused() {
    let emu = start(&[]).await;
    let c = code(&emu).await;
    let r = emu.send("POST", "/__emulator/expire-all", &[], "").await;
    assert_eq!(r.status, 200);
    let r = exchange(&emu, &c, &[]).await;
    assert_error(&r, 400, "invalid_grant", "expired");
    // A code issued after that is fine.
    let c = code(&emu).await;
    assert_eq!(exchange(&emu, &c, &[]).await.status, 200);
}

#[tokio::test]
async fn browsers_of_app_origins_may_exchange_codes() {
    let emu = start(&[]).await;
    let origin = "http://127.0.0.1:8080";
    let preflight = [
        ("Origin", origin),
        ("Access-Control-Request-Method", "POST"),
        ("Access-Control-Request-Headers", "content-type"),
    ];
    let r = emu.send("OPTIONS", TOKEN, &preflight, "").await;
    assert_eq!(r.status, 204);
    assert_eq!(r.header("access-control-allow-origin"), Some(origin));

    let c = code(&emu).await;
    let body = exchange_body(&c, &[]);
    let r = emu.post_form(TOKEN, &[("Origin", origin)], &body).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("access-control-allow-origin"), Some(origin));

    let c = code(&emu).await;
    let body = exchange_body(&c, &[]);
    let r = emu
        .post_form(TOKEN, &[("Origin", "http://localhost:8080")], &body)
        .await;
    assert!(r.header("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn no_refresh_token_with_the_no_refresh_option() {
    let emu = start(&["--no-implicit-refresh-token"]).await;
    let c = code(&emu).await;
    let r = exchange(&emu, &c, &[]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let j = r.json();
    assert!(j.get("refresh_token").is_none(), "{j}");
    assert_eq!(ping(&emu, &s(&j["access_token"])).await.status, 200);
}

#[tokio::test]
async fn a_confidential_portal_client_exchanges_with_its_secret() {
    let emu = start(&["--client", "portal-demo:pd-secret"]).await;
    let c = code(&emu).await;
    let r = exchange(&emu, &c, &[]).await;
    assert_error(&r, 401, "invalid_client", "client authentication failed");
    let r = exchange(&emu, &c, &[("client_secret", Some("pd-secret"))]).await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test]
async fn a_redirect_uri_with_a_query_gets_the_code_appended() {
    let uri = "http://127.0.0.1:8080/cb?app=1";
    let emu = start(&["--redirect-uri", uri]).await;
    let p = request(&[("redirect_uri", Some(uri))]);
    let r = sign_in(&emu, &p, "sign-in").await;
    assert_eq!(r.status, 302, "{}", r.body);
    let location = r.header("location").unwrap();
    assert!(location.starts_with(&format!("{uri}&code=")), "{location}");
    let q = query(location);
    assert_eq!(q["app"], "1");
    let r = exchange(&emu, &q["code"], &[("redirect_uri", Some(uri))]).await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test]
async fn the_log_has_no_code_verifier_or_token() {
    let emu = start(&[]).await;
    let c = code(&emu).await;
    let j = exchange(&emu, &c, &[]).await.json();
    exchange(&emu, &c, &[]).await;
    let log = emu.get("/__emulator/log", &[]).await.body;
    assert!(log.contains("POST /as/token.oauth2 200"), "{log}");
    assert!(log.contains("POST /as/token.oauth2 400"), "{log}");
    let mut secrets = emu.state.lock().tokens.all_values();
    secrets.extend(emu.state.lock().codes.all_values());
    secrets.extend([c, VERIFIER.into(), CHALLENGE.into(), s(&j["access_token"])]);
    for secret in secrets {
        assert!(!log.contains(&secret), "log leaks {secret}:\n{log}");
    }
}
