//! `GET`/`POST /as/authorization.oauth2`: the sign-in page, for the implicit grant
//! (`response_type=token`, tokens in the fragment) and the authorization code grant with
//! PKCE (`response_type=code` with an S256 `code_challenge`, the code in the query).

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::HeaderValue;
use axum::response::Response;

use crate::hint::{client_refused, redirect_uri_refused};
use crate::oauth::page;
use crate::oauth::pkce;
use crate::oauth::redirect::{Back, ResponseMode};
use crate::oauth::request::check_scope;
use crate::oauth::tokens::Subject;
use crate::params::Params;
use crate::seed::model::ClientKind;
use crate::state::AppState;

/// What a sign-in grants.
enum Flow {
    /// `response_type=token`: tokens in the fragment.
    Implicit,
    /// `response_type=code`: a code in the query, bound to this S256 challenge.
    Code { challenge: String },
}

/// A checked authorization request that can be answered by redirect.
struct Checked {
    client_id: String,
    back: Back,
    flow: Flow,
}

/// The OAuth parameters the sign-in page carries to its POST.
const CARRIED: [&str; 7] = [
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
];

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
    let mut back = Back {
        redirect_uri: redirect_uri.to_string(),
        state: p.get("state").map(String::from),
        mode: ResponseMode::Fragment,
    };
    let flow = match p.get("response_type") {
        None => {
            return Err(back.error("invalid_request", "response_type is required"));
        }
        Some("token") => Flow::Implicit,
        Some("code") => {
            // RFC 6749 §4.1.2.1: the code flow answers in the query, errors too.
            back.mode = ResponseMode::Query;
            let method = p.get("code_challenge_method");
            match pkce::check_challenge(p.get("code_challenge"), method) {
                Ok(challenge) => Flow::Code { challenge },
                Err(why) => return Err(back.error("invalid_request", why)),
            }
        }
        Some(_) => {
            return Err(back.error(
                "unsupported_response_type",
                "response_type must be token (implicit grant) or code (authorization code grant with PKCE S256)",
            ));
        }
    };
    if let Err(e) = check_scope(p.get("scope")) {
        return Err(back.error(e.code, &e.description));
    }
    Ok(Checked {
        client_id: client.id.clone(),
        back,
        flow,
    })
}

fn form(p: &Params, error: Option<&str>, username: &str) -> Response {
    let hidden: Vec<(&str, &str)> = CARRIED
        .iter()
        .filter_map(|k| p.get(k).map(|v| (*k, v)))
        .collect();
    page::sign_in(&hidden, error, username)
}

/// With `--coop`, every answer of the sign-in page (the form, its errors, the redirect back)
/// carries `Cross-Origin-Opener-Policy: same-origin`.
fn with_coop(state: &AppState, mut resp: Response) -> Response {
    if state.config.coop {
        resp.headers_mut().insert(
            "cross-origin-opener-policy",
            HeaderValue::from_static("same-origin"),
        );
    }
    resp
}

/// `GET /as/authorization.oauth2`: shows the sign-in page.
pub async fn get(State(state): State<AppState>, RawQuery(q): RawQuery) -> Response {
    let p = Params::query(q.as_deref());
    let resp = match check(&state, &p) {
        Ok(_) => form(&p, None, ""),
        Err(resp) => resp,
    };
    with_coop(&state, resp)
}

/// `POST /as/authorization.oauth2`: the sign-in form was submitted.
pub async fn post(State(state): State<AppState>, body: Bytes) -> Response {
    let resp = answer(&state, &body);
    with_coop(&state, resp)
}

/// The POST's answer: back to the app (signed in, cancelled, refused), or the form again.
fn answer(state: &AppState, body: &Bytes) -> Response {
    let p = Params::parse(body);
    let c = match check(state, &p) {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    if p.get("action") == Some("cancel") {
        return c.back.error("access_denied", "The user cancelled sign-in");
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
    match c.flow {
        Flow::Implicit => implicit(state, &c.back, subject),
        Flow::Code { challenge } => code(state, &c.back, subject, challenge),
    }
}

fn failed(back: &Back) -> Response {
    back.error("server_error", "the authorization server failed")
}

/// The implicit grant's answer: `redirect_uri#access_token=…`.
fn implicit(state: &AppState, back: &Back, subject: Subject) -> Response {
    let issued = {
        let mut inner = state.lock();
        inner.journal.sign_ins += 1;
        let with_refresh = state.config.implicit_refresh_token;
        inner
            .tokens
            .issue(subject, state.config.token_lifetime, with_refresh)
    };
    let Some(i) = issued else {
        return failed(back);
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
    back.with(&fragment)
}

/// The code grant's answer: `redirect_uri?code=…&state=…` (RFC 6749 §4.1.2).
fn code(state: &AppState, back: &Back, subject: Subject, challenge: String) -> Response {
    let code = {
        let mut inner = state.lock();
        inner.journal.sign_ins += 1;
        inner.codes.issue(subject, &back.redirect_uri, challenge)
    };
    match code {
        Some(code) => back.with(&[("code", &code)]),
        None => failed(back),
    }
}
