//! `cargo xtask emulator --app URL…`: the Tangoe emulator alone, for your own app.
//!
//! Builds the emulator (as `cargo xtask demo` does), starts it on 127.0.0.1:8081 with each
//! app's origin allowed by CORS and its URL registered as a redirect URI of `portal-demo`,
//! prints the `createClient({…})` config to paste into each app and the sign-in user, then
//! forwards the emulator's log (a refused sign-in or CORS request says there how to fix it)
//! until Ctrl-C.
//!
//! An `--app` URL maps to the emulator's two lists like this: the origin is
//! `scheme://host[:port]` (what the browser sends in `Origin`), the redirect URI is the URL as
//! given, written as a browser writes it (lower-case scheme and host, no default port, and `/`
//! for an empty path: `--app http://127.0.0.1:5173` registers `http://127.0.0.1:5173/`, which is
//! also what `mobproc-auth` sends for that `redirectUri`). An app whose callback is a path
//! (`--app http://127.0.0.1:5173/auth/callback`) registers that path; give `--app` once per
//! redirect URI, the origin is registered once.

use crate::demo::commands::{CLIENT_ID, TENANT};
use crate::demo::servers::{guarded, Servers};
use crate::sh::Result;
use std::path::Path;
use std::process::Command;
use std::sync::mpsc;

const USAGE: &str =
    "usage: cargo xtask emulator --app URL [--app URL]... [--port N] [--token-lifetime SECS]
                            [--client ID[:SECRET]]... [--no-implicit-refresh-token]

  --app URL              your app's page, repeatable: its origin (scheme://host:port) is allowed
                         by CORS and the URL is a redirect URI of portal-demo; prints the
                         createClient config for it. e.g. --app http://127.0.0.1:5173/
                         (a bare origin gets the trailing /; localhost and 127.0.0.1 differ)
  --port N               the emulator on http://127.0.0.1:N                 default 8081
  --token-lifetime SECS  access-token lifetime, to watch refresh            default 3600
  --client ID[:SECRET]   passed to the emulator: ID alone adds a public portal client (same
                         redirect URIs); portal-demo:SECRET makes portal-demo confidential (then
                         refresh and revoke need a relay, so the config leaves them out)
  --no-implicit-refresh-token
                         the sign-in issues no refresh token (the app must sign in again)

  e.g. cargo xtask emulator --app http://127.0.0.1:5173/
       cargo xtask emulator --app http://localhost:3000/ --app http://localhost:3000/callback";

/// An app registered at the emulator: its origin (CORS) and redirect URI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct App {
    /// `scheme://host[:port]`, as the browser sends it in `Origin`.
    pub origin: String,
    /// The page the sign-in returns to, as a browser writes the URL.
    pub redirect_uri: String,
}

impl App {
    /// Reads an `--app` value (see the module documentation for the mapping).
    pub fn parse(value: &str) -> Result<App> {
        let bad = |why: &str| format!("--app {value:?}: {why}");
        if value.is_empty() {
            return Err(bad("empty; e.g. --app http://127.0.0.1:5173/"));
        }
        if value
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '\\' || !c.is_ascii())
        {
            return Err(bad(
                "use plain ASCII without spaces, control characters or backslashes",
            ));
        }
        let Some((scheme, rest)) = value.split_once("://") else {
            // `127.0.0.1:5173` or `localhost:5173/cb` meant with http://; `null` did not.
            let likely = |a: &App| {
                a.origin.contains("localhost") || a.origin.matches([':', '.']).count() > 1
            };
            let fix = App::parse(&format!("http://{value}"))
                .ok()
                .filter(likely)
                .map(|a| format!("use --app {}", a.redirect_uri))
                .unwrap_or_else(|| "e.g. --app http://127.0.0.1:5173/".into());
            return Err(bad(&format!("no scheme; {fix}")));
        };
        let scheme = scheme.to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "http" => "80",
            "https" => "443",
            _ => return Err(bad("not an http:// or https:// URL")),
        };
        if rest.contains('#') {
            return Err(bad(
                "a redirect URI has no #fragment (the token arrives there)",
            ));
        }
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) if !p.contains(']') => (h, Some(p)),
            _ => (authority, None),
        };
        let host_ok = if let Some(v6) = host.strip_prefix('[') {
            v6.strip_suffix(']').is_some_and(|v| {
                !v.is_empty() && v.chars().all(|c| c.is_ascii_hexdigit() || ":.".contains(c))
            })
        } else {
            !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-._".contains(c))
        };
        if !host_ok {
            return Err(bad("no valid host"));
        }
        let port = match port {
            None => None,
            Some(p)
                if p.chars().all(|c| c.is_ascii_digit())
                    && p.parse::<u16>().is_ok_and(|n| n != 0) =>
            {
                (p != default_port).then_some(p)
            }
            Some(_) => return Err(bad("the port must be a number 1..65535")),
        };
        let host = host.to_ascii_lowercase();
        let origin = match port {
            Some(p) => format!("{scheme}://{host}:{p}"),
            None => format!("{scheme}://{host}"),
        };
        let slash = if tail.starts_with('/') { "" } else { "/" };
        Ok(App {
            redirect_uri: format!("{origin}{slash}{tail}"),
            origin,
        })
    }

    /// True when the app would be served on this loopback port (where the emulator is).
    pub fn on_loopback_port(&self, port: u16) -> bool {
        let port = format!(":{port}");
        ["http://127.0.0.1", "http://localhost", "http://[::1]"]
            .iter()
            .any(|h| self.origin == format!("{h}{port}"))
    }
}

/// What `--client` values make of the portal clients, for the printed config.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Clients {
    /// Public portal clients added by `--client ID` (portal-demo is always there).
    pub extra_public: Vec<String>,
    /// `portal-demo` was given a secret: refresh and revoke need it, so not from a page.
    pub portal_demo_confidential: bool,
}

impl Clients {
    /// Reads the `--client` values in order, as the emulator does: `ID` adds a public portal
    /// client; `ID:SECRET` for a public portal client makes it confidential; any other
    /// `ID:SECRET` is a service client (no sign-in page).
    pub fn from_values(values: &[String]) -> Clients {
        let mut c = Clients::default();
        for v in values {
            match v.split_once(':') {
                None => c.extra_public.push(v.clone()),
                Some((id, _)) if id == CLIENT_ID => c.portal_demo_confidential = true,
                Some((id, _)) => c.extra_public.retain(|p| p != id),
            }
        }
        c
    }
}

/// The emulator's flags for these apps: each origin and redirect URI once, in order.
pub fn registration_args(apps: &[App]) -> Vec<String> {
    let mut origins: Vec<&str> = Vec::new();
    let mut uris: Vec<&str> = Vec::new();
    for a in apps {
        if !origins.contains(&a.origin.as_str()) {
            origins.push(&a.origin);
        }
        if !uris.contains(&a.redirect_uri.as_str()) {
            uris.push(&a.redirect_uri);
        }
    }
    let mut args = Vec::new();
    for o in origins {
        args.extend(["--app-origin".to_string(), o.to_string()]);
    }
    for u in uris {
        args.extend(["--redirect-uri".to_string(), u.to_string()]);
    }
    args
}

/// A JavaScript string literal.
fn js(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The `createClient({…})` call to paste into `app`, for the emulator at `api_origin`.
pub fn create_client(api_origin: &str, app: &App, clients: &Clients) -> String {
    let mut fields = vec![
        ("clientId", CLIENT_ID.to_string()),
        ("tenant", TENANT.to_string()),
        ("apiBaseUrl", format!("{api_origin}/mobproc/v1")),
        (
            "authorizeUrl",
            format!("{api_origin}/as/authorization.oauth2"),
        ),
        ("redirectUri", app.redirect_uri.clone()),
    ];
    // A confidential portal-demo needs its secret to refresh and revoke: not from a page.
    if !clients.portal_demo_confidential {
        fields.push(("tokenUrl", format!("{api_origin}/as/token.oauth2")));
    }
    // No `validateUrl`: a page refuses it (its GET puts the token in a URL the console shows).
    if !clients.portal_demo_confidential {
        fields.push(("revokeUrl", format!("{api_origin}/as/revoke_token.oauth2")));
    }
    let mut out = String::from("const client = await createClient({\n");
    for (k, v) in fields {
        out.push_str(&format!("  {k}: {},\n", js(&v)));
    }
    out.push_str("});\n");
    out
}

/// For each app: what is registered, how to open it, and the config to paste.
pub fn app_configs(api_origin: &str, apps: &[App], clients: &Clients) -> String {
    let mut out = String::new();
    for app in apps {
        out.push_str(&format!(
            "\n  Your app at {uri}\n  \
             registered: CORS origin {origin}, redirect URI {uri} (client {CLIENT_ID})\n  \
             Open it at exactly {origin}: localhost and 127.0.0.1 are different origins, and\n  \
             keep redirectUri as printed, the trailing / matters. Paste:\n\n{config}",
            uri = app.redirect_uri,
            origin = app.origin,
            config = create_client(api_origin, app, clients),
        ));
    }
    if !clients.extra_public.is_empty() {
        out.push_str(&format!(
            "\n  Also public portal clients with the same redirect URIs: clientId {}\n",
            clients.extra_public.join(", ")
        ));
    }
    if clients.portal_demo_confidential && !apps.is_empty() {
        out.push_str(&format!(
            "\n  {CLIENT_ID} is confidential here (it has a client secret): sign-in works, but refresh and\n  \
             revoke need the secret, so the config has no tokenUrl/revokeUrl; refresh through\n  \
             mobproc-relay (relay/README.md) or sign in again when the token expires.\n"
        ));
    }
    out
}

/// The sign-in user and the emulator's address, printed before the configs.
pub fn header(api_origin: &str, token_lifetime: Option<u32>, no_refresh: bool) -> String {
    let tokens = match (token_lifetime, no_refresh) {
        (Some(s), false) => format!("{s} s, refreshed through tokenUrl"),
        (None, false) => "one hour (--token-lifetime 20 to watch refresh)".into(),
        (s, true) => format!(
            "{}, no refresh token: sign in again when it ends",
            s.map_or("one hour".into(), |s| format!("{s} s"))
        ),
    };
    format!(
        "
  MOBPROC emulator (a local Tangoe) for your app
  ──────────────────────────────────────────────
  Tangoe   {api_origin}   (sign-in page, token endpoint, API under /mobproc/v1)
  sign in  demo / demo       (tenant {TENANT})
  tokens   {tokens}
"
    )
}

/// What `cargo xtask emulator` was asked for.
#[derive(Debug, PartialEq, Eq)]
pub struct Options {
    pub apps: Vec<App>,
    pub port: u16,
    pub token_lifetime: Option<u32>,
    pub clients: Vec<String>,
    pub no_implicit_refresh_token: bool,
}

/// Reads the command line.
pub fn parse_args(args: &[String]) -> Result<Options> {
    let mut o = Options {
        apps: Vec::new(),
        port: 8081,
        token_lifetime: None,
        clients: Vec::new(),
        no_implicit_refresh_token: false,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_owned())),
            _ => (arg.as_str(), None),
        };
        match (flag, &inline) {
            ("-h" | "--help", _) => return Err(USAGE.into()),
            ("--no-implicit-refresh-token", None) => {
                o.no_implicit_refresh_token = true;
                continue;
            }
            ("--no-implicit-refresh-token", Some(_)) => {
                return Err(format!("emulator: {flag} takes no value\n\n{USAGE}"))
            }
            ("--app" | "--port" | "--token-lifetime" | "--client", _) => {}
            _ => return Err(format!("emulator: unknown argument {arg}\n\n{USAGE}")),
        }
        let value = inline
            .or_else(|| it.next().cloned())
            .ok_or_else(|| format!("emulator: {flag} needs a value\n\n{USAGE}"))?;
        match flag {
            "--app" => o
                .apps
                .push(App::parse(&value).map_err(|e| format!("emulator: {e}"))?),
            "--port" => o.port = port(&value)?,
            "--token-lifetime" => o.token_lifetime = Some(seconds(&value)?),
            _ => o.clients.push(value),
        }
    }
    if o.apps.is_empty() {
        return Err(format!(
            "emulator: give your app's URL, e.g. --app http://127.0.0.1:5173/\n\n{USAGE}"
        ));
    }
    if let Some(a) = o.apps.iter().find(|a| a.on_loopback_port(o.port)) {
        return Err(format!(
            "emulator: --app {} is on the emulator's own port {}: choose another --port",
            a.redirect_uri, o.port
        ));
    }
    Ok(o)
}

fn port(value: &str) -> Result<u16> {
    value
        .parse::<u16>()
        .ok()
        .filter(|p| *p != 0)
        .ok_or_else(|| format!("emulator: --port wants a port 1..65535, not {value:?}"))
}

fn seconds(value: &str) -> Result<u32> {
    value
        .parse::<u32>()
        .ok()
        .filter(|s| (1..=86_400).contains(s))
        .ok_or_else(|| {
            format!("emulator: --token-lifetime wants whole seconds 1..86400, not {value:?}")
        })
}

/// The emulator's command line.
fn command(bin: &Path, o: &Options) -> Command {
    let mut c = guarded(&bin.to_string_lossy());
    c.args(["--port", &o.port.to_string()]);
    c.args(registration_args(&o.apps));
    if let Some(secs) = o.token_lifetime {
        c.args(["--token-lifetime", &secs.to_string()]);
    }
    for v in &o.clients {
        c.args(["--client", v]);
    }
    if o.no_implicit_refresh_token {
        c.arg("--no-implicit-refresh-token");
    }
    c
}

/// Builds and starts the emulator, prints the configs; stops on Ctrl-C.
pub fn run(args: &[String]) -> Result {
    let o = parse_args(args)?;
    let bin = crate::demo::build_server("mobproc-emulator")?;
    let (tx, rx) = mpsc::channel();
    let mut servers = Servers::new("emulator", "--port");
    servers.spawn("tangoe", command(&bin, &o), tx)?;
    servers.wait_ready(&rx)?;
    let api_origin = format!("http://127.0.0.1:{}", o.port);
    let clients = Clients::from_values(&o.clients);
    println!(
        "{}{}\n  Logs follow ([tangoe] one line per request; a refused sign-in or CORS request says how\n  \
         to fix it). Ctrl-C stops it.\n",
        header(&api_origin, o.token_lifetime, o.no_implicit_refresh_token),
        app_configs(&api_origin, &o.apps, &clients),
    );
    servers.wait_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(origin: &str, redirect_uri: &str) -> App {
        App {
            origin: origin.into(),
            redirect_uri: redirect_uri.into(),
        }
    }

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn an_app_url_is_an_origin_and_a_redirect_uri() {
        let cases = [
            (
                "http://127.0.0.1:5173/",
                "http://127.0.0.1:5173",
                "http://127.0.0.1:5173/",
            ),
            (
                "http://127.0.0.1:5173",
                "http://127.0.0.1:5173",
                "http://127.0.0.1:5173/",
            ),
            (
                "http://localhost:3000/auth/callback",
                "http://localhost:3000",
                "http://localhost:3000/auth/callback",
            ),
            (
                "http://localhost:3000/app?x=1",
                "http://localhost:3000",
                "http://localhost:3000/app?x=1",
            ),
            (
                "http://localhost:3000?x=1",
                "http://localhost:3000",
                "http://localhost:3000/?x=1",
            ),
            (
                "HTTP://LocalHost:5173/Cb",
                "http://localhost:5173",
                "http://localhost:5173/Cb",
            ),
            (
                "http://127.0.0.1:80/",
                "http://127.0.0.1",
                "http://127.0.0.1/",
            ),
            (
                "https://portal.test:443/",
                "https://portal.test",
                "https://portal.test/",
            ),
            (
                "https://portal.test:8443",
                "https://portal.test:8443",
                "https://portal.test:8443/",
            ),
            (
                "http://[::1]:5173/",
                "http://[::1]:5173",
                "http://[::1]:5173/",
            ),
        ];
        for (given, origin, uri) in cases {
            assert_eq!(App::parse(given), Ok(app(origin, uri)), "{given}");
        }
    }

    #[test]
    fn bad_app_urls_are_refused_with_the_fix() {
        let e = App::parse("127.0.0.1:5173").unwrap_err();
        assert_eq!(
            e,
            "--app \"127.0.0.1:5173\": no scheme; use --app http://127.0.0.1:5173/"
        );
        let e = App::parse("localhost:5173/cb").unwrap_err();
        assert!(e.ends_with("use --app http://localhost:5173/cb"), "{e}");
        for bad in [
            "",
            "ftp://x.test/",
            "http://",
            "http://:5173/",
            "http://127.0.0.1:0/",
            "http://127.0.0.1:70000/",
            "http://me@127.0.0.1/",
            "http://127.0.0.1:5173/#cb",
            "http://127.0.0.1:5173/ x",
            "http://exämple.test/",
            "http://[::1/",
        ] {
            let e = App::parse(bad).unwrap_err();
            assert!(e.starts_with(&format!("--app {bad:?}: ")), "{bad}: {e}");
        }
    }

    #[test]
    fn registration_names_each_origin_and_redirect_uri_once() {
        let apps = [
            App::parse("http://localhost:3000/").unwrap(),
            App::parse("http://localhost:3000/callback").unwrap(),
            App::parse("http://127.0.0.1:5173/").unwrap(),
            App::parse("http://127.0.0.1:5173").unwrap(),
        ];
        assert_eq!(
            registration_args(&apps),
            args(&[
                "--app-origin",
                "http://localhost:3000",
                "--app-origin",
                "http://127.0.0.1:5173",
                "--redirect-uri",
                "http://localhost:3000/",
                "--redirect-uri",
                "http://localhost:3000/callback",
                "--redirect-uri",
                "http://127.0.0.1:5173/",
            ])
        );
    }

    #[test]
    fn the_printed_config_is_the_one_to_paste() {
        let a = App::parse("http://127.0.0.1:5173/").unwrap();
        assert_eq!(
            create_client("http://127.0.0.1:8081", &a, &Clients::default()),
            "const client = await createClient({
  clientId: \"portal-demo\",
  tenant: \"XYZ\",
  apiBaseUrl: \"http://127.0.0.1:8081/mobproc/v1\",
  authorizeUrl: \"http://127.0.0.1:8081/as/authorization.oauth2\",
  redirectUri: \"http://127.0.0.1:5173/\",
  tokenUrl: \"http://127.0.0.1:8081/as/token.oauth2\",
  revokeUrl: \"http://127.0.0.1:8081/as/revoke_token.oauth2\",
});
"
        );
        let text = app_configs(
            "http://127.0.0.1:8081",
            std::slice::from_ref(&a),
            &Clients::default(),
        );
        assert!(text.contains("registered: CORS origin http://127.0.0.1:5173, redirect URI http://127.0.0.1:5173/"), "{text}");
        assert!(
            text.contains("localhost and 127.0.0.1 are different origins"),
            "{text}"
        );
        assert!(text.contains("the trailing / matters"), "{text}");
        assert!(
            text.contains("\n\nconst client = await createClient({\n"),
            "{text}"
        );
        let head = header("http://127.0.0.1:8081", None, false);
        assert!(
            head.contains("sign in  demo / demo       (tenant XYZ)"),
            "{head}"
        );
        assert!(head.contains("Tangoe   http://127.0.0.1:8081 "), "{head}");
    }

    #[test]
    fn a_confidential_portal_demo_has_no_refresh_in_the_config() {
        let clients = Clients::from_values(&args(&["spa", "svc:s", "portal-demo:s3cret"]));
        assert_eq!(
            clients,
            Clients {
                extra_public: vec!["spa".into()],
                portal_demo_confidential: true
            }
        );
        let a = App::parse("http://127.0.0.1:5173/").unwrap();
        let config = create_client("http://127.0.0.1:8081", &a, &clients);
        assert!(
            !config.contains("tokenUrl") && !config.contains("revokeUrl"),
            "{config}"
        );
        assert!(!config.contains("validateUrl"), "{config}");
        let text = app_configs("http://127.0.0.1:8081", &[a], &clients);
        assert!(text.contains("clientId spa"), "{text}");
        assert!(text.contains("portal-demo is confidential here"), "{text}");
        assert!(!text.contains("s3cret"), "{text}");
        // `spa` then `spa:s`: a confidential spa, no longer offered.
        let c = Clients::from_values(&args(&["spa", "spa:s"]));
        assert!(c.extra_public.is_empty());
    }

    #[test]
    fn the_command_line() {
        let o = parse_args(&args(&[
            "--app",
            "http://127.0.0.1:5173/",
            "--app=http://localhost:5173/",
            "--port",
            "9001",
            "--token-lifetime=20",
            "--client",
            "spa",
            "--no-implicit-refresh-token",
        ]))
        .unwrap();
        assert_eq!(o.apps.len(), 2);
        assert_eq!((o.port, o.token_lifetime), (9001, Some(20)));
        assert_eq!(o.clients, ["spa"]);
        assert!(o.no_implicit_refresh_token);
        let e = parse_args(&[]).unwrap_err();
        assert!(e.contains("--app http://127.0.0.1:5173/"), "{e}");
        let e = parse_args(&args(&["--app", "127.0.0.1:5173"])).unwrap_err();
        assert!(
            e.starts_with("emulator: --app \"127.0.0.1:5173\": no scheme"),
            "{e}"
        );
        let e = parse_args(&args(&["--app", "http://localhost:8081/"])).unwrap_err();
        assert!(e.contains("the emulator's own port 8081"), "{e}");
        assert!(parse_args(&args(&["--app", "http://127.0.0.1:5173/", "--port", "0"])).is_err());
        assert!(parse_args(&args(&["--app", "http://127.0.0.1:5173/", "--nope"])).is_err());
    }
}
