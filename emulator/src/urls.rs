//! A small reading of absolute `http(s)` URLs, enough to check the start-up flags
//! (`--app-origin`, `--redirect-uri`) and to explain a near miss at run time. Not a full URL
//! parser on purpose: the emulator compares origins and redirect URIs as exact strings, as
//! PingFederate and browsers do, so all it needs is to tell the parts apart.

/// The parts of `scheme://host[:port]rest`, borrowed from the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Parts<'a> {
    /// The scheme as written, without `://`.
    pub scheme: &'a str,
    /// The host as written (`[…]` kept for IPv6).
    pub host: &'a str,
    /// The port as written, without `:`.
    pub port: Option<&'a str>,
    /// Everything after the authority: path, query and fragment (may be empty).
    pub rest: &'a str,
}

impl<'a> Parts<'a> {
    /// Splits `text` at `://` and the end of the authority; `None` without `://`.
    pub fn split(text: &'a str) -> Option<Parts<'a>> {
        let (scheme, after) = text.split_once("://")?;
        let end = after.find(['/', '?', '#']).unwrap_or(after.len());
        let (authority, rest) = after.split_at(end);
        let (host, port) = match authority.rsplit_once(':') {
            // `[::1]` alone: the colons are inside the brackets.
            Some((host, port)) if !port.contains(']') => (host, Some(port)),
            _ => (authority, None),
        };
        Some(Parts {
            scheme,
            host,
            port,
            rest,
        })
    }

    /// `scheme://host[:port]` with scheme and host in lower case and the scheme's default
    /// port left out: the form a browser sends in `Origin`.
    pub fn origin(&self) -> String {
        let scheme = self.scheme.to_ascii_lowercase();
        let host = self.host.to_ascii_lowercase();
        match self.port {
            Some(p) if Some(p) != default_port(&scheme) && !p.is_empty() => {
                format!("{scheme}://{host}:{p}")
            }
            _ => format!("{scheme}://{host}"),
        }
    }

    /// The port a browser would connect to (the default one when none is written).
    pub fn effective_port(&self) -> Option<&'a str> {
        match self.port {
            Some(p) => Some(p),
            None => default_port(self.scheme),
        }
    }
}

/// `80` for `http`, `443` for `https`.
pub fn default_port(scheme: &str) -> Option<&'static str> {
    match scheme.to_ascii_lowercase().as_str() {
        "http" => Some("80"),
        "https" => Some("443"),
        _ => None,
    }
}

/// True for `localhost` and the loopback addresses a browser may show for it.
pub fn is_loopback_name(host: &str) -> bool {
    matches!(
        host.to_ascii_lowercase().as_str(),
        "localhost" | "127.0.0.1" | "[::1]"
    )
}
