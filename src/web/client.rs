//! The Rust API of the browser shell: one [`Client`] per client id and tenant.

use crate::prelude::*;

use super::browser;
use super::storage::Store;
use crate::authorize::{authorize_url, sanitize_return_to};
use crate::callback::{evaluate, is_oauth_response, PendingSignIn};
use crate::config::{Config, RawConfig};
use crate::error::Error;
use crate::headers::api_headers;
use crate::secret::{AccessToken, State};
use crate::text::cat;
use crate::token::{SessionInfo, TokenRecord};
use core::fmt;
use js_sys::futures::JsFuture;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Request, RequestMode, Response, Url};

/// An [`Error`] from the shell, with the JavaScript value that caused it when there is one
/// (the `TypeError` of a failed `fetch`, say), so nothing of the cause is lost.
#[derive(Clone)]
pub struct WebError {
    /// What went wrong.
    pub error: Error,
    /// The JavaScript error behind it.
    pub cause: Option<JsValue>,
}

impl From<Error> for WebError {
    fn from(error: Error) -> Self {
        WebError { error, cause: None }
    }
}

impl fmt::Debug for WebError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WebError({:?})", self.error)
    }
}

impl fmt::Display for WebError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}

/// Signs in with the implicit grant, keeps the token, and sends MOBPROC requests.
pub struct Client {
    config: Config,
    store: Store,
}

impl Client {
    /// Validates the configuration and opens the token store.
    pub fn new(raw: RawConfig) -> Result<Self, Error> {
        Ok(Self::from_config(Config::new(raw)?))
    }

    /// A client for an already validated configuration.
    pub fn from_config(config: Config) -> Self {
        let store = Store::new(config.storage_key().as_str());
        Client { config, store }
    }

    /// The validated configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Starts a sign-in: remembers a fresh `state` (and `return_to` if it is a same-origin
    /// path) for this tab and returns the authorization URL to navigate to.
    pub fn authorize_url(&self, return_to: Option<&str>) -> Result<String, Error> {
        let state = State::from_random_bytes(&browser::random_32()?);
        let url = authorize_url(&self.config, &state)?;
        self.store.save_pending(&PendingSignIn {
            state,
            return_to: return_to.and_then(sanitize_return_to),
        });
        Ok(url)
    }

    /// [`Self::authorize_url`], then navigates there.
    pub fn login(&self, return_to: Option<&str>) -> Result<(), Error> {
        let window = browser::window().ok_or_else(|| {
            Error::unsupported("login needs a browser page; use authorizeUrl")
        })?;
        let url = self.authorize_url(return_to)?;
        window
            .location()
            .assign(&url)
            .map_err(|_| Error::unsupported("could not navigate to the sign-in page"))
    }

    /// Handles the redirect back from sign-in. `Ok(None)`: the URL holds no OAuth response and
    /// nothing was touched. `Ok(Some(return_to))`: signed in. Any OAuth response, good or bad,
    /// is removed from the URL first, and the pending sign-in is used up.
    pub fn handle_redirect_callback(&self) -> Result<Option<Option<String>>, Error> {
        let Some(window) = browser::window() else {
            return Ok(None);
        };
        let hash = window.location().hash().unwrap_or_default();
        let fragment = hash.strip_prefix('#').unwrap_or(&hash);
        if !is_oauth_response(fragment) {
            return Ok(None);
        }
        browser::remove_fragment(&window)?;
        let pending = self.store.take_pending();
        let signed_in = evaluate(fragment, pending.as_ref(), browser::now_ms())?;
        self.store.save_token(&signed_in.record);
        Ok(Some(signed_in.return_to))
    }

    /// True when an unexpired token is stored.
    pub fn is_authenticated(&self) -> bool {
        self.usable_token().is_some()
    }

    /// What the app may know of the session (no token values), or `None` when signed out.
    pub fn session(&self) -> Option<SessionInfo> {
        self.usable_token().map(|r| r.info())
    }

    /// The raw access token, for the rare caller that must put it elsewhere (a websocket).
    pub fn access_token(&self) -> Option<AccessToken> {
        self.usable_token().map(|r| r.access_token().clone())
    }

    /// Forgets the token and any pending sign-in.
    pub fn logout(&self) {
        self.store.clear_token();
        self.store.clear_pending();
    }

    /// Sends `request` with the tenant, client-id and bearer headers, if its URL's origin is
    /// allowed and a token is held; otherwise nothing is sent. HTTP errors are `Ok(Response)`.
    pub async fn fetch(&self, request: &Request) -> Result<Response, WebError> {
        self.prepare(request)?;
        let network = |cause: JsValue| WebError {
            error: Error::NetworkError(
                js_sys::Reflect::get(&cause, &JsValue::from_str("message"))
                    .ok()
                    .and_then(|m| m.as_string())
                    .unwrap_or_else(|| "fetch failed".into()),
            ),
            cause: Some(cause),
        };
        let promise = browser::global_fetch(request).map_err(network)?;
        let response = JsFuture::from(promise).await.map_err(network)?;
        response
            .dyn_into::<Response>()
            .map_err(|_| Error::NetworkError("fetch did not resolve to a Response".into()).into())
    }

    /// Checks that `request` may carry the token (allowed origin, a usable token, a mode that
    /// can carry `Authorization`) and sets the MOBPROC headers on it. On error nothing is set.
    pub fn prepare(&self, request: &Request) -> Result<(), WebError> {
        let origin = Url::new(&request.url())
            .map_err(|_| Error::invalid_request("the request URL is not valid"))?
            .origin();
        if !self.config.is_allowed_origin(&origin) {
            return Err(Error::OriginNotAllowed { origin }.into());
        }
        if request.mode() == RequestMode::NoCors {
            return Err(Error::invalid_request("mode \"no-cors\" cannot carry the Authorization header")
            .into());
        }
        let record = self.usable_token().ok_or(Error::NotAuthenticated)?;
        let headers = request.headers();
        for (name, value) in api_headers(&self.config, record.access_token()) {
            headers.set(name, &value).map_err(|cause| WebError {
                error: Error::InvalidRequest(cat(&["could not set the ", name, " header"])),
                cause: Some(cause),
            })?;
        }
        Ok(())
    }

    fn usable_token(&self) -> Option<TokenRecord> {
        self.store
            .token()
            .filter(|r| !r.is_expired(browser::now_ms()))
    }
}
