//! The WebAssembly surface that the npm package's JavaScript drives.
//!
//! The browser work (sessionStorage, location, history, crypto, fetch) is done by the package's
//! JavaScript, which is far smaller than the same done through web-sys (issue #2's note), while
//! every decision stays here in the tested core.
//!
//! One export, one string in and one string out: each further wasm-bindgen export cost about
//! 0.3 KB gzip of glue and shims (issue #5's note), more than most features.
//!
//! - A request is an operation letter and its fields, each after a `\n`. The package's
//!   JavaScript turns line breaks inside a value into `\r`, which every field refuses, so a
//!   value can never shift the fields after it. An optional value is `=value`, or empty when
//!   absent. Numbers are decimal integers.
//! - A response is `+value`, `-` (none, or false), or `!` and an [`Error::to_wire`] JSON.

use crate::authorize;
use crate::callback::{self, PendingSignIn};
use crate::config::{Config, RawConfig};
use crate::context::{self, Override};
use crate::error::Error;
use crate::headers;
use crate::pagination;
use crate::prelude::*;
use crate::secret::{AccessToken, State};
use crate::text::{cat, split_byte, SplitByte};
use crate::token::{seconds_from_text, TokenRecord};
use crate::url::is_absolute_reference;
use wasm_bindgen::prelude::*;

/// One configuration (valid or not) and the decisions made with it.
#[wasm_bindgen]
pub struct Engine {
    config: Result<Config, Error>,
}

#[wasm_bindgen]
impl Engine {
    /// Validates the configuration given as the fields `clientId`, `tenant`, `apiBaseUrl`, then
    /// the optional `authorizeUrl`, `redirectUri`, `scope`, `storageKey`, `tokenUrl`,
    /// `validateUrl`, `revokeUrl`, `clientSecret`, then one field per allowed origin. Never
    /// fails: the first call (`k`) reports an invalid configuration.
    #[wasm_bindgen(constructor)]
    pub fn new(config: &str) -> Engine {
        let mut f = Fields(split_byte(config, b'\n'));
        let raw = RawConfig {
            client_id: f.text().to_owned(),
            tenant: f.text().to_owned(),
            api_base_url: f.text().to_owned(),
            authorize_url: f.owned(),
            redirect_uri: f.owned(),
            scope: f.owned(),
            storage_key: f.owned(),
            token_url: f.owned(),
            validate_url: f.owned(),
            revoke_url: f.owned(),
            client_secret: f.owned(),
            allowed_origins: f.0.map(str::to_owned).collect(),
        };
        Engine {
            config: Config::new(&raw),
        }
    }

    /// Answers one request (see the module documentation).
    pub fn call(&self, request: &str) -> String {
        let mut f = Fields(split_byte(request, b'\n'));
        let op = f.text();
        let answer = match &self.config {
            Ok(config) => answer(config, op, &mut f),
            Err(error) => Err(error.clone()),
        };
        match answer {
            Ok(Some(value)) => cat(&["+", &value]),
            Ok(None) => "-".into(),
            Err(error) => cat(&["!", &error.to_wire()]),
        }
    }
}

type Answer = Result<Option<String>, Error>;

fn answer(config: &Config, op: &str, f: &mut Fields<'_>) -> Answer {
    match op {
        // The storage key and the API base URL, for the client's lifetime.
        "k" => some(cat(&[
            config.storage_key().as_str(),
            "\n",
            config.api_base().as_str(),
        ])),
        // state → the authorization URL.
        "a" => authorize::authorize_url(config, &State::new(f.text())).map(Some),
        // fragment, pending state?, now → the token record as JSON.
        "s" => {
            let fragment = f.text();
            let pending = f.opt().map(|s| PendingSignIn {
                state: State::new(s),
                return_to: None,
            });
            callback::evaluate(fragment, pending.as_ref(), f.number())
                .map(|signed_in| Some(signed_in.record.to_json()))
        }
        "t" => token_record(f),
        // input → the input joined onto the API base path; none for an absolute reference,
        // which the browser's URL parser resolves.
        "r" => {
            let input = f.text();
            Ok((!is_absolute_reference(input)).then(|| config.api_base().join_path(input)))
        }
        // origin → nothing, or origin_not_allowed.
        "o" => pagination::check_next(config, f.text(), "", core::iter::empty()).map(|()| None),
        // origin, href, hrefs fetched before → nothing, or why the next page must not be fetched.
        "n" => {
            let (origin, href) = (f.text(), f.text());
            pagination::check_next(config, origin, href, &mut f.0).map(|()| None)
        }
        "h" => api_headers(config, f),
        // the client's employee, company employee, hierarchy and activity ids (optional) →
        // nothing, or the first that is not a valid header value.
        "v" => context::headers(
            [f.opt(), f.opt(), f.opt(), f.opt()],
            [Override::Inherit; 3],
            None,
        )
        .map(|_| None),
        // fragment → whether it is an OAuth response rather than the app's own hash route.
        "i" => Ok(callback::is_oauth_response(f.text()).then(yes)),
        // returnTo → itself if it is a same-origin path, else none.
        "u" => Ok(authorize::sanitize_return_to(f.text())),
        // access token, refresh token?, expiresAt, scope? → whether a stored record is sound.
        "c" => {
            let (access, refresh) = (f.text(), f.opt());
            let (expires_at, scope) = (f.text(), f.opt());
            let sound = !expires_at.is_empty()
                && expires_at.bytes().all(|b| b.is_ascii_digit())
                && TokenRecord::restore(access, refresh, f_number(expires_at), scope).is_ok();
            Ok(sound.then(yes))
        }
        _ => Err(Error::invalid_request("unknown operation")),
    }
}

/// access_token?, token_type?, expires_in?, refresh_token?, scope?, previous refresh token?,
/// now → the record to store, as JSON. Without a new refresh token the previous one is kept
/// (RFC 6749 §6); Tangoe rotates it on every refresh.
fn token_record(f: &mut Fields<'_>) -> Answer {
    let (access, kind, expires_in) = (f.opt(), f.opt(), f.opt());
    let (refresh, scope, previous) = (f.opt(), f.opt(), f.opt());
    TokenRecord::from_response(
        access,
        kind,
        expires_in.and_then(seconds_from_text),
        refresh.or(previous),
        scope,
        f.number(),
    )
    .map(|record| Some(record.to_json()))
    .map_err(|why| Error::InvalidTokenResponse(why.into()))
}

/// access token, then the client's employee, company employee, hierarchy and activity ids
/// (optional), the call's overrides of the first three (empty: inherit, `x`: remove,
/// `=value`) → `name\nvalue` pairs, `\n`-separated. An empty value means the request must not
/// carry that header. The correlation id is the JavaScript's own UUID, set there.
fn api_headers(config: &Config, f: &mut Fields<'_>) -> Answer {
    let token = AccessToken::new(f.text());
    let client = [f.opt(), f.opt(), f.opt(), f.opt()];
    let call = [f.text(), f.text(), f.text()].map(|v| match v.as_bytes().first() {
        None => Override::Inherit,
        Some(b'=') => Override::Set(v.get(1..).unwrap_or_default()),
        Some(_) => Override::Remove,
    });
    let context = context::headers(client, call, None)?;
    let mut out = String::new();
    let auth = headers::api_headers(config, &token);
    for (name, value) in auth.iter().map(|(n, v)| (*n, v.as_str())).chain(context) {
        for part in [name, value] {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(part);
        }
    }
    Ok(Some(out))
}

fn some(value: String) -> Answer {
    Ok(Some(value))
}

/// Decimal digits as u64 (JavaScript's times and counts); anything else is 0, huge saturates.
fn f_number(text: &str) -> u64 {
    let mut n: u64 = 0;
    for b in text.bytes() {
        if !b.is_ascii_digit() {
            return 0;
        }
        n = n.saturating_mul(10).saturating_add(u64::from(b - b'0'));
    }
    n
}

/// The fields of a request; a missing field reads as empty.
struct Fields<'a>(SplitByte<'a>);

impl<'a> Fields<'a> {
    fn text(&mut self) -> &'a str {
        self.0.next().unwrap_or_default()
    }
    fn opt(&mut self) -> Option<&'a str> {
        let field = self.text();
        (field.as_bytes().first() == Some(&b'=')).then(|| field.get(1..).unwrap_or_default())
    }
    fn owned(&mut self) -> Option<String> {
        self.opt().map(str::to_owned)
    }
    fn number(&mut self) -> u64 {
        f_number(self.text())
    }
}

/// The value of a true answer (the JavaScript reads it as truthy).
fn yes() -> String {
    "1".into()
}
