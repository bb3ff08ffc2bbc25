//! One error type for the whole library, with stable string codes.
//!
//! The codes are part of the public contract: the JavaScript `MobprocError.code` is exactly
//! [`Error::code`], and front-ends branch on it. Messages never contain a token or a secret.
//!
//! [`Error`] is one pointer (the [`ErrorKind`] sits behind an `Rc`), so a `Result<T, Error>`
//! stays small wherever it is returned, moved or held across an `await`, and a clone copies
//! nothing. Match on [`Error::kind`]:
//! `matches!(e.kind(), ErrorKind::SessionExpired { .. })`.

use crate::prelude::*;

use crate::text::{cat, decimal};
use alloc::borrow::Cow;
use alloc::rc::Rc;
use core::fmt;
use serde::Serialize;

/// The library's error: an [`ErrorKind`] behind a reference count, so that it is one pointer
/// wide and a clone (each waiter of a shared refresh gets one) copies no fields.
#[derive(Clone, PartialEq)]
pub struct Error(Rc<ErrorKind>);

/// Everything that can go wrong, one variant per public error code (two for
/// `authorization_denied`: the sign-in page's answer and the token endpoint's; two for
/// `not_authenticated`: no session, and one a sign-out overtook). Not exhaustive: a new case
/// may come with a new variant, so a `match` keeps a `_` arm (or matches [`Error::code`]).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A configuration value is missing, of the wrong type or malformed.
    ConfigInvalid {
        /// The config field, as named in JavaScript (`apiBaseUrl`, `allowedOrigins[1]`, …).
        field: String,
        /// What is wrong with it.
        reason: Cow<'static, str>,
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
    /// The token endpoint refused the password or code grant (`authorization_denied`).
    GrantRefused {
        /// The HTTP status.
        status: u16,
        /// The server's OAuth error fields.
        oauth: OAuthError,
    },
    /// The callback carries an OAuth response that is not a usable token.
    InvalidCallback(String),
    /// The token endpoint answered 2xx with something that is not a usable token.
    InvalidTokenResponse(String),
    /// No usable token: nothing was sent.
    NotAuthenticated,
    /// A sign-out (or another sign-in) ended the session this was for while it was under way
    /// (a refresh, a sign-in); what it brought, if anything, was not kept. Code
    /// `not_authenticated`.
    EndedMeanwhile,
    /// The request's origin may not receive the token: nothing was sent.
    #[non_exhaustive]
    OriginNotAllowed {
        /// The refused origin (scheme, host and port only).
        origin: String,
        /// Whether the caller gave a `Request` of the origin its relative URLs resolve against
        /// (the page's base URL, a worker's own): one made from a path, most likely, which
        /// resolved there rather than against the API base, and the message says so first.
        own_page: bool,
    },
    /// Refreshing failed; the session is unchanged, or, after `invalid_grant` while the access
    /// token lasts, kept without its dead refresh token. A passing reason (network, 5xx,
    /// garbage), this client refused (`invalid_client`, `unauthorized_client`), or no refresh
    /// token to refresh with.
    RefreshFailed {
        /// What happened.
        why: String,
        /// The token endpoint's status, when it answered.
        status: Option<u16>,
        /// The server's OAuth error fields.
        oauth: OAuthError,
        /// The token endpoint's `Retry-After`, in seconds (a 429 or 503 says when to ask
        /// again; calls do not refresh before then while the token lasts).
        retry_after: Option<u32>,
        /// What failed underneath.
        cause: Cause,
    },
    /// The refresh token is dead (`invalid_grant`) and the access token expired or refused: the
    /// session has ended. (While the access token lasts, the session keeps it: `RefreshFailed`.)
    SessionExpired {
        /// The server's OAuth error fields.
        oauth: OAuthError,
    },
    /// Tangoe does not accept the access token (validation).
    TokenInvalid {
        /// The validator's status.
        status: u16,
        /// The server's OAuth error fields.
        oauth: OAuthError,
    },
    /// The password grant or a client secret inside a browser (a page or a worker).
    InsecureGrant(&'static str),
    /// Revoking a token at sign-out failed (reported in the background).
    RevokeFailed {
        /// Which token and what happened.
        why: String,
        /// The revocation endpoint's status, when it answered.
        status: Option<u16>,
        /// What failed underneath.
        cause: Cause,
    },
    /// sessionStorage does not work here: the session is kept in memory for this page.
    StorageUnavailable {
        /// What the storage threw.
        why: String,
        /// The storage's exception.
        cause: Cause,
    },
    /// An event listener threw; the others still ran.
    ListenerFailed {
        /// The event and what the listener threw.
        why: String,
        /// The listener's exception.
        cause: Cause,
    },
    /// The request could not be built (bad URL, bad `init`): nothing was sent.
    InvalidRequest(String),
    /// The MOBPROC API answered with an error status, or a body that is not JSON, or a page
    /// that is no page (not an object, a bad `hrefNext`) (`fetch_json`, `paginate`).
    ApiError(Box<ApiError>),
    /// `_meta.hrefNext` points to a page already fetched, or too many pages.
    PaginationLoop {
        /// The repeated (or next) link.
        href: String,
        /// `Some(max)` when the walk stopped at `maxPages`.
        max_pages: Option<u32>,
    },
    /// `fetch` itself failed (DNS, connection refused, CORS, abort): nothing came back. Also
    /// Tangoe's token endpoint or validator answering 5xx, 429 or 408: down, shedding load or
    /// timed out reading the request, which refuses nothing.
    NetworkError {
        /// What happened.
        why: String,
        /// The call's `X-TNGO-CONTEXT-CORRELATIONID`, for an API call.
        correlation_id: Option<String>,
        /// The status, when a response came: its body could not be read, or the token
        /// endpoint or validator answered 5xx, 429 or 408.
        status: Option<u16>,
        /// fetch's exception.
        cause: Cause,
    },
    /// What this runtime cannot do: a browser-only operation without a browser page, or a
    /// platform piece missing or refusing (`crypto`, `BroadcastChannel`, a navigation).
    Unsupported(String),
    /// The browser refused to open the sign-in popup (no user gesture, a popup blocker).
    PopupBlocked,
    /// The user closed the sign-in popup, or `logout()` ended it, before the sign-in finished.
    PopupClosed,
    /// A bounded wait ran out (the popup sign-in's `timeoutMs`, or the 1 s its answer waits for
    /// this page to take it).
    Timeout(String),
}

/// What a `network_error` says about a failed cross-origin call. Browsers hide why such a call
/// failed ("Failed to fetch", "NetworkError when attempting to fetch resource.", "Load
/// failed"); when that is all, and the call left the page's origin, CORS is the likely cause
/// (an unreachable server or a refused redirect are the others), and the message names both
/// origins and the redirect rule.
pub fn network_why(browser_says: &str, target_origin: &str, page_origin: Option<&str>) -> String {
    let no_detail = matches!(
        browser_says,
        "Failed to fetch" | "NetworkError when attempting to fetch resource." | "Load failed"
    );
    match page_origin {
        Some(page) if no_detail && page != target_origin => cat(&[
            browser_says,
            " (the browser gives no detail: if ",
            target_origin,
            " is up, CORS is the likely cause: it must allow this page's origin ",
            page,
            ", e.g. the emulator's --app-origin or Tangoe's registration of your app; or the \
             answer was a redirect, which calls refuse unless their redirect is \"manual\")",
        ]),
        _ => browser_says.into(),
    }
}

/// The OAuth error fields of a server's answer (RFC 6749 §5.2).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OAuthError {
    /// `error`, e.g. `invalid_grant`.
    pub error: Option<String>,
    /// `error_description`.
    pub description: Option<String>,
}

/// A MOBPROC API error answer (TANGOE.md, "Errors").
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApiError {
    /// The summary after `Tangoe API error: `.
    pub summary: String,
    /// The HTTP status; 0 for a 2xx page that is no page (not an object, a bad link), where
    /// the error has no `status`.
    pub status: u16,
    /// The call's `X-TNGO-CONTEXT-CORRELATIONID`.
    pub correlation_id: Option<String>,
    /// Tangoe's `errorCode`.
    pub error_code: Option<String>,
    /// Tangoe's error `id`.
    pub id: Option<String>,
    /// Tangoe's `message`, verbatim (its first 1000 characters, as for `error_code` and `id`).
    pub api_message: Option<String>,
    /// The body (at most 1000 characters) when it is not Tangoe's error shape.
    pub body: Option<String>,
    /// `Retry-After`, in seconds.
    pub retry_after: Option<u64>,
}

/// What failed underneath an error: another of ours, or (in the browser) the JavaScript value
/// that was thrown, kept for `MobprocError.cause`.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Cause {
    /// Nothing underneath.
    #[default]
    None,
    /// One of our own errors.
    Error(Error),
    /// What JavaScript threw.
    #[cfg(target_arch = "wasm32")]
    Js(wasm_bindgen::JsValue),
}

/// The fields a JavaScript `MobprocError` carries besides `code`, `message` and `cause`
/// (`None` becomes `undefined`, which the error leaves out).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorDetails<'a> {
    /// `config_invalid`: the field.
    pub field: Option<&'a str>,
    /// `origin_not_allowed`: the origin.
    pub origin: Option<&'a str>,
    /// `pagination_loop`: the link.
    pub href: Option<&'a str>,
    /// The server's OAuth `error`.
    pub oauth_error: Option<&'a str>,
    /// The server's OAuth `error_description`.
    pub oauth_error_description: Option<&'a str>,
    /// The HTTP status, where an endpoint answered.
    pub status: Option<u16>,
    /// The call's correlation id.
    pub correlation_id: Option<&'a str>,
    /// Tangoe's `errorCode`.
    pub error_code: Option<&'a str>,
    /// Tangoe's error `id`.
    pub id: Option<&'a str>,
    /// Tangoe's `message`.
    pub api_message: Option<&'a str>,
    /// A body that is not Tangoe's error shape.
    pub body: Option<&'a str>,
    /// `Retry-After` in seconds.
    #[cfg_attr(
        all(target_arch = "wasm32", feature = "js"),
        serde(serialize_with = "crate::js::number::optional_whole")
    )]
    pub retry_after: Option<u64>,
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Self {
        Error(Rc::new(kind))
    }
}

impl Error {
    /// What went wrong, to match on.
    pub fn kind(&self) -> &ErrorKind {
        &self.0
    }

    /// The [`ErrorKind`], taken out (copied if a clone of this error is still alive).
    pub fn into_kind(self) -> ErrorKind {
        Rc::try_unwrap(self.0).unwrap_or_else(|shared| (*shared).clone())
    }

    /// The stable code front-ends branch on, e.g. `"state_mismatch"`.
    pub fn code(&self) -> &'static str {
        match self.kind() {
            ErrorKind::ConfigInvalid { .. } => "config_invalid",
            ErrorKind::StateMismatch => "state_mismatch",
            ErrorKind::AuthorizationDenied { .. } | ErrorKind::GrantRefused { .. } => {
                "authorization_denied"
            }
            ErrorKind::InvalidCallback(_) => "invalid_callback",
            ErrorKind::InvalidTokenResponse(_) => "invalid_token_response",
            ErrorKind::NotAuthenticated | ErrorKind::EndedMeanwhile => "not_authenticated",
            ErrorKind::OriginNotAllowed { .. } => "origin_not_allowed",
            ErrorKind::RefreshFailed { .. } => "refresh_failed",
            ErrorKind::SessionExpired { .. } => "session_expired",
            ErrorKind::TokenInvalid { .. } => "token_invalid",
            ErrorKind::InsecureGrant(_) => "insecure_grant",
            ErrorKind::RevokeFailed { .. } => "revoke_failed",
            ErrorKind::StorageUnavailable { .. } => "storage_unavailable",
            ErrorKind::ListenerFailed { .. } => "listener_failed",
            ErrorKind::InvalidRequest(_) => "invalid_request",
            ErrorKind::ApiError(_) => "api_error",
            ErrorKind::PaginationLoop { .. } => "pagination_loop",
            ErrorKind::NetworkError { .. } => "network_error",
            ErrorKind::Unsupported(_) => "unsupported",
            ErrorKind::PopupBlocked => "popup_blocked",
            ErrorKind::PopupClosed => "popup_closed",
            ErrorKind::Timeout(_) => "timeout",
        }
    }

    // With LTO's inline threshold of 0 (xtask/src/build.rs) these constructors stay calls,
    // not copies of the allocation code at each error site; `config_owned` is marked too
    // (−8 B gzip).

    /// A [`ErrorKind::ConfigInvalid`].
    pub fn config(field: &str, reason: &'static str) -> Self {
        ErrorKind::ConfigInvalid {
            field: field.into(),
            reason: Cow::Borrowed(reason),
        }
        .into()
    }

    /// A [`ErrorKind::ConfigInvalid`] whose reason is built at run time.
    #[inline(never)]
    pub fn config_owned(field: &str, reason: String) -> Self {
        ErrorKind::ConfigInvalid {
            field: field.into(),
            reason: Cow::Owned(reason),
        }
        .into()
    }

    /// An [`ErrorKind::InvalidCallback`].
    pub fn callback(why: &str) -> Self {
        ErrorKind::InvalidCallback(why.into()).into()
    }

    /// An [`ErrorKind::InvalidRequest`].
    pub fn invalid_request(why: &str) -> Self {
        ErrorKind::InvalidRequest(why.into()).into()
    }

    /// An [`ErrorKind::Unsupported`].
    pub fn unsupported(why: &str) -> Self {
        ErrorKind::Unsupported(why.into()).into()
    }

    /// An [`ErrorKind::NetworkError`] without a correlation id.
    pub fn network(why: &str, cause: Cause) -> Self {
        ErrorKind::NetworkError {
            why: why.into(),
            correlation_id: None,
            status: None,
            cause,
        }
        .into()
    }

    /// What failed underneath, if anything.
    pub fn cause(&self) -> &Cause {
        match self.kind() {
            ErrorKind::RefreshFailed { cause, .. }
            | ErrorKind::RevokeFailed { cause, .. }
            | ErrorKind::StorageUnavailable { cause, .. }
            | ErrorKind::ListenerFailed { cause, .. }
            | ErrorKind::NetworkError { cause, .. } => cause,
            _ => &Cause::None,
        }
    }
}

impl Error {
    /// The human-readable message: what went wrong and what happened (or did not) because of it.
    pub fn message(&self) -> String {
        // Every message is at most five parts joined: one table and one `cat`, rather than a
        // `cat` (and its slice) per variant.
        let number;
        let parts: [&str; 5] = match self.kind() {
            ErrorKind::ConfigInvalid { field, reason } => {
                ["invalid config: `", field, "` ", reason, ""]
            }
            ErrorKind::StateMismatch => [
                "the sign-in response does not belong to a sign-in started in this \
                 tab (state missing, unknown, reused or different: a later login, loginPopup \
                 or authorizeUrl replaces the one before); nothing was stored",
                "",
                "",
                "",
                "",
            ],
            ErrorKind::AuthorizationDenied { error, description } => [
                "sign-in refused by the authorization server: ",
                error,
                if description.is_some() { ": " } else { "" },
                description.as_deref().unwrap_or_default(),
                "",
            ],
            ErrorKind::GrantRefused { status, oauth } => {
                number = decimal(u64::from(*status));
                let (comma, error) = oauth_error(oauth);
                [
                    "the token endpoint refused: HTTP ",
                    &number,
                    comma,
                    error,
                    "",
                ]
            }
            ErrorKind::InvalidCallback(why) => [
                "malformed sign-in response: ",
                why,
                "; nothing was stored",
                "",
                "",
            ],
            ErrorKind::InvalidTokenResponse(why) => [
                "malformed token endpoint response: ",
                why,
                "; nothing was stored",
                "",
                "",
            ],
            ErrorKind::NotAuthenticated => [
                "not signed in (no unexpired token); the request was not sent",
                "",
                "",
                "",
                "",
            ],
            ErrorKind::EndedMeanwhile => [
                "signed out (or signed in again) while this was under way; nothing it brought \
                 was kept",
                "",
                "",
                "",
                "",
            ],
            ErrorKind::OriginNotAllowed { origin, own_page } => [
                origin,
                " is not an allowed origin for the token; the request was not sent ",
                if *own_page {
                    "(it is this page's: a Request's relative URL resolves against the page, \
                     not `apiBaseUrl`; give the path as a string, or `client.resolve(path)` in \
                     Rust; add it to `allowedOrigins` only if it should receive the token)"
                } else {
                    "(add it to `allowedOrigins` if it should receive it)"
                },
                "",
                "",
            ],
            // Unchanged, but for a refused refresh token, which is dropped (its `why` says so).
            ErrorKind::RefreshFailed { why, oauth, .. } => [
                "refreshing the token failed: ",
                why,
                if oauth.error.as_deref() == Some("invalid_grant") {
                    ""
                } else {
                    "; the session is unchanged"
                },
                "",
                "",
            ],
            ErrorKind::SessionExpired { .. } => {
                ["the session has expired: sign in again", "", "", "", ""]
            }
            ErrorKind::TokenInvalid { status, oauth } => {
                number = decimal(u64::from(*status));
                let (comma, error) = oauth_error(oauth);
                [
                    "Tangoe does not accept the token (HTTP ",
                    &number,
                    comma,
                    error,
                    ")",
                ]
            }
            ErrorKind::InsecureGrant(why) => [why, "", "", "", ""],
            ErrorKind::RevokeFailed { why, .. } => ["revoking the ", why, "", "", ""],
            ErrorKind::StorageUnavailable { why, .. } => [
                "sessionStorage is not usable here (",
                why,
                "); the session is kept in memory for this page",
                "",
                "",
            ],
            ErrorKind::ListenerFailed { why, .. } => ["a ", why, "", "", ""],
            ErrorKind::InvalidRequest(why) => [
                "invalid request: ",
                why,
                "; the request was not sent",
                "",
                "",
            ],
            ErrorKind::ApiError(api) => ["Tangoe API error: ", &api.summary, "", "", ""],
            ErrorKind::PaginationLoop {
                href,
                max_pages: Some(max),
            } => {
                number = decimal(u64::from(*max));
                [
                    "pagination stopped after ",
                    &number,
                    " pages (`maxPages`); the next was ",
                    href,
                    "",
                ]
            }
            ErrorKind::PaginationLoop { href, .. } => [
                "pagination stopped: _meta.hrefNext points back to a page already fetched (",
                href,
                ")",
                "",
                "",
            ],
            ErrorKind::NetworkError { why, .. } => ["network error: ", why, "", "", ""],
            ErrorKind::Unsupported(why) => ["unsupported here: ", why, "", "", ""],
            ErrorKind::PopupBlocked => [
                "the browser blocked the sign-in popup: call loginPopup() \
                 from a click handler, or sign in with login()",
                "",
                "",
                "",
                "",
            ],
            ErrorKind::PopupClosed => [
                "the sign-in popup was closed before the sign-in finished; nothing was stored",
                "",
                "",
                "",
                "",
            ],
            ErrorKind::Timeout(why) => ["timed out: ", why, "; nothing was stored", "", ""],
        };
        cat(&parts)
    }

    /// The fields besides code and message, as the JavaScript `MobprocError` carries them.
    pub fn details(&self) -> ErrorDetails<'_> {
        // `js::error::to_js` sets these same fields straight from the error (a smaller
        // module than building this struct and reading it back): keep the two in step.
        let mut d = ErrorDetails::default();
        match self.kind() {
            ErrorKind::ConfigInvalid { field, .. } => d.field = Some(field),
            ErrorKind::OriginNotAllowed { origin, .. } => d.origin = Some(origin),
            ErrorKind::PaginationLoop { href, .. } => d.href = Some(href),
            ErrorKind::AuthorizationDenied { error, description } => {
                d.oauth_error = Some(error);
                d.oauth_error_description = description.as_deref();
            }
            ErrorKind::GrantRefused { status, oauth }
            | ErrorKind::TokenInvalid { status, oauth } => {
                d.status = Some(*status);
                d.set_oauth(oauth);
            }
            ErrorKind::RefreshFailed {
                status,
                oauth,
                retry_after,
                ..
            } => {
                d.status = *status;
                d.set_oauth(oauth);
                d.retry_after = retry_after.map(u64::from);
            }
            ErrorKind::SessionExpired { oauth } => d.set_oauth(oauth),
            ErrorKind::RevokeFailed { status, .. } => d.status = *status,
            ErrorKind::NetworkError {
                correlation_id,
                status,
                ..
            } => {
                d.correlation_id = correlation_id.as_deref();
                d.status = *status;
            }
            ErrorKind::ApiError(api) => {
                // 0: a page that answered 2xx but is no page (not an object, a bad link).
                d.status = (api.status != 0).then_some(api.status);
                d.correlation_id = api.correlation_id.as_deref();
                d.error_code = api.error_code.as_deref();
                d.id = api.id.as_deref();
                d.api_message = api.api_message.as_deref();
                d.body = api.body.as_deref();
                d.retry_after = api.retry_after;
            }
            _ => {}
        }
        d
    }
}

impl<'a> ErrorDetails<'a> {
    /// The server's OAuth error fields, set in one place for the four errors that carry them.
    fn set_oauth(&mut self, oauth: &'a OAuthError) {
        self.oauth_error = oauth.error.as_deref();
        self.oauth_error_description = oauth.description.as_deref();
    }
}

/// `, invalid_client` after `401`, or nothing.
fn oauth_error(oauth: &OAuthError) -> (&'static str, &str) {
    match &oauth.error {
        Some(error) => (", ", error),
        None => ("", ""),
    }
}

/// The same as the [`ErrorKind`]'s: the box does not show.
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.kind(), f)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl core::error::Error for Error {
    /// The library's own error underneath (a refresh that failed on a token answer that was
    /// not a token); what JavaScript threw is in [`Error::cause`].
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self.cause() {
            Cause::Error(inner) => Some(inner),
            _ => None,
        }
    }
}

/// The library's result type.
pub type Result<T, E = Error> = core::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable() {
        let all = [
            (Error::config("clientId", "is required"), "config_invalid"),
            (ErrorKind::StateMismatch.into(), "state_mismatch"),
            (
                ErrorKind::AuthorizationDenied {
                    error: "access_denied".into(),
                    description: None,
                }
                .into(),
                "authorization_denied",
            ),
            (
                ErrorKind::InvalidCallback("x".into()).into(),
                "invalid_callback",
            ),
            (
                ErrorKind::InvalidTokenResponse("x".into()).into(),
                "invalid_token_response",
            ),
            (ErrorKind::NotAuthenticated.into(), "not_authenticated"),
            (ErrorKind::EndedMeanwhile.into(), "not_authenticated"),
            (
                ErrorKind::OriginNotAllowed {
                    origin: "https://evil.example".into(),
                    own_page: false,
                }
                .into(),
                "origin_not_allowed",
            ),
            (
                ErrorKind::InvalidRequest("x".into()).into(),
                "invalid_request",
            ),
            (
                ErrorKind::PaginationLoop {
                    href: "x".into(),
                    max_pages: None,
                }
                .into(),
                "pagination_loop",
            ),
            (Error::network("x", Cause::None), "network_error"),
            (
                ErrorKind::SessionExpired {
                    oauth: OAuthError::default(),
                }
                .into(),
                "session_expired",
            ),
            (ErrorKind::InsecureGrant("x").into(), "insecure_grant"),
            (ErrorKind::Unsupported("x".into()).into(), "unsupported"),
            (ErrorKind::PopupBlocked.into(), "popup_blocked"),
            (ErrorKind::PopupClosed.into(), "popup_closed"),
            (ErrorKind::Timeout("x".into()).into(), "timeout"),
        ];
        for (err, code) in all {
            assert_eq!(err.code(), code);
        }
    }

    #[test]
    fn details_carry_the_fields() {
        let denied: Error = ErrorKind::AuthorizationDenied {
            error: "access_denied".into(),
            description: Some("The \"user\" cancelled".into()),
        }
        .into();
        assert_eq!(
            denied.message(),
            "sign-in refused by the authorization server: access_denied: The \"user\" cancelled"
        );
        let d = denied.details();
        assert_eq!(d.oauth_error, Some("access_denied"));
        assert_eq!(d.oauth_error_description, Some("The \"user\" cancelled"));
        assert_eq!(
            Error::config("tenant", "is required").details().field,
            Some("tenant")
        );
        let refused: Error = ErrorKind::TokenInvalid {
            status: 401,
            oauth: OAuthError {
                error: Some("invalid_client".into()),
                description: None,
            },
        }
        .into();
        assert_eq!(
            refused.message(),
            "Tangoe does not accept the token (HTTP 401, invalid_client)"
        );
        assert_eq!(refused.details().status, Some(401));
    }

    #[test]
    fn a_bare_cross_origin_network_failure_names_cors_and_both_origins() {
        let api = "http://127.0.0.1:8081";
        let page = Some("http://127.0.0.1:5173");
        let why = network_why("Failed to fetch", api, page);
        assert!(
            why.starts_with("Failed to fetch (the browser gives no detail"),
            "{why}"
        );
        assert!(why.contains("CORS") && why.contains(api) && why.contains("http://127.0.0.1:5173"));
        assert!(network_why("Load failed", api, page).contains("CORS"));
        // Same origin, no page (Node), or a real reason: the browser's words only.
        assert_eq!(
            network_why("Failed to fetch", api, Some(api)),
            "Failed to fetch"
        );
        assert_eq!(network_why("Failed to fetch", api, None), "Failed to fetch");
        assert_eq!(
            network_why("The user aborted a request.", api, page),
            "The user aborted a request."
        );
    }

    #[test]
    fn config_message_names_the_field() {
        let msg = Error::config("apiBaseUrl", "must use https").message();
        assert!(msg.contains("`apiBaseUrl`"), "{msg}");
    }
}
