//! Validated configuration: every value checked once, up front, with the field named on error.

use crate::prelude::*;

use crate::context::Context;
use crate::error::{Error, Result};
use crate::secret::ClientSecret;
use crate::text::{cat, decimal, every_byte};
use crate::url::HttpUrl;
use core::fmt;

/// The OAuth `client_id`, also sent as the `client_id` header.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientId(String);

/// The Tangoe tenant code, sent as `X-TNGO-TENANT`.
#[derive(Clone, PartialEq, Eq)]
pub struct Tenant(String);

/// A space-separated OAuth scope (RFC 6749 §3.3).
#[derive(Clone, PartialEq, Eq)]
pub struct Scope(String);

/// The sessionStorage key of the token record.
#[derive(Clone, PartialEq, Eq)]
pub struct StorageKey(String);

macro_rules! string_newtype {
    ($($name:ident),*) => {$(
        impl $name {
            /// The value as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }
    )*};
}
string_newtype!(ClientId, Tenant, Scope, StorageKey);

/// The default scope of the MOBPROC API.
pub const DEFAULT_SCOPE: &str = "MOBPROC";

/// Configuration as the caller gives it, before validation. Field names follow the JavaScript
/// config (`clientId` is `client_id`, …). Its `Debug` prints the secret as `[redacted]`.
#[derive(Clone, Default, PartialEq)]
pub struct Config {
    /// OAuth client id; required.
    pub client_id: String,
    /// Tenant code; required.
    pub tenant: String,
    /// Base URL of the MOBPROC API, e.g. `https://tngo-mobproc.cloudhub.io/mobproc/v1`; required.
    pub api_base_url: String,
    /// PingFederate's `/as/authorization.oauth2`; required for sign-in.
    pub authorize_url: Option<String>,
    /// Where the authorization server sends the browser back; required for sign-in.
    pub redirect_uri: Option<String>,
    /// Defaults to [`DEFAULT_SCOPE`].
    pub scope: Option<String>,
    /// Extra origins that may receive the token; the origin of `api_base_url` always may.
    pub allowed_origins: Vec<String>,
    /// Defaults to `mobproc-auth:<clientId>:<tenant>`.
    pub storage_key: Option<String>,
    /// PingFederate's `/as/token.oauth2`: enables refresh, the password grant and validation.
    pub token_url: Option<String>,
    /// Tangoe's token validator service (`GET …?access_token=`).
    pub validate_url: Option<String>,
    /// The RFC 7009 revocation endpoint, used by sign-out when set.
    pub revoke_url: Option<String>,
    /// A confidential client's secret: server-side JavaScript only.
    pub client_secret: Option<String>,
    /// How the secret is sent to the token endpoint; default HTTP Basic.
    pub client_auth: ClientAuth,
    /// Refresh before a call when the token expires within this many seconds (0 to 86400);
    /// `None` is 60.
    pub refresh_skew_seconds: Option<u32>,
    /// Abort token, validation and revocation calls after this many ms (1 to 600000); `None`
    /// is 30000.
    pub timeout_ms: Option<u32>,
    /// On whose behalf, and in which hierarchy, every call acts.
    pub context: Context,
    /// `X-TNGO-CONTEXT-ACTIVITYID` on every call.
    pub activity_id: Option<String>,
    /// The grant of `login`: the implicit grant (Tangoe's documented one) or the code grant
    /// with PKCE, which needs `token_url`.
    pub response_type: ResponseType,
    /// Share the session with the other tabs of this origin, client and tenant (over
    /// BroadcastChannel, never localStorage) and refresh once for all of them; `None` is `true`.
    /// A new client takes an open tab's session only when made with `Client::connect`.
    pub share_session_across_tabs: Option<bool>,
}

/// How the sign-in's answer comes back (RFC 6749 §4.2 or §4.1 with RFC 7636).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ResponseType {
    /// `response_type=token`: the token in the URL fragment (the default).
    #[default]
    Token,
    /// `response_type=code`: a one-time code in the query, exchanged with the PKCE verifier.
    Code,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secret = self.client_secret.as_ref().map(|_| "[redacted]");
        f.debug_struct("Config")
            .field("client_id", &self.client_id)
            .field("tenant", &self.tenant)
            .field("api_base_url", &self.api_base_url)
            .field("authorize_url", &self.authorize_url)
            .field("redirect_uri", &self.redirect_uri)
            .field("scope", &self.scope)
            .field("allowed_origins", &self.allowed_origins)
            .field("storage_key", &self.storage_key)
            .field("token_url", &self.token_url)
            .field("validate_url", &self.validate_url)
            .field("revoke_url", &self.revoke_url)
            .field("client_secret", &secret)
            .field("client_auth", &self.client_auth)
            .field("refresh_skew_seconds", &self.refresh_skew_seconds)
            .field("timeout_ms", &self.timeout_ms)
            .field("context", &self.context)
            .field("activity_id", &self.activity_id)
            .field("response_type", &self.response_type)
            .field("share_session_across_tabs", &self.share_session_across_tabs)
            .finish()
    }
}

/// How a confidential client authenticates at the token endpoint (RFC 6749 §2.3.1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ClientAuth {
    /// `Authorization: Basic …` (the default).
    #[default]
    Basic,
    /// `client_id` and `client_secret` as form parameters.
    Body,
}

/// Validated configuration.
#[derive(Clone, Debug)]
pub struct ValidConfig {
    client_id: ClientId,
    tenant: Tenant,
    api_base: HttpUrl,
    authorize_url: Option<HttpUrl>,
    redirect_uri: Option<HttpUrl>,
    scope: Scope,
    allowed_origins: Vec<String>,
    storage_key: StorageKey,
    token_url: Option<HttpUrl>,
    validate_url: Option<HttpUrl>,
    revoke_url: Option<HttpUrl>,
    client_secret: Option<ClientSecret>,
    client_auth: ClientAuth,
    refresh_skew_ms: u64,
    timeout_ms: u32,
    context: Context,
    activity_id: Option<String>,
    response_type: ResponseType,
    share_session_across_tabs: bool,
}

impl ValidConfig {
    /// Validates `raw`; the error names the first bad field.
    pub fn new(raw: &Config) -> Result<Self> {
        // Check everything while only borrowing, then build: an error then has almost nothing
        // owned to drop, which keeps this function small.
        check(raw)?;
        // Checked above, so this parse does not fail: the URL is parsed here rather than
        // handed out of `check` (a 32-byte result through each `?`).
        // A match rather than `map_err` and `?`: the URL is moved out of one `Result`, not
        // two.
        let api_base = match HttpUrl::parse(&raw.api_base_url) {
            Ok(url) => url,
            Err(e) => return Err(Error::config("apiBaseUrl", e.0)),
        };
        // Checked above: from here on nothing fails.
        let mut allowed_origins = Vec::new();
        add_origin(&mut allowed_origins, &raw.api_base_url);
        let mut at = 0;
        while let Some(origin) = raw.allowed_origins.get(at) {
            at += 1;
            add_origin(&mut allowed_origins, origin);
        }
        let storage_key = match &raw.storage_key {
            Some(key) => key.clone(),
            None => cat(&["mobproc-auth:", &raw.client_id, ":", &raw.tenant]),
        };
        let mut valid = ValidConfig {
            client_id: ClientId(raw.client_id.clone()),
            tenant: Tenant(raw.tenant.clone()),
            authorize_url: None,
            redirect_uri: None,
            api_base,
            scope: Scope(raw.scope.as_deref().unwrap_or(DEFAULT_SCOPE).to_owned()),
            allowed_origins,
            storage_key: StorageKey(storage_key),
            token_url: None,
            validate_url: None,
            revoke_url: None,
            client_secret: raw.client_secret.as_deref().map(ClientSecret::new),
            client_auth: raw.client_auth,
            refresh_skew_ms: u64::from(raw.refresh_skew_seconds.unwrap_or(60)) * 1000,
            timeout_ms: raw.timeout_ms.unwrap_or(30_000),
            context: raw.context.clone(),
            activity_id: raw.activity_id.clone(),
            response_type: raw.response_type,
            share_session_across_tabs: raw.share_session_across_tabs.unwrap_or(true),
        };
        // Parsed into their fields: no 32-byte `Option<HttpUrl>` copied into the struct.
        parse_into(&raw.authorize_url, &mut valid.authorize_url);
        parse_into(&raw.redirect_uri, &mut valid.redirect_uri);
        parse_into(&raw.token_url, &mut valid.token_url);
        parse_into(&raw.validate_url, &mut valid.validate_url);
        parse_into(&raw.revoke_url, &mut valid.revoke_url);
        Ok(valid)
    }

    /// The token endpoint: refresh, the password grant, validation.
    pub fn token_url(&self) -> Option<&HttpUrl> {
        self.token_url.as_ref()
    }
    /// Tangoe's validator service.
    pub fn validate_url(&self) -> Option<&HttpUrl> {
        self.validate_url.as_ref()
    }
    /// The RFC 7009 revocation endpoint.
    pub fn revoke_url(&self) -> Option<&HttpUrl> {
        self.revoke_url.as_ref()
    }
    /// A confidential client's secret (server-side JavaScript only).
    pub fn client_secret(&self) -> Option<&ClientSecret> {
        self.client_secret.as_ref()
    }
    /// How the secret is sent.
    pub fn client_auth(&self) -> ClientAuth {
        self.client_auth
    }
    /// How long before expiry a call refreshes first, in ms.
    pub fn refresh_skew_ms(&self) -> u64 {
        self.refresh_skew_ms
    }
    /// The timeout of token, validation and revocation calls, in ms.
    pub fn timeout_ms(&self) -> u32 {
        self.timeout_ms
    }
    /// The context the client starts with.
    pub fn context(&self) -> &Context {
        &self.context
    }
    /// The activity id the client starts with.
    pub fn activity_id(&self) -> Option<&str> {
        self.activity_id.as_deref()
    }
    /// The grant `login` uses.
    pub fn response_type(&self) -> ResponseType {
        self.response_type
    }
    /// Whether the session is shared with (and refreshed once for) the other tabs.
    pub fn shares_session_across_tabs(&self) -> bool {
        self.share_session_across_tabs
    }

    /// The OAuth client id.
    pub fn client_id(&self) -> &ClientId {
        &self.client_id
    }
    /// The tenant code.
    pub fn tenant(&self) -> &Tenant {
        &self.tenant
    }
    /// The API base URL.
    pub fn api_base(&self) -> &HttpUrl {
        &self.api_base
    }
    /// The authorization endpoint, if sign-in is configured.
    pub fn authorize_url(&self) -> Option<&HttpUrl> {
        self.authorize_url.as_ref()
    }
    /// The redirect URI, if sign-in is configured.
    pub fn redirect_uri(&self) -> Option<&HttpUrl> {
        self.redirect_uri.as_ref()
    }
    /// The requested scope.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
    /// The storage key of the token record.
    pub fn storage_key(&self) -> &StorageKey {
        &self.storage_key
    }
    /// The origins that may receive the token, the API's first, each as `URL.origin` prints it.
    pub fn allowed_origins(&self) -> &[String] {
        &self.allowed_origins
    }
    /// True when `origin` (a serialised origin from the browser's URL parser) may receive the
    /// token and the Tangoe headers. Exact comparison: no wildcards, no suffix matching.
    pub fn is_allowed_origin(&self, origin: &str) -> bool {
        has_origin(&self.allowed_origins, origin)
    }
}

/// Adds the origin of `url` (checked, so it parses) to `list` unless it is there: the parsed
/// URL stays in here, not copied out to the caller.
fn add_origin(list: &mut Vec<String>, url: &str) {
    // Borrowed inside the `Result`: the URL is not moved out of it.
    if let Ok(url) = &HttpUrl::parse(url) {
        let origin = url.origin();
        if !has_origin(list, origin) {
            list.push(origin.to_owned());
        }
    }
}

/// Whether `list` holds `origin`: one loop for building the list and for checking against it.
fn has_origin(list: &[String], origin: &str) -> bool {
    list.iter().any(|o| o == origin)
}

/// Every rule, in field order.
fn check(raw: &Config) -> Result<()> {
    header_value("clientId", &raw.client_id)?;
    header_value("tenant", &raw.tenant)?;
    if let Some(why) = url_fault(&raw.api_base_url, 1, "must not have a query or fragment") {
        return Err(Error::config("apiBaseUrl", why));
    }
    // RFC 6749 §3.1.2: the redirection endpoint URI MUST NOT include a fragment; nor may
    // the endpoints we add parameters to.
    let urls = [
        ("authorizeUrl", &raw.authorize_url),
        ("redirectUri", &raw.redirect_uri),
        ("tokenUrl", &raw.token_url),
        ("validateUrl", &raw.validate_url),
        ("revokeUrl", &raw.revoke_url),
    ];
    // An index loop: smaller in the module than the array's iterator.
    let mut at = 0;
    while let Some((field, url)) = urls.get(at) {
        at += 1;
        let Some(url) = url else { continue };
        if let Some(why) = url_fault(url, 0, "must not have a fragment") {
            return Err(Error::config(field, why));
        }
    }
    if let Some(scope) = &raw.scope {
        scope_value(scope)?;
    }
    // An index loop: smaller in the module than the slice iterator and `enumerate`.
    let mut i = 0;
    while let Some(origin) = raw.allowed_origins.get(i) {
        i += 1;
        let only = "must be an origin only (scheme, host and port, no path)";
        if let Some(why) = url_fault(origin, 2, only) {
            return Err(origin_invalid(i - 1, why));
        }
    }
    if let Some(secret) = &raw.client_secret {
        // Checked like a header value, never echoed: it goes into HTTP Basic or a form body.
        header_value("clientSecret", secret)?;
    }
    if raw
        .storage_key
        .as_ref()
        .is_some_and(|k| k.is_empty() || k.len() > 200)
    {
        return Err(Error::config("storageKey", "must be 1 to 200 characters"));
    }
    if raw.refresh_skew_seconds.is_some_and(|s| s > 86_400) {
        return Err(Error::config(
            "refreshSkewSeconds",
            "must be an integer from 0 to 86400",
        ));
    }
    // 0 is refused rather than read as "no limit" or as the default: either guess would be wrong.
    if raw.timeout_ms.is_some_and(|ms| ms == 0 || ms > 600_000) {
        return Err(Error::config(
            "timeoutMs",
            "must be an integer from 1 to 600000",
        ));
    }
    if raw.response_type == ResponseType::Code && raw.token_url.is_none() {
        return Err(Error::config(
            "tokenUrl",
            "is required with responseType \"code\" (the code is exchanged there)",
        ));
    }
    raw.context.check("context.")?;
    if let Some(id) = &raw.activity_id {
        crate::context::check_value("", "activityId", id)?;
    }
    Ok(())
}

/// `config_invalid` of `allowedOrigins[i]`: one builder for the core's check and the npm
/// binding's type check.
pub(crate) fn origin_invalid(i: usize, why: &'static str) -> Error {
    Error::config(&origin_field(i), why)
}

/// `allowedOrigins[i]`, the name errors give the entry.
pub(crate) fn origin_field(i: usize) -> String {
    cat(&["allowedOrigins[", &decimal(i as u64), "]"])
}

/// An optional URL already checked (so it parses), into `slot`: one function for the five
/// of them.
fn parse_into(url: &Option<String>, slot: &mut Option<HttpUrl>) {
    if let Some(url) = url {
        *slot = HttpUrl::parse(url).ok();
    }
}

/// Why `value` is not an https URL (or http on a loopback host) without a fragment, nor
/// (`strict` 1) a query, nor (`strict` 2) a path; `broken` is the why of the last two. Only
/// the why comes out: no parsed URL is moved to the callers.
fn url_fault(value: &str, strict: u8, broken: &'static str) -> Option<&'static str> {
    // Looked at where the parse left it: the URL is not moved out of the `Result`.
    let parsed = HttpUrl::parse(value);
    let url = match &parsed {
        Ok(url) => url,
        Err(e) => return Some(e.0),
    };
    if !url.is_https() && !url.is_loopback() {
        return Some(
            "must use https (plain http is allowed only for 127.0.0.1, localhost and [::1])",
        );
    }
    let bad = url.fragment().is_some()
        || (strict > 0 && url.query().is_some())
        || (strict > 1 && url.path() != "/");
    bad.then_some(broken)
}

/// A value that goes into an HTTP header: visible ASCII, no spaces, CR or LF.
fn header_value(field: &str, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(Error::config(field, "is required and must not be empty"));
    }
    if value.len() > 256 {
        return Err(Error::config(field, "must be at most 256 characters"));
    }
    if !every_byte(value, |b| b.is_ascii_graphic()) {
        return Err(Error::config(
            field,
            "must be visible ASCII without spaces or control characters",
        ));
    }
    Ok(())
}

fn scope_value(value: &str) -> Result<()> {
    // RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), separated by single spaces.
    let ok = value.len() <= 1024 && crate::token::scope_tokens(value);
    if ok {
        Ok(())
    } else {
        Err(Error::config(
            "scope",
            "must be space-separated scope tokens (RFC 6749 §3.3), e.g. \"MOBPROC\"",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    pub(crate) fn raw() -> Config {
        Config {
            client_id: "portal-demo".into(),
            tenant: "XYZ".into(),
            api_base_url: "https://tngo-mobproc.cloudhub.io/mobproc/v1".into(),
            authorize_url: Some("https://oauth.tangoe.com/as/authorization.oauth2".into()),
            redirect_uri: Some("https://portal.example.com/callback".into()),
            ..Config::default()
        }
    }

    fn field_of(raw: Config) -> String {
        match ValidConfig::new(&raw).map_err(Error::into_kind) {
            Err(ErrorKind::ConfigInvalid { field, .. }) => field,
            other => panic!("expected config_invalid, got {other:?}"),
        }
    }

    #[test]
    fn defaults() {
        let c = ValidConfig::new(&raw()).unwrap();
        assert_eq!(c.scope().as_str(), "MOBPROC");
        assert_eq!(c.storage_key().as_str(), "mobproc-auth:portal-demo:XYZ");
        assert_eq!(c.allowed_origins(), ["https://tngo-mobproc.cloudhub.io"]);
        assert!(c.is_allowed_origin("https://tngo-mobproc.cloudhub.io"));
        assert!(!c.is_allowed_origin("https://tngo-mobproc.cloudhub.io.evil.example"));
        assert!(!c.is_allowed_origin("http://tngo-mobproc.cloudhub.io"));
        // The documented defaults (README, "Configuration").
        assert_eq!(c.timeout_ms(), 30_000);
        assert_eq!(c.refresh_skew_ms(), 60_000);
        assert_eq!(c.client_auth(), ClientAuth::Basic);
    }

    #[test]
    fn debug_redacts_the_secret() {
        let printed = format!(
            "{:?}",
            Config {
                client_secret: Some("s3cr3t".into()),
                ..raw()
            }
        );
        assert!(
            printed.contains("[redacted]") && !printed.contains("s3cr3t"),
            "{printed}"
        );
    }

    #[test]
    fn names_the_bad_field() {
        let cases: Vec<(Config, &str)> = vec![
            (
                Config {
                    client_id: "".into(),
                    ..raw()
                },
                "clientId",
            ),
            (
                Config {
                    refresh_skew_seconds: Some(86_401),
                    ..raw()
                },
                "refreshSkewSeconds",
            ),
            (
                Config {
                    timeout_ms: Some(600_001),
                    ..raw()
                },
                "timeoutMs",
            ),
            (
                Config {
                    timeout_ms: Some(0),
                    ..raw()
                },
                "timeoutMs",
            ),
            (
                Config {
                    context: Context {
                        hierarchy_id: Some("a\r\nb".into()),
                        ..Context::default()
                    },
                    ..raw()
                },
                "context.hierarchyId",
            ),
            (
                Config {
                    activity_id: Some("".into()),
                    ..raw()
                },
                "activityId",
            ),
            (
                Config {
                    client_id: "a b".into(),
                    ..raw()
                },
                "clientId",
            ),
            (
                Config {
                    tenant: "X\r\nY".into(),
                    ..raw()
                },
                "tenant",
            ),
            (
                Config {
                    api_base_url: "http://api.example.com/v1".into(),
                    ..raw()
                },
                "apiBaseUrl",
            ),
            (
                Config {
                    api_base_url: "/mobproc/v1".into(),
                    ..raw()
                },
                "apiBaseUrl",
            ),
            (
                Config {
                    api_base_url: "https://a.example/v1?x=1".into(),
                    ..raw()
                },
                "apiBaseUrl",
            ),
            (
                Config {
                    authorize_url: Some("ftp://x".into()),
                    ..raw()
                },
                "authorizeUrl",
            ),
            (
                Config {
                    redirect_uri: Some("https://p.example/cb#x".into()),
                    ..raw()
                },
                "redirectUri",
            ),
            (
                Config {
                    scope: Some("".into()),
                    ..raw()
                },
                "scope",
            ),
            (
                Config {
                    response_type: ResponseType::Code,
                    ..raw()
                },
                "tokenUrl",
            ),
            (
                Config {
                    scope: Some("A  B".into()),
                    ..raw()
                },
                "scope",
            ),
            (
                Config {
                    allowed_origins: vec![
                        "https://ok.example".into(),
                        "https://x.example/path".into(),
                    ],
                    ..raw()
                },
                "allowedOrigins[1]",
            ),
            (
                Config {
                    allowed_origins: vec!["http://files.example".into()],
                    ..raw()
                },
                "allowedOrigins[0]",
            ),
            (
                Config {
                    storage_key: Some("".into()),
                    ..raw()
                },
                "storageKey",
            ),
            (
                Config {
                    token_url: Some("http://oauth.example/as/token.oauth2".into()),
                    ..raw()
                },
                "tokenUrl",
            ),
            (
                Config {
                    validate_url: Some("https://v.example/x#f".into()),
                    ..raw()
                },
                "validateUrl",
            ),
            (
                Config {
                    revoke_url: Some("revoke".into()),
                    ..raw()
                },
                "revokeUrl",
            ),
            (
                Config {
                    client_secret: Some("se cret".into()),
                    ..raw()
                },
                "clientSecret",
            ),
        ];
        for (raw, field) in cases {
            assert_eq!(field_of(raw), field);
        }
    }

    #[test]
    fn loopback_http_and_extra_origins() {
        let c = ValidConfig::new(&Config {
            api_base_url: "http://127.0.0.1:8081/mobproc/v1".into(),
            allowed_origins: vec![
                "https://FILES.example:443/".into(),
                "http://localhost:9000".into(),
            ],
            scope: Some("MOBPROC openid".into()),
            storage_key: Some("my-key".into()),
            ..raw()
        })
        .unwrap();
        assert_eq!(
            c.allowed_origins(),
            [
                "http://127.0.0.1:8081",
                "https://files.example",
                "http://localhost:9000"
            ]
        );
        assert_eq!(c.storage_key().as_str(), "my-key");
        assert_eq!(c.scope().as_str(), "MOBPROC openid");
    }
}
