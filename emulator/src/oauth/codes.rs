//! Authorization codes (RFC 6749 §4.1) with their PKCE challenge (RFC 7636): issued by a
//! sign-in, good for one presentation at the token endpoint within 60 seconds, bound to
//! the client, the redirect URI and the challenge.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::oauth::pkce;
use crate::oauth::tokens::Subject;

/// How long a code can be exchanged (RFC 6749 §4.1.2: "a maximum authorization code
/// lifetime of 10 minutes is RECOMMENDED"; PingFederate's default is 60 seconds).
pub const CODE_LIFETIME: Duration = Duration::from_secs(60);

/// How long a code is remembered after it expired, so a late replay is still recognised.
const REMEMBERED: Duration = Duration::from_secs(600);

/// A code waiting for (or past) its exchange.
#[derive(Debug)]
struct Pending {
    subject: Subject,
    redirect_uri: String,
    challenge: String,
    expires_at: Instant,
    used: bool,
    /// The grant of the tokens issued for this code, once exchanged.
    grant: Option<u64>,
}

/// Why a code was not exchanged (each is `invalid_grant`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeRefused {
    /// Never issued (or cleared by reset, or forgotten long after it expired).
    Unknown,
    /// Presented before; `grant` is the grant of the tokens issued for it, if it was
    /// exchanged (RFC 6749 §4.1.2: those tokens should be revoked).
    Used {
        /// The grant to revoke.
        grant: Option<u64>,
    },
    /// Older than [`CODE_LIFETIME`].
    Expired,
    /// Issued to another client.
    OtherClient,
    /// The `redirect_uri` differs from the authorization request's.
    OtherRedirectUri,
    /// `BASE64URL(SHA256(code_verifier))` is not the `code_challenge`.
    VerifierMismatch,
}

impl CodeRefused {
    /// The `error_description` of the `invalid_grant` answer.
    pub fn description(self) -> &'static str {
        match self {
            CodeRefused::Unknown => "unknown authorization code",
            CodeRefused::Used { grant: Some(_) } => {
                "authorization code was already used; the tokens issued for it are revoked"
            }
            CodeRefused::Used { grant: None } => "authorization code was already used",
            CodeRefused::Expired => "authorization code expired (codes live 60 seconds)",
            CodeRefused::OtherClient => "authorization code was issued to another client",
            CodeRefused::OtherRedirectUri => {
                "redirect_uri does not match the redirect_uri of the authorization request"
            }
            CodeRefused::VerifierMismatch => {
                "PKCE verifier does not match: BASE64URL(SHA256(code_verifier)) differs from the code_challenge"
            }
        }
    }
}

/// Every code issued since start (or the last reset), and the used ones for a while after.
#[derive(Debug, Default)]
pub struct CodeStore {
    codes: HashMap<String, Pending>,
}

impl CodeStore {
    /// Issues a code for `subject` (whose `client_id` it is bound to), the request's
    /// `redirect_uri` and its S256 `challenge`. `None` if the OS has no randomness.
    pub fn issue(
        &mut self,
        subject: Subject,
        redirect_uri: &str,
        challenge: String,
    ) -> Option<String> {
        let now = Instant::now();
        self.codes.retain(|_, p| now < p.expires_at + REMEMBERED);
        let code = crate::random::token()?;
        let pending = Pending {
            subject,
            redirect_uri: redirect_uri.to_string(),
            challenge,
            expires_at: now + CODE_LIFETIME,
            used: false,
            grant: None,
        };
        self.codes.insert(code.clone(), pending);
        Some(code)
    }

    /// Redeems a code: the subject to issue tokens to. A code is good for one presentation:
    /// from here on it is used, whether this exchange succeeds or not (a code presented
    /// with the wrong verifier or by another client must be taken as intercepted).
    pub fn redeem(
        &mut self,
        code: &str,
        client_id: &str,
        redirect_uri: &str,
        verifier: &str,
    ) -> Result<Subject, CodeRefused> {
        let p = self.codes.get_mut(code).ok_or(CodeRefused::Unknown)?;
        if p.used {
            return Err(CodeRefused::Used { grant: p.grant });
        }
        p.used = true;
        if Instant::now() >= p.expires_at {
            Err(CodeRefused::Expired)
        } else if p.subject.client_id != client_id {
            Err(CodeRefused::OtherClient)
        } else if p.redirect_uri != redirect_uri {
            Err(CodeRefused::OtherRedirectUri)
        } else if !pkce::verifies(verifier, &p.challenge) {
            Err(CodeRefused::VerifierMismatch)
        } else {
            Ok(p.subject.clone())
        }
    }

    /// Remembers the grant of the tokens issued for `code`, to revoke them on a replay.
    pub fn bind(&mut self, code: &str, grant: u64) {
        if let Some(p) = self.codes.get_mut(code) {
            p.grant = Some(grant);
        }
    }

    /// Makes every code expire now.
    pub fn expire_all(&mut self) {
        let now = Instant::now();
        self.codes.values_mut().for_each(|p| p.expires_at = now);
    }

    /// Every code currently remembered (for tests that check logs).
    pub fn all_values(&self) -> Vec<String> {
        self.codes.keys().cloned().collect()
    }
}
