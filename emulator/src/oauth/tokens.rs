//! The token store: access and refresh tokens, rotation, expiry and revocation.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::seed::model::{Client, User};

/// Who a token was issued to, and for whom.
#[derive(Clone, Debug)]
pub struct Subject {
    /// The client the token belongs to.
    pub client_id: String,
    /// The user's tenant.
    pub tenant: String,
    /// The user's login (may be `<source>://<user>`).
    pub login: String,
    /// The identifier reported by validation.
    pub identifier: String,
    /// The platform reported by validation.
    pub platform: String,
    /// The user's employee id.
    pub employee_id: String,
}

impl Subject {
    /// The subject of tokens issued to `client` for `user`.
    pub fn new(client: &Client, user: &User) -> Subject {
        Subject {
            client_id: client.id.clone(),
            tenant: user.tenant.clone(),
            login: user.login.clone(),
            identifier: user.identifier.clone(),
            platform: user.platform.clone(),
            employee_id: user.employee.id.clone(),
        }
    }
}

/// A stored access token.
#[derive(Clone, Debug)]
pub struct Access {
    /// Owner of the token.
    pub subject: Subject,
    /// The grant (sign-in) this token descends from.
    pub grant: u64,
    /// When it stops working.
    pub expires_at: Instant,
    /// Set by revocation.
    pub revoked: bool,
}

#[derive(Clone, Debug)]
struct Refresh {
    subject: Subject,
    grant: u64,
    revoked: bool,
}

/// Why an access token was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// Never issued (or cleared by reset).
    Unknown,
    /// Revoked.
    Revoked,
    /// Past its lifetime.
    Expired,
}

/// Freshly issued tokens.
#[derive(Clone, Debug)]
pub struct Issued {
    /// The access token.
    pub access_token: String,
    /// The refresh token; `None` when the grant issues none (`--no-implicit-refresh-token`).
    pub refresh_token: Option<String>,
    /// Lifetime of the access token in seconds.
    pub expires_in: u64,
    /// The grant they belong to (kept by rotation; see [`TokenStore::revoke_grant`]).
    pub grant: u64,
}

/// All tokens issued since start (or the last reset).
#[derive(Debug, Default)]
pub struct TokenStore {
    access: HashMap<String, Access>,
    refresh: HashMap<String, Refresh>,
    next_grant: u64,
}

impl TokenStore {
    /// Issues an access token for a new grant, and a refresh token with it when
    /// `with_refresh`. `None` if the OS has no randomness.
    pub fn issue(&mut self, subject: Subject, lifetime: u64, with_refresh: bool) -> Option<Issued> {
        self.next_grant += 1;
        let grant = self.next_grant;
        self.issue_in(subject, grant, lifetime, with_refresh)
    }

    fn issue_in(
        &mut self,
        subject: Subject,
        grant: u64,
        lifetime: u64,
        with_refresh: bool,
    ) -> Option<Issued> {
        let access_token = crate::random::token()?;
        let refresh_token = match with_refresh {
            true => Some(crate::random::token()?),
            false => None,
        };
        let expires_at = Instant::now() + Duration::from_secs(lifetime);
        let access = Access {
            subject: subject.clone(),
            grant,
            expires_at,
            revoked: false,
        };
        self.access.insert(access_token.clone(), access);
        if let Some(token) = &refresh_token {
            let refresh = Refresh {
                subject,
                grant,
                revoked: false,
            };
            self.refresh.insert(token.clone(), refresh);
        }
        Some(Issued {
            access_token,
            refresh_token,
            expires_in: lifetime,
            grant,
        })
    }

    /// Looks up a usable access token.
    pub fn access(&self, token: &str) -> Result<&Access, Refused> {
        let a = self.access.get(token).ok_or(Refused::Unknown)?;
        if a.revoked {
            Err(Refused::Revoked)
        } else if Instant::now() >= a.expires_at {
            Err(Refused::Expired)
        } else {
            Ok(a)
        }
    }

    /// Seconds left before an access token expires.
    pub fn remaining(access: &Access) -> u64 {
        access
            .expires_at
            .saturating_duration_since(Instant::now())
            .as_secs()
    }

    /// Exchanges a refresh token of `client_id` for a new pair; the old one stops working.
    /// `Ok(None)` means the OS had no randomness.
    pub fn rotate(
        &mut self,
        token: &str,
        client_id: &str,
        lifetime: u64,
    ) -> Result<Option<Issued>, &'static str> {
        let r = match self.refresh.get_mut(token) {
            Some(r) if !r.revoked => r,
            Some(_) => return Err("refresh token was already used or revoked"),
            None => return Err("unknown refresh token"),
        };
        if r.subject.client_id != client_id {
            return Err("refresh token was issued to another client");
        }
        r.revoked = true;
        let (subject, grant) = (r.subject.clone(), r.grant);
        Ok(self.issue_in(subject, grant, lifetime, true))
    }

    /// Revokes a token of `client_id` (access or refresh; a refresh token takes its
    /// grant's access tokens with it). Returns whether something was revoked.
    pub fn revoke(&mut self, token: &str, client_id: &str) -> bool {
        if let Some(a) = self.access.get_mut(token) {
            if a.subject.client_id == client_id && !a.revoked {
                a.revoked = true;
                return true;
            }
            return false;
        }
        let grant = match self.refresh.get_mut(token) {
            Some(r) if r.subject.client_id == client_id && !r.revoked => {
                r.revoked = true;
                r.grant
            }
            _ => return false,
        };
        self.access
            .values_mut()
            .filter(|a| a.grant == grant)
            .for_each(|a| a.revoked = true);
        true
    }

    /// Revokes every access and refresh token of a grant, rotated ones included (an
    /// authorization code presented twice, RFC 6749 §4.1.2).
    pub fn revoke_grant(&mut self, grant: u64) {
        self.access
            .values_mut()
            .filter(|a| a.grant == grant)
            .for_each(|a| a.revoked = true);
        self.refresh
            .values_mut()
            .filter(|r| r.grant == grant)
            .for_each(|r| r.revoked = true);
    }

    /// Makes every access token expire now.
    pub fn expire_all(&mut self) {
        let now = Instant::now();
        self.access.values_mut().for_each(|a| a.expires_at = now);
    }

    /// Revokes every access and refresh token.
    pub fn revoke_all(&mut self) {
        self.access.values_mut().for_each(|a| a.revoked = true);
        self.refresh.values_mut().for_each(|r| r.revoked = true);
    }

    /// Every token value currently stored (for tests that check logs).
    pub fn all_values(&self) -> Vec<String> {
        self.access
            .keys()
            .chain(self.refresh.keys())
            .cloned()
            .collect()
    }
}
