//! The relay's settings, checked once when they are built: a running relay never meets a
//! bad URL, origin or secret.

use std::fmt;
use std::time::Duration;

use crate::secret::Secret;
use crate::values::{self, UpstreamUrl};

/// How the relay authenticates its client to Tangoe's token and revocation endpoints.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ClientAuth {
    /// HTTP Basic with the form-encoded id and secret (RFC 6749 §2.3.1), the default.
    #[default]
    Basic,
    /// `client_id` and `client_secret` form fields in the body.
    Body,
    /// Every parameter in the query string of the POST, as Tangoe's pages show it. The
    /// secret and tokens then land in upstream access logs: use it only if Tangoe needs it.
    Query,
}

impl ClientAuth {
    /// `basic`, `body` or `query`.
    pub fn parse(value: &str) -> Option<ClientAuth> {
        match value {
            "basic" => Some(ClientAuth::Basic),
            "body" => Some(ClientAuth::Body),
            "query" => Some(ClientAuth::Query),
            _ => None,
        }
    }
}

/// A setting refused at start-up, with the name an operator would search for (the flag or
/// the environment variable).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// `--token-url`, `MOBPROC_RELAY_CLIENT_SECRET`…
    pub setting: String,
    /// Why the value was refused; never quotes the secret.
    pub reason: String,
}

impl ConfigError {
    pub(crate) fn new(setting: &str, reason: impl Into<String>) -> ConfigError {
        ConfigError {
            setting: setting.to_string(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.setting, self.reason)
    }
}

impl std::error::Error for ConfigError {}

/// What the relay does: where Tangoe is, which client it speaks for and which portal
/// origins may use it. Build it with [`RelayConfig::new`] and the `with_*` methods.
#[derive(Clone, Debug)]
pub struct RelayConfig {
    pub(crate) token_url: UpstreamUrl,
    pub(crate) revoke_url: Option<UpstreamUrl>,
    pub(crate) client_id: String,
    pub(crate) client_secret: Secret,
    pub(crate) allow_origins: Vec<String>,
    pub(crate) client_auth: ClientAuth,
    pub(crate) timeout: Duration,
    pub(crate) log: bool,
}

impl RelayConfig {
    /// Upstream time limit when none is set: well under a browser's patience.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

    /// Settings for Tangoe's `token_url`, the confidential client `client_id`/`client_secret`
    /// and the portal origins allowed to call the relay. Errors name the matching flag.
    pub fn new(
        token_url: &str,
        client_id: &str,
        client_secret: &str,
        allow_origins: &[&str],
    ) -> Result<RelayConfig, ConfigError> {
        let token_url =
            values::upstream_url(token_url).map_err(|e| ConfigError::new("--token-url", e))?;
        let client_id =
            values::client_id(client_id).map_err(|e| ConfigError::new("--client-id", e))?;
        let client_secret = values::secret(client_secret)
            .map_err(|e| ConfigError::new(crate::cli::SECRET_VAR, e))?;
        if allow_origins.is_empty() {
            let why = "at least one portal origin is required (e.g. https://portal.example.com)";
            return Err(ConfigError::new("--allow-origin", why));
        }
        let allow_origins = allow_origins
            .iter()
            .map(|o| values::origin(o).map_err(|e| ConfigError::new("--allow-origin", e)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(RelayConfig {
            token_url,
            revoke_url: None,
            client_id,
            client_secret,
            allow_origins,
            client_auth: ClientAuth::default(),
            timeout: RelayConfig::DEFAULT_TIMEOUT,
            log: true,
        })
    }

    /// Enables `POST /revoke`, forwarded to Tangoe's revocation `url`.
    pub fn with_revoke_url(mut self, url: &str) -> Result<RelayConfig, ConfigError> {
        let url = values::upstream_url(url).map_err(|e| ConfigError::new("--revoke-url", e))?;
        self.revoke_url = Some(url);
        Ok(self)
    }

    /// How the client authenticates to Tangoe (default [`ClientAuth::Basic`]).
    pub fn with_client_auth(mut self, auth: ClientAuth) -> RelayConfig {
        self.client_auth = auth;
        self
    }

    /// The limit on each wait: a caller's request head and body, and each upstream call,
    /// connection to last byte.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The limit on each wait: a caller's request head ([`crate::serve::serve`]) and body,
    /// and each upstream call, connection to last byte (1 ms to 10 minutes).
    pub fn with_timeout(mut self, timeout: Duration) -> Result<RelayConfig, ConfigError> {
        let ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
        if !(1..=values::MAX_TIMEOUT_MS).contains(&ms) {
            let why = format!("must be from 1 to {} milliseconds", values::MAX_TIMEOUT_MS);
            return Err(ConfigError::new("--timeout-ms", why));
        }
        self.timeout = timeout;
        Ok(self)
    }

    /// Whether to write one line per request to stderr (on by default; an embedding server
    /// with its own access log, or a test, turns it off).
    pub fn with_log(mut self, on: bool) -> RelayConfig {
        self.log = on;
        self
    }

    /// The client id the relay speaks for.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn ok() -> RelayConfig {
        RelayConfig::new("https://h/t", "portal", "s", &["https://p.example"]).unwrap()
    }

    #[test]
    fn each_error_names_its_setting() {
        let e = |r: Result<RelayConfig, ConfigError>| r.map(|_| ()).unwrap_err().setting;
        let o = ["https://p.example"];
        assert_eq!(
            e(RelayConfig::new("http://h/t", "c", "s", &o)),
            "--token-url"
        );
        assert_eq!(
            e(RelayConfig::new("https://h/t", "", "s", &o)),
            "--client-id"
        );
        assert_eq!(
            e(RelayConfig::new("https://h/t", "c", "", &o)),
            "MOBPROC_RELAY_CLIENT_SECRET"
        );
        assert_eq!(
            e(RelayConfig::new("https://h/t", "c", "s", &[])),
            "--allow-origin"
        );
        assert_eq!(
            e(RelayConfig::new("https://h/t", "c", "s", &["https://p/"])),
            "--allow-origin"
        );
        assert_eq!(e(ok().with_revoke_url("nope")), "--revoke-url");
        assert_eq!(e(ok().with_timeout(Duration::ZERO)), "--timeout-ms");
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let c = RelayConfig::new("https://h/t", "portal", "the-secret-value", &["https://p"]);
        let text = format!("{:?}", c.unwrap());
        assert!(!text.contains("the-secret-value"), "{text}");
        assert!(text.contains("portal"));
    }

    #[test]
    fn defaults() {
        let c = ok();
        assert_eq!(c.client_auth, ClientAuth::Basic);
        assert_eq!(c.timeout, Duration::from_secs(10));
        assert!(c.revoke_url.is_none());
        assert!(c.log);
        assert_eq!(ClientAuth::parse("query"), Some(ClientAuth::Query));
        assert_eq!(ClientAuth::parse("Basic"), None);
    }
}
