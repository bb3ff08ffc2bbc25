//! Command-line flags and `MOBPROC_EMU_*` environment variables.

use std::collections::HashMap;

/// Default port when neither `--port` nor `MOBPROC_EMU_PORT` is given.
pub const DEFAULT_PORT: u16 = 8081;
/// Default access-token lifetime in seconds.
pub const DEFAULT_TOKEN_LIFETIME: u64 = 3600;

/// Help text printed by `--help`.
pub const USAGE: &str = "\
usage: mobproc-emulator [--port N] [--app-origin ORIGIN]... [--redirect-uri URI]... [--token-lifetime SECS]

  --port N              port on 127.0.0.1 (default 8081; 0 picks a free port)     env MOBPROC_EMU_PORT
  --app-origin ORIGIN   origin allowed by CORS, repeatable (default http://127.0.0.1:8080)
                                                                                 env MOBPROC_EMU_APP_ORIGIN (comma-separated)
  --redirect-uri URI    redirect URI registered for portal-demo, repeatable
                        (default http://127.0.0.1:8080/ and http://127.0.0.1:8080/callback)
                                                                                 env MOBPROC_EMU_REDIRECT_URI (comma-separated)
  --token-lifetime SECS access-token lifetime (default 3600)                      env MOBPROC_EMU_TOKEN_LIFETIME
";

/// Runtime settings of the emulator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// TCP port on 127.0.0.1; 0 lets the OS pick one.
    pub port: u16,
    /// Origins allowed by CORS (exact match, no trailing slash).
    pub app_origins: Vec<String>,
    /// Redirect URIs registered for the public client `portal-demo` (exact match).
    pub redirect_uris: Vec<String>,
    /// Access-token lifetime in seconds.
    pub token_lifetime: u64,
    /// Print one log line per request to stdout (tests turn this off).
    pub print_log: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            port: DEFAULT_PORT,
            app_origins: vec!["http://127.0.0.1:8080".into()],
            redirect_uris: vec![
                "http://127.0.0.1:8080/".into(),
                "http://127.0.0.1:8080/callback".into(),
            ],
            token_lifetime: DEFAULT_TOKEN_LIFETIME,
            print_log: true,
        }
    }
}

/// What the command line asked for.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    /// Run the emulator with this configuration.
    Run(Config),
    /// Print [`USAGE`] and exit.
    Help,
}

impl Config {
    /// Builds a configuration from environment variables, then flags (flags win).
    pub fn from_args(
        args: impl IntoIterator<Item = String>,
        env: &HashMap<String, String>,
    ) -> Result<Command, String> {
        let mut cfg = Config::default();
        if let Some(v) = env.get("MOBPROC_EMU_PORT") {
            cfg.port = parse_num(v, "MOBPROC_EMU_PORT")?;
        }
        if let Some(v) = env.get("MOBPROC_EMU_APP_ORIGIN") {
            cfg.app_origins = split_list(v);
        }
        if let Some(v) = env.get("MOBPROC_EMU_REDIRECT_URI") {
            cfg.redirect_uris = split_list(v);
        }
        if let Some(v) = env.get("MOBPROC_EMU_TOKEN_LIFETIME") {
            cfg.token_lifetime = parse_num(v, "MOBPROC_EMU_TOKEN_LIFETIME")?;
        }
        let (mut origins, mut uris) = (Vec::new(), Vec::new());
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
                _ => (arg.clone(), None),
            };
            if flag == "--help" || flag == "-h" {
                return Ok(Command::Help);
            }
            let value = match inline.or_else(|| args.next()) {
                Some(v) => v,
                None => return Err(format!("{flag} needs a value")),
            };
            match flag.as_str() {
                "--port" => cfg.port = parse_num(&value, "--port")?,
                "--app-origin" => origins.push(trim_origin(&value)),
                "--redirect-uri" => uris.push(value),
                "--token-lifetime" => cfg.token_lifetime = parse_num(&value, "--token-lifetime")?,
                _ => return Err(format!("unknown flag {flag}")),
            }
        }
        if !origins.is_empty() {
            cfg.app_origins = origins;
        }
        if !uris.is_empty() {
            cfg.redirect_uris = uris;
        }
        cfg.app_origins = cfg.app_origins.iter().map(|o| trim_origin(o)).collect();
        if cfg.token_lifetime == 0 {
            return Err("token lifetime must be at least 1 second".into());
        }
        Ok(Command::Run(cfg))
    }
}

fn parse_num<T: std::str::FromStr>(v: &str, what: &str) -> Result<T, String> {
    v.trim()
        .parse()
        .map_err(|_| format!("{what}: not a valid number: {v:?}"))
}

fn split_list(v: &str) -> Vec<String> {
    v.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

fn trim_origin(o: &str) -> String {
    o.trim().trim_end_matches('/').to_string()
}
