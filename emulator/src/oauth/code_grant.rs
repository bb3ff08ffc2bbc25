//! `grant_type=authorization_code` at `POST /as/token.oauth2` (RFC 6749 §4.1.3 with
//! RFC 7636 §4.5): a code from the sign-in page, exchanged once, within 60 seconds, by the
//! client it was issued to, with the same `redirect_uri` and the PKCE `code_verifier`.

use crate::oauth::codes::CodeRefused;
use crate::oauth::error::OAuthError;
use crate::oauth::pkce;
use crate::oauth::request::check_scope;
use crate::oauth::tokens::Issued;
use crate::params::Params;
use crate::seed::model::{Client, ClientKind};
use crate::state::AppState;

fn required<'a>(p: &'a Params, name: &str, why: &str) -> Result<&'a str, OAuthError> {
    p.get(name)
        .ok_or_else(|| OAuthError::bad("invalid_request", format!("{name} is required{why}")))
}

/// Exchanges a code for tokens for the authenticated `client`: the same tokens as the
/// implicit grant gives (a refresh token unless `--no-implicit-refresh-token`). A code
/// presented again is refused and the tokens issued for it are revoked (RFC 6749 §4.1.2).
pub fn exchange(state: &AppState, client: &Client, p: &Params) -> Result<Issued, OAuthError> {
    if client.kind != ClientKind::Portal {
        let msg = "this client signs in with the password grant, not the authorization code grant";
        return Err(OAuthError::bad("unauthorized_client", msg));
    }
    check_scope(p.get("scope"))?;
    let code = required(p, "code", "")?;
    let redirect_uri = required(p, "redirect_uri", " (the one of the authorization request)")?;
    let verifier = required(
        p,
        "code_verifier",
        " (PKCE: the code was issued for a code_challenge)",
    )?;
    if let Some(why) = pkce::verifier_problem(verifier) {
        return Err(OAuthError::bad("invalid_request", why));
    }
    let mut guard = state.lock();
    let inner = &mut *guard;
    match inner.codes.redeem(code, &client.id, redirect_uri, verifier) {
        Ok(subject) => {
            let with_refresh = state.config.implicit_refresh_token;
            let lifetime = state.config.token_lifetime;
            let i = inner
                .tokens
                .issue(subject, lifetime, with_refresh)
                .ok_or_else(OAuthError::server)?;
            inner.codes.bind(code, i.grant);
            Ok(i)
        }
        Err(refused) => {
            if let CodeRefused::Used { grant: Some(g) } = refused {
                inner.tokens.revoke_grant(g);
            }
            Err(OAuthError::bad("invalid_grant", refused.description()))
        }
    }
}
