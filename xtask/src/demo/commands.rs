//! The demo servers' command lines: the Tangoe emulator, the token relay and the portal, wired
//! to each other's origins. Secrets go into the environment, never into the arguments (which
//! `ps` shows and `sh::run` would echo).

use super::servers::guarded;
use crate::emulator::{registration_args, App};
use crate::sh::root;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::path::Path;
use std::process::Command;

/// The portal's OAuth client at the emulator (seeded) and the relay's `--client-id`.
pub const CLIENT_ID: &str = "portal-demo";
/// The emulator's seeded tenant.
pub const TENANT: &str = "XYZ";

/// The demo client's secret with `--relay`: 128 random bits, new at every run. Deliberately
/// without `Debug` or `Display`, so it cannot end up in a message by accident.
pub struct Secret(String);

impl Secret {
    /// 128 bits as 32 hex digits from std's `RandomState`, whose SipHash keys come from the OS's
    /// random source: good enough for a secret that lives as long as a local demo.
    pub fn generate() -> Self {
        let mut hex = String::with_capacity(32);
        for word in 0..2u64 {
            let mut hasher = RandomState::new().build_hasher();
            hasher.write_u64(word);
            hex.push_str(&format!("{:016x}", hasher.finish()));
        }
        Self(hex)
    }

    fn expose(&self) -> &str {
        &self.0
    }
}

/// Where everything runs and what the emulator and the portal were asked for.
pub struct Wiring<'a> {
    pub portal_origin: String,
    pub api_origin: String,
    pub api_port: u16,
    pub portal_port: u16,
    /// `Some` with `--relay`: the relay's origin and the confidential client's secret.
    pub relay: Option<(String, &'a Secret)>,
    pub token_lifetime: Option<u32>,
    pub refresh_skew: Option<u32>,
    pub no_refresh_token: bool,
    /// The portal signs in with the code grant and PKCE (`--code`).
    pub code: bool,
    /// Other apps the emulator serves too (`--app`).
    pub apps: &'a [App],
}

/// The emulator: Tangoe for the portal's origin (and `/rust/`) and the `--app` ones; with the
/// relay, the portal's client is confidential (`MOBPROC_EMU_CLIENT=portal-demo:SECRET`).
pub fn emulator(bin: &Path, w: &Wiring) -> Command {
    let mut c = guarded(&bin.to_string_lossy());
    c.args(["--port", &w.api_port.to_string()]);
    // The portal and the Rust example's redirect URI (registered for portal-demo too) first,
    // then the other apps: each origin and redirect URI once.
    let portal = |path: &str| App {
        origin: w.portal_origin.clone(),
        redirect_uri: format!("{}{path}", w.portal_origin),
    };
    let mut apps = vec![portal("/"), portal("/rust/")];
    apps.extend(w.apps.iter().cloned());
    c.args(registration_args(&apps));
    if let Some(secs) = w.token_lifetime {
        c.args(["--token-lifetime", &secs.to_string()]);
    }
    if w.no_refresh_token {
        c.arg("--no-implicit-refresh-token");
    }
    if let Some((_, secret)) = &w.relay {
        // By variable: a --client flag would show in `ps` (and would replace the variable's list).
        c.env(
            "MOBPROC_EMU_CLIENT",
            format!("{CLIENT_ID}:{}", secret.expose()),
        );
    }
    c
}

/// The relay on its own port: `/token` and `/revoke` forwarded to the emulator with the secret,
/// for the portal's origin only. `None` without `--relay`.
pub fn relay(bin: &Path, w: &Wiring) -> Option<Command> {
    let (relay_origin, secret) = w.relay.as_ref()?;
    let listen = relay_origin.strip_prefix("http://").unwrap_or(relay_origin);
    let mut c = guarded(&bin.to_string_lossy());
    c.args(["--listen", listen]);
    c.args(["--token-url", &format!("{}/as/token.oauth2", w.api_origin)]);
    c.args([
        "--revoke-url",
        &format!("{}/as/revoke_token.oauth2", w.api_origin),
    ]);
    c.args(["--client-id", CLIENT_ID, "--allow-origin", &w.portal_origin]);
    c.env("MOBPROC_RELAY_CLIENT_SECRET", secret.expose());
    Some(c)
}

/// The portal (`www-example/serve.mjs`), serving the package and the Rust example; with the
/// relay, its `tokenUrl` and `revokeUrl` point there.
pub fn portal(w: &Wiring, pkg: &Path, rust_example: &Path) -> Command {
    let mut c = guarded("node");
    c.arg(root().join("www-example").join("serve.mjs"));
    c.args(["--port", &w.portal_port.to_string()]);
    c.args(["--api-origin", &w.api_origin]);
    c.arg("--pkg").arg(pkg);
    c.args(["--client-id", CLIENT_ID, "--tenant", TENANT]);
    c.arg("--rust").arg(rust_example);
    if let Some((relay_origin, _)) = &w.relay {
        c.args(["--token-url", &format!("{relay_origin}/token")]);
        c.args(["--revoke-url", &format!("{relay_origin}/revoke")]);
    }
    if let Some(secs) = w.refresh_skew {
        c.args(["--refresh-skew", &secs.to_string()]);
    }
    if w.code {
        c.args(["--response-type", "code"]);
    }
    c
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn args(c: &Command) -> Vec<String> {
        let all: Vec<String> = c
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        // Under `setpriv --pdeathsig TERM -- BIN`, the emulator's own arguments follow BIN.
        match all.iter().position(|a| a == "--") {
            Some(i) => all.into_iter().skip(i + 2).collect(),
            None => all,
        }
    }

    /// The demo's default wiring, for tests here and in `demo.rs`.
    pub(crate) fn wiring(apps: &[App]) -> Wiring<'_> {
        Wiring {
            portal_origin: "http://127.0.0.1:8080".into(),
            api_origin: "http://127.0.0.1:8081".into(),
            api_port: 8081,
            portal_port: 8080,
            relay: None,
            token_lifetime: None,
            refresh_skew: None,
            no_refresh_token: false,
            code: false,
            apps,
        }
    }

    #[test]
    fn the_emulator_serves_the_portal_and_the_extra_apps() {
        let bin = Path::new("mobproc-emulator");
        let portal = [
            "--port",
            "8081",
            "--app-origin",
            "http://127.0.0.1:8080",
            "--redirect-uri",
            "http://127.0.0.1:8080/",
            "--redirect-uri",
            "http://127.0.0.1:8080/rust/",
        ];
        // Without --app: the demo's flags as before.
        assert_eq!(args(&emulator(bin, &wiring(&[]))), portal);
        let apps = [
            App::parse("http://127.0.0.1:5173/").unwrap(),
            App::parse("http://127.0.0.1:8080/").unwrap(),
        ];
        assert_eq!(
            args(&emulator(bin, &wiring(&apps))),
            [
                "--port",
                "8081",
                "--app-origin",
                "http://127.0.0.1:8080",
                "--app-origin",
                "http://127.0.0.1:5173",
                "--redirect-uri",
                "http://127.0.0.1:8080/",
                "--redirect-uri",
                "http://127.0.0.1:8080/rust/",
                "--redirect-uri",
                "http://127.0.0.1:5173/",
            ]
        );
    }
}
