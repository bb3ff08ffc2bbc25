//! Sign in to Tangoe's Mobile Procurement (MOBPROC) API with the OAuth 2.0 implicit grant, keep
//! only the token, and call the API with the tenant, client-id and bearer headers.
//!
//! This crate is the pure core of the npm package `mobproc-auth`: configuration, the
//! authorize URL, callback parsing and `state` checking, the token record and its absolute
//! expiry, the header and origin policy. It has no web-sys and no I/O, is tested natively, and
//! compiles to `wasm32-unknown-unknown`, where [`wasm`] exports it to the package's JavaScript.
//!
//! # From a Rust front-end (Yew, Leptos, plain wasm-bindgen)
//! The browser calls are yours (any randomness source, storage and fetch you already use);
//! every decision comes from here:
//! ```
//! use mobproc_auth::{authorize, callback, config::{ValidConfig, Config}, headers, secret::State};
//!
//! let config = ValidConfig::new(&Config {
//!     client_id: "portal-demo".into(),
//!     tenant: "XYZ".into(),
//!     api_base_url: "https://tngo-mobproc.cloudhub.io/mobproc/v1".into(),
//!     authorize_url: Some("https://oauth.tangoe.com/as/authorization.oauth2".into()),
//!     redirect_uri: Some("https://portal.example.com/callback".into()),
//!     ..Config::default()
//! })?;
//!
//! // Sign-in: 32 bytes from crypto.getRandomValues; keep `pending` in sessionStorage.
//! let state = State::from_random_bytes(&[7; 32]);
//! let url = authorize::authorize_url(&config, &state)?;
//! assert!(url.starts_with("https://oauth.tangoe.com/as/authorization.oauth2?response_type=token&"));
//! let pending = callback::PendingSignIn { state, return_to: authorize::sanitize_return_to("/orders") };
//!
//! // Back from Tangoe: location.hash without '#'. Remove it with history.replaceState first.
//! let fragment = format!(
//!     "access_token=abc&token_type=Bearer&expires_in=3600&state={}",
//!     pending.state.secret()
//! );
//! assert!(callback::is_oauth_response(&fragment));
//! let now_ms = 1_700_000_000_000;
//! let signed_in = callback::evaluate(&fragment, Some(&pending), now_ms)?;
//! let stored = signed_in.record.to_json(); // the one sessionStorage record
//! assert_eq!(stored, r#"{"accessToken":"abc","expiresAt":1700003600000}"#);
//!
//! // Calls: only to allowed origins, with exactly these headers.
//! assert!(config.is_allowed_origin("https://tngo-mobproc.cloudhub.io"));
//! assert!(!config.is_allowed_origin("https://evil.example"));
//! let [tenant, client_id, bearer] = headers::api_headers(&config, signed_in.record.access_token());
//! assert_eq!(tenant, ("X-TNGO-TENANT", "XYZ".to_string()));
//! assert_eq!(bearer.1, "Bearer abc");
//! # let _ = client_id;
//! # Ok::<(), mobproc_auth::Error>(())
//! ```
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

/// `alloc` items the std prelude would give, so the crate also builds without std (the npm
/// package does: std's panic and formatting machinery would double its size).
mod prelude {
    pub use alloc::borrow::ToOwned;
    #[cfg(test)]
    pub use alloc::format;
    pub use alloc::string::{String, ToString};
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
    Callback, Client, Event, EventKind, LoginOptions, PageOptions, Pages, Validation,
};
pub use config::Config;
pub use error::{Error, Result};
pub use token::Session;
