//! Sign in to Tangoe's Mobile Procurement (MOBPROC) API with the OAuth 2.0 implicit grant, keep
//! only the token (in sessionStorage), and call the API with the tenant, client-id and bearer
//! headers added for you.
//!
//! The crate is a pure core (configuration, authorize URL, callback parsing, token expiry,
//! header and origin policy: plain Rust, tested natively) and, on `wasm32`, a thin browser
//! shell in [`web`] that the npm package `mobproc-auth` wraps.
//!
//! # From a Rust wasm front-end (Yew, Leptos, plain wasm-bindgen)
//! ```rust,ignore
//! use mobproc_auth::{config::RawConfig, web::Client};
//!
//! let client = Client::new(RawConfig {
//!     client_id: "0123abc456def78ghij11bc213wxyz".into(),
//!     tenant: "XYZ".into(),
//!     api_base_url: "https://tngo-mobproc.cloudhub.io/mobproc/v1".into(),
//!     authorize_url: Some("https://oauth.tangoe.com/as/authorization.oauth2".into()),
//!     redirect_uri: Some("https://portal.example.com/callback".into()),
//!     ..RawConfig::default()
//! })?;
//! // On every page load: `Some(return_to)` after a sign-in redirect, `None` otherwise.
//! if let Some(return_to) = client.handle_redirect_callback()? { /* route to it */ }
//! if !client.is_authenticated() {
//!     client.login(Some("/orders"))?; // navigates to Tangoe's sign-in page
//! }
//! let request = web_sys::Request::new_with_str("https://tngo-mobproc.cloudhub.io/mobproc/v1/ping")?;
//! let response: web_sys::Response = client.fetch(&request).await?;
//! ```
//!
//! # The core, anywhere
//! ```
//! use mobproc_auth::{authorize, config::{Config, RawConfig}, secret::State};
//!
//! let config = Config::new(RawConfig {
//!     client_id: "portal-demo".into(),
//!     tenant: "XYZ".into(),
//!     api_base_url: "https://tngo-mobproc.cloudhub.io/mobproc/v1".into(),
//!     authorize_url: Some("https://oauth.tangoe.com/as/authorization.oauth2".into()),
//!     redirect_uri: Some("https://portal.example.com/callback".into()),
//!     ..RawConfig::default()
//! })?;
//! let url = authorize::authorize_url(&config, &State::from_random_bytes(&[7; 32]))?;
//! assert!(url.starts_with("https://oauth.tangoe.com/as/authorization.oauth2?response_type=token&"));
//! assert!(config.is_allowed_origin("https://tngo-mobproc.cloudhub.io"));
//! assert!(!config.is_allowed_origin("https://evil.example"));
//! # Ok::<(), mobproc_auth::Error>(())
//! ```
#![cfg_attr(not(feature = "std"), no_std)]
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

#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
mod no_std_runtime;

pub mod authorize;
pub mod callback;
pub mod config;
pub mod encode;
pub mod error;
pub mod headers;
pub mod secret;
pub mod text;
pub mod token;
pub mod url;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use error::{Error, Result};
