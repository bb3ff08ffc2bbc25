//! Calls to PingFederate's token, validation and revocation endpoints through gloo-net: form
//! bodies (RFC 6749 §4.3, §6, RFC 7009), client authentication (§2.3.1), a timeout on each.
//! Refresh is single-flight: however many callers wait, one request is made.

use super::http::send_raw;
use super::navigation::new_session_id;
use super::value::{
    cause, field, in_browser, is_text, message_of, now_ms, parse_json, run, set_field, set_timeout,
    string, unref, Shared,
};
use super::Client;
use crate::callback::CodeGrant;
use crate::config::ClientAuth;
use crate::encode::basic_credentials;
use crate::error::{Cause, Error, ErrorKind, OAuthError, Result};
use crate::text::cat;
use crate::token::{seconds_from_number, Session, TokenRecord};
use gloo_net::http::{Method, RequestBuilder};
use serde::Serialize;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortSignal, ReferrerPolicy, RequestCredentials, RequestRedirect, UrlSearchParams};

const VALIDATE_GRANT: &str = "urn:pingidentity.com:oauth2:grant_type:validate_bearer";

/// Tangoe's answer to [`Client::validate`].
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Validation {
    /// The token's scope.
    pub scope: Option<String>,
    /// Seconds the token has left.
    pub expires_in: Option<f64>,
    /// The client the token was issued to.
    pub client_id: Option<String>,
    /// The tenant of the user.
    pub tenant: Option<String>,
    /// The platform (`command`, `rivermine`, …).
    pub platform: Option<String>,
    /// Whether the user spans tenants.
    pub multitenant: bool,
    /// The domain the token is good for (`*` in Tangoe's example).
    pub domain: Option<String>,
    /// Who authenticated the user.
    pub identity_provider: Option<String>,
    /// The user's identifier.
    pub identifier: Option<String>,
}

/// An endpoint's answer: status, and the JSON body when it is an object. Fields are read
/// through `Reflect`, leniently (a field of the wrong type counts as absent): serde-wasm-bindgen's
/// `from_value` into a derived struct would cost 13.6 KB gzip (README, "How it is built").
struct Answer {
    status: u16,
    ok: bool,
    /// The parsed body, when it was a JSON object (else `undefined`).
    json: JsValue,
    /// Whether the body could be read (not the connection cut after the headers).
    read: bool,
    /// `Retry-After` of an answer that is no success, in seconds.
    retry_after: Option<u32>,
}

impl Answer {
    fn text(&self, key: &str) -> Option<String> {
        string(&self.json, key)
    }

    /// `network_error` with the status when the server failed (5xx), sheds load (429) or
    /// timed out reading the request (408, as the relay does): such an answer says nothing of
    /// the credentials or the token, so it is no refusal.
    fn failed(&self) -> Result<()> {
        if self.status < 500 && self.status != 429 && self.status != 408 {
            return Ok(());
        }
        Err(ErrorKind::NetworkError {
            why: self.answered(),
            correlation_id: None,
            status: Some(self.status),
            cause: Cause::None,
        }
        .into())
    }

    /// "Tangoe answered HTTP <status>": its token endpoint or validator.
    fn answered(&self) -> String {
        cat(&[
            "Tangoe answered HTTP ",
            &crate::text::decimal(u64::from(self.status)),
        ])
    }

    fn oauth(&self) -> OAuthError {
        OAuthError {
            error: self.text("error"),
            description: self.text("error_description"),
        }
    }
}

/// Keeps `value` to be searched for in a refusal, and its form encoding (a body that echoes
/// the form: `%C3%A4` for `ä`, which no pattern of `crate::redact` finds).
fn keep_secret(secrets: &mut Vec<String>, value: &str) {
    let encoded = crate::encode::form_encode(value);
    if encoded != value {
        secrets.push(encoded);
    }
    secrets.push(value.to_owned());
}

/// A request to an OAuth endpoint and the secrets it carries.
type Outgoing = (gloo_net::http::Request, Vec<String>);

/// The refresh in flight, which every caller waits for.
pub(super) type Flight = Shared;

/// How long calls go on with a token that still lasts, without refreshing, after a refresh
/// failed without a `Retry-After` (a network error, a 5xx, garbage).
const REFRESH_PAUSE_MS: u64 = 5_000;

impl Client {
    /// A new access token (and Tangoe's rotated refresh token). One request however many
    /// callers wait (in this tab, and across tabs where Web Locks exist). A passing failure
    /// (`refresh_failed`: network, 5xx, not a token) leaves the stored session exactly as it
    /// was; a dead refresh token (`session_expired`) ends it.
    pub async fn refresh(&self) -> Result<Option<Session>> {
        let running = self.0.refreshing.take();
        self.0.refreshing.set(running.clone());
        let flight = match running {
            Some(flight) => flight,
            None => {
                let client = self.clone();
                let signed_out = self.own_signouts();
                let flight = Shared::start(Box::pin(async move {
                    let result = client.refresh_across_tabs().await;
                    // After this client's sign-out the slot is no longer this refresh's
                    // (`logout` emptied it; a refresh of a new sign-in may hold it).
                    if client.own_signouts() == signed_out {
                        client.0.refreshing.set(None);
                    }
                    result.map(|session| Rc::new((session, None)))
                }));
                self.0.refreshing.set(Some(flight.clone()));
                flight
            }
        };
        match flight.wait().await {
            Some(outcome) => outcome.map(|done| done.0.as_deref().map(TokenRecord::session)),
            None => Err(ErrorKind::EndedMeanwhile.into()),
        }
    }

    /// The refresh itself: the usable record after it (a `Session` is made from it only at
    /// the public boundary; 4 bytes through the futures rather than 24).
    pub(super) async fn refresh_once(&self) -> Result<Option<Rc<TokenRecord>>> {
        let token_url = self.token_url("is required to refresh")?;
        let record = self
            .record()
            .ok_or_else(|| Error::from(ErrorKind::NotAuthenticated))?;
        let Some(refresh_token) = record.refresh_token() else {
            // Signed in without a refresh token (an implicit sign-in brings none): "not signed
            // in" would be false while the token lasts.
            if record.is_expired(now_ms()) {
                return Err(ErrorKind::NotAuthenticated.into());
            }
            return Err(refresh_failed_because(
                "this session has no refresh token (an implicit sign-in brings none; one the \
                 token endpoint refused is dropped); it ends at its expiry, then sign in again",
                None,
            ));
        };
        let config = &self.0.config;
        // Scoped: the parameters are not kept in this function's state across the await.
        let sent = {
            let params = [
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token.secret()),
                ("client_id", config.client_id().as_str()),
                ("scope", config.scope().as_str()),
            ];
            self.post_form(token_url, &params)
        };
        let still_ours = |client: &Client| {
            client
                .record()
                .is_some_and(|r| r.refresh_token() == Some(refresh_token))
        };
        // Every passing failure is a `RefreshFailed`, made where it is found: no tuple of its
        // fields copied into it afterwards.
        let mut retry_after = None;
        let failed = match sent.await {
            Err(thrown) => ErrorKind::RefreshFailed {
                why: message_of(&thrown),
                status: None,
                oauth: OAuthError::default(),
                retry_after: None,
                cause: cause(thrown),
            },
            Ok(answer) if is_text(&answer.json, "error", "invalid_grant") => {
                // The refresh token is dead (expired, revoked, rotated away): so is the
                // session, unless another tab has just rotated it and holds the new one.
                if self.rotated_elsewhere(refresh_token.secret()).await {
                    return self.continued(Some(&record));
                }
                // Changed meanwhile: another client of the page refreshed this session (its
                // record is used), or a sign-out or another sign-in ended it.
                if !still_ours(self) {
                    return self.continued(Some(&record));
                }
                let oauth = answer.oauth();
                // An access token that still lasts is kept until it expires (the API refuses it
                // if it was revoked too: a 401 then ends the session): a rotation whose answer
                // was lost (a timeout, a reload, a duplicated tab) must not sign the user out
                // early. `sessionExpiring` warns. Not told to the other tabs: a tab that ended
                // the session on a 401 of this token must not take it back.
                if !record.is_expired(now_ms()) {
                    self.keep_here(&record.as_ref().clone().without_refresh_token());
                    return Err(refresh_refused(Some(answer.status), oauth));
                }
                self.expire();
                return Err(ErrorKind::SessionExpired { oauth }.into());
            }
            Ok(answer) if !answer.ok => {
                let oauth = answer.oauth();
                let mut why = answer.answered();
                // This client may not refresh here (Tangoe asks for the client secret, which
                // a page must not hold): calls stop refreshing until a record is stored again
                // (`refresh()` still tries), and the app is warned before this session ends.
                if matches!(
                    oauth.error.as_deref(),
                    Some("invalid_client" | "unauthorized_client")
                ) {
                    self.0.refresh_refused.set(true);
                    self.plan_expiry_warning();
                    why.push_str(if self.0.config.client_secret().is_some() {
                        " refusing this client: check clientSecret; calls no longer refresh"
                    } else {
                        " refusing this client: in a page, tokenUrl must be the relay's (which \
                         adds the client secret), with the right secret; calls no longer refresh"
                    });
                }
                retry_after = answer.retry_after;
                ErrorKind::RefreshFailed {
                    why,
                    status: Some(answer.status),
                    oauth,
                    retry_after,
                    cause: Cause::None,
                }
            }
            // The session's scope, or the one asked for (a record of an older version may
            // have none).
            Ok(answer) => match token_record(
                &answer,
                Some(&*record),
                record.scope().or(Some(config.scope().as_str())),
            ) {
                Ok(fresh) => {
                    // Changed meanwhile: another refresh of the session won (its record is
                    // used; these tokens are dropped, not revoked: revoking a refresh token
                    // may revoke its whole grant), the page signed out (revoked: the tokens
                    // would outlive the session at the server), or another session is held
                    // (revoked if this one was signed out).
                    if !still_ours(self) {
                        let id = record.session_id();
                        let now = self.record();
                        let same = id.is_some()
                            && now.as_ref().is_some_and(|now| now.same_session(&record));
                        if same {
                            return Ok(self.usable());
                        }
                        if now.is_none() || self.signed_out(id) {
                            self.revoke(&fresh);
                        }
                        return Err(ErrorKind::EndedMeanwhile.into());
                    }
                    self.save(&fresh);
                    return Ok(self.usable());
                }
                Err(error) => ErrorKind::RefreshFailed {
                    why: error.message(),
                    status: None,
                    oauth: OAuthError::default(),
                    retry_after: None,
                    cause: Cause::Error(error),
                },
            },
        };
        // Calls do not ask again while the token lasts until the server's `Retry-After` (at
        // least a few seconds, at most five minutes), not once per call (`refresh()` still
        // asks); the pause ends a few seconds before the token does, so that one more refresh
        // is tried while it lasts (that one failing, none until the expiry). Once the token
        // has expired, only a `Retry-After` pauses them, for as long as it says (at most five
        // minutes; calls then fail at once). A later failure never shortens a pause. Only for
        // this session: a refresh that failed after a sign-out says nothing of the next one.
        if still_ours(self) {
            let now = now_ms();
            let wait = u64::from(retry_after.unwrap_or(0)).saturating_mul(1000);
            let until = now.saturating_add(wait.clamp(REFRESH_PAUSE_MS, 300_000));
            let expires_at = record.expires_at_ms();
            let last = expires_at.saturating_sub(REFRESH_PAUSE_MS);
            let end = if last > now {
                until.min(last)
            } else if now >= expires_at && retry_after.is_some() {
                now.saturating_add(wait.min(300_000))
            } else {
                until.min(expires_at)
            };
            // One further ahead than the longest was set before the clock went back.
            let paused = &self.0.refresh_paused_until;
            let current = paused.get();
            let current = if current.saturating_sub(now) > 300_000 {
                0
            } else {
                current
            };
            paused.set(current.max(end));
        }
        Err(failed.into())
    }

    /// Refreshes first when the token expires within the skew. A passing failure while the
    /// token still lasts lets the call go on, and is reported as an `error` event.
    pub(super) async fn refresh_if_expiring(&self) -> Result<()> {
        // Only the expiry is kept across the await, not the record.
        let Some(expires_at) = self.record().map(|record| record.expires_at_ms()) else {
            return Ok(());
        };
        let skew = self.0.config.refresh_skew_ms();
        // `TokenRecord::expires_within`, on the expiry alone.
        // The expiry first: `can_refresh` reads the storage again.
        let now = now_ms();
        if now.saturating_add(skew) < expires_at || !self.can_refresh() {
            return Ok(());
        }
        // A refresh failed a moment ago and the token lasts: the call goes on with it (the
        // failure was reported), rather than every call asking a failing endpoint again. An
        // expired one fails the call until the endpoint's `Retry-After` has passed.
        // A pause further ahead than the longest one was set before the clock went back.
        let paused = self.0.refresh_paused_until.get();
        if now < paused && paused - now <= 300_000 {
            if now < expires_at {
                return Ok(());
            }
            return Err(refresh_failed_because(
                "the token expired, and the token endpoint asked to wait (Retry-After)",
                Some((paused - now).div_ceil(1000) as u32),
            ));
        }
        match self.refresh().await {
            // The token still lasts (`TokenRecord::is_expired` of the record read above).
            Err(error)
                if matches!(error.kind(), ErrorKind::RefreshFailed { .. })
                    && now_ms() < expires_at =>
            {
                self.0.events.emit_error(error);
                Ok(())
            }
            other => other.map(|_| ()),
        }
    }

    /// Server-side JavaScript only: the resource owner password grant with the client secret.
    /// A [`logout`](Client::logout) after this call, even before the future is first
    /// polled, ends it with `not_authenticated` (the tokens, if any came, are revoked).
    pub fn sign_in_with_password<'a>(
        &'a self,
        username: &'a str,
        password: &'a str,
    ) -> impl std::future::Future<Output = Result<Option<Session>>> + 'a {
        self.password_sign_in(username, password, self.own_signouts())
    }

    /// This client's sign-outs so far, not the page's (`signouts`): in Node the "page" is the
    /// whole process, whose other clients are other users. Read when a sign-in is asked for,
    /// so a `logout` before its first poll ends it.
    pub(crate) fn own_signouts(&self) -> u32 {
        self.0.signed_out.get()
    }

    /// [`Client::sign_in_with_password`], ended by a sign-out after `signed_out`.
    pub(crate) async fn password_sign_in(
        &self,
        username: &str,
        password: &str,
        signed_out: u32,
    ) -> Result<Option<Session>> {
        // Scoped: neither the URL nor the parameters are kept across the await.
        let sent = {
            let token_url = self.password_grant_ready()?;
            // Signed out before the first poll: the password is not sent.
            if self.own_signouts() != signed_out {
                return Err(ErrorKind::EndedMeanwhile.into());
            }
            if username.is_empty() {
                return Err(Error::config("username", "must be a non-empty string"));
            }
            let params = [
                ("grant_type", "password"),
                ("username", username),
                ("password", password),
                ("scope", self.0.config.scope().as_str()),
            ];
            self.grant(&token_url, &params)
        };
        let record = sent.await?;
        if self.own_signouts() != signed_out {
            self.revoke(&record);
            return Err(ErrorKind::EndedMeanwhile.into());
        }
        self.save_sign_in(&record);
        Ok(self.session())
    }

    /// The code grant's second step (RFC 6749 §4.1.3, RFC 7636 §4.5): the code and the
    /// verifier for a token. The code is used once, whatever the answer.
    pub(super) async fn exchange_code(&self, grant: &CodeGrant) -> Result<Rc<TokenRecord>> {
        let token_url = self.token_url("is required with responseType \"code\"")?;
        let config = &self.0.config;
        let redirect = config
            .redirect_uri()
            .map(|u| u.as_str())
            .unwrap_or_default();
        // Scoped: the parameters are not kept in this function's state across the await.
        let sent = {
            let params = [
                ("grant_type", "authorization_code"),
                ("code", grant.code.as_str()),
                ("redirect_uri", redirect),
                ("client_id", config.client_id().as_str()),
                ("code_verifier", grant.verifier.secret()),
            ];
            self.grant(token_url, &params)
        };
        sent.await
    }

    /// A grant that starts a session (password, authorization code): the token endpoint's
    /// answer as a record, or why there is none. One body for both keeps it once in the module.
    /// The request is built at once: the future holds neither the URL nor the parameters.
    fn grant(
        &self,
        token_url: &str,
        params: &[(&str, &str)],
    ) -> impl std::future::Future<Output = Result<Rc<TokenRecord>>> + '_ {
        let sent = self.post_form(token_url, params);
        let requested = self.0.config.scope().as_str();
        async move {
            let answer = sent.await.map_err(network_error)?;
            answer.failed()?;
            if !answer.ok {
                let oauth = answer.oauth();
                // A refusal is an OAuth error (RFC 6749 §5.2), or a bare 400 or 401 (client
                // authentication refused by `WWW-Authenticate`); anything else without one came
                // from no token endpoint (a wrong tokenUrl's 404), and refused no password.
                if oauth.error.is_none() && !matches!(answer.status, 400 | 401) {
                    return Err(ErrorKind::NetworkError {
                        why: cat(&[
                            &answer.answered(),
                            ", not an OAuth error: is tokenUrl right?",
                        ]),
                        correlation_id: None,
                        status: Some(answer.status),
                        cause: Cause::None,
                    }
                    .into());
                }
                return Err(ErrorKind::GrantRefused {
                    status: answer.status,
                    oauth,
                }
                .into());
            }
            token_record(&answer, None, Some(requested))
        }
    }

    /// Whether the password grant may run here: not in a browser (page or worker), with a
    /// token URL and a secret. Returns the token URL.
    pub(crate) fn password_grant_ready(&self) -> Result<String> {
        if in_browser() {
            return Err(ErrorKind::InsecureGrant(
                "the password grant is refused in a browser (a page or a worker): use login() \
                 (the implicit grant)",
            )
            .into());
        }
        let token_url = self.token_url("is required for the password grant")?;
        if self.0.config.client_secret().is_none() {
            return Err(Error::config(
                "clientSecret",
                "is required for the password grant",
            ));
        }
        Ok(token_url.into())
    }

    /// Asks Tangoe whether the access token is valid, and for what: the validator service
    /// when configured, else the token endpoint's validate grant.
    pub async fn validate(&self) -> Result<Validation> {
        let record = self
            .usable()
            .ok_or_else(|| Error::from(ErrorKind::NotAuthenticated))?;
        let token = record.access_token().secret();
        let config = &self.0.config;
        // One request, one await: a second would add its state to this function's.
        let request = if let Some(url) = config.validate_url() {
            let request = self
                .endpoint(url.as_str(), Method::GET)
                .query([("access_token", token)]);
            Ok((request.build().map_err(gloo_error)?, vec![token.to_owned()]))
        } else if let Some(url) = config.token_url() {
            let params = [
                ("grant_type", VALIDATE_GRANT),
                ("token", token),
                ("client_id", config.client_id().as_str()),
            ];
            // A form that could not be built is a `network_error` below, as a failed send.
            self.form_request(url.as_str(), &params)
        } else {
            return Err(Error::config(
                "validateUrl",
                "or `tokenUrl` is required to validate",
            ));
        };
        let answer = self.send_form(request).await.map_err(network_error)?;
        answer.failed()?;
        // The connection cut after the headers: the validator said nothing of the token.
        if !answer.read {
            return Err(ErrorKind::NetworkError {
                why: cat(&[&answer.answered(), " whose body could not be read"]),
                correlation_id: None,
                status: Some(answer.status),
                cause: Cause::None,
            }
            .into());
        }
        // The client may not validate (PingFederate lets only some): its authentication failed
        // or it lacks the grant (RFC 6749 §5.2), which says nothing about the token.
        let refused = |error| is_text(&answer.json, "error", error);
        if refused("invalid_client")
            || refused("unauthorized_client")
            || refused("unsupported_grant_type")
        {
            return Err(ErrorKind::GrantRefused {
                status: answer.status,
                oauth: answer.oauth(),
            }
            .into());
        }
        if !answer.ok || !answer.json.is_object() {
            return Err(ErrorKind::TokenInvalid {
                status: answer.status,
                oauth: answer.oauth(),
            }
            .into());
        }
        // Tangoe's validators always say how long the token has left: an answer without it (a
        // `validateUrl` that is some other JSON endpoint) says nothing of the token.
        let Some(expires_in) = field(&answer.json, "expires_in").as_f64() else {
            return Err(ErrorKind::InvalidTokenResponse(
                "a validation answer without `expires_in` (is validateUrl Tangoe's validator?)"
                    .into(),
            )
            .into());
        };
        let owner = field(&answer.json, "access_token");
        let multitenant = field(&owner, "multitenant");
        Ok(Validation {
            scope: answer.text("scope"),
            expires_in: Some(expires_in),
            client_id: answer.text("client_id"),
            tenant: string(&owner, "tenant"),
            platform: string(&owner, "platform"),
            multitenant: multitenant.as_bool() == Some(true)
                || multitenant == JsValue::from_str("true"),
            domain: string(&owner, "domain"),
            identity_provider: string(&owner, "identityProvider"),
            identifier: string(&owner, "identifier"),
        })
    }

    /// Revokes both tokens of a finished session in the background (RFC 7009); a failure is
    /// an `error` event. Gives the revocations, which always fulfil.
    pub(super) fn revoke(&self, record: &TokenRecord) -> Vec<js_sys::Promise> {
        let mut revocations = Vec::new();
        let Some(url) = self.0.config.revoke_url() else {
            return revocations;
        };
        let tokens = [
            (record.refresh_token().map(|t| t.secret()), "refresh_token"),
            (Some(record.access_token().secret()), "access_token"),
        ];
        // Over a borrowed array: an owned one's iterator costs more code.
        for &(token, hint) in &tokens {
            let Some(token) = token else { continue };
            let params = [
                ("token", token),
                ("token_type_hint", hint),
                ("client_id", self.0.config.client_id().as_str()),
            ];
            // Built here, sent in the background: the task owns no copy of the URL or token.
            let (client, request) = (self.clone(), self.form_request(url.as_str(), &params));
            // The Promise always fulfils (a failure is an `error` event).
            revocations.push(run(Box::pin(async move {
                // One `RevokeFailed` for both failures: the parts of its `why` differ.
                let (text, close, status, cause) = match client.send_form(request).await {
                    Ok(answer) if answer.ok => return Ok(JsValue::UNDEFINED),
                    Ok(answer) => (
                        crate::text::decimal(u64::from(answer.status)),
                        ")",
                        Some(answer.status),
                        Cause::None,
                    ),
                    Err(thrown) => (message_of(&thrown), "", None, cause(thrown)),
                };
                let opening = if status.is_some() {
                    " failed (HTTP "
                } else {
                    " failed: "
                };
                client.0.events.emit_error(
                    ErrorKind::RevokeFailed {
                        why: cat(&[hint, opening, &text, close]),
                        status,
                        cause,
                    }
                    .into(),
                );
                Ok(JsValue::UNDEFINED)
            })));
        }
        revocations
    }

    fn token_url(&self, reason: &'static str) -> Result<&str> {
        match self.0.config.token_url() {
            Some(url) => Ok(url.as_str()),
            None => Err(Error::config("tokenUrl", reason)),
        }
    }

    /// A request to an OAuth endpoint: JSON accepted, no cookies, the configured timeout.
    /// A redirect would take the refresh token (or the secret, or the validated token in the
    /// query) to wherever it points: refused.
    fn endpoint(&self, url: &str, method: Method) -> RequestBuilder {
        let timeout = timeout_signal(self.0.config.timeout_ms());
        RequestBuilder::new(url)
            .method(method)
            .header("accept", "application/json")
            .credentials(RequestCredentials::Omit)
            .redirect(RequestRedirect::Error)
            // A page with `no-referrer` would send `Origin: null` on a same-origin POST, which
            // a relay on the portal's own origin must refuse; the origin alone is no secret.
            .referrer_policy(ReferrerPolicy::StrictOrigin)
            .abort_signal(timeout.as_ref())
    }

    /// POSTs `params` as a form, with client authentication when the client has a secret.
    /// `Err` only when no answer came (network error, timeout): what fetch threw. Not an
    /// `async fn`: the request is built at once and `send_form`'s future is the only one.
    fn post_form(
        &self,
        url: &str,
        params: &[(&str, &str)],
    ) -> impl std::future::Future<Output = Result<Answer, JsValue>> + '_ {
        self.send_form(self.form_request(url, params))
    }

    /// The request [`Client::post_form`] sends, and the secrets it carries.
    fn form_request(&self, url: &str, params: &[(&str, &str)]) -> Result<Outgoing, JsValue> {
        let form = UrlSearchParams::new()?;
        let mut secrets = Vec::new();
        // An index loop: smaller in the module than the slice iterator.
        let mut at = 0;
        while let Some(&(name, value)) = params.get(at) {
            form.append(name, value);
            if matches!(
                name,
                "password" | "refresh_token" | "code" | "code_verifier" | "token"
            ) {
                keep_secret(&mut secrets, value);
            }
            at += 1;
        }
        let config = &self.0.config;
        let mut request = self
            .endpoint(url, Method::POST)
            .header("content-type", "application/x-www-form-urlencoded");
        if let Some(secret) = config.client_secret() {
            let id = config.client_id().as_str();
            match config.client_auth() {
                ClientAuth::Body => {
                    form.set("client_id", id);
                    form.set("client_secret", secret.secret());
                }
                ClientAuth::Basic => {
                    let credentials = basic_credentials(id, secret.secret());
                    request = request.header("authorization", &credentials);
                    // Echoed, the header's base64 is the secret.
                    if let Some(encoded) = credentials.get(6..) {
                        secrets.push(encoded.to_owned());
                    }
                }
            }
            keep_secret(&mut secrets, secret.secret());
        }
        Ok((request.body(form).map_err(gloo_thrown)?, secrets))
    }

    /// Sends an OAuth endpoint request (unless building it failed) and reads its answer.
    async fn send_form(&self, request: Result<Outgoing, JsValue>) -> Result<Answer, JsValue> {
        let (request, secrets) = request?;
        // The request is a temporary: it is not kept across the body's await.
        let raw = send_raw(&request.into())
            .await
            .map_err(|thrown| super::thrown::scrubbed(&thrown, &secrets))?;
        let text = super::http::body_value(&raw).await;
        let read = text.is_some();
        let json = text.and_then(|text| parse_json(&text).ok().filter(JsValue::is_object));
        // An error quotes an answer's `error` and `error_description`. One that echoes the
        // request (a proxy's, a careless server's) is replaced whole, so that neither the
        // secret nor a word of a message it is part of shows. Searched once read: JSON's `\"`
        // and `\u00e4` would hide a secret with a quote or a letter beyond ASCII. OAuth's own
        // codes are not searched: a weak secret that is a word of `invalid_grant` must neither
        // change which error it names nor be given away by its replacement.
        if let Some(json) = &json {
            for key in ["error_description", "error"] {
                let Ok(value) = field(json, key).dyn_into::<js_sys::JsString>() else {
                    continue;
                };
                // A code's first characters only are copied into the module to judge it.
                if key == "error" && is_oauth_code(&String::from(value.slice(0, 32))) {
                    continue;
                }
                let hidden = super::thrown::hide_all(&value, &secrets);
                // Searched whole, then kept to 1000 characters (a hostile answer's megabytes
                // stay out of the module's memory and the error), as an API error's fields.
                let kept: JsValue = if hidden != value {
                    "[redacted: it quoted what was sent]".into()
                } else {
                    value.slice(0, 1000).into()
                };
                set_field(json, key, &kept);
            }
        }
        let status = super::http::status_of(&raw);
        let ok = super::http::is_ok(status);
        // Read only from an answer that is no success: one lookup fewer on every refresh.
        let retry_after = match ok {
            true => None,
            false => super::http::response_header(&raw, "retry-after")
                .and_then(|value| super::api::retry_after(&value, now_ms()))
                .map(|seconds| seconds.min(u64::from(u32::MAX)) as u32),
        };
        Ok(Answer {
            status,
            ok,
            json: json.unwrap_or_default(),
            read,
            retry_after,
        })
    }
}

/// `refresh_failed` for a refresh that was not sent, for the reason `why` (and the seconds
/// left of a `Retry-After` it waits out).
pub(super) fn refresh_failed_because(why: &str, retry_after: Option<u32>) -> Error {
    ErrorKind::RefreshFailed {
        why: why.into(),
        status: None,
        oauth: OAuthError::default(),
        retry_after,
        cause: Cause::None,
    }
    .into()
}

/// `refresh_failed` for a refresh token the token endpoint refused (`invalid_grant`) while the
/// access token lasts, which the session keeps.
pub(super) fn refresh_refused(status: Option<u16>, oauth: OAuthError) -> Error {
    ErrorKind::RefreshFailed {
        why: "the refresh token was refused (invalid_grant: expired, revoked, or used \
              already) and is dropped; the session keeps its access token until it expires, \
              then sign in again"
            .into(),
        status,
        oauth,
        retry_after: None,
        cause: Cause::None,
    }
    .into()
}

/// OAuth's registered error codes (RFC 6749 §4.1.2.1 and §5.2, RFC 6750 §3.1, RFC 7009
/// §2.2.1), one text: a comparison per word, no table of slices.
const OAUTH_CODES: &str = "invalid_request invalid_client invalid_grant unauthorized_client \
                           unsupported_grant_type invalid_scope access_denied \
                           unsupported_response_type server_error temporarily_unavailable \
                           invalid_token insufficient_scope unsupported_token_type";

/// Whether `code` is one of [`OAUTH_CODES`].
fn is_oauth_code(code: &str) -> bool {
    OAUTH_CODES.split(' ').any(|known| known == code)
}

/// The record to store from a token answer; without a new refresh token the previous one is
/// kept (RFC 6749 §6), and without a scope (Tangoe's token endpoint names none) it has `scope`:
/// a refresh's previous one (it asks for the same), a grant's requested one (§5.1). In an
/// `Rc`: 4 bytes rather than 48 through the grant futures.
fn token_record(
    answer: &Answer,
    previous: Option<&TokenRecord>,
    scope: Option<&str>,
) -> Result<Rc<TokenRecord>> {
    let text = |key| answer.text(key);
    let refresh = text("refresh_token");
    let previous_refresh = previous.and_then(TokenRecord::refresh_token);
    let expires_in = field(&answer.json, "expires_in");
    TokenRecord::from_response(
        text("access_token").as_deref(),
        text("token_type").as_deref(),
        expires_in
            .as_f64()
            .and_then(seconds_from_number)
            .or_else(|| {
                // Digits in a string (`"7199"`), as some gateways send it: read as the redirect's
                // value is, rather than lose the refresh token the answer rotated in. Short only:
                // a hostile answer's megabytes stay out of the module's memory.
                let text = expires_in.dyn_ref::<js_sys::JsString>()?;
                (text.length() <= 64)
                    .then(|| String::from(text))
                    .as_deref()
                    .and_then(crate::token::seconds_from_text)
            }),
        refresh
            .as_deref()
            .or(previous_refresh.map(|token| token.secret())),
        // A scope that is no scope (empty, malformed) is as none: the fallback, not `null`.
        text("scope")
            .as_deref()
            .filter(|s| crate::token::is_scope(s))
            .or(scope),
        now_ms(),
    )
    // A refresh continues its session (one stored before ids stays without: two tabs
    // refreshing it apart would give one grant two ids); a grant starts one.
    .map(|record| {
        Rc::new(match previous {
            Some(previous) => record
                .in_session(previous.session_id().cloned())
                // None after a record without a count (another tab's older version): then
                // ordered by expiry, as that one is, rather than restarting at 1.
                .with_refreshes(previous.refreshes().and_then(|n| n.checked_add(1))),
            None => record.in_session(new_session_id()),
        })
    })
    .map_err(|why| ErrorKind::InvalidTokenResponse(why.into()).into())
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = AbortSignal, js_name = timeout)]
    fn abort_signal_timeout(ms: u32) -> Result<AbortSignal, JsValue>;
}

/// A signal that aborts after `ms`: `AbortSignal.timeout`, or an `AbortController` and a timer
/// where that is missing (Safari before 16, Chrome before 103).
fn timeout_signal(ms: u32) -> Option<AbortSignal> {
    if let Ok(signal) = abort_signal_timeout(ms) {
        return Some(signal);
    }
    let controller = web_sys::AbortController::new().ok()?;
    let signal: AbortSignal = field(&controller, "signal").unchecked_into();
    // `controller.abort` bound to it: a timer callback without a Rust closure.
    let abort: js_sys::Function = field(&controller, "abort").dyn_into().ok()?;
    unref(&set_timeout(&abort.bind0(&controller), f64::from(ms)));
    Some(signal)
}

fn network_error(thrown: JsValue) -> Error {
    Error::network(&message_of(&thrown), cause(thrown))
}

/// What JavaScript threw while gloo-net built a request, as its `toString()` would say it
/// (`name: message`), without the formatting machinery `to_string` pulls in.
fn gloo_thrown(error: gloo_net::Error) -> JsValue {
    let text = match &error {
        gloo_net::Error::JsError(js) if js.message.is_empty() => js.name.clone(),
        gloo_net::Error::JsError(js) if js.name.is_empty() => js.message.clone(),
        gloo_net::Error::JsError(js) => cat(&[&js.name, ": ", &js.message]),
        gloo_net::Error::GlooError(text) => text.clone(),
    };
    JsValue::from_str(&text)
}

fn gloo_error(_: gloo_net::Error) -> Error {
    Error::network("the request could not be built", Cause::None)
}
