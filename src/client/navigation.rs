//! Sign-in through the browser: `state` from `crypto.getRandomValues`, the pending sign-in in
//! storage, `location.assign`, and the callback from `location.hash`, removed from the
//! address bar with `history.replaceState` before anything else happens.

use super::value::{global, in_browser_page, now_ms, parse_json, string};
use super::{Callback, Client, LoginOptions};
use crate::authorize::{self, sanitize_return_to};
use crate::callback::{self, PendingSignIn};
use crate::error::{Error, Result};
use crate::secret::State;
use crate::text::{json_object, JsonValue};
use crate::token::TokenRecord;
use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};

impl Client {
    /// Starts a sign-in and returns the authorization URL without navigating.
    pub fn authorize_url(&self, options: &LoginOptions) -> Result<String> {
        let state = State::from_random_bytes(&random_bytes()?);
        let url = authorize::authorize_url(&self.0.config, &state, None)?;
        let return_to = options.return_to.as_deref().and_then(sanitize_return_to);
        let pending = json_object(&[
            ("state", JsonValue::Str(state.secret())),
            ("returnTo", JsonValue::Nullable(return_to.as_deref())),
        ]);
        self.0.store.set(&self.0.pending_key, &pending);
        Ok(url)
    }

    /// Starts a sign-in and navigates to Tangoe's sign-in page.
    pub fn login(&self, options: &LoginOptions) -> Result<()> {
        if !in_browser_page() {
            return Err(Error::unsupported(
                "login needs a browser page; use authorizeUrl",
            ));
        }
        let url = self.authorize_url(options)?;
        global("location")
            .unchecked_into::<web_sys::Location>()
            .assign(&url)
            .map_err(|_| Error::unsupported("the page refused to navigate to the sign-in page"))
    }

    /// On every page load: `None` without an OAuth response in the URL, else where to go.
    /// A response that fails its checks stores nothing and leaves a good session as it was.
    pub async fn handle_redirect_callback(&self) -> Result<Option<Callback>> {
        if !in_browser_page() {
            return Ok(None);
        }
        // Read as properties (through Reflect, like every getter here): one shared import
        // instead of a typed binding, and its glue, per property.
        let location = global("location");
        let hash = string(&location, "hash").unwrap_or_default();
        let fragment = hash.strip_prefix('#').unwrap_or(&hash);
        if !callback::is_oauth_response(fragment) {
            return Ok(None);
        }
        // Before anything else: the response leaves the address bar and the history entry.
        let history: web_sys::History = global("history").unchecked_into();
        let removed = match (string(&location, "pathname"), string(&location, "search")) {
            (Some(path), Some(search)) => history
                .state()
                .and_then(|state| {
                    history.replace_state_with_url(&state, "", Some(&(path + &search)))
                })
                .is_ok(),
            _ => false,
        };
        if !removed {
            return Err(Error::unsupported(
                "could not remove the sign-in response from the URL",
            ));
        }
        let pending = self.take_pending();
        let signed_in = callback::evaluate(fragment, pending.as_ref(), now_ms())?;
        self.save(&signed_in.record);
        Ok(Some(Callback {
            return_to: signed_in.return_to,
        }))
    }

    /// The pending sign-in, read once and deleted: a `state` is good for one response only.
    fn take_pending(&self) -> Option<PendingSignIn> {
        let raw = self.0.store.get(&self.0.pending_key);
        self.0.store.remove(&self.0.pending_key);
        let pending = parse_json(&raw).ok().filter(|_| raw.is_string())?;
        let state = string(&pending, "state").filter(|s| !s.is_empty())?;
        Some(PendingSignIn {
            state: State::new(state),
            return_to: string(&pending, "returnTo")
                .as_deref()
                .and_then(sanitize_return_to),
            verifier: None,
        })
    }
}

/// 32 bytes from `crypto.getRandomValues`: 256 bits, above RFC 6749 §10.10's 128.
fn random_bytes() -> Result<[u8; 32]> {
    let unsupported = || Error::unsupported("crypto.getRandomValues is not available");
    let crypto = global("crypto");
    if !crypto.is_object() {
        return Err(unsupported());
    }
    let crypto: web_sys::Crypto = crypto.unchecked_into();
    let mut bytes = [0u8; 32];
    crypto
        .get_random_values_with_u8_array(&mut bytes)
        .map_err(|_| unsupported())?;
    Ok(bytes)
}

/// The stored record (`TokenRecord::to_json`, a JavaScript string), checked as strictly as a
/// fresh one.
pub(super) fn parse_record(raw: &JsValue) -> Option<TokenRecord> {
    if !raw.is_string() {
        return None;
    }
    let record = parse_json(raw).ok().filter(JsValue::is_object)?;
    let field = |key: &str| Reflect::get(&record, &JsValue::from_str(key)).ok();
    let optional = |key: &str| -> Option<Option<String>> {
        let value = field(key)?;
        match value.as_string() {
            Some(text) => Some(Some(text)),
            None => value.is_undefined().then_some(None),
        }
    };
    let access = field("accessToken")?.as_string()?;
    let expires_at = field("expiresAt")?.as_f64()?;
    let whole = expires_at >= 0.0 && expires_at.fract() == 0.0;
    if !whole {
        return None;
    }
    let (refresh, scope) = (optional("refreshToken")?, optional("scope")?);
    TokenRecord::restore(
        &access,
        refresh.as_deref(),
        expires_at as u64,
        scope.as_deref(),
    )
    .ok()
}
