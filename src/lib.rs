//! Sign in to Tangoe's Mobile Procurement (MOBPROC) API with the OAuth 2.0 implicit grant, keep
//! only the token (in `sessionStorage`, nowhere else), and call the API with the tenant,
//! client-id and bearer headers added.
//!
//! # From a Rust front-end (Leptos, Yew, plain wasm-bindgen)
//! [`Client`] (wasm32 only) does the whole browser side: the sign-in redirect, the callback,
//! storage, refresh, and a `fetch` that adds the Tangoe headers. The npm package runs this same
//! client.
//! ```no_run
//! # #[cfg(target_arch = "wasm32")]
//! # async fn portal() -> Result<(), mobproc_auth::Error> {
//! use mobproc_auth::{Callback, Client, Config, Error, LoginOptions, Session};
//!
//! #[derive(serde::Deserialize)]
//! struct Me {
//!     name: String,
//! }
//!
//! let client = Client::new(Config {
//!     client_id: "portal".into(),
//!     tenant: "XYZ".into(),
//!     api_base_url: "https://tngo-mobproc.cloudhub.io/mobproc/v1".into(),
//!     authorize_url: Some("https://oauth.tangoe.com/as/authorization.oauth2".into()),
//!     redirect_uri: Some("https://portal.example.com/".into()),
//!     token_url: None, // every other field of the JavaScript config, snake_case
//!     ..Config::default()
//! })?;
//! // On every page load: the sign-in response, if the URL carries one.
//! let back: Option<Callback> = client.handle_redirect_callback().await?;
//! let _return_to: Option<String> = back.and_then(|b| b.return_to);
//! if !client.is_authenticated() {
//!     let _url: String = client.authorize_url(&LoginOptions { return_to: Some("/orders".into()) })?;
//!     client.login(&LoginOptions::default())?; // navigates to Tangoe's sign-in page
//!     return Ok(());
//! }
//! let session: Option<Session> = client.session(); // expires_at (ms), scope, has_refresh_token
//! let me: Me = client.fetch_json("/me").await?; // the path joins api_base_url
//! let request = web_sys::Request::new_with_str("https://tngo-mobproc.cloudhub.io/mobproc/v1/ping")
//!     .map_err(|_| Error::invalid_request("bad URL"))?;
//! let response: web_sys::Response = client.fetch(request).await?; // HTTP errors are responses
//! client.logout();
//! # let _ = (session, me.name, response);
//! # let error: Error = mobproc_auth::ErrorKind::NotAuthenticated.into();
//! let code: &str = error.code(); // the same codes as the npm package's MobprocError.code
//! # let _ = code;
//! # Ok(())
//! # }
//! ```
//!
//! [`Client::connect`] is the npm package's `createClient`: [`Client::new`] and, in a tab
//! without a session, the session of another open tab.
//!
//! `Client` and [`Error`] hold `Rc`s and JavaScript values: they are not `Send`, as nothing of
//! wasm-bindgen is. Where a framework asks for `Send` (Leptos's `provide_context`), wrap the
//! client in `send_wrapper::SendWrapper` (the browser runs it on one thread), and map an
//! `Error` (`code()`, `to_string()`) where a `Send` error type is needed.
//!
//! # How it is built
//! - A pure core with no web-sys, tested natively: [`config`] (every value checked once, the
//!   field named on error, as JavaScript names it: `apiBaseUrl` for `api_base_url`; messages
//!   name the npm package's methods too, as the two share one client), [`authorize`], [`callback`] (`state` first, then the token),
//!   [`token`] (the stored record and its absolute expiry), [`headers`] and [`context`] (which
//!   headers a call carries), [`pagination`], [`error`] (one enum behind an `Rc`, stable
//!   codes), [`encode`], [`url`], [`secret`] (values that print `[redacted]`), [`redact`] (a
//!   token found however an echo escaped it).
//! - [`client`] (wasm32): the browser client on web-sys (storage, location, history, crypto,
//!   the API `fetch`), gloo-net (token, validation and revocation requests), js-sys (`Date`,
//!   `Promise`, `Reflect`, `WeakMap`), wasm-bindgen-futures, and serde-wasm-bindgen for values
//!   handed to JavaScript.
//! - `js` (wasm32, feature `js`): the npm package's `MobprocClient`, a thin `#[wasm_bindgen]`
//!   skin that reads JavaScript values into these types and throws `MobprocError`.
#![warn(missing_docs)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

extern crate alloc;

/// The `alloc` items the core modules name, as `alloc` rather than std's prelude.
mod prelude {
    pub use alloc::borrow::ToOwned;
    #[cfg(test)]
    pub use alloc::format;
    pub use alloc::string::String;
    // The npm module's build (a cdylib alone) counts as used only what its exports reach.
    #[allow(unused_imports)]
    pub use alloc::string::ToString;
    #[cfg(test)]
    pub use alloc::vec;
    pub use alloc::vec::Vec;
}

pub mod authorize;
pub mod callback;
pub mod config;
pub mod context;
pub mod encode;
pub mod error;
pub mod headers;
pub mod pagination;
pub mod pkce;
pub mod redact;
pub mod secret;
pub mod text;
pub mod token;
pub mod url;

#[cfg(target_arch = "wasm32")]
pub mod client;
#[cfg(all(target_arch = "wasm32", feature = "js"))]
pub mod js;

#[cfg(target_arch = "wasm32")]
pub use client::{
    Callback, Client, Event, EventKind, ListenerId, LoginOptions, PageOptions, Pages, PopupOptions,
    Subscription, Validation,
};
pub use config::{ClientAuth, Config, ResponseType};
pub use context::Context;
pub use error::{Error, ErrorKind, Result};
pub use token::Session;
