//! The OAuth endpoints, PingFederate's paths: the sign-in page (implicit grant, and the
//! authorization code grant with PKCE), the token endpoint (password, authorization_code,
//! refresh and validate grants), revocation (RFC 7009) and Tangoe's validator service, with
//! the rules they share.
//!
//! | file | serves |
//! |---|---|
//! | [`authorize`] | `GET`/`POST /as/authorization.oauth2`: `response_type=token` and `code` |
//! | [`page`] | the HTML of the sign-in and error pages |
//! | [`redirect`] | the 302 back to the app: fragment (implicit) or query (code) |
//! | [`token`] | `POST /as/token.oauth2`: which client may use which grant |
//! | [`code_grant`] | `grant_type=authorization_code`: exchanging a code with its verifier |
//! | [`codes`] | the code store: issue, redeem once within 60 s, replay detection |
//! | [`pkce`] | RFC 7636: challenge and verifier syntax, the S256 check |
//! | [`revoke`] | `POST /as/revoke_token.oauth2` |
//! | [`validate`] | `GET /validate` and the validation JSON |
//! | [`client_auth`] | who the client is: HTTP Basic or `client_id`/`client_secret` |
//! | [`request`] | parameters (query string and body) and scope |
//! | [`tokens`] | the token store: issue, rotate, expire, revoke |
//! | [`error`] | RFC 6749 §5.2 error answers |

pub mod authorize;
pub mod client_auth;
pub mod code_grant;
pub mod codes;
pub mod error;
pub mod page;
pub mod pkce;
pub mod redirect;
pub mod request;
pub mod revoke;
pub mod token;
pub mod tokens;
pub mod validate;

pub use token::VALIDATE_BEARER;
