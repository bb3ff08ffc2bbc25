//! `cargo xtask demo`: the example portal against the local Tangoe emulator.
//!
//! Builds the npm package, the Rust example (`www-example/rust/`) and the emulator, starts the
//! emulator (Tangoe) on 127.0.0.1:8081 and `www-example/serve.mjs` (the portal, and the Rust
//! example at `/rust/`) on 127.0.0.1:8080, forwards their logs with a prefix, and stops them all
//! when one stops or on Ctrl-C.
//!
//! With `--relay`, Tangoe as its pages document it: the portal's client is confidential at the
//! emulator (refresh, validate and revoke need the client secret), and `mobproc-relay` runs on
//! 127.0.0.1:8082 (its own origin) with that secret, the portal's `tokenUrl` and `revokeUrl`
//! pointing at it. The secret is new at every run and lives only in the two servers'
//! environments. `--no-refresh-token` makes the sign-in issue no refresh token, so the portal's
//! "Your session ends in …" notice shows `refreshSkewSeconds` before the end.
//!
//! `--app URL` (repeatable) registers your own app at the same emulator, as `cargo xtask
//! emulator --app URL` does (see `emulator.rs` for how a URL maps to an origin and a redirect
//! URI), and prints the `createClient` config to paste for each.
//!
//! Stopping: Ctrl-C sends SIGINT to the whole foreground process group, so every server gets it
//! and exits by itself. On Linux the servers are also started under `setpriv --pdeathsig TERM`
//! when util-linux's `setpriv` is there, so even a `kill` of this process alone leaves no orphan.
//! Any other way out of `run` (an error, one server exiting) kills and reaps them all.

pub(crate) mod commands;
pub(crate) mod servers;

use crate::emulator::{app_configs, App, Clients};
use crate::sh::{self, cmd, Result};
use commands::{Secret, Wiring, CLIENT_ID, TENANT};
use servers::Servers;
use std::path::PathBuf;
use std::sync::mpsc;

const USAGE: &str = "usage: cargo xtask demo [--portal-port N] [--api-port N] [--token-lifetime SECS] [--refresh-skew S]
                        [--relay [--relay-port N]] [--no-refresh-token] [--code] [--app URL]...

  --portal-port N        the portal (www-example) on http://127.0.0.1:N      default 8080
  --api-port N           the Tangoe emulator on http://127.0.0.1:N           default 8081
  --token-lifetime SECS  access-token lifetime at the emulator, to watch refresh live
                                                                             default 3600
  --refresh-skew S       the portal refreshes S seconds before expiry (refreshSkewSeconds)
                                                                             default the library's 60
  --relay                Tangoe as documented: portal-demo is a confidential client (refresh,
                         validate and revoke need its secret), and mobproc-relay adds the secret;
                         the portal's tokenUrl and revokeUrl point at the relay
  --relay-port N         the relay on http://127.0.0.1:N (with --relay)      default 8082
  --no-refresh-token     the sign-in issues no refresh token (the emulator's
                         --no-implicit-refresh-token): the portal says \"Your session ends in …\"
                         refreshSkewSeconds before the end, with Sign in again
  --code                 the portal signs in with the authorization code grant and PKCE
                         (responseType \"code\") instead of Tangoe's documented implicit grant;
                         not with --relay, which does not forward the code exchange
  --app URL              your own app too, repeatable: its origin is allowed by CORS and the URL
                         registered as a redirect URI of portal-demo at the same emulator; prints
                         the createClient config to paste (as cargo xtask emulator --app URL)

  e.g. cargo xtask demo --token-lifetime 20 --refresh-skew 5
       cargo xtask demo --relay --token-lifetime 20 --refresh-skew 5
       cargo xtask demo --relay --no-refresh-token --token-lifetime 90
       cargo xtask demo --app http://127.0.0.1:5173/";

/// What `cargo xtask demo` was asked for.
struct Options {
    portal_port: u16,
    api_port: u16,
    relay_port: Option<u16>,
    relay: bool,
    no_refresh_token: bool,
    /// The portal uses the code grant with PKCE (`--code`).
    code: bool,
    token_lifetime: Option<u32>,
    refresh_skew: Option<u32>,
    /// Other apps served by the same emulator (`--app`).
    apps: Vec<App>,
}

/// Builds and starts the servers; stops on Ctrl-C.
pub fn run(args: &[String]) -> Result {
    let o = parse_args(args)?;
    let relay_port = o.relay.then(|| o.relay_port.unwrap_or(8082));
    let mut ports = vec![("portal", o.portal_port), ("emulator", o.api_port)];
    ports.extend(relay_port.map(|p| ("relay", p)));
    for (i, (a, pa)) in ports.iter().enumerate() {
        if let Some((b, _)) = ports.iter().skip(i + 1).find(|(_, pb)| pb == pa) {
            return Err(format!("demo: the {a} and the {b} cannot share port {pa}"));
        }
    }
    for (name, p) in ports.iter().filter(|(name, _)| *name != "portal") {
        if let Some(app) = o.apps.iter().find(|a| a.on_loopback_port(*p)) {
            return Err(format!(
                "demo: --app {} is on the {name}'s port {p}: serve the app elsewhere",
                app.redirect_uri
            ));
        }
    }
    // Node serves the portal; npm installs the build's tools.
    crate::tools::node_and_npm()?;

    let pkg = crate::build::run()?;
    let rust_example = crate::example::build()?;
    let emulator_bin = build_server("mobproc-emulator")?;
    let relay_bin = if o.relay {
        Some(build_server("mobproc-relay")?)
    } else {
        None
    };

    let secret = o.relay.then(Secret::generate);
    let wiring = Wiring {
        portal_origin: format!("http://127.0.0.1:{}", o.portal_port),
        api_origin: format!("http://127.0.0.1:{}", o.api_port),
        api_port: o.api_port,
        portal_port: o.portal_port,
        relay: relay_port
            .zip(secret.as_ref())
            .map(|(p, secret)| (format!("http://127.0.0.1:{p}"), secret)),
        token_lifetime: o.token_lifetime,
        refresh_skew: o.refresh_skew,
        no_refresh_token: o.no_refresh_token,
        code: o.code,
        apps: &o.apps,
    };
    let (tx, rx) = mpsc::channel();
    let mut servers = Servers::new("demo", "--portal-port / --api-port / --relay-port");
    servers.spawn(
        "tangoe",
        commands::emulator(&emulator_bin, &wiring),
        tx.clone(),
    )?;
    if let Some(relay) = relay_bin.and_then(|bin| commands::relay(&bin, &wiring)) {
        servers.spawn("relay", relay, tx.clone())?;
    }
    servers.spawn("portal", commands::portal(&wiring, &pkg, &rust_example), tx)?;
    servers.wait_ready(&rx)?;
    println!("{}", banner(&o, &wiring));
    servers.wait_any()
}

/// `cargo build -p NAME` and the path of its debug binary.
pub(crate) fn build_server(name: &str) -> Result<PathBuf> {
    sh::run(&mut cmd("cargo", &["build", "-p", name]))?;
    sh::debug_bin(name).ok_or_else(|| format!("demo: {name} was built but its binary is missing"))
}

/// What runs where, printed once every server is listening.
fn banner(o: &Options, w: &Wiring) -> String {
    let skew = o.refresh_skew.unwrap_or(60);
    let tokens =
        match (o.token_lifetime, o.no_refresh_token) {
            (Some(secs), false) => format!(
            "{secs} s, refreshed {skew} s before expiry by the next call (watch the session panel)"
        ),
            (None, false) => {
                "one hour (try --token-lifetime 20 --refresh-skew 5 to watch refresh)".into()
            }
            (secs, true) => {
                format!(
            "{}, no refresh token: \"Your session ends in …\" shows {skew} s before the end{}",
            secs.map_or("one hour".into(), |s| format!("{s} s")),
            if secs.is_some() { "" } else { " (try --token-lifetime 90)" }
        )
            }
        };
    let (relay, client, logs) = match &w.relay {
        Some((origin, _)) => (
            format!(
                "\n  relay    {origin}   (mobproc-relay: /token and /revoke, the client secret added)"
            ),
            format!(
                "{CLIENT_ID} is confidential here: the portal refreshes and signs out through the relay;\n           \
                 the secret (new each run) is only in the emulator's and the relay's environment"
            ),
            ", [relay] one line per refresh or revocation",
        ),
        None => (
            String::new(),
            format!("{CLIENT_ID}, public (refreshes at Tangoe directly; --relay for a confidential one)"),
            "",
        ),
    };
    // Your apps (--app): with --relay portal-demo is confidential, and the relay serves the
    // portal's origin only, so their configs leave refresh out.
    let clients = Clients {
        portal_demo_confidential: w.relay.is_some(),
        ..Clients::default()
    };
    let apps = app_configs(&w.api_origin, w.apps, &clients);
    format!(
        "
  MOBPROC developer portal demo
  ─────────────────────────────
  portal   {portal}/
  in Rust  {portal}/rust/   (www-example/rust: the crate's Rust API, wasm-bindgen)
  Tangoe   {api}   (local emulator: sign-in page, token endpoint, API under /mobproc/v1){relay}
  sign in  demo / demo       (tenant {TENANT}; {grant})
  client   {client}
  tokens   {tokens}
{apps}
  Logs follow ([portal] static files, [tangoe] sign-in and API calls{logs}). Ctrl-C stops them all.
",
        portal = w.portal_origin,
        api = w.api_origin,
        grant = if o.code {
            "authorization code + PKCE"
        } else {
            "implicit grant; --code for the code grant with PKCE"
        },
    )
}

fn parse_args(args: &[String]) -> Result<Options> {
    let mut o = Options {
        portal_port: 8080,
        api_port: 8081,
        relay_port: None,
        relay: false,
        no_refresh_token: false,
        code: false,
        token_lifetime: None,
        refresh_skew: None,
        apps: Vec::new(),
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f, Some(v.to_owned())),
            None => (arg.as_str(), None),
        };
        match (flag, &inline) {
            ("-h" | "--help", _) => return Err(USAGE.into()),
            ("--relay", None) => {
                o.relay = true;
                continue;
            }
            ("--no-refresh-token", None) => {
                o.no_refresh_token = true;
                continue;
            }
            ("--code", None) => {
                o.code = true;
                continue;
            }
            ("--relay" | "--no-refresh-token" | "--code", Some(_)) => {
                return Err(format!("demo: {flag} takes no value\n\n{USAGE}"))
            }
            (
                "--portal-port" | "--api-port" | "--relay-port" | "--token-lifetime"
                | "--refresh-skew" | "--app",
                _,
            ) => {}
            _ => return Err(format!("demo: unknown argument {arg}\n\n{USAGE}")),
        }
        let value = inline
            .or_else(|| it.next().cloned())
            .ok_or_else(|| format!("demo: {flag} needs a value\n\n{USAGE}"))?;
        match flag {
            "--portal-port" => o.portal_port = port(flag, &value)?,
            "--api-port" => o.api_port = port(flag, &value)?,
            "--relay-port" => o.relay_port = Some(port(flag, &value)?),
            "--token-lifetime" => o.token_lifetime = Some(seconds(flag, &value, 1)?),
            "--app" => o
                .apps
                .push(App::parse(&value).map_err(|e| format!("demo: {e}"))?),
            _ => o.refresh_skew = Some(seconds(flag, &value, 0)?),
        }
    }
    if o.relay_port.is_some() && !o.relay {
        return Err(format!(
            "demo: --relay-port is for the relay: add --relay\n\n{USAGE}"
        ));
    }
    if o.relay && o.code {
        return Err(format!(
            "demo: --relay and --code do not go together: the relay forwards only the refresh \
             and validation grants (relay/README.md), so a confidential client's code exchange \
             would be refused\n\n{USAGE}"
        ));
    }
    Ok(o)
}

fn port(flag: &str, value: &str) -> Result<u16> {
    value
        .parse::<u16>()
        .ok()
        .filter(|p| *p != 0)
        .ok_or_else(|| format!("demo: {flag} wants a port 1..65535, not {value:?}"))
}

fn seconds(flag: &str, value: &str, min: u32) -> Result<u32> {
    value
        .parse::<u32>()
        .ok()
        .filter(|s| (min..=86_400).contains(s))
        .ok_or_else(|| format!("demo: {flag} wants whole seconds {min}..86400, not {value:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_banner_prints_each_app_config_before_the_logs() {
        let args: Vec<String> = ["--app", "http://127.0.0.1:5173/"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let o = parse_args(&args).unwrap();
        let w = commands::tests::wiring(&o.apps);
        let text = banner(&o, &w);
        let config = text
            .find("redirectUri: \"http://127.0.0.1:5173/\"")
            .unwrap();
        assert!(config < text.find("Logs follow").unwrap(), "{text}");
        assert!(text.contains("tokenUrl: \"http://127.0.0.1:8081/as/token.oauth2\""));
        // Without --app the banner is what it was.
        let o = parse_args(&[]).unwrap();
        let w = Wiring { apps: &[], ..w };
        let text = banner(&o, &w);
        assert!(!text.contains("createClient"), "{text}");
        assert!(
            text.contains(
                "(try --token-lifetime 20 --refresh-skew 5 to watch refresh)\n\n  Logs follow"
            ),
            "{text}"
        );
    }

    #[test]
    fn relay_and_code_are_refused_together() {
        let args: Vec<String> = ["--relay", "--code"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let refused = parse_args(&args).err().unwrap_or_default();
        assert!(
            refused.contains("--relay and --code do not go together"),
            "{refused}"
        );
        assert!(parse_args(&args[..1]).is_ok() && parse_args(&args[1..]).is_ok());
    }
}
