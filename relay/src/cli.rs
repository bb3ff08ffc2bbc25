//! The command line: flags and the secret's environment variable, into a [`Launch`].

use std::ffi::OsString;
use std::net::SocketAddr;
use std::time::Duration;

use crate::config::{ClientAuth, ConfigError, RelayConfig};
use crate::values;

/// The only place the client secret is read from (a flag would show in `ps`).
pub const SECRET_VAR: &str = "MOBPROC_RELAY_CLIENT_SECRET";

/// A relay ready to bind.
#[derive(Debug)]
pub struct Launch {
    /// Where to serve.
    pub listen: SocketAddr,
    /// What to serve.
    pub config: RelayConfig,
}

/// What the command line asked for.
#[derive(Debug)]
pub enum Command {
    /// Serve.
    Run(Launch),
    /// Print [`crate::usage::USAGE`] and exit.
    Help,
}

/// Flag values as given, before they are checked.
#[derive(Default)]
struct Raw {
    listen: Option<String>,
    token_url: Option<String>,
    client_id: Option<String>,
    origins: Vec<String>,
    revoke_url: Option<String>,
    client_auth: Option<String>,
    timeout_ms: Option<String>,
}

fn once(slot: &mut Option<String>, flag: &str, value: String) -> Result<(), ConfigError> {
    if slot.is_some() {
        return Err(ConfigError::new(flag, "given twice"));
    }
    *slot = Some(value);
    Ok(())
}

fn read_flags(args: impl IntoIterator<Item = String>) -> Result<Option<Raw>, ConfigError> {
    let mut raw = Raw::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "--help" || arg == "-h" {
            return Ok(None);
        }
        // Never echo an argument that is not a flag: it could be a pasted secret.
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ if arg.starts_with("--") => (arg, None),
            _ => {
                return Err(ConfigError::new(
                    "arguments",
                    "unexpected value (flags start with --)",
                ))
            }
        };
        if matches!(flag.as_str(), "--client-secret" | "--secret") {
            let why = format!(
                "is not a flag: the secret is read only from {SECRET_VAR}, so it never shows in ps"
            );
            return Err(ConfigError::new(&flag, why));
        }
        const KNOWN: [&str; 7] = [
            "--listen",
            "--token-url",
            "--client-id",
            "--allow-origin",
            "--revoke-url",
            "--client-auth",
            "--timeout-ms",
        ];
        if !KNOWN.contains(&flag.as_str()) {
            return Err(ConfigError::new(&flag, "unknown flag (see --help)"));
        }
        let value = inline
            .or_else(|| args.next())
            .ok_or_else(|| ConfigError::new(&flag, "needs a value"))?;
        let slot = match flag.as_str() {
            "--listen" => &mut raw.listen,
            "--token-url" => &mut raw.token_url,
            "--client-id" => &mut raw.client_id,
            "--revoke-url" => &mut raw.revoke_url,
            "--client-auth" => &mut raw.client_auth,
            "--timeout-ms" => &mut raw.timeout_ms,
            _ => {
                raw.origins.push(value);
                continue;
            }
        };
        once(slot, &flag, value)?;
    }
    Ok(Some(raw))
}

fn required(value: Option<String>, flag: &str, example: &str) -> Result<String, ConfigError> {
    value.ok_or_else(|| ConfigError::new(flag, format!("is required, e.g. {flag} {example}")))
}

/// Reads the command line (without the program name) and the secret variable's value.
pub fn parse(
    args: impl IntoIterator<Item = String>,
    secret: Option<OsString>,
) -> Result<Command, ConfigError> {
    let Some(raw) = read_flags(args)? else {
        return Ok(Command::Help);
    };
    let listen = required(raw.listen, "--listen", "127.0.0.1:8090")?;
    let listen: SocketAddr = listen.parse().map_err(|_| {
        ConfigError::new(
            "--listen",
            format!("must be IP:PORT, e.g. 127.0.0.1:8090, not {listen:?}"),
        )
    })?;
    let token_url = required(
        raw.token_url,
        "--token-url",
        "https://oauth.tangoe.com/as/token.oauth2",
    )?;
    let client_id = required(raw.client_id, "--client-id", "portal-demo")?;
    let secret = secret
        .ok_or_else(|| ConfigError::new(SECRET_VAR, "is not set: export the client secret in it"))?
        .into_string()
        .map_err(|_| ConfigError::new(SECRET_VAR, "is not valid UTF-8"))?;
    let origins: Vec<&str> = raw.origins.iter().map(String::as_str).collect();
    let mut config = RelayConfig::new(&token_url, &client_id, &secret, &origins)?;
    if let Some(url) = raw.revoke_url {
        config = config.with_revoke_url(&url)?;
    }
    if let Some(mode) = raw.client_auth {
        let auth = ClientAuth::parse(&mode).ok_or_else(|| {
            ConfigError::new(
                "--client-auth",
                format!("must be basic, body or query, not {mode:?}"),
            )
        })?;
        config = config.with_client_auth(auth);
    }
    if let Some(ms) = raw.timeout_ms {
        let timeout: Duration =
            values::timeout_ms(&ms).map_err(|e| ConfigError::new("--timeout-ms", e))?;
        config = config.with_timeout(timeout)?;
    }
    Ok(Command::Run(Launch { listen, config }))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    const BASE: [&str; 8] = [
        "--listen",
        "127.0.0.1:0",
        "--token-url",
        "http://127.0.0.1:9/as/token.oauth2",
        "--client-id",
        "portal-demo",
        "--allow-origin",
        "http://127.0.0.1:8080",
    ];

    fn run(extra: &[&str], secret: Option<&str>) -> Result<Command, ConfigError> {
        let args = BASE.iter().chain(extra).map(|s| s.to_string());
        parse(args, secret.map(OsString::from))
    }

    fn launch(extra: &[&str]) -> Launch {
        match run(extra, Some("s3cret")).unwrap() {
            Command::Run(l) => l,
            Command::Help => panic!("help"),
        }
    }

    fn setting(extra: &[&str], secret: Option<&str>) -> String {
        run(extra, secret).unwrap_err().setting
    }

    #[test]
    fn full_command_line() {
        let l = launch(&[
            "--allow-origin",
            "https://portal.example.com",
            "--revoke-url=http://127.0.0.1:9/as/revoke_token.oauth2",
            "--client-auth",
            "query",
            "--timeout-ms",
            "250",
        ]);
        assert_eq!(l.listen.port(), 0);
        let c = l.config;
        assert_eq!(
            c.allow_origins,
            ["http://127.0.0.1:8080", "https://portal.example.com"]
        );
        assert_eq!(c.client_auth, ClientAuth::Query);
        assert_eq!(c.timeout, Duration::from_millis(250));
        assert!(c.revoke_url.is_some());
        assert_eq!(c.client_secret.expose(), "s3cret");
    }

    #[test]
    fn errors_name_the_setting() {
        assert_eq!(setting(&[], None), SECRET_VAR);
        assert_eq!(
            setting(&["--client-auth", "post"], Some("s")),
            "--client-auth"
        );
        assert_eq!(setting(&["--timeout-ms", "0"], Some("s")), "--timeout-ms");
        assert_eq!(setting(&["--timeout-ms"], Some("s")), "--timeout-ms");
        assert_eq!(setting(&["--listen", "127.0.0.1:1"], Some("s")), "--listen");
        assert_eq!(setting(&["--bogus", "1"], Some("s")), "--bogus");
        assert_eq!(
            setting(&["--revoke-url", "http://e.com/r"], Some("s")),
            "--revoke-url"
        );
        assert_eq!(
            setting(&["--allow-origin", "null"], Some("s")),
            "--allow-origin"
        );
        let e = run(&["--client-secret=hunter2"], Some("s")).unwrap_err();
        assert_eq!(e.setting, "--client-secret");
        assert!(e.reason.contains(SECRET_VAR) && !e.reason.contains("hunter2"));
        let e = run(&["hunter2"], Some("s")).unwrap_err();
        assert!(!e.to_string().contains("hunter2"));
    }

    #[test]
    fn missing_flags_are_named() {
        let only = |args: &[&str]| {
            parse(args.iter().map(|s| s.to_string()), Some("s".into()))
                .unwrap_err()
                .setting
        };
        assert_eq!(only(&[]), "--listen");
        assert_eq!(only(&["--listen", "127.0.0.1:0"]), "--token-url");
        assert_eq!(
            only(&["--listen", "127.0.0.1:0", "--token-url", "https://h/t"]),
            "--client-id"
        );
        let no_origin = [
            "--listen",
            "127.0.0.1:0",
            "--token-url",
            "https://h/t",
            "--client-id",
            "c",
        ];
        assert_eq!(only(&no_origin), "--allow-origin");
        assert_eq!(only(&["--listen", "nowhere"]), "--listen");
    }

    #[test]
    fn help() {
        assert!(matches!(
            parse(["--help".to_string()], None),
            Ok(Command::Help)
        ));
    }
}
