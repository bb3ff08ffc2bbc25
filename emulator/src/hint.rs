//! Advice for a developer whose app the emulator turned away: what was received, what is
//! registered, the near miss when there is one (`localhost` for `127.0.0.1`, a trailing `/`,
//! another port), and the flag that fixes it. Shown on the sign-in error page and added to the
//! request's log line (a [`LogNote`]).

use crate::cli::urls::{check_origin, check_redirect_uri};
use crate::urls::{is_loopback_name, Parts};

/// Text the log line of this request ends with, after ` | `: a response extension that the
/// log middleware reads. Never a token: only origins, redirect URIs, client ids, header names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogNote(pub String);

/// The longest received value quoted in a message or a log line.
const MAX_QUOTED: usize = 200;

/// A value from a request, safe to quote in a log line or a message: printable ASCII and
/// spaces only (anything else shown as `?`, so no line break gets into the log), at most 200
/// characters.
pub fn printable(v: &str) -> String {
    let mut out: String = v
        .chars()
        .take(MAX_QUOTED)
        .map(|c| {
            if c == ' ' || c.is_ascii_graphic() {
                c
            } else {
                '?'
            }
        })
        .collect();
    if v.chars().nth(MAX_QUOTED).is_some() {
        out.push_str("...");
    }
    out
}

/// Why `got` was probably meant to be one of `known` (origins, or redirect URIs), if it
/// looks so: the same but for the trailing `/`, `localhost` against `127.0.0.1`, the port,
/// the scheme or letter case.
pub fn near_miss(got: &str, known: &[String]) -> Option<String> {
    known.iter().find_map(|k| near_miss_one(got, k))
}

fn near_miss_one(got: &str, k: &str) -> Option<String> {
    if got.trim_end_matches('/') == k.trim_end_matches('/') {
        return Some(format!(
            "{got} and {k} differ only by the trailing /, which counts"
        ));
    }
    if got.eq_ignore_ascii_case(k) {
        return Some(format!("{got} and {k} differ only in letter case"));
    }
    let (g, r) = (Parts::split(got)?, Parts::split(k)?);
    let same_scheme = g.scheme.eq_ignore_ascii_case(r.scheme);
    let same_host = g.host.eq_ignore_ascii_case(r.host);
    let same_port = g.effective_port() == r.effective_port();
    let same_rest = g.rest == r.rest;
    if same_scheme && same_port && same_rest && is_loopback_name(g.host) && is_loopback_name(r.host)
    {
        return Some(format!(
            "{} and {} are different hosts to a browser, so {got} is not {k}: open the app \
             at the registered one, or register this one",
            g.host, r.host
        ));
    }
    if same_scheme && same_host && same_rest && !same_port {
        return Some(format!(
            "{got} differs from {k} only by the port (a dev server such as Vite moves to the \
             next port when its own is busy)"
        ));
    }
    if same_host && same_port && same_rest && !same_scheme {
        return Some(format!("{got} differs from {k} only by the scheme"));
    }
    None
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}

/// What to say about a sign-in request whose `client_id` is missing (`None`) or unknown:
/// sentences for the error page; the log line joins them.
pub fn client_refused(received: Option<&str>, portal_clients: &[String]) -> Vec<String> {
    let first = match received {
        None => "No client_id was sent.".to_string(),
        Some(id) => format!("Unknown client_id {}.", printable(id)),
    };
    vec![
        first,
        format!(
            "Portal clients here (implicit grant): {}; add one with --client ID.",
            list(portal_clients)
        ),
    ]
}

/// What to say when `received` (`None`: no `redirect_uri` at all) is not a redirect URI
/// registered for `client_id`: sentences for the error page; the log line joins them.
/// `service` is true for a service client, which has no redirect URIs at all.
pub fn redirect_uri_refused(
    client_id: &str,
    received: Option<&str>,
    registered: &[String],
    service: bool,
) -> Vec<String> {
    let client = printable(client_id);
    if service {
        return vec![
            format!(
                "Client {client} is a service client: it signs in with the password grant at \
                 the token endpoint, not on this page, and has no redirect URIs."
            ),
            "Use a portal client such as portal-demo (or one added with --client ID).".into(),
        ];
    }
    let Some(got) = received else {
        return vec![
            format!("No redirect_uri was sent for client {client}."),
            format!("Registered for {client}: {}.", list(registered)),
            "Set redirectUri in the app's createClient config to one of them.".into(),
        ];
    };
    let shown = printable(got);
    let mut out = vec![
        format!("The redirect_uri {shown} is not registered for client {client}."),
        format!("Registered for {client}: {}.", list(registered)),
    ];
    if let Some(n) = near_miss(&shown, registered) {
        out.push(format!("Near miss: {n}."));
    }
    out.push(match check_redirect_uri("--redirect-uri", &shown) {
        Ok(uri) => {
            let origin = Parts::split(&uri).map(|p| p.origin()).unwrap_or_default();
            format!(
                "To register it, start the emulator with --redirect-uri {uri} (and --app-origin \
                 {origin} for the app's API calls; repeated flags replace the defaults), or run \
                 cargo xtask emulator --app {uri}"
            )
        }
        Err(e) => format!("It cannot be registered as it is: {e}"),
    });
    out
}

/// The log note for a cross-origin request from `origin` that CORS refused (`preflight`: the
/// preflight was answered 403; else the response went out without CORS headers, so the
/// browser hides it from the page and the app sees a network error).
pub fn origin_refused(origin: &str, allowed: &[String], preflight: bool) -> String {
    let shown = printable(origin);
    let what = if preflight {
        "CORS preflight refused"
    } else {
        "CORS: response hidden from the page"
    };
    let mut out = format!(
        "{what}: origin {shown} is not allowed (allowed: {})",
        list(allowed)
    );
    if let Some(n) = near_miss(&shown, allowed) {
        out.push_str(&format!("; near miss: {n}"));
    }
    if origin == "null" {
        out.push_str(
            "; a file:// page or a sandboxed frame sends Origin null: serve the app over \
             http://127.0.0.1:PORT and allow that origin",
        );
        return out;
    }
    match check_origin("--app-origin", &shown) {
        Ok(o) => out.push_str(&format!(
            "; fix: start the emulator with --app-origin {o} (repeated flags replace the \
             default), or run cargo xtask emulator --app {o}/"
        )),
        Err(e) => out.push_str(&format!(
            "; it cannot be allowed as it is: {}",
            printable(&e)
        )),
    }
    out
}

/// The log note for a preflight from an allowed origin that asked for headers the emulator
/// does not allow.
pub fn headers_refused(refused: &[&str], allowed: &[&str]) -> String {
    let refused: Vec<String> = refused.iter().map(|h| printable(h)).collect();
    format!(
        "CORS preflight refused: request header(s) {} not allowed (allowed: {})",
        refused.join(", "),
        allowed.join(", ")
    )
}
