//! The OAuth endpoints, PingFederate's paths: the implicit grant with its sign-in page, the
//! token endpoint (password, refresh and validate grants), revocation (RFC 7009) and Tangoe's
//! validator service, with the rules they share.
//!
//! | file | serves |
//! |---|---|
//! | [`authorize`] | `GET`/`POST /as/authorization.oauth2`: the implicit grant |
//! | [`page`] | the HTML of the sign-in and error pages |
//! | [`token`] | `POST /as/token.oauth2`: which client may use which grant |
//! | [`revoke`] | `POST /as/revoke_token.oauth2` |
//! | [`validate`] | `GET /validate` and the validation JSON |
//! | [`client_auth`] | who the client is: HTTP Basic or `client_id`/`client_secret` |
//! | [`request`] | parameters (query string and body) and scope |
//! | [`tokens`] | the token store: issue, rotate, expire, revoke |
//! | [`error`] | RFC 6749 §5.2 error answers |

pub mod authorize;
pub mod client_auth;
pub mod error;
pub mod page;
pub mod request;
pub mod revoke;
pub mod token;
pub mod tokens;
pub mod validate;

pub use token::VALIDATE_BEARER;
