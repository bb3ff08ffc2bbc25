//! Starting a sign-in: `state` (and the PKCE verifier) from `crypto.getRandomValues`, the
//! pending sign-in in storage, `location.assign`; and reading a stored record back.

use super::value::{field, global, in_browser_page, is_text, parse_json, string};
use super::{Client, LoginOptions};
use crate::authorize::{self, sanitize_return_to};
use crate::callback::PendingSignIn;
use crate::config::ResponseType;
use crate::error::{Error, ErrorKind, Result};
use crate::secret::{CodeVerifier, State};
use crate::text::{json_object, JsonValue};
use crate::token::{SessionId, TokenRecord};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};

thread_local! {
    /// How many times the page signed out (`logout`). Page-wide: the popup sign-ins and
    /// callbacks under way are the page's, so a sign-out ends them whichever client started
    /// them (of any storage key: a count per key would cost 0.2 KB more).
    static SIGNOUTS: Cell<u32> = const { Cell::new(0) };
}

impl Client {
    /// Starts a sign-in and returns the authorization URL without navigating.
    pub fn authorize_url(&self, options: &LoginOptions) -> Result<String> {
        let (url, pending) = self.new_sign_in(options.return_to.as_deref())?;
        // Its state in memory will do, for an app that brings the answer to this page.
        let _ = self.keep_pending(&pending, false);
        Ok(url)
    }

    /// Stores the pending sign-in for the page Tangoe sends the browser back to. A popup's
    /// is marked: the popup starts with a copy of this tab's sessionStorage. `Err` when only
    /// this page's memory holds it: a sign-in whose answer comes to another page (a redirect
    /// back, a popup) must not start then, since that page could not check the answer.
    pub(super) fn keep_pending(&self, pending: &PendingSignIn, popup: bool) -> Result<()> {
        let verifier = pending.verifier.as_ref().map(|v| v.secret());
        let record = json_object(&[
            ("state", JsonValue::Str(pending.state.secret())),
            (
                "returnTo",
                JsonValue::Nullable(pending.return_to.as_deref()),
            ),
            ("verifier", JsonValue::Opt(verifier)),
            ("popup", JsonValue::Opt(popup.then_some("true"))),
        ]);
        if self.0.store.set(&self.0.pending_key, &record) {
            return Ok(());
        }
        Err(ErrorKind::StorageUnavailable {
            why: "sessionStorage did not keep the sign-in's state, which the page Tangoe \
                  answers must find: the sign-in was not started"
                .into(),
            cause: crate::error::Cause::None,
        }
        .into())
    }

    /// A fresh `state` (and PKCE verifier for the code grant) and the URL that carries them.
    pub(super) fn new_sign_in(&self, return_to: Option<&str>) -> Result<(String, PendingSignIn)> {
        let state = State::new(random_text()?);
        let verifier = match self.0.config.response_type() {
            ResponseType::Token => None,
            ResponseType::Code => Some(CodeVerifier::new(random_text()?)),
        };
        let url = authorize::authorize_url(&self.0.config, &state, verifier.as_ref())?;
        let pending = PendingSignIn {
            state,
            return_to: return_to.and_then(sanitize_return_to),
            verifier,
        };
        Ok((url, pending))
    }

    /// Starts a sign-in and navigates to Tangoe's sign-in page.
    pub fn login(&self, options: &LoginOptions) -> Result<()> {
        if !in_browser_page() {
            return Err(Error::unsupported(
                "login needs a browser page (a window it can navigate)",
            ));
        }
        let (url, pending) = self.new_sign_in(options.return_to.as_deref())?;
        self.keep_pending(&pending, false)?;
        global("location")
            .unchecked_into::<web_sys::Location>()
            .assign(&url)
            .map_err(|_| Error::unsupported("the page refused to navigate to the sign-in page"))
    }

    /// The pending sign-in of this tab, if any (left in place), and whether a popup's.
    /// Boxed: a 4-byte answer rather than a 40-byte one.
    pub(super) fn pending(&self) -> Option<Box<(PendingSignIn, bool)>> {
        let raw = self.0.store.get(&self.0.pending_key);
        let pending = parse_json(&raw).ok().filter(|_| raw.is_string())?;
        let state = string(&pending, "state").filter(|s| !s.is_empty())?;
        let popup = is_text(&pending, "popup", "true");
        let sign_in = PendingSignIn {
            state: State::new(state),
            return_to: string(&pending, "returnTo")
                .as_deref()
                .and_then(sanitize_return_to),
            verifier: string(&pending, "verifier").map(CodeVerifier::new),
        };
        Some(Box::new((sign_in, popup)))
    }

    /// Forgets the pending sign-in: a `state` (and its verifier) is good for one response.
    pub(super) fn forget_pending(&self) {
        self.0.store.remove(&self.0.pending_key);
    }

    /// How many times the page signed out (`logout`, by any client); one more first when
    /// `sign_out`. A popup sign-in or redirect callback (browser pages only) takes it at its
    /// start and stores nothing if it changed.
    pub(crate) fn signouts(&self, sign_out: bool) -> u32 {
        SIGNOUTS
            .try_with(|n| {
                n.set(n.get().wrapping_add(u32::from(sign_out)));
                n.get()
            })
            .unwrap_or(0)
    }

    /// Forgets the pending sign-in if it is still the one of `state`.
    pub(super) fn forget_pending_of(&self, state: &State) {
        if self
            .pending()
            .is_some_and(|found| found.0.state.matches(state.secret()))
        {
            self.forget_pending();
        }
    }
}

/// 32 bytes from `crypto.getRandomValues` (256 bits, above RFC 6749 §10.10's 128),
/// base64url, as `State::from_random_bytes` and `CodeVerifier::from_random_bytes` make them.
/// The text rather than the bytes: a 12-byte `Result` to return, not a 36-byte one.
fn random_text() -> Result<String> {
    let mut bytes = [0u8; 32];
    random_values(&mut bytes)?;
    Ok(crate::encode::base64(&bytes, true))
}

/// A new sign-in's [`SessionId`]; `None` where there is no `crypto` (the record then ends
/// with any sign-out, as one stored before ids existed).
pub(super) fn new_session_id() -> Option<SessionId> {
    SessionId::starting(super::value::now_ms(), &random_text().ok()?)
}

/// Fills `bytes` from `crypto.getRandomValues` (the sign-in's secrets, a correlation id).
pub(super) fn random_values(bytes: &mut [u8]) -> Result<()> {
    let unsupported = || Error::unsupported("crypto.getRandomValues is not available");
    let crypto = global("crypto");
    if !crypto.is_object() {
        return Err(unsupported());
    }
    let crypto: web_sys::Crypto = crypto.unchecked_into();
    crypto
        .get_random_values_with_u8_array(bytes)
        .map_err(|_| unsupported())?;
    Ok(())
}

/// The stored record (`TokenRecord::to_json`, a JavaScript string), checked as strictly as a
/// fresh one. In an `Rc` at once: a 4-byte answer rather than a 48-byte one.
pub(crate) fn parse_record(raw: &JsValue) -> Option<Rc<TokenRecord>> {
    // Longer than any record this library writes (three values of at most 8192 bytes, a
    // refresh token's `"` and `\` escaped to two): refused before its fields are copied into
    // the module (another tab's message may carry anything).
    let text = raw.dyn_ref::<js_sys::JsString>()?;
    if text.length() as usize > 4 * crate::token::MAX_TOKEN_LEN + 256 {
        return None;
    }
    let record = parse_json(raw).ok().filter(JsValue::is_object)?;
    // `field`: reading a property of parsed JSON cannot throw (no getters).
    let optional = |key| optional_text(&record, key);
    let access = string(&record, "accessToken")?;
    let expires_at = field(&record, "expiresAt").as_f64()?;
    let whole = expires_at >= 0.0 && expires_at.fract() == 0.0;
    if !whole {
        return None;
    }
    // Two lets, not a tuple: each read into its own place.
    let refresh = optional("refreshToken")?;
    let scope = optional("scope")?;
    // A malformed id is a corrupted record, not an old one without an id.
    let session = match optional("session")? {
        Some(text) => Some(SessionId::new(&text)?),
        None => None,
    };
    // A whole number a u32 holds, else none (ordered by expiry, as an older version's).
    let refreshes = field(&record, "refreshes")
        .as_f64()
        .filter(|n| f64::from(*n as u32) == *n);
    TokenRecord::restore(
        &access,
        refresh.as_deref(),
        expires_at as u64,
        scope.as_deref(),
        session,
    )
    // Straight from the `Result` into the `Rc`: no `Option<TokenRecord>` between.
    .map_or(None, |record| {
        Some(Rc::new(record.with_refreshes(refreshes.map(|n| n as u32))))
    })
}

/// `record[key]` when it is a string (`Some(Some)`) or absent (`Some(None)`); `None` when it is
/// anything else. A function, not a closure: one copy for both optional fields.
fn optional_text(record: &JsValue, key: &str) -> Option<Option<String>> {
    let value = field(record, key);
    match value.as_string() {
        Some(text) => Some(Some(text)),
        None => value.is_undefined().then_some(None),
    }
}
