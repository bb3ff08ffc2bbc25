//! `GET`/`POST /as/authorization.oauth2`: the implicit grant with a sign-in page.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::hint::{client_refused, redirect_uri_refused};
use crate::oauth::page;
use crate::oauth::request::check_scope;
use crate::oauth::tokens::Subject;
use crate::params::Params;
use crate::seed::model::ClientKind;
use crate::state::AppState;

/// A checked authorization request that can be answered by redirect.
struct Checked {
    client_id: String,
    redirect_uri: String,
    state: Option<String>,
}

const CARRIED: [&str; 5] = [
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
];

/// Redirects to `redirect_uri#…` with form-encoded fragment parameters.
fn redirect(c: &Checked, pairs: &[(&str, &str)]) -> Response {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        ser.append_pair(k, v);
    }
    if let Some(s) = &c.state {
        ser.append_pair("state", s);
    }
    let location = format!("{}#{}", c.redirect_uri, ser.finish());
    let mut resp = StatusCode::FOUND.into_response();
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&location) {
        h.insert(header::LOCATION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    resp
}

fn error_redirect(c: &Checked, code: &str, description: &str) -> Response {
    redirect(c, &[("error", code), ("error_description", description)])
}

/// Validates the request; `Err` is the finished response (error page or error redirect).
fn check(state: &AppState, p: &Params) -> Result<Checked, Response> {
    if let Some(name) = p.repeated() {
        return Err(page::error_page(&[format!(
            "Parameter {name} was sent more than once."
        )]));
    }
    let Some(client) = p.get("client_id").and_then(|id| state.seed.client(id)) else {
        let portals: Vec<String> = state
            .seed
            .clients
            .iter()
            .filter(|c| c.kind == ClientKind::Portal)
            .map(|c| c.id.clone())
            .collect();
        return Err(page::error_page(&client_refused(
            p.get("client_id"),
            &portals,
        )));
    };
    let received = p.get("redirect_uri");
    let Some(redirect_uri) = received.filter(|u| client.redirect_uris.iter().any(|r| r == u))
    else {
        return Err(page::error_page(&redirect_uri_refused(
            &client.id,
            received,
            &client.redirect_uris,
            client.kind == ClientKind::Service,
        )));
    };
    let c = Checked {
        client_id: client.id.clone(),
        redirect_uri: redirect_uri.to_string(),
        state: p.get("state").map(String::from),
    };
    match p.get("response_type") {
        None => Err(error_redirect(
            &c,
            "invalid_request",
            "response_type is required",
        )),
        Some("token") => match check_scope(p.get("scope")) {
            Ok(()) => Ok(c),
            Err(e) => Err(error_redirect(&c, e.code, &e.description)),
        },
        Some(_) => Err(error_redirect(
            &c,
            "unsupported_response_type",
            "only response_type=token (implicit grant) is supported",
        )),
    }
}

fn form(p: &Params, error: Option<&str>, username: &str) -> Response {
    let hidden: Vec<(&str, &str)> = CARRIED
        .iter()
        .filter_map(|k| p.get(k).map(|v| (*k, v)))
        .collect();
    page::sign_in(&hidden, error, username)
}

/// `GET /as/authorization.oauth2`: shows the sign-in page.
pub async fn get(State(state): State<AppState>, RawQuery(q): RawQuery) -> Response {
    let p = Params::query(q.as_deref());
    match check(&state, &p) {
        Ok(_) => form(&p, None, ""),
        Err(resp) => resp,
    }
}

/// `POST /as/authorization.oauth2`: the sign-in form was submitted.
pub async fn post(State(state): State<AppState>, body: Bytes) -> Response {
    let p = Params::parse(&body);
    let c = match check(&state, &p) {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    if p.get("action") == Some("cancel") {
        return error_redirect(&c, "access_denied", "The user cancelled sign-in");
    }
    let login = p.get("username").unwrap_or_default();
    let password = p.get("password").unwrap_or_default();
    let (Some(user), Some(client)) = (
        state.seed.user(login, password),
        state.seed.client(&c.client_id),
    ) else {
        return form(&p, Some("Wrong username or password"), login);
    };
    let subject = Subject::new(client, user);
    let issued = {
        let mut inner = state.lock();
        inner.journal.sign_ins += 1;
        let with_refresh = state.config.implicit_refresh_token;
        inner
            .tokens
            .issue(subject, state.config.token_lifetime, with_refresh)
    };
    let Some(i) = issued else {
        return error_redirect(&c, "server_error", "the authorization server failed");
    };
    let expires_in = i.expires_in.to_string();
    let mut fragment = vec![
        ("access_token", i.access_token.as_str()),
        ("token_type", "Bearer"),
        ("expires_in", &expires_in),
    ];
    // Tangoe issues a refresh token with the implicit grant; PingFederate's guide says an
    // implicit client gets none (`--no-implicit-refresh-token`).
    if let Some(rt) = &i.refresh_token {
        fragment.push(("refresh_token", rt));
    }
    fragment.push(("scope", "MOBPROC"));
    redirect(&c, &fragment)
}
