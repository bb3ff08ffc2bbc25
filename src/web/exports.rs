//! The `#[wasm_bindgen]` surface the npm package's ESM entry wraps. Every export takes
//! `JsValue`s and returns `Result`, so no input can make the module trap.

use crate::prelude::*;

use super::client::{Client, WebError};
use super::js::{error_to_js, fail, read_config, read_return_to, session_to_js};
use crate::error::Error;
use crate::url::is_absolute_reference;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Request, RequestInit, Url};

/// One client, as seen from JavaScript. The package's entry module wraps it in
/// `MobprocClient`; use `createClient` rather than this class.
#[wasm_bindgen]
pub struct WasmClient {
    inner: Client,
}

#[wasm_bindgen]
impl WasmClient {
    /// Validates `config` (throws `config_invalid` naming the field).
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> Result<WasmClient, JsValue> {
        let raw = read_config(&config).map_err(fail)?;
        let client = Client::new(raw).map_err(fail)?;
        Ok(WasmClient { inner: client })
    }

    /// The authorization URL for a new sign-in (remembering its `state`), without navigating.
    #[wasm_bindgen(js_name = authorizeUrl)]
    pub fn authorize_url(&self, options: JsValue) -> Result<String, JsValue> {
        let return_to = read_return_to(&options).map_err(fail)?;
        self.inner.authorize_url(return_to.as_deref()).map_err(fail)
    }

    /// Starts a sign-in and navigates to the authorization server.
    pub fn login(&self, options: JsValue) -> Result<(), JsValue> {
        let return_to = read_return_to(&options).map_err(fail)?;
        self.inner.login(return_to.as_deref()).map_err(fail)
    }

    /// `null` without an OAuth response in the URL, else `{ returnTo }` or a thrown error.
    #[wasm_bindgen(js_name = handleRedirectCallback)]
    pub fn handle_redirect_callback(&self) -> Result<JsValue, JsValue> {
        match self.inner.handle_redirect_callback().map_err(fail)? {
            None => Ok(JsValue::NULL),
            Some(return_to) => {
                let result = js_sys::Object::new();
                let value = return_to
                    .as_deref()
                    .map_or(JsValue::NULL, JsValue::from_str);
                let _ = js_sys::Reflect::set(&result, &JsValue::from_str("returnTo"), &value);
                Ok(result.into())
            }
        }
    }

    /// True when an unexpired token is stored.
    #[wasm_bindgen(js_name = isAuthenticated)]
    pub fn is_authenticated(&self) -> bool {
        self.inner.is_authenticated()
    }

    /// `{ expiresAt, scope, hasRefreshToken }` or `null`.
    pub fn session(&self) -> JsValue {
        self.inner
            .session()
            .map_or(JsValue::NULL, |s| session_to_js(&s))
    }

    /// The raw access token or `null`.
    #[wasm_bindgen(js_name = accessToken)]
    pub fn access_token(&self) -> Option<String> {
        self.inner.access_token().map(|t| t.secret().to_owned())
    }

    /// Forgets the token and any pending sign-in.
    pub fn logout(&self) {
        self.inner.logout();
    }

    /// The `Request` that `fetch(input, init)` would send, with the MOBPROC headers set, or
    /// an error when it must not be sent. The entry module sends it: keeping the promise
    /// plumbing in JavaScript keeps the module small.
    pub fn prepare(&self, input: JsValue, init: JsValue) -> Result<Request, JsValue> {
        let request = to_request(&self.inner, &input, &init)?;
        self.inner.prepare(&request).map_err(error_to_js)?;
        Ok(request)
    }
}

/// Builds the `Request` that `fetch(input, init)` would send, with a relative string joined
/// onto the API base path instead of the page's URL.
fn to_request(client: &Client, input: &JsValue, init: &JsValue) -> Result<Request, JsValue> {
    let init: Option<&RequestInit> = if init.is_undefined() || init.is_null() {
        None
    } else if init.is_object() {
        Some(init.unchecked_ref())
    } else {
        return Err(fail(Error::config(
            "init",
            "must be an object (fetch's RequestInit)",
        )));
    };
    let bad_request = |cause: JsValue| {
        let message = js_sys::Reflect::get(&cause, &JsValue::from_str("message"))
            .ok()
            .and_then(|m| m.as_string())
            .unwrap_or_else(|| "the Request could not be built".into());
        error_to_js(WebError {
            error: Error::InvalidRequest(message),
            cause: Some(cause),
        })
    };
    if let Some(request) = input.dyn_ref::<Request>() {
        return match init {
            Some(init) => Request::new_with_request_and_init(request, init),
            None => Request::new_with_request(request),
        }
        .map_err(bad_request);
    }
    let href = if let Some(text) = input.as_string() {
        let base = client.config().api_base();
        if is_absolute_reference(&text) {
            Url::new_with_base(&text, &base.as_string())
        } else {
            Url::new(&base.join_path(&text))
        }
        .map_err(bad_request)?
        .href()
    } else if let Some(url) = input.dyn_ref::<Url>() {
        url.href()
    } else {
        return Err(fail(Error::config(
            "input",
            "must be a string, URL or Request",
        )));
    };
    match init {
        Some(init) => Request::new_with_str_and_init(&href, init),
        None => Request::new_with_str(&href),
    }
    .map_err(bad_request)
}
