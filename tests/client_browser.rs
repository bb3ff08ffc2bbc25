//! The Rust client (`mobproc_auth::Client`) in a real browser page: headless Chromium through
//! wasm-bindgen-test. Sign-in callback against the real `location`, `history` and
//! `sessionStorage`; every network call through a recording `globalThis.fetch`.
//!
//! `cargo xtask test` runs it; by hand:
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
//! CHROMEDRIVER=/usr/bin/chromedriver cargo test -p mobproc-auth --target
//! wasm32-unknown-unknown --test client_browser` (Chrome's flags: webdriver.json).
#![cfg(target_arch = "wasm32")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use mobproc_auth::context::Context;
use mobproc_auth::{
    Callback, Client, Config, Error, ErrorKind, Event, EventKind, LoginOptions, PageOptions,
};
use serde::Deserialize;
use std::cell::Cell;
use std::collections::BTreeSet;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use wasm_bindgen_test::*;
use web_sys::{Request, RequestInit, RequestRedirect};

wasm_bindgen_test_configure!(run_in_browser);

const HOUR_MS: f64 = 3_600_000.0;

fn get(url: &str) -> Request {
    Request::new_with_str(url).unwrap()
}

fn api(path: &str) -> String {
    format!("{API}/{path}")
}

fn code<T: std::fmt::Debug>(result: Result<T, Error>) -> Error {
    match result {
        Err(error) => error,
        Ok(value) => panic!("expected an error, got {value:?}"),
    }
}

/// `authorize_url`'s query parameter `name`.
fn param(url: &str, name: &str) -> Option<String> {
    web_sys::Url::new(url).unwrap().search_params().get(name)
}

// ---------------------------------------------------------------------------------------
// 1. Sign-in and the redirect callback
// ---------------------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn callback_stores_exactly_the_record_and_cleans_the_url() {
    setup();
    let client = Client::new(config("cb-client")).unwrap();
    let options = LoginOptions {
        return_to: Some("/orders?id=7".into()),
    };
    let url = client.authorize_url(&options).unwrap();

    // The authorize URL: the endpoint, the implicit grant's parameters, a long random state.
    assert!(url.starts_with(&format!("{AUTHORIZE}?")), "{url}");
    assert_eq!(param(&url, "response_type").as_deref(), Some("token"));
    assert_eq!(param(&url, "client_id").as_deref(), Some("cb-client"));
    assert_eq!(param(&url, "redirect_uri").as_deref(), Some(REDIRECT));
    assert_eq!(param(&url, "scope").as_deref(), Some("MOBPROC"));
    let state = param(&url, "state").unwrap();
    assert!(state.len() >= 43, "state {state:?} is under 256 bits");
    assert!(
        state
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "{state:?}"
    );
    // A second sign-in gets another state.
    let other = Client::new(config("cb-other")).unwrap();
    let other_state = param(&other.authorize_url(&options).unwrap(), "state").unwrap();
    assert_ne!(state, other_state);

    // The pending sign-in: under `<key>.pending`, with the state and the return path.
    let pending_key = format!("{}.pending", record_key("cb-client"));
    let pending = session_storage().get_item(&pending_key).unwrap().unwrap();
    assert_eq!(
        json_field(&pending, "state").as_string(),
        Some(state.clone())
    );
    assert_eq!(
        json_field(&pending, "returnTo").as_string().as_deref(),
        Some("/orders?id=7")
    );
    session_storage()
        .remove_item(&format!("{}.pending", record_key("cb-other")))
        .unwrap();
    assert!(!client.is_authenticated());

    // Back from Tangoe, on a path with a query.
    let fragment = format!("access_token=tok-A.1&token_type=Bearer&expires_in=3600&state={state}");
    set_url(&format!("/app/callback?tab=2#{fragment}"));
    let before = js_sys::Date::now();
    let callback = client.handle_redirect_callback().await.unwrap();
    let after = js_sys::Date::now();
    assert_eq!(
        callback,
        Some(Callback {
            return_to: Some("/orders?id=7".into())
        })
    );

    // The fragment is gone; the path and query stay.
    let location = window().location();
    assert_eq!(location.hash().unwrap(), "");
    assert_eq!(location.pathname().unwrap(), "/app/callback");
    assert_eq!(location.search().unwrap(), "?tab=2");
    assert!(!location.href().unwrap().contains("access_token"));

    // sessionStorage holds the record and nothing else; localStorage nothing.
    let key = record_key("cb-client");
    assert_eq!(keys(&session_storage()), std::slice::from_ref(&key));
    assert_eq!(keys(&local_storage()), Vec::<String>::new());
    let stored = session_storage().get_item(&key).unwrap().unwrap();
    assert_eq!(
        json_field(&stored, "accessToken").as_string().as_deref(),
        Some("tok-A.1")
    );
    let expires_at = json_field(&stored, "expiresAt").as_f64().unwrap();
    assert!(
        expires_at >= (before + HOUR_MS).floor() && expires_at <= after + HOUR_MS,
        "expiresAt {expires_at} is not now + 3600 s ({before}..{after})"
    );
    assert!(json_field(&stored, "refreshToken").is_undefined());
    assert!(
        !stored.contains(&state),
        "the state was stored with the token"
    );

    // What the app sees.
    assert!(client.is_authenticated());
    let session = client.session().unwrap();
    assert_eq!(session.expires_at as f64, expires_at);
    assert!(!session.has_refresh_token);
    assert_eq!(
        session.scope.as_deref(),
        Some("MOBPROC"),
        "an answer without a scope granted the one asked for (RFC 6749 §4.2.2)"
    );
    assert_eq!(client.access_token().unwrap().secret(), "tok-A.1");

    // The same response again (back button, reload of a saved URL): the state was used up.
    set_url(&format!("/app/callback?tab=2#{fragment}"));
    let replayed = code(client.handle_redirect_callback().await);
    assert_eq!(replayed.code(), "state_mismatch");
    assert_eq!(location.hash().unwrap(), "", "the replayed fragment stayed");
    assert_eq!(
        session_storage().get_item(&key).unwrap().as_deref(),
        Some(stored.as_str()),
        "a replay changed the good session"
    );
    assert!(client.is_authenticated());

    // No OAuth response in the URL: nothing to do.
    set_url("/app/orders?x=1#section-2");
    assert_eq!(client.handle_redirect_callback().await.unwrap(), None);
    assert_eq!(location.hash().unwrap(), "#section-2");
}

#[wasm_bindgen_test]
async fn callback_with_a_bad_state_stores_nothing() {
    setup();
    let client = Client::new(config("bad-state")).unwrap();
    let key = record_key("bad-state");
    let pending_key = format!("{key}.pending");

    // Signed out, a sign-in pending, a response with another state.
    let url = client.authorize_url(&LoginOptions::default()).unwrap();
    let state = param(&url, "state").unwrap();
    let pending = session_storage().get_item(&pending_key).unwrap();
    let forged = "A".repeat(43);
    set_url(&format!(
        "/cb?x=1#access_token=evil&token_type=Bearer&expires_in=3600&state={forged}"
    ));
    assert_eq!(
        code(client.handle_redirect_callback().await).code(),
        "state_mismatch"
    );
    assert_eq!(session_storage().get_item(&key).unwrap(), None);
    assert!(!client.is_authenticated());
    assert_eq!(window().location().hash().unwrap(), "");
    assert_eq!(window().location().search().unwrap(), "?x=1");
    // Not this sign-in's answer: the pending sign-in waits for its own, which then signs in
    // and uses it up.
    assert_eq!(session_storage().get_item(&pending_key).unwrap(), pending);
    set_url(&format!(
        "/cb#access_token=real&token_type=Bearer&expires_in=3600&state={state}"
    ));
    client.handle_redirect_callback().await.unwrap();
    assert_eq!(client.access_token().unwrap().secret(), "real");
    assert_eq!(session_storage().get_item(&pending_key).unwrap(), None);

    // Signed in, no sign-in pending: an injected response (login CSRF) changes nothing.
    let expires_at = store_record(&key, "good", None, HOUR_MS);
    let good = session_storage().get_item(&key).unwrap();
    set_url("/cb#access_token=evil&token_type=Bearer&expires_in=3600&state=whatever");
    assert_eq!(
        code(client.handle_redirect_callback().await).code(),
        "state_mismatch"
    );
    assert_eq!(session_storage().get_item(&key).unwrap(), good);
    assert_eq!(client.access_token().unwrap().secret(), "good");
    assert_eq!(client.session().unwrap().expires_at as f64, expires_at);

    // A response without any state is no better (and leaves the pending sign-in waiting).
    client.authorize_url(&LoginOptions::default()).unwrap();
    set_url("/cb#access_token=evil&token_type=Bearer&expires_in=3600");
    assert_eq!(
        code(client.handle_redirect_callback().await).code(),
        "state_mismatch"
    );
    assert_eq!(session_storage().get_item(&key).unwrap(), good);
    let mut left = keys(&session_storage());
    left.sort();
    assert_eq!(left, [key, pending_key]);
}

// ---------------------------------------------------------------------------------------
// 2. Headers on the wire
// ---------------------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn fetch_sends_exactly_the_tangoe_headers() {
    setup();
    let client = Client::new(config("hdr-client")).unwrap();
    store_record(&record_key("hdr-client"), "tok-H", None, HOUR_MS);
    let recorder = Recorder::install(|_| Reply::json(200, "{}"));

    let first = client.fetch(get(&api("orders"))).await.unwrap();
    let second = client.fetch(get(&api("orders?limit=5"))).await.unwrap();
    assert_eq!(first.status(), 200);
    let sent = recorder.requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[1].url(), api("orders?limit=5"));
    let mut ids = Vec::new();
    for request in &sent {
        let h = headers(request);
        let names: BTreeSet<&str> = h.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            BTreeSet::from([
                "authorization",
                "client_id",
                "x-tngo-context-correlationid",
                "x-tngo-tenant"
            ])
        );
        assert_eq!(h["x-tngo-tenant"], "XYZ");
        assert_eq!(h["client_id"], "hdr-client");
        assert_eq!(h["authorization"], "Bearer tok-H");
        let id = &h["x-tngo-context-correlationid"];
        assert!(is_uuid_v4(id), "correlation id {id:?}");
        ids.push(id.clone());
        assert_eq!(request.redirect(), RequestRedirect::Error);
    }
    assert_ne!(ids[0], ids[1], "two calls, one correlation id");
    // Each response knows the id it was sent with.
    assert_eq!(client.correlation_id(&first.into()), Some(ids[0].clone()));
    assert_eq!(client.correlation_id(&second.into()), Some(ids[1].clone()));

    // The context, and the activity id, on every later call.
    client
        .set_context(Context {
            employee_id: Some("E1005".into()),
            company_employee_id: Some("jane@xyz.example".into()),
            hierarchy_id: Some("H1".into()),
        })
        .unwrap();
    client.set_activity_id(Some("batch-7".into())).unwrap();
    client.fetch(get(&api("orders"))).await.unwrap();
    let h = headers(&recorder.requests()[2]);
    assert_eq!(h.len(), 8, "{h:?}");
    assert_eq!(h["x-tngo-context-employeeid"], "E1005");
    assert_eq!(h["x-tngo-context-companyemployeeid"], "jane@xyz.example");
    assert_eq!(h["x-tngo-context-hierarchyid"], "H1");
    assert_eq!(h["x-tngo-context-activityid"], "batch-7");
    assert_eq!(h["authorization"], "Bearer tok-H");

    // A bad value is refused whole: the previous context stays.
    let bad = Context {
        employee_id: Some("E2".into()),
        hierarchy_id: Some("a\r\nX-Evil: 1".into()),
        ..Context::default()
    };
    assert_eq!(code(client.set_context(bad)).code(), "config_invalid");
    client.fetch(get(&api("orders"))).await.unwrap();
    assert_eq!(
        headers(&recorder.requests()[3])["x-tngo-context-employeeid"],
        "E1005"
    );

    // Back to the user's own context: the headers go.
    client.set_context(Context::default()).unwrap();
    client.set_activity_id(None).unwrap();
    client.fetch(get(&api("orders"))).await.unwrap();
    assert_eq!(headers(&recorder.requests()[4]).len(), 4);

    // A caller's redirect: "follow" becomes "error"; a header of its own is kept.
    let init = RequestInit::new();
    init.set_redirect(RequestRedirect::Follow);
    let own = web_sys::Headers::new().unwrap();
    own.set("accept", "application/json").unwrap();
    init.set_headers(&own);
    let request = Request::new_with_str_and_init(&api("orders"), &init).unwrap();
    client.fetch(request).await.unwrap();
    let last = &recorder.requests()[5];
    assert_eq!(last.redirect(), RequestRedirect::Error);
    assert_eq!(headers(last)["accept"], "application/json");
    // One that refuses redirects itself is sent as a copy too: the token is never written
    // into a Request the caller still holds.
    init.set_redirect(RequestRedirect::Error);
    let request = Request::new_with_str_and_init(&api("orders"), &init).unwrap();
    client.fetch(Clone::clone(&request)).await.unwrap();
    assert_eq!(
        headers(&recorder.requests()[6])["authorization"],
        "Bearer tok-H"
    );
    assert_eq!(
        headers(&request).into_keys().collect::<Vec<_>>(),
        ["accept"]
    );
    assert_eq!(recorder.count(), 7);
    // A Request that hands redirects back is sent as a copy that does too, with its own
    // referrer policy (a copy made with an init would start from the page's).
    init.set_redirect(RequestRedirect::Manual);
    init.set_referrer_policy(web_sys::ReferrerPolicy::NoReferrer);
    let request = Request::new_with_str_and_init(&api("orders"), &init).unwrap();
    client.fetch(Clone::clone(&request)).await.unwrap();
    let last = &recorder.requests()[7];
    assert_eq!(last.redirect(), RequestRedirect::Manual);
    assert_eq!(last.referrer_policy(), web_sys::ReferrerPolicy::NoReferrer);
    assert_eq!(
        headers(&request).into_keys().collect::<Vec<_>>(),
        ["accept"]
    );
    assert_eq!(recorder.count(), 8);

    // Another origin (even the same host on another port or scheme): refused, nothing sent.
    for url in [
        "https://evil.example/steal",
        "https://api.example.test:8443/mobproc/v1/orders",
        "http://api.example.test/mobproc/v1/orders",
    ] {
        let error = code(client.fetch(get(url)).await);
        assert_eq!(error.code(), "origin_not_allowed", "{url}");
        let origin = web_sys::Url::new(url).unwrap().origin();
        assert_eq!(error.details().origin, Some(origin.as_str()));
        assert!(error.message().contains("add it to `allowedOrigins`"));
    }
    // A Request made from a path resolves against the page, not the API base: the message
    // points at `client.resolve` rather than at allowing the page's own origin.
    let error = code(client.fetch(get("orders")).await);
    assert_eq!(error.code(), "origin_not_allowed");
    let page = web_sys::window().unwrap().location().origin().unwrap();
    assert_eq!(error.details().origin, Some(page.as_str()));
    assert!(matches!(
        error.kind(),
        ErrorKind::OriginNotAllowed { own_page: true, .. }
    ));
    let message = error.message();
    assert!(message.contains("client.resolve(path)"), "{message}");
    assert!(
        message.contains("only if it should receive the token"),
        "{message}"
    );
    // The page's origin in a string is no Request's relative URL: the usual message.
    let page_url = format!("{page}/orders");
    let error = code(client.fetch_json::<Option<u8>>(&page_url).await);
    assert!(matches!(
        error.kind(),
        ErrorKind::OriginNotAllowed {
            own_page: false,
            ..
        }
    ));
    assert_eq!(recorder.count(), 8, "a refused request reached fetch");

    // Signed out: not sent either.
    client.logout();
    let error = code(client.fetch(get(&api("orders"))).await);
    assert_eq!(error.code(), "not_authenticated");
    assert_eq!(recorder.count(), 8, "a signed-out request reached fetch");
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
struct Order {
    id: String,
    total: f64,
    lines: Vec<Line>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
struct Line {
    item_code: String,
    quantity: u32,
}

#[wasm_bindgen_test]
async fn fetch_json_parses_bodies_and_tangoe_errors() {
    setup();
    let client = Client::new(config("json-client")).unwrap();
    store_record(&record_key("json-client"), "tok-J", None, HOUR_MS);
    let recorder = Recorder::install(|request| {
        if request.url().ends_with("/orders/42") {
            Reply::json(
                200,
                r#"{"id":"42","total":19.5,"lines":[{"itemCode":"IPH-15","quantity":2}],"extra":true}"#,
            )
        } else if request.url().ends_with("/orders/43") {
            Reply::json(200, r#"{"id":42}"#)
        } else if request.url().ends_with("/orders/44") {
            Reply::json(203, r#"{"id":44}"#)
        } else if request.url().ends_with("/orders/echo") {
            // A body that does not fit, quoting the request's token where a number belongs.
            let bearer = request.headers().get("authorization").unwrap().unwrap();
            let token = bearer.trim_start_matches("Bearer ");
            Reply::json(
                200,
                &format!(r#"{{"id":"1","total":"{token}","lines":[]}}"#),
            )
        } else {
            Reply::json(
                404,
                r#"{"status":404,"id":"x","errorCode":"404-E","message":"nope"}"#,
            )
        }
    });

    let order: Order = client.fetch_json("orders/42").await.unwrap();
    assert_eq!(
        order,
        Order {
            id: "42".into(),
            total: 19.5,
            lines: vec![Line {
                item_code: "IPH-15".into(),
                quantity: 2
            }],
        }
    );
    let sent = &recorder.requests()[0];
    assert_eq!(sent.url(), api("orders/42"));
    assert_eq!(sent.method(), "GET");
    let h = headers(sent);
    assert_eq!(h["accept"], "application/json");
    assert_eq!(h["authorization"], "Bearer tok-J");
    assert_eq!(h["x-tngo-tenant"], "XYZ");

    // Tangoe's error body: api_error with its fields and the call's correlation id.
    let error = code(client.fetch_json::<Order>("orders/404").await);
    assert_eq!(error.code(), "api_error");
    let details = error.details();
    assert_eq!(details.status, Some(404));
    assert_eq!(details.id, Some("x"));
    assert_eq!(details.error_code, Some("404-E"));
    assert_eq!(details.api_message, Some("nope"));
    let sent_id = headers(&recorder.requests()[1])["x-tngo-context-correlationid"].clone();
    assert_eq!(details.correlation_id, Some(sent_id.as_str()));
    assert!(error.message().contains("nope"), "{}", error.message());

    // A 200 of the wrong shape is an error too, not a panic or a default.
    let error = code(client.fetch_json::<Order>("orders/43").await);
    assert_eq!(error.code(), "api_error");
    assert_eq!(error.details().status, Some(200));
    // The status it came with, whichever 2xx.
    let error = code(client.fetch_json::<Order>("orders/44").await);
    assert_eq!(error.code(), "api_error");
    assert_eq!(error.details().status, Some(203));

    // serde quotes the value it refused: not the token.
    let error = code(client.fetch_json::<Order>("orders/echo").await);
    assert_eq!(error.code(), "api_error");
    assert!(
        !error.message().contains("tok-J") && error.message().contains("[redacted]"),
        "{}",
        error.message()
    );
}

// ---------------------------------------------------------------------------------------
// 3. Refresh: single flight before calls, and on a 401
// ---------------------------------------------------------------------------------------

/// `n` calls of `client.fetch` started at once (`/orders/0`…); their statuses, in order.
async fn fetch_at_once(client: &Client, n: usize) -> Vec<f64> {
    let calls = js_sys::Array::new();
    for i in 0..n {
        let client = client.clone();
        calls.push(&future_to_promise(async move {
            client
                .fetch(get(&api(&format!("orders/{i}"))))
                .await
                .map(|response| JsValue::from(response.status()))
                .map_err(|error| JsValue::from_str(error.code()))
        }));
    }
    let statuses = JsFuture::from(js_sys::Promise::all(&calls)).await.unwrap();
    js_sys::Array::from(&statuses)
        .iter()
        .map(|s| s.as_f64().unwrap())
        .collect()
}

fn refreshing_config(client_id: &str) -> Config {
    Config {
        token_url: Some(TOKEN.into()),
        ..config(client_id)
    }
}

#[wasm_bindgen_test]
async fn twenty_calls_share_one_refresh() {
    setup();
    let client = Client::new(refreshing_config("flight")).unwrap();
    let key = record_key("flight");
    // Inside the default 60 s skew, still valid.
    store_record(&key, "old", Some("r1"), 20_000.0);
    let changes = listen(&client, EventKind::SessionChanged);
    let recorder = Recorder::install(|request| {
        if request.url() == TOKEN {
            Reply::json(
                200,
                r#"{"access_token":"new","token_type":"Bearer","expires_in":3600,"refresh_token":"r2"}"#,
            )
            .after(50)
        } else {
            Reply::json(200, "{}")
        }
    });

    assert_eq!(fetch_at_once(&client, 20).await, vec![200.0; 20]);

    let token_calls = recorder.to(TOKEN);
    assert_eq!(token_calls.len(), 1, "one refresh for twenty callers");
    let form = body(&token_calls[0]).await;
    let form = web_sys::UrlSearchParams::new_with_str(&form).unwrap();
    assert_eq!(form.get("grant_type").as_deref(), Some("refresh_token"));
    assert_eq!(form.get("refresh_token").as_deref(), Some("r1"));
    assert_eq!(form.get("client_id").as_deref(), Some("flight"));
    assert_eq!(token_calls[0].method(), "POST");
    // The token endpoint gets no Tangoe headers.
    let h = headers(&token_calls[0]);
    assert!(
        !h.contains_key("x-tngo-tenant") && !h.contains_key("client_id"),
        "{h:?}"
    );

    let api_calls = recorder.to(API);
    assert_eq!(api_calls.len(), 20);
    for request in &api_calls {
        assert_eq!(headers(request)["authorization"], "Bearer new");
    }
    let stored = session_storage().get_item(&key).unwrap().unwrap();
    assert!(stored.contains(r#""refreshToken":"r2""#), "{stored}");
    assert!(stored.contains(r#""accessToken":"new""#), "{stored}");
    assert_eq!(client.access_token().unwrap().secret(), "new");
    let session = client.session().unwrap();
    assert!(session.expires_at as f64 > js_sys::Date::now() + HOUR_MS - 60_000.0);
    // One refresh, one change.
    assert_eq!(changes.borrow().len(), 1);
}

#[wasm_bindgen_test]
async fn a_401_refreshes_once_and_replays_once() {
    setup();
    let client = Client::new(refreshing_config("replay")).unwrap();
    let key = record_key("replay");
    store_record(&key, "old", Some("r1"), HOUR_MS);
    let recorder = Recorder::install(|request| {
        if request.url() == TOKEN {
            return Reply::json(
                200,
                r#"{"access_token":"new","token_type":"Bearer","expires_in":3600}"#,
            );
        }
        let bearer = request.headers().get("authorization").unwrap();
        if bearer.as_deref() == Some("Bearer new") {
            Reply::json(201, r#"{"ok":true}"#)
        } else {
            Reply::json(
                401,
                r#"{"status":401,"id":"t","errorCode":"401-T","message":"expired"}"#,
            )
        }
    });

    // A POST with a body: the replay must carry the same body.
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(r#"{"item":"IPH-15"}"#));
    let request = Request::new_with_str_and_init(&api("orders"), &init).unwrap();
    let response = client.fetch(request).await.unwrap();
    assert_eq!(response.status(), 201);

    assert_eq!(recorder.to(TOKEN).len(), 1, "one refresh");
    let api_calls = recorder.to(API);
    assert_eq!(api_calls.len(), 2, "the call and one replay");
    let (first, replay) = (headers(&api_calls[0]), headers(&api_calls[1]));
    assert_eq!(first["authorization"], "Bearer old");
    assert_eq!(replay["authorization"], "Bearer new");
    assert_eq!(replay["x-tngo-tenant"], "XYZ");
    assert_eq!(replay["client_id"], "replay");
    assert!(is_uuid_v4(&replay["x-tngo-context-correlationid"]));
    // The response reports the id the replay was sent with, a fresh one.
    let sent_id = &replay["x-tngo-context-correlationid"];
    assert_ne!(&first["x-tngo-context-correlationid"], sent_id);
    assert_eq!(
        client.correlation_id(&response.into()).as_ref(),
        Some(sent_id)
    );
    assert_eq!(api_calls[1].method(), "POST");
    assert_eq!(body(&api_calls[0]).await, r#"{"item":"IPH-15"}"#);
    assert_eq!(body(&api_calls[1]).await, r#"{"item":"IPH-15"}"#);
    // The refresh token was not rotated: the old one is kept (RFC 6749 §6).
    let stored = session_storage().get_item(&key).unwrap().unwrap();
    assert!(stored.contains(r#""accessToken":"new""#), "{stored}");
    assert!(stored.contains(r#""refreshToken":"r1""#), "{stored}");
}

#[wasm_bindgen_test]
async fn a_401_that_persists_ends_the_session() {
    setup();
    let client = Client::new(refreshing_config("dead")).unwrap();
    let key = record_key("dead");
    store_record(&key, "old", Some("r1"), HOUR_MS);
    let expired = listen(&client, EventKind::SessionExpired);
    let recorder = Recorder::install(|request| {
        if request.url() == TOKEN {
            Reply::json(
                200,
                r#"{"access_token":"new","token_type":"Bearer","expires_in":3600}"#,
            )
        } else {
            Reply::json(401, "")
        }
    });
    let response = client.fetch(get(&api("orders"))).await.unwrap();
    assert_eq!(response.status(), 401, "an HTTP error is a response");
    assert_eq!(recorder.to(TOKEN).len(), 1);
    assert_eq!(recorder.to(API).len(), 2, "more than one replay");
    assert_eq!(session_storage().get_item(&key).unwrap(), None);
    assert!(!client.is_authenticated());
    assert_eq!(expired.borrow().len(), 1);

    // Without a refresh token a 401 ends the session at once, with no refresh attempt.
    setup();
    let client = Client::new(refreshing_config("dead")).unwrap();
    store_record(&key, "old", None, HOUR_MS);
    let recorder = Recorder::install(|_| Reply::json(401, ""));
    let response = client.fetch(get(&api("orders"))).await.unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(recorder.count(), 1);
    assert!(!client.is_authenticated());
}

#[wasm_bindgen_test]
async fn a_dead_refresh_token_is_session_expired_and_keeps_nothing() {
    setup();
    let client = Client::new(refreshing_config("grant")).unwrap();
    let key = record_key("grant");
    let refused = |request: &web_sys::Request| {
        if request.url() == TOKEN {
            Reply::json(
                400,
                r#"{"error":"invalid_grant","error_description":"revoked"}"#,
            )
        } else {
            Reply::json(200, "{}")
        }
    };
    // Expired: the session ends.
    store_record(&key, "old", Some("r1"), -1_000.0);
    let recorder = Recorder::install(refused);
    let error = code(client.refresh().await);
    assert_eq!(error.code(), "session_expired");
    assert_eq!(error.details().oauth_error, Some("invalid_grant"));
    assert_eq!(session_storage().get_item(&key).unwrap(), None);
    assert_eq!(recorder.to(API).len(), 0);
    drop(recorder);

    // Still lasting: the access token is kept until it expires, without the refresh token.
    setup();
    let client = Client::new(refreshing_config("grant")).unwrap();
    let expires_at = store_record(&key, "old", Some("r1"), 10_000.0);
    let _recorder = Recorder::install(refused);
    let error = code(client.refresh().await);
    assert_eq!(error.code(), "refresh_failed");
    assert_eq!(error.details().oauth_error, Some("invalid_grant"));
    let session = client.session().expect("the session lasts");
    assert_eq!(
        (session.expires_at as f64, session.has_refresh_token),
        (expires_at, false)
    );

    // A passing failure (a 503) leaves the session exactly as it was.
    setup();
    let client = Client::new(refreshing_config("grant")).unwrap();
    store_record(&key, "old", Some("r1"), HOUR_MS);
    let before = session_storage().get_item(&key).unwrap();
    let _recorder = Recorder::install(|_| Reply::json(503, ""));
    let error = code(client.refresh().await);
    assert_eq!(error.code(), "refresh_failed");
    assert_eq!(error.details().status, Some(503));
    assert_eq!(session_storage().get_item(&key).unwrap(), before);
    assert!(client.is_authenticated());
}

// ---------------------------------------------------------------------------------------
// 4. Storage and events
// ---------------------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn a_corrupted_record_reads_as_signed_out_and_is_removed() {
    setup();
    let key = "corrupt-test-key";
    let config = Config {
        storage_key: Some(key.into()),
        ..config("corrupt")
    };
    let far = js_sys::Date::now() + HOUR_MS;
    let corrupted = [
        "{not json".to_owned(),
        "[]".to_owned(),
        "\"tok\"".to_owned(),
        "null".to_owned(),
        format!(r#"{{"expiresAt":{far}}}"#),
        r#"{"accessToken":"tok"}"#.to_owned(),
        format!(r#"{{"accessToken":"tok","expiresAt":{far}.5}}"#),
        format!(r#"{{"accessToken":"tok","expiresAt":"{far}"}}"#),
        format!(r#"{{"accessToken":"two words","expiresAt":{far}}}"#),
        format!(r#"{{"accessToken":"tok","refreshToken":7,"expiresAt":{far}}}"#),
        format!(r#"{{"accessToken":"tok","expiresAt":{far},"session":7}}"#),
        format!(r#"{{"accessToken":"tok","expiresAt":{far},"session":""}}"#),
        format!(r#"{{"accessToken":"tok","expiresAt":{far},"session":"a.b"}}"#),
    ];
    let recorder = Recorder::install(|_| Reply::json(200, "{}"));
    for raw in &corrupted {
        session_storage().set_item(key, raw).unwrap();
        let client = Client::new(config.clone()).unwrap();
        assert!(!client.is_authenticated(), "{raw} reads as signed in");
        assert_eq!(client.session(), None, "{raw}");
        assert_eq!(
            session_storage().get_item(key).unwrap(),
            None,
            "{raw} was left in storage"
        );
        session_storage().set_item(key, raw).unwrap();
        let error = code(client.fetch(get(&api("orders"))).await);
        assert_eq!(error.code(), "not_authenticated", "{raw}");
    }
    assert_eq!(recorder.count(), 0, "a corrupted record's token was sent");

    // The same record, well formed, is a session (the test above can fail), with or without
    // the sign-in's id (a record stored before ids existed). A refresh count that is no whole
    // u32 is read as none (the record is ordered by its expiry), not as a corrupted record.
    let counts = [
        r#","refreshes":3"#,
        r#","refreshes":-1"#,
        r#","refreshes":"3""#,
    ];
    let more = [
        r#","refreshes":1.5"#,
        r#","refreshes":1e300"#,
        r#","refreshes":null"#,
    ];
    for session in ["", r#","session":"a-B_9""#]
        .iter()
        .chain(&counts)
        .chain(&more)
    {
        session_storage()
            .set_item(
                key,
                &format!(r#"{{"accessToken":"tok","expiresAt":{far}{session}}}"#),
            )
            .unwrap();
        assert!(Client::new(config.clone()).unwrap().is_authenticated());
    }

    // An expired one reads as signed out, and its token is not sent.
    store_record(key, "old", None, -1000.0);
    let client = Client::new(config).unwrap();
    assert!(!client.is_authenticated());
    assert_eq!(
        code(client.fetch(get(&api("orders"))).await).code(),
        "not_authenticated"
    );
    assert_eq!(recorder.count(), 0);
}

#[wasm_bindgen_test]
async fn session_changed_hears_sign_in_and_logout() {
    setup();
    let client = Client::new(config("events")).unwrap();
    let changes = listen(&client, EventKind::SessionChanged);
    let errors = listen(&client, EventKind::Error);
    let unsubscribed = Rc::new(Cell::new(0));
    let count = unsubscribed.clone();
    let id = client.on(EventKind::SessionChanged, move |_| {
        count.set(count.get() + 1)
    });
    client.off(id);

    let url = client.authorize_url(&LoginOptions::default()).unwrap();
    assert!(
        changes.borrow().is_empty(),
        "starting a sign-in is no change"
    );
    let state = param(&url, "state").unwrap();
    set_url(&format!(
        "/cb#access_token=tok-E&token_type=Bearer&expires_in=600&scope=MOBPROC&state={state}"
    ));
    assert_eq!(
        client.handle_redirect_callback().await.unwrap(),
        Some(Callback { return_to: None })
    );
    {
        let heard = changes.borrow();
        assert_eq!(heard.len(), 1);
        match &heard[0] {
            Event::SessionChanged(Some(session)) => {
                assert_eq!(Some(session), client.session().as_ref());
                assert_eq!(session.scope.as_deref(), Some("MOBPROC"));
                let left = session.expires_at as f64 - js_sys::Date::now();
                assert!((590_000.0..=600_000.0).contains(&left), "{left}");
            }
            other => panic!("expected a session, got {other:?}"),
        }
    }

    client.logout();
    {
        let heard = changes.borrow();
        assert_eq!(heard.len(), 2);
        assert!(
            matches!(heard[1], Event::SessionChanged(None)),
            "{:?}",
            heard[1]
        );
    }
    assert!(!client.is_authenticated());
    assert_eq!(keys(&session_storage()), Vec::<String>::new());

    // Signed out already: no change to tell.
    client.logout();
    assert_eq!(changes.borrow().len(), 2);
    assert_eq!(unsubscribed.get(), 0, "a listener heard events after off()");
    assert!(errors.borrow().is_empty(), "{:?}", errors.borrow());
}

#[wasm_bindgen_test]
async fn logout_forgets_a_pending_sign_in_and_revokes_in_the_background() {
    setup();
    let client = Client::new(Config {
        revoke_url: Some("https://sso.example.test/as/revoke_token.oauth2".into()),
        ..config("revoke")
    })
    .unwrap();
    let key = record_key("revoke");
    store_record(&key, "tok-R", Some("ref-R"), HOUR_MS);
    client.authorize_url(&LoginOptions::default()).unwrap();
    let recorder = Recorder::install(|_| Reply::json(200, ""));
    client.logout();
    assert_eq!(keys(&session_storage()), Vec::<String>::new());
    // Revocation runs in the background: give it a turn of the event loop.
    sleep(20).await;
    let revoked = recorder.to("https://sso.example.test/as/revoke_token.oauth2");
    assert_eq!(revoked.len(), 2, "both tokens are revoked");
    let mut forms = Vec::new();
    for request in &revoked {
        let form = web_sys::UrlSearchParams::new_with_str(&body(request).await).unwrap();
        forms.push((
            form.get("token").unwrap(),
            form.get("token_type_hint").unwrap(),
        ));
        assert!(!headers(request).contains_key("authorization"));
    }
    forms.sort();
    assert_eq!(
        forms,
        [
            ("ref-R".to_owned(), "refresh_token".to_owned()),
            ("tok-R".to_owned(), "access_token".to_owned())
        ]
    );
}

// ---------------------------------------------------------------------------------------
// Pages
// ---------------------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn pages_follow_href_next_and_stop_at_a_loop() {
    setup();
    let client = Client::new(config("pages")).unwrap();
    store_record(&record_key("pages"), "tok-P", None, HOUR_MS);
    let _recorder = Recorder::install(|request| {
        let url = request.url();
        if url.contains("offset=0") {
            Reply::json(
                200,
                r#"{"items":[1,2],"_meta":{"hrefNext":"employees?limit=2&offset=2"}}"#,
            )
        } else if url.contains("offset=2") {
            // Points back to the first page.
            Reply::json(
                200,
                r#"{"items":[3],"_meta":{"hrefNext":"https://api.example.test/mobproc/v1/employees?limit=2&offset=0"}}"#,
            )
        } else {
            Reply::json(500, "")
        }
    });
    let options = PageOptions {
        limit: Some(2),
        offset: Some(0),
        ..PageOptions::default()
    };
    let mut pages = client.pages("employees", options).unwrap();
    let first = pages.next().await.unwrap().unwrap();
    let items = js_sys::Reflect::get(&first, &"items".into()).unwrap();
    assert_eq!(js_sys::Array::from(&items).length(), 2);
    let second = pages.next().await.unwrap().unwrap();
    let items = js_sys::Reflect::get(&second, &"items".into()).unwrap();
    assert_eq!(js_sys::Array::from(&items).length(), 1);
    let error = code(pages.next().await);
    assert_eq!(error.code(), "pagination_loop");
    assert_eq!(pages.next().await.unwrap(), None);

    // The same walk into the caller's own type: a page that does not fit is `api_error`
    // saying why, and the walk goes on after it.
    #[derive(Debug, Deserialize, PartialEq)]
    struct Page {
        items: Vec<u32>,
    }
    #[derive(Debug, Deserialize)]
    struct Named {
        #[allow(dead_code)]
        name: String,
    }
    let mut pages = client.pages("employees", options).unwrap();
    let first: Page = pages.next_as().await.unwrap().unwrap();
    assert_eq!(first.items, [1, 2]);
    let error = code(pages.next_as::<Named>().await);
    assert_eq!(error.code(), "api_error");
    assert!(
        error.message().contains("does not have the expected shape"),
        "{}",
        error.message()
    );
    assert_eq!(
        code(pages.next_as::<Page>().await).code(),
        "pagination_loop"
    );
    assert_eq!(pages.next_as::<Page>().await.unwrap(), None);
}

// ---------------------------------------------------------------------------------------
// More of the same rules at their edges
// ---------------------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn return_to_is_kept_only_as_a_same_origin_path() {
    setup();
    let client = Client::new(config("return-to")).unwrap();
    for (asked, kept) in [
        ("/orders?id=7#line-2", Some("/orders?id=7#line-2")),
        ("//evil.example/x", None),
        ("https://evil.example/x", None),
        ("/\\evil.example", None),
        ("javascript:alert(1)", None),
        ("orders", None),
    ] {
        let url = client
            .authorize_url(&LoginOptions {
                return_to: Some(asked.into()),
            })
            .unwrap();
        let state = param(&url, "state").unwrap();
        set_url(&format!(
            "/cb#access_token=t&token_type=Bearer&expires_in=60&state={state}"
        ));
        let callback = client.handle_redirect_callback().await.unwrap().unwrap();
        assert_eq!(callback.return_to.as_deref(), kept, "{asked}");
    }
}

#[wasm_bindgen_test]
async fn concurrent_401s_share_one_refresh() {
    setup();
    let client = Client::new(refreshing_config("many-401")).unwrap();
    store_record(&record_key("many-401"), "old", Some("r1"), HOUR_MS);
    let recorder = Recorder::install(|request| {
        if request.url() == TOKEN {
            return Reply::json(
                200,
                r#"{"access_token":"new","token_type":"Bearer","expires_in":3600,"refresh_token":"r2"}"#,
            )
            .after(30);
        }
        match request.headers().get("authorization").unwrap().as_deref() {
            Some("Bearer new") => Reply::json(200, "{}"),
            _ => Reply::json(401, "").after(5),
        }
    });
    assert_eq!(fetch_at_once(&client, 10).await, vec![200.0; 10]);
    assert_eq!(recorder.to(TOKEN).len(), 1, "one refresh for ten 401s");
    let bearers: Vec<String> = recorder
        .to(API)
        .iter()
        .map(|r| headers(r)["authorization"].clone())
        .collect();
    assert_eq!(bearers.len(), 20, "each call once, and one replay each");
    assert_eq!(bearers.iter().filter(|b| *b == "Bearer new").count(), 10);
}

#[wasm_bindgen_test]
async fn logout_during_a_refresh_does_not_bring_the_session_back() {
    setup();
    let client = Client::new(refreshing_config("race")).unwrap();
    let key = record_key("race");
    store_record(&key, "old", Some("r1"), 20_000.0);
    let recorder = Recorder::install(|request| {
        if request.url() == TOKEN {
            Reply::json(
                200,
                r#"{"access_token":"new","token_type":"Bearer","expires_in":3600,"refresh_token":"r2"}"#,
            )
            // Long enough that a loaded machine still signs out while it is in flight.
            .after(400)
        } else {
            Reply::json(200, "{}")
        }
    });
    let call = {
        let client = client.clone();
        future_to_promise(async move {
            client
                .fetch(get(&api("orders")))
                .await
                .map(|response| JsValue::from(response.status()))
                .map_err(|error| JsValue::from_str(error.code()))
        })
    };
    // Wait for the refresh to start (a fixed 10 ms was too short on a loaded machine).
    for _ in 0..200 {
        if !recorder.to(TOKEN).is_empty() {
            break;
        }
        sleep(5).await;
    }
    assert_eq!(recorder.to(TOKEN).len(), 1, "the refresh has started");
    client.logout();
    let outcome = JsFuture::from(call).await;
    assert_eq!(outcome, Err(JsValue::from_str("not_authenticated")));
    assert_eq!(session_storage().get_item(&key).unwrap(), None);
    assert!(!client.is_authenticated());
    assert_eq!(recorder.to(API).len(), 0, "a call went out after sign-out");
}

#[wasm_bindgen_test]
async fn network_failure_is_network_error_with_the_correlation_id() {
    setup();
    let client = Client::new(config("offline")).unwrap();
    store_record(&record_key("offline"), "tok-N", None, HOUR_MS);
    let recorder = Recorder::install(|_| Reply::network_failure());
    let error = code(client.fetch(get(&api("orders"))).await);
    assert_eq!(error.code(), "network_error");
    let sent = headers(&recorder.requests()[0])["x-tngo-context-correlationid"].clone();
    assert_eq!(error.details().correlation_id, Some(sent.as_str()));
    assert!(
        error.message().contains("Failed to fetch"),
        "{}",
        error.message()
    );
    // Nothing about the session changed.
    assert!(client.is_authenticated());

    // A request that cannot carry the token (no-cors) is refused before it is sent.
    let init = RequestInit::new();
    init.set_mode(web_sys::RequestMode::NoCors);
    let request = Request::new_with_str_and_init(&api("orders"), &init).unwrap();
    assert_eq!(code(client.fetch(request).await).code(), "invalid_request");
    assert_eq!(recorder.count(), 1);
}

#[wasm_bindgen_test]
async fn blocked_session_storage_falls_back_to_memory() {
    setup();
    break_session_storage();
    let client = Client::new(config("no-storage")).unwrap();
    let errors = listen(&client, EventKind::Error);
    let url = client.authorize_url(&LoginOptions::default()).unwrap();
    let state = param(&url, "state").unwrap();
    set_url(&format!(
        "/cb#access_token=tok-M&token_type=Bearer&expires_in=3600&state={state}"
    ));
    let signed_in = client.handle_redirect_callback().await;
    restore_session_storage();
    assert_eq!(signed_in.unwrap(), Some(Callback { return_to: None }));
    assert!(
        client.is_authenticated(),
        "the memory fallback lost the session"
    );
    assert_eq!(client.access_token().unwrap().secret(), "tok-M");
    {
        let heard = errors.borrow();
        assert_eq!(heard.len(), 1, "storage_unavailable once: {heard:?}");
        match &heard[0] {
            Event::Error(error) => assert_eq!(error.code(), "storage_unavailable"),
            other => panic!("{other:?}"),
        }
    }
    // Nothing reached the real storages.
    assert_eq!(keys(&session_storage()), Vec::<String>::new());
    assert_eq!(keys(&local_storage()), Vec::<String>::new());
    // A client made now, with sessionStorage back, does not see the memory session.
    assert!(!Client::new(config("no-storage"))
        .unwrap()
        .is_authenticated());
}

#[wasm_bindgen_test]
async fn validate_asks_the_token_endpoint_and_reads_tangoe_answer() {
    setup();
    // Tangoe's validator takes the token in its URL, which the browser would show in its
    // console: refused in a page.
    let refused = Client::new(Config {
        validate_url: Some("https://sso.example.test/validator".into()),
        ..refreshing_config("validate")
    });
    let error = refused.err().unwrap();
    assert_eq!(
        (error.code(), error.details().field),
        ("config_invalid", Some("validateUrl"))
    );
    let client = Client::new(refreshing_config("validate")).unwrap();
    assert_eq!(code(client.validate().await).code(), "not_authenticated");
    store_record(&record_key("validate"), "tok-V", None, HOUR_MS);
    let recorder = Recorder::install(|request| {
        if request.url() == TOKEN {
            Reply::json(
                200,
                r#"{"scope":"MOBPROC","expires_in":3500,"client_id":"validate","access_token":{"tenant":"XYZ","platform":"command","multitenant":"true","identityProvider":"idp-1","identifier":"jane"}}"#,
            )
        } else {
            Reply::json(404, "{}")
        }
    });
    let validation = client.validate().await.unwrap();
    assert_eq!(validation.scope.as_deref(), Some("MOBPROC"));
    assert_eq!(validation.expires_in, Some(3500.0));
    assert_eq!(validation.client_id.as_deref(), Some("validate"));
    assert_eq!(validation.tenant.as_deref(), Some("XYZ"));
    assert_eq!(validation.platform.as_deref(), Some("command"));
    assert!(validation.multitenant);
    assert_eq!(validation.identity_provider.as_deref(), Some("idp-1"));
    assert_eq!(validation.identifier.as_deref(), Some("jane"));
    let sent = &recorder.requests()[0];
    assert_eq!(
        (sent.method().as_str(), sent.url().as_str()),
        ("POST", TOKEN)
    );
    let form = web_sys::UrlSearchParams::new_with_str(&body(sent).await).unwrap();
    assert_eq!(form.get("token").as_deref(), Some("tok-V"));
    assert_eq!(form.get("client_id").as_deref(), Some("validate"));
    let h = headers(sent);
    assert!(
        !h.contains_key("x-tngo-tenant") && !h.contains_key("authorization"),
        "{h:?}"
    );

    // Refused (RFC 6749 §5.2: `invalid_grant` for a token it does not accept).
    let _refusing = Recorder::install(|_| Reply::json(400, r#"{"error":"invalid_grant"}"#));
    let error = code(client.validate().await);
    assert_eq!(error.code(), "token_invalid");
    assert_eq!(error.details().status, Some(400));
    assert_eq!(error.details().oauth_error, Some("invalid_grant"));
}

#[wasm_bindgen_test]
async fn refused_and_malformed_callbacks_store_nothing() {
    setup();
    let client = Client::new(config("refused")).unwrap();
    let key = record_key("refused");
    let cases = [
        (
            "error=access_denied&error_description=The+user+cancelled",
            "authorization_denied",
        ),
        (
            "access_token=t&token_type=mac&expires_in=3600",
            "invalid_callback",
        ),
        ("access_token=t&token_type=Bearer", "invalid_callback"),
        (
            "access_token=t&access_token=u&token_type=Bearer&expires_in=60",
            "invalid_callback",
        ),
    ];
    for (fragment, expected) in cases {
        let state = param(
            &client.authorize_url(&LoginOptions::default()).unwrap(),
            "state",
        );
        set_url(&format!("/cb?q=1#{fragment}&state={}", state.unwrap()));
        let error = code(client.handle_redirect_callback().await);
        assert_eq!(error.code(), expected, "{fragment}");
        if expected == "authorization_denied" {
            assert_eq!(error.details().oauth_error, Some("access_denied"));
            assert_eq!(
                error.details().oauth_error_description,
                Some("The user cancelled")
            );
        }
        assert_eq!(window().location().hash().unwrap(), "", "{fragment}");
        assert_eq!(window().location().search().unwrap(), "?q=1");
        assert_eq!(keys(&session_storage()), Vec::<String>::new(), "{fragment}");
        assert!(!client.is_authenticated());
    }
    assert_eq!(session_storage().get_item(&key).unwrap(), None);
}

#[wasm_bindgen_test]
async fn session_expiring_warns_once_when_the_session_cannot_be_refreshed() {
    setup();
    // No refresh token: the warning comes refresh_skew_seconds (1 s) before the expiry.
    let key = record_key("expiring");
    let expires_at = store_record(&key, "tok-X", None, 1_400.0);
    let client = Client::new(Config {
        refresh_skew_seconds: Some(1),
        ..config("expiring")
    })
    .unwrap();
    let warned = listen(&client, EventKind::SessionExpiring);
    sleep(150).await;
    assert!(warned.borrow().is_empty(), "not yet: 1.25 s are left");
    sleep(450).await;
    {
        let heard = warned.borrow();
        assert_eq!(heard.len(), 1, "once, about 1 s before the expiry");
        match heard.first() {
            Some(Event::SessionExpiring { expires_at: at }) => assert_eq!(*at as f64, expires_at),
            other => panic!("{other:?}"),
        }
    }
    assert!(client.is_authenticated(), "a warning, not the end yet");
    sleep(1_000).await;
    assert_eq!(warned.borrow().len(), 1, "said once");

    // A session already inside the skew when the page loads: told at once.
    setup();
    let soon = store_record(&key, "tok-Y", None, 500.0);
    let client = Client::new(Config {
        refresh_skew_seconds: Some(1),
        ..config("expiring")
    })
    .unwrap();
    let warned = listen(&client, EventKind::SessionExpiring);
    sleep(50).await;
    assert!(
        matches!(warned.borrow().first(), Some(Event::SessionExpiring { expires_at }) if *expires_at as f64 == soon)
    );

    // Signed out before the moment: nothing.
    setup();
    store_record(&key, "tok-Z", None, 1_300.0);
    let client = Client::new(Config {
        refresh_skew_seconds: Some(1),
        ..config("expiring")
    })
    .unwrap();
    let warned = listen(&client, EventKind::SessionExpiring);
    sleep(20).await;
    client.logout();
    sleep(500).await;
    assert!(warned.borrow().is_empty(), "no warning after sign-out");
}

#[wasm_bindgen_test]
async fn subscribe_hears_the_expiry_that_no_event_announces() {
    setup();
    // No refresh token: at its expiry `session()` turns `None`, with no `SessionChanged`.
    let key = record_key("subscribed");
    store_record(&key, "tok-S", None, 600.0);
    let client = Client::new(config("subscribed")).unwrap();
    let changed = listen(&client, EventKind::SessionChanged);
    let heard = Rc::new(Cell::new(0));
    let subscription = {
        let heard = heard.clone();
        client.subscribe(move || heard.set(heard.get() + 1))
    };
    assert!(client.session().is_some());
    sleep(900).await;
    assert!(client.session().is_none(), "expired");
    assert!(changed.borrow().is_empty(), "no event says so");
    assert_eq!(heard.get(), 1, "the subscriber heard it");
    // A sign-out is heard; once unsubscribed, nothing is.
    store_record(&key, "tok-T", None, HOUR_MS);
    client.logout();
    assert_eq!(heard.get(), 2);
    subscription.unsubscribe();
    store_record(&key, "tok-U", None, 300.0);
    client.logout();
    sleep(500).await;
    assert_eq!(heard.get(), 2);
}

#[wasm_bindgen_test]
async fn no_session_expiring_when_a_refresh_is_possible() {
    setup();
    store_record(&record_key("can-refresh"), "tok-R", Some("r1"), 1_200.0);
    let client = Client::new(Config {
        refresh_skew_seconds: Some(1),
        token_url: Some(TOKEN.into()),
        ..config("can-refresh")
    })
    .unwrap();
    let warned = listen(&client, EventKind::SessionExpiring);
    sleep(500).await;
    assert!(
        warned.borrow().is_empty(),
        "the next call refreshes instead"
    );
}

#[wasm_bindgen_test]
fn the_origin_of_a_request_url_is_url_origin() {
    // What `fetch` checks against the allowlist, taken from the Request's serialised URL,
    // against the browser's own `URL.origin`, for the forms a URL parser normalises.
    for url in [
        "https://API.Example.TEST/mobproc/v1/me",
        "https://api.example.test:443/x",
        "http://api.example.test:80/x",
        "https://api.example.test:8443/x?y=1#z",
        "http://[0:0::1]:8080/x",
        "http://0x7f.1/x",
        "https://bücher.example/x",
        "https://api.example.test./x",
        "https:api.example.test/x",
        "https://api.example.test\\x",
        "https://api.example.test?q",
    ] {
        let sent = get(url).url();
        let origin = web_sys::Url::new(url).unwrap().origin();
        assert_eq!(mobproc_auth::url::serialized_origin(&sent), origin, "{url}");
    }
}

#[wasm_bindgen_test]
fn a_configured_url_names_the_origin_the_browser_reaches() {
    // Every URL the configuration's parser takes has the origin the browser's URL parser
    // gives it: a token or password for one host never goes to another.
    let refused = [
        "https://010.0.0.5/as/token.oauth2",
        "https://0x0a.0.0.5/revoke",
        "http://2130706433/",
        "https://10.1/",
        "https://1.2.3.4./",
        "https://example.0x1f/",
    ];
    let taken = [
        "https://API.Example.TEST:443/mobproc/v1",
        "https://10.0.0.5/",
        "http://127.0.0.1:8081/",
        "https://api.example.test./x",
        "https://v1.example/",
        "https://0xfe.example/",
        "https://3f4e5a6b7c8d/",
        "https://foo.1a/",
        "https://[2001:DB8::1]:8443/",
        "http://[::1]/",
        "https://[1::2:0:0:3]/",
    ];
    for url in refused {
        assert!(
            mobproc_auth::url::HttpUrl::parse(url).is_err(),
            "took {url}"
        );
    }
    for url in taken {
        let ours = mobproc_auth::url::HttpUrl::parse(url).expect(url);
        let origin = web_sys::Url::new(url).unwrap().origin();
        assert_eq!(ours.origin(), origin, "{url}");
    }
}

#[wasm_bindgen_test]
fn the_escaped_token_pattern_finds_each_form_and_stays_linear() {
    let token = "tok.SECRET-7f3a_~+/=";
    let pattern = mobproc_auth::redact::escaped_pattern(token).unwrap();
    let hide = |text: &str| -> String {
        let pattern = js_sys::RegExp::new(&pattern, "gi");
        js_sys::JsString::from(text)
            .replace_by_pattern(&pattern, "[redacted]")
            .into()
    };
    for form in [
        "tok.SECRET-7f3a_%7E%2B%2F%3D",
        "tok.SECRET-7f3a_~%2b%2f%3d",
        "tok.SECRET-7f3a_&#126;&#x2B;&sol;\\u003D",
        "tok.SECRET-7f3a_~+\\/=",
        "tok.SECRET-7f3a_~+\\\\\\/=",
        "tok.SECRET-7f3a_~%252B%252F%253D",
        "tok.SECRET-7f3a_\\x7e\\x2b\\x2f\\x3d",
        "tok.SECRET\\x2D7f3a_\\x7E\\x2B\\x2F\\x3D",
        "tok.SECRET-7f3a_~&amp;#43;&amp;#x2F;=",
    ] {
        assert_eq!(hide(&format!("a {form} b")), "a [redacted] b", "{form}");
    }
    // A hostile answer: a token's first letters, then backslashes that never reach its last
    // ones. A pattern that split them among the four escapable characters every way would not
    // finish (SpiderMonkey has no linear fallback for such patterns; V8 does).
    // Nor a token that starts with one, whose pattern would start at every backslash.
    for (token, hostile) in [
        ("tok~+/=end", format!("tok{}x", "\\".repeat(1_000_000))),
        ("/AbCdEf9", format!("{}x", "\\".repeat(1_000_000))),
    ] {
        let pattern = mobproc_auth::redact::escaped_pattern(token).unwrap();
        let pattern = js_sys::RegExp::new(&pattern, "gi");
        let hidden =
            js_sys::JsString::from(hostile.as_str()).replace_by_pattern(&pattern, "[redacted]");
        assert_eq!(String::from(hidden), hostile, "{token}");
    }
    // A token that ends in an escapable character, echoed without it inside JSON: the
    // closing quote is not taken for it.
    assert_eq!(
        hide(r#"{"a":"tok.SECRET-7f3a_~+/"}"#),
        r#"{"a":"tok.SECRET-7f3a_~+/"}"#
    );
}

/// The names of the Web Locks held on this origin now.
async fn held_locks() -> Vec<String> {
    let navigator = js_sys::Reflect::get(&window(), &"navigator".into()).unwrap();
    let locks = js_sys::Reflect::get(&navigator, &"locks".into()).unwrap();
    let query: js_sys::Function = js_sys::Reflect::get(&locks, &"query".into())
        .unwrap()
        .into();
    let snapshot = JsFuture::from(js_sys::Promise::from(query.call0(&locks).unwrap()))
        .await
        .unwrap();
    let held = js_sys::Array::from(&js_sys::Reflect::get(&snapshot, &"held".into()).unwrap());
    held.iter()
        .map(|lock| {
            js_sys::Reflect::get(&lock, &"name".into())
                .unwrap()
                .as_string()
                .unwrap()
        })
        .collect()
}

/// Waits (up to a second) until `done` holds.
async fn until(done: impl Fn() -> bool) {
    let mut tries = 0;
    while !done() && tries < 100 {
        sleep(10).await;
        tries += 1;
    }
}

/// `Client::connect`, and how long it took (ms).
async fn timed_connect(config: Config) -> (Client, f64) {
    let started = js_sys::Date::now();
    let client = Client::connect(config).await.unwrap();
    (client, js_sys::Date::now() - started)
}

#[wasm_bindgen_test]
async fn a_client_alone_does_not_wait_and_one_beside_another_does() {
    setup();
    // What the clients post on the channel, heard as another tab would.
    let heard = Rc::new(std::cell::RefCell::new(Vec::<String>::new()));
    let channel = web_sys::BroadcastChannel::new("mobproc-auth").unwrap();
    let log = heard.clone();
    let key = record_key("presence");
    let on_message = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
        move |event: web_sys::MessageEvent| {
            let field = |name: &str| js_sys::Reflect::get(&event.data(), &name.into()).unwrap();
            // Only this test's key: other tests' clients may still be on the page.
            if field("key").as_string().as_deref() == Some(key.as_str()) {
                log.borrow_mut()
                    .push(field("mobprocAuth").as_string().unwrap_or_default());
            }
        },
    );
    channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    let presence = format!("mobproc-auth:tab:{}", record_key("presence"));
    let holding = |names: &[String]| names.iter().filter(|name| **name == presence).count();

    // The first client of its key: nobody holds the presence lock. It asks (a tab of a
    // version before the lock would answer, late) but does not wait for an answer.
    // Bounds below the 150 ms a wait takes, with room for a loaded machine.
    let (first, ms) = timed_connect(config("presence")).await;
    assert!(ms < 140.0, "a lone client waited {ms} ms");
    until(|| !heard.borrow().is_empty()).await;
    assert_eq!(*heard.borrow(), vec!["ask".to_string()]);
    assert_eq!(
        holding(&held_locks().await),
        1,
        "it holds its presence lock"
    );

    // A second one (another tab's, or a remount's): the first is there and may answer.
    let (second, ms) = timed_connect(config("presence")).await;
    assert!(ms >= 140.0, "beside another client it waited {ms} ms");
    until(|| heard.borrow().len() > 1).await;
    assert_eq!(heard.borrow().len(), 2, "{:?}", heard.borrow());
    assert_eq!(holding(&held_locks().await), 2);
    // The first one asking again: it was alone at its start, not now.
    let started = js_sys::Date::now();
    first.ask_other_tabs().await;
    let ms = js_sys::Date::now() - started;
    assert!(
        ms >= 140.0,
        "asking again beside another client, it waited {ms} ms"
    );

    // Another key's clients do not count.
    let (other, ms) = timed_connect(config("presence-other")).await;
    assert!(ms < 140.0, "another key's client waited {ms} ms");

    // Dropped clients let their locks go: a client after them is alone again.
    drop((first, second));
    let mut tries = 0;
    while holding(&held_locks().await) > 0 && tries < 100 {
        sleep(10).await;
        tries += 1;
    }
    assert_eq!(
        holding(&held_locks().await),
        0,
        "a dropped client kept its lock"
    );
    let (third, ms) = timed_connect(config("presence")).await;
    assert!(ms < 140.0, "alone again, it waited {ms} ms");
    drop((third, other));
    channel.close();
}
