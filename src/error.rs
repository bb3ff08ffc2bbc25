//! One error type for the whole library, with stable string codes.
//!
//! The codes are part of the public contract: the JavaScript `MobprocError.code` is exactly
//! [`Error::code`], and front-ends branch on it. Messages never contain a token or a secret.

use crate::prelude::*;

use crate::text::{cat, json_object, JsonValue};
use core::fmt;

/// Everything that can go wrong, one variant per public error code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// A configuration value is missing, of the wrong type or malformed.
    ConfigInvalid {
        /// The config field, as named in JavaScript (`apiBaseUrl`, `allowedOrigins[1]`, …).
        field: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The callback's `state` is missing, unknown, reused or different from the pending sign-in.
    StateMismatch,
    /// The authorization server answered with `error=…` (RFC 6749 §4.2.2.1).
    AuthorizationDenied {
        /// The server's `error` code, e.g. `access_denied`.
        error: String,
        /// The server's `error_description`, when it sent one.
        description: Option<String>,
    },
    /// The callback carries an OAuth response that is not a usable token.
    InvalidCallback(String),
    /// The token endpoint answered 2xx with something that is not a usable token.
    InvalidTokenResponse(String),
    /// No usable token: nothing was sent.
    NotAuthenticated,
    /// The request's origin may not receive the token: nothing was sent.
    OriginNotAllowed {
        /// The refused origin (scheme, host and port only).
        origin: String,
    },
    /// The request could not be built (bad URL, bad `init`): nothing was sent.
    InvalidRequest(String),
    /// `_meta.hrefNext` points to a page already fetched.
    PaginationLoop {
        /// The repeated link.
        href: String,
    },
    /// `fetch` itself failed (DNS, connection refused, CORS, abort): nothing came back.
    NetworkError(String),
    /// A browser-only operation was called where there is no browser page.
    Unsupported(String),
}

impl Error {
    /// The stable code front-ends branch on, e.g. `"state_mismatch"`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::ConfigInvalid { .. } => "config_invalid",
            Error::StateMismatch => "state_mismatch",
            Error::AuthorizationDenied { .. } => "authorization_denied",
            Error::InvalidCallback(_) => "invalid_callback",
            Error::InvalidTokenResponse(_) => "invalid_token_response",
            Error::NotAuthenticated => "not_authenticated",
            Error::OriginNotAllowed { .. } => "origin_not_allowed",
            Error::InvalidRequest(_) => "invalid_request",
            Error::PaginationLoop { .. } => "pagination_loop",
            Error::NetworkError(_) => "network_error",
            Error::Unsupported(_) => "unsupported",
        }
    }

    // The constructors below are not inlined: each error site then costs a call, not a copy
    // of the allocation code, which keeps the wasm module small.

    /// A [`Error::ConfigInvalid`].
    #[inline(never)]
    pub fn config(field: &str, reason: &'static str) -> Self {
        Error::ConfigInvalid {
            field: field.into(),
            reason,
        }
    }

    /// An [`Error::InvalidCallback`].
    #[inline(never)]
    pub fn callback(why: &str) -> Self {
        Error::InvalidCallback(why.into())
    }

    /// An [`Error::InvalidRequest`].
    #[inline(never)]
    pub fn invalid_request(why: &str) -> Self {
        Error::InvalidRequest(why.into())
    }

    /// An [`Error::Unsupported`].
    #[inline(never)]
    pub fn unsupported(why: &str) -> Self {
        Error::Unsupported(why.into())
    }
}

impl Error {
    /// The human-readable message: what went wrong and what happened (or did not) because of it.
    pub fn message(&self) -> String {
        match self {
            Error::ConfigInvalid { field, reason } => {
                cat(&["invalid config: `", field, "` ", reason])
            }
            Error::StateMismatch => {
                "the sign-in response does not belong to a sign-in started in this \
                 tab (state missing, unknown, reused or different); nothing was stored"
                    .into()
            }
            Error::AuthorizationDenied { error, description } => {
                let mut m = cat(&["sign-in refused by the authorization server: ", error]);
                if let Some(d) = description {
                    m.push_str(": ");
                    m.push_str(d);
                }
                m
            }
            Error::InvalidCallback(why) => {
                cat(&["malformed sign-in response: ", why, "; nothing was stored"])
            }
            Error::InvalidTokenResponse(why) => cat(&[
                "malformed token endpoint response: ",
                why,
                "; nothing was stored",
            ]),
            Error::NotAuthenticated => {
                "not signed in (no unexpired token); the request was not sent".into()
            }
            Error::OriginNotAllowed { origin } => cat(&[
                origin,
                " is not an allowed origin for the token; the request was not sent \
                 (add it to `allowedOrigins` if it should receive it)",
            ]),
            Error::InvalidRequest(why) => {
                cat(&["invalid request: ", why, "; the request was not sent"])
            }
            Error::PaginationLoop { href } => cat(&[
                "pagination stopped: _meta.hrefNext points back to a page already fetched (",
                href,
                ")",
            ]),
            Error::NetworkError(why) => cat(&["network error: ", why]),
            Error::Unsupported(why) => cat(&["unsupported here: ", why]),
        }
    }
}

impl Error {
    /// The error as the JSON object the npm package's `MobprocError` is built from:
    /// `{"code","message"}` plus `field`, `origin`, `href`, `oauthError`,
    /// `oauthErrorDescription` where they apply.
    pub fn to_wire(&self) -> String {
        let message = self.message();
        let (mut field, mut origin, mut href) = (None, None, None);
        let (mut oauth, mut description) = (None, None);
        match self {
            Error::ConfigInvalid { field: f, .. } => field = Some(f.as_str()),
            Error::OriginNotAllowed { origin: o } => origin = Some(o.as_str()),
            Error::PaginationLoop { href: h } => href = Some(h.as_str()),
            Error::AuthorizationDenied {
                error,
                description: d,
            } => {
                oauth = Some(error.as_str());
                description = d.as_deref();
            }
            _ => {}
        }
        json_object(&[
            ("code", JsonValue::Str(self.code())),
            ("message", JsonValue::Str(&message)),
            ("field", JsonValue::Opt(field)),
            ("origin", JsonValue::Opt(origin)),
            ("href", JsonValue::Opt(href)),
            ("oauthError", JsonValue::Opt(oauth)),
            ("oauthErrorDescription", JsonValue::Opt(description)),
        ])
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl core::error::Error for Error {}

/// The library's result type.
pub type Result<T, E = Error> = core::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable() {
        let all = [
            (Error::config("clientId", "is required"), "config_invalid"),
            (Error::StateMismatch, "state_mismatch"),
            (
                Error::AuthorizationDenied {
                    error: "access_denied".into(),
                    description: None,
                },
                "authorization_denied",
            ),
            (Error::InvalidCallback("x".into()), "invalid_callback"),
            (
                Error::InvalidTokenResponse("x".into()),
                "invalid_token_response",
            ),
            (Error::NotAuthenticated, "not_authenticated"),
            (
                Error::OriginNotAllowed {
                    origin: "https://evil.example".into(),
                },
                "origin_not_allowed",
            ),
            (Error::InvalidRequest("x".into()), "invalid_request"),
            (
                Error::PaginationLoop { href: "x".into() },
                "pagination_loop",
            ),
            (Error::NetworkError("x".into()), "network_error"),
            (Error::Unsupported("x".into()), "unsupported"),
        ];
        for (err, code) in all {
            assert_eq!(err.code(), code);
        }
    }

    #[test]
    fn wire_format_carries_the_details() {
        let denied = Error::AuthorizationDenied {
            error: "access_denied".into(),
            description: Some("The \"user\" cancelled".into()),
        };
        assert_eq!(
            denied.to_wire(),
            r#"{"code":"authorization_denied","message":"sign-in refused by the authorization server: access_denied: The \"user\" cancelled","oauthError":"access_denied","oauthErrorDescription":"The \"user\" cancelled"}"#
        );
        let config = Error::config("tenant", "is required").to_wire();
        assert!(
            config.starts_with(r#"{"code":"config_invalid","#),
            "{config}"
        );
        assert!(config.ends_with(r#","field":"tenant"}"#), "{config}");
        let href = "https://api.example.com/v1/employees?offset=25";
        let looped = Error::PaginationLoop { href: href.into() }.to_wire();
        assert!(
            looped.starts_with(r#"{"code":"pagination_loop","#),
            "{looped}"
        );
        assert!(
            looped.ends_with(&format!(r#","href":"{href}"}}"#)),
            "{looped}"
        );
    }

    #[test]
    fn config_message_names_the_field() {
        let msg = Error::config("apiBaseUrl", "must use https").message();
        assert!(msg.contains("`apiBaseUrl`"), "{msg}");
    }
}
