//! The WebAssembly surface that the npm package's entry module drives.
//!
//! Strings in, strings out: the browser work (sessionStorage, location, history, crypto,
//! fetch) is done by the package's JavaScript, which is far smaller than the same done through
//! web-sys (measured in issue #2's note), while every decision stays here in the tested core.
//! Errors cross as [`Error::to_wire`] JSON, which the entry turns into `MobprocError`.

use crate::authorize;
use crate::callback::{self, PendingSignIn};
use crate::config::{Config, RawConfig};
use crate::error::Error;
use crate::headers;
use crate::prelude::*;
use crate::secret::{AccessToken, State};
use crate::text::split_byte;
use crate::token::{seconds_from_number, TokenRecord};
use crate::url::is_absolute_reference;
use wasm_bindgen::prelude::*;

/// One validated configuration and the decisions made with it.
#[wasm_bindgen]
pub struct Engine {
    config: Config,
}

#[wasm_bindgen]
impl Engine {
    /// Validates the configuration; `allowed_origins` is newline-separated (the entry has
    /// already refused entries containing a line break).
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        client_id: String,
        tenant: String,
        api_base_url: String,
        authorize_url: Option<String>,
        redirect_uri: Option<String>,
        scope: Option<String>,
        allowed_origins: &str,
        storage_key: Option<String>,
        token_url: Option<String>,
        validate_url: Option<String>,
        revoke_url: Option<String>,
        client_secret: Option<String>,
    ) -> Result<Engine, String> {
        let allowed_origins = split_byte(allowed_origins, b'\n')
            .filter(|o| !o.is_empty())
            .map(str::to_owned)
            .collect();
        let config = Config::new(&RawConfig {
            client_id,
            tenant,
            api_base_url,
            authorize_url,
            redirect_uri,
            scope,
            allowed_origins,
            storage_key,
            token_url,
            validate_url,
            revoke_url,
            client_secret,
        })
        .map_err(wire)?;
        Ok(Engine { config })
    }

    /// The sessionStorage key of the token record.
    #[wasm_bindgen(js_name = storageKey)]
    pub fn storage_key(&self) -> String {
        self.config.storage_key().as_str().to_owned()
    }

    /// The API base URL, as the base for absolute references.
    #[wasm_bindgen(js_name = apiBaseUrl)]
    pub fn api_base_url(&self) -> String {
        self.config.api_base().as_str().to_owned()
    }

    /// The implicit-grant authorization URL carrying `state`.
    #[wasm_bindgen(js_name = authorizeUrl)]
    pub fn authorize_url(&self, state: &str) -> Result<String, String> {
        authorize::authorize_url(&self.config, &State::new(state)).map_err(wire)
    }

    /// Checks an OAuth response fragment against the pending `state` and returns the token
    /// record to store, as JSON.
    #[wasm_bindgen(js_name = signIn)]
    pub fn sign_in(
        &self,
        fragment: &str,
        pending_state: Option<String>,
        now_ms: f64,
    ) -> Result<String, String> {
        let pending = pending_state.map(|s| PendingSignIn {
            state: State::new(s),
            return_to: None,
        });
        callback::evaluate(fragment, pending.as_ref(), ms(now_ms))
            .map(|signed_in| signed_in.record.to_json())
            .map_err(wire)
    }

    /// Checks a token endpoint answer (JSON fields as parsed; `expires_in` NaN when absent) and
    /// returns the record to store, as JSON. Without a new refresh token the previous one is
    /// kept (RFC 6749 §6); Tangoe rotates it on every refresh.
    #[wasm_bindgen(js_name = tokenRecord)]
    #[allow(clippy::too_many_arguments)]
    pub fn token_record(
        &self,
        access_token: Option<String>,
        token_type: Option<String>,
        expires_in: f64,
        refresh_token: Option<String>,
        scope: Option<String>,
        previous_refresh_token: Option<String>,
        now_ms: f64,
    ) -> Result<String, String> {
        TokenRecord::from_response(
            access_token.as_deref(),
            token_type.as_deref(),
            seconds_from_number(expires_in),
            refresh_token.or(previous_refresh_token).as_deref(),
            scope.as_deref(),
            ms(now_ms),
        )
        .map(|record| record.to_json())
        .map_err(|why| wire(Error::InvalidTokenResponse(why.into())))
    }

    /// A relative reference joined onto the API base path, or `undefined` for an absolute one
    /// (which the entry resolves with the browser's own URL parser).
    pub fn resolve(&self, input: &str) -> Option<String> {
        (!is_absolute_reference(input)).then(|| self.config.api_base().join_path(input))
    }

    /// `origin_not_allowed` unless `origin` (as the browser's `URL.origin` prints it) may
    /// receive the token and the Tangoe headers.
    #[wasm_bindgen(js_name = checkOrigin)]
    pub fn check_origin(&self, origin: &str) -> Result<(), String> {
        if self.config.is_allowed_origin(origin) {
            Ok(())
        } else {
            Err(wire(Error::OriginNotAllowed {
                origin: origin.to_owned(),
            }))
        }
    }

    /// The MOBPROC headers of a call made with `access_token`, newline-separated as name,
    /// value, name, value (no value can hold a line break).
    #[wasm_bindgen(js_name = apiHeaders)]
    pub fn api_headers(&self, access_token: &str) -> String {
        let mut out = String::new();
        for (name, value) in headers::api_headers(&self.config, &AccessToken::new(access_token)) {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(name);
            out.push('\n');
            out.push_str(&value);
        }
        out
    }
}

/// True when the fragment is an OAuth response rather than the app's own hash route.
#[wasm_bindgen(js_name = isOAuthResponse)]
pub fn is_oauth_response(fragment: &str) -> bool {
    callback::is_oauth_response(fragment)
}

/// `return_to` if it is a same-origin path, else `undefined`.
#[wasm_bindgen(js_name = sanitizeReturnTo)]
pub fn sanitize_return_to(return_to: &str) -> Option<String> {
    authorize::sanitize_return_to(return_to)
}

/// True when a stored record's fields are well-formed (a corrupted record reads as signed out).
#[wasm_bindgen(js_name = checkRecord)]
pub fn check_record(
    access_token: &str,
    refresh_token: Option<String>,
    expires_at_ms: f64,
    scope: Option<String>,
) -> bool {
    expires_at_ms.is_finite()
        && expires_at_ms >= 0.0
        && TokenRecord::restore(
            access_token,
            refresh_token.as_deref(),
            ms(expires_at_ms),
            scope.as_deref(),
        )
        .is_ok()
}

fn wire(error: Error) -> String {
    error.to_wire()
}

/// A JavaScript time (ms since the epoch) as u64: NaN and negatives are 0, huge values saturate.
fn ms(value: f64) -> u64 {
    if value.is_finite() && value > 0.0 {
        value as u64
    } else {
        0
    }
}
