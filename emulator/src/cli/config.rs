//! Command-line flags and `MOBPROC_EMU_*` environment variables.

use std::collections::HashMap;

use crate::cli::syntax::{parse_client, parse_tenant, parse_user};
use crate::cli::urls::{check_origin, check_redirect_uri};
use crate::seed::extra::check;
use crate::seed::model::Seed;
use crate::seed::spec::{ClientSpec, Spec, UserSpec};

/// Default port when neither `--port` nor `MOBPROC_EMU_PORT` is given.
pub const DEFAULT_PORT: u16 = 8081;
/// Default access-token lifetime in seconds.
pub const DEFAULT_TOKEN_LIFETIME: u64 = 3600;

pub use crate::cli::usage::USAGE;

/// Runtime settings of the emulator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// TCP port on 127.0.0.1; 0 lets the OS pick one.
    pub port: u16,
    /// Origins allowed by CORS (exact match; checked at start-up to be `scheme://host[:port]`
    /// as a browser sends it, see [`check_origin`]).
    pub app_origins: Vec<String>,
    /// Redirect URIs registered for `portal-demo` and the public clients of `--client`
    /// (exact match; checked at start-up, see [`check_redirect_uri`]).
    pub redirect_uris: Vec<String>,
    /// Access-token lifetime in seconds.
    pub token_lifetime: u64,
    /// Print one log line per request to stdout (tests turn this off).
    pub print_log: bool,
    /// Tenants added by `--tenant`.
    pub tenants: Vec<String>,
    /// Users added by `--user`.
    pub users: Vec<UserSpec>,
    /// Clients added by `--client`, in order (`ID:SECRET` after a public `ID`, or for
    /// `portal-demo`, gives that portal client a secret).
    pub clients: Vec<ClientSpec>,
    /// Load the built-in tenants, users and clients (off with `--no-seed`).
    pub seed: bool,
    /// The implicit grant issues a refresh token, as Tangoe documents (off with
    /// `--no-implicit-refresh-token`, as PingFederate's guide describes implicit clients).
    pub implicit_refresh_token: bool,
    /// The sign-in page sends `Cross-Origin-Opener-Policy: same-origin` (`--coop`), as an
    /// identity provider may: a popup that loads it is severed from the app that opened it.
    pub coop: bool,
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
            tenants: Vec::new(),
            users: Vec::new(),
            clients: Vec::new(),
            seed: true,
            implicit_refresh_token: true,
            coop: false,
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

/// Values of the repeatable flags, in order; a non-empty list replaces its variable's.
#[derive(Default)]
struct Repeated {
    origins: Vec<String>,
    uris: Vec<String>,
    tenants: Vec<String>,
    users: Vec<String>,
    clients: Vec<String>,
}

/// The flag values if any were given, else the variable split at `sep`.
fn pick(
    flags: Vec<String>,
    env: &HashMap<String, String>,
    var: &str,
    sep: char,
) -> Option<Vec<String>> {
    if flags.is_empty() {
        env.get(var).map(|v| split_list(v, sep))
    } else {
        Some(flags)
    }
}

fn parse_all<T>(items: Vec<String>, f: fn(&str) -> Result<T, String>) -> Result<Vec<T>, String> {
    items.iter().map(|s| f(s)).collect()
}

impl Config {
    /// Builds a configuration from environment variables, then flags (flags win), and
    /// checks the resulting tenants, users and clients (see [`check`]).
    pub fn from_args(
        args: impl IntoIterator<Item = String>,
        env: &HashMap<String, String>,
    ) -> Result<Command, String> {
        let mut cfg = Config::default();
        if let Some(v) = env.get("MOBPROC_EMU_PORT") {
            cfg.port = parse_num(v, "MOBPROC_EMU_PORT")?;
        }
        if let Some(v) = env.get("MOBPROC_EMU_TOKEN_LIFETIME") {
            cfg.token_lifetime = parse_num(v, "MOBPROC_EMU_TOKEN_LIFETIME")?;
        }
        if let Some(v) = env.get("MOBPROC_EMU_NO_SEED") {
            cfg.seed = !switch(v, "MOBPROC_EMU_NO_SEED")?;
        }
        if let Some(v) = env.get("MOBPROC_EMU_NO_IMPLICIT_REFRESH_TOKEN") {
            cfg.implicit_refresh_token = !switch(v, "MOBPROC_EMU_NO_IMPLICIT_REFRESH_TOKEN")?;
        }
        if let Some(v) = env.get("MOBPROC_EMU_COOP") {
            cfg.coop = switch(v, "MOBPROC_EMU_COOP")?;
        }
        let mut rep = Repeated::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
                _ => (arg.clone(), None),
            };
            match (flag.as_str(), &inline) {
                ("--help" | "-h", _) => return Ok(Command::Help),
                ("--no-seed", None) => {
                    cfg.seed = false;
                    continue;
                }
                ("--no-implicit-refresh-token", None) => {
                    cfg.implicit_refresh_token = false;
                    continue;
                }
                ("--coop", None) => {
                    cfg.coop = true;
                    continue;
                }
                ("--no-seed" | "--no-implicit-refresh-token" | "--coop", Some(_)) => {
                    return Err(format!("{flag} takes no value"))
                }
                _ => {}
            }
            let value = match inline.or_else(|| args.next()) {
                Some(v) => v,
                None => return Err(format!("{flag} needs a value")),
            };
            match flag.as_str() {
                "--port" => cfg.port = parse_num(&value, "--port")?,
                "--app-origin" => rep.origins.push(check_origin("--app-origin", &value)?),
                "--redirect-uri" => rep.uris.push(check_redirect_uri("--redirect-uri", &value)?),
                "--token-lifetime" => cfg.token_lifetime = parse_num(&value, "--token-lifetime")?,
                "--tenant" => rep.tenants.push(value),
                "--user" => rep.users.push(value),
                "--client" => rep.clients.push(value),
                _ => return Err(format!("unknown flag {flag}")),
            }
        }
        // Flag values were checked as they came; a variable's are checked here, named by it.
        let from_flags = !rep.origins.is_empty();
        if let Some(v) = pick(rep.origins, env, "MOBPROC_EMU_APP_ORIGIN", ',') {
            cfg.app_origins = if from_flags {
                v
            } else {
                let check = |o: &String| check_origin("MOBPROC_EMU_APP_ORIGIN", o);
                v.iter().map(check).collect::<Result<_, _>>()?
            };
        }
        let from_flags = !rep.uris.is_empty();
        if let Some(v) = pick(rep.uris, env, "MOBPROC_EMU_REDIRECT_URI", ',') {
            cfg.redirect_uris = if from_flags {
                v
            } else {
                let check = |u: &String| check_redirect_uri("MOBPROC_EMU_REDIRECT_URI", u);
                v.iter().map(check).collect::<Result<_, _>>()?
            };
        }
        let tenants = pick(rep.tenants, env, "MOBPROC_EMU_TENANT", ',');
        cfg.tenants = parse_all(tenants.unwrap_or_default(), parse_tenant)?;
        let users = pick(rep.users, env, "MOBPROC_EMU_USER", ';');
        cfg.users = parse_all(users.unwrap_or_default(), parse_user)?;
        let clients = pick(rep.clients, env, "MOBPROC_EMU_CLIENT", ',');
        cfg.clients = parse_all(clients.unwrap_or_default(), parse_client)?;
        if cfg.token_lifetime == 0 {
            return Err("token lifetime must be at least 1 second".into());
        }
        check(&Seed::new(&cfg.seed_spec()))?;
        Ok(Command::Run(cfg))
    }

    /// What the seed data is built from.
    pub fn seed_spec(&self) -> Spec<'_> {
        Spec {
            builtin: self.seed,
            redirect_uris: &self.redirect_uris,
            tenants: &self.tenants,
            users: &self.users,
            clients: &self.clients,
        }
    }
}

/// A `MOBPROC_EMU_*` switch: `1`/`true` on, `0`/`false`/empty off.
fn switch(v: &str, var: &str) -> Result<bool, String> {
    match v.trim() {
        "" | "0" | "false" => Ok(false),
        "1" | "true" => Ok(true),
        _ => Err(format!("{var}: use 1 or 0, not {v:?}")),
    }
}

fn parse_num<T: std::str::FromStr>(v: &str, what: &str) -> Result<T, String> {
    v.trim()
        .parse()
        .map_err(|_| format!("{what}: not a valid number: {v:?}"))
}

fn split_list(v: &str, sep: char) -> Vec<String> {
    v.split(sep)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}
