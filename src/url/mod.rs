//! A strict parser for the absolute http(s) URLs the configuration holds.
//!
//! Strict on purpose: anything unusual (userinfo, backslashes, whitespace, non-ASCII, odd
//! ports) is refused rather than interpreted, so this parser and the browser's cannot disagree
//! about where a token goes. Request URLs are checked on the browser's own parse (`fetch` takes
//! the origin from the `Request`'s serialised URL, [`serialized_origin`]); only configured
//! origins come from here.

use crate::prelude::*;

use crate::text::{
    cat, digits, every_byte, push_decimal, split_once_byte, strip_byte, trim_end_byte,
    trim_start_byte,
};
use core::fmt;

mod host;

/// An absolute `http:` or `https:` URL, normalised (lowercase scheme and host, no default
/// port, path at least `/`), kept as one string with the boundaries of its parts.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpUrl {
    text: String,
    https: bool,
    host_end: usize,
    origin_end: usize,
    path_end: usize,
    query_end: usize,
}

/// Why a string is not an acceptable URL; the text completes "… must be …" style messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlError(pub &'static str);

impl HttpUrl {
    /// Parses `input`, which must be an absolute `http://` or `https://` URL.
    pub fn parse(input: &str) -> Result<Self, UrlError> {
        if input.is_empty() {
            return Err(UrlError("must not be empty"));
        }
        if !every_byte(input, |b| (0x21..0x7f).contains(&b) && b != b'\\') {
            return Err(UrlError(
                "must be plain ASCII without spaces, control characters or backslashes",
            ));
        }
        // All ASCII from here on, so every byte index is a char boundary.
        let (https, rest) = split_scheme(input)
            .ok_or(UrlError("must be an absolute URL starting with https://"))?;
        let authority_end = first(rest, |b| matches!(b, b'/' | b'?' | b'#'));
        let (authority, tail) = rest.split_at_checked(authority_end).unwrap_or((rest, ""));
        let (host, port) = parse_authority(authority, https)?;

        // One copy of the input's pieces, lowercased up to the host in place (no temporaries).
        let mut text = String::with_capacity(input.len() + 1);
        text.push_str(if https { "https://" } else { "http://" });
        text.push_str(host);
        text.make_ascii_lowercase();
        let host_end = text.len();
        if let Some(port) = port {
            text.push(':');
            push_decimal(&mut text, port.into());
        }
        let origin_end = text.len();
        // The path is at least `/`: one is added before a tail that does not start with it.
        let path_len = first(tail, |b| matches!(b, b'?' | b'#'));
        let added = usize::from(path_len == 0);
        if added == 1 {
            text.push('/');
        }
        text.push_str(tail);
        Ok(HttpUrl {
            text,
            https,
            host_end,
            origin_end,
            path_end: origin_end + added + path_len,
            query_end: origin_end + added + first(tail, |b| b == b'#'),
        })
    }

    /// `https` or `http`.
    pub fn scheme(&self) -> &'static str {
        if self.https {
            "https"
        } else {
            "http"
        }
    }

    /// True for `https:`.
    pub fn is_https(&self) -> bool {
        self.https
    }

    /// True for the loopback hosts where plain http is allowed: `127.0.0.1`, `localhost`,
    /// `[::1]`.
    pub fn is_loopback(&self) -> bool {
        matches!(self.host(), "127.0.0.1" | "localhost" | "[::1]")
    }

    /// The lowercase host, IPv6 literals in brackets.
    pub fn host(&self) -> &str {
        self.part(self.scheme().len() + 3, self.host_end)
    }

    /// The path, at least `/`.
    pub fn path(&self) -> &str {
        self.part(self.origin_end, self.path_end)
    }

    /// The query without `?`, if any.
    pub fn query(&self) -> Option<&str> {
        let query = self.part(self.path_end, self.query_end);
        strip_byte(query, b'?')
    }

    /// The fragment without `#`, if any.
    pub fn fragment(&self) -> Option<&str> {
        strip_byte(self.part(self.query_end, self.text.len()), b'#')
    }

    /// The serialised origin, as the browser's `URL.origin` prints it: `https://host[:port]`.
    pub fn origin(&self) -> &str {
        self.part(0, self.origin_end)
    }

    /// The whole normalised URL.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Joins a relative reference onto this URL's path: `/ping` under `…/mobproc/v1` is
    /// `…/mobproc/v1/ping`. The reference may carry its own query; this URL's query is dropped.
    pub fn join_path(&self, relative: &str) -> String {
        let relative = trim_start_byte(relative, b'/');
        if relative.is_empty() {
            cat(&[self.origin(), self.path()])
        } else {
            cat(&[
                self.origin(),
                trim_end_byte(self.path(), b'/'),
                "/",
                relative,
            ])
        }
    }

    fn part(&self, start: usize, end: usize) -> &str {
        self.text.get(start..end).unwrap_or_default()
    }
}

impl fmt::Display for HttpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for HttpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HttpUrl({})", self.text)
    }
}

/// True when `input` names its own scheme or host (`https://…`, `mailto:…`, `//host/…`), so
/// it must not be joined onto the API base path but resolved and origin-checked as it is.
pub fn is_absolute_reference(input: &str) -> bool {
    if input.starts_with("//") || input.starts_with("\\\\") || input.starts_with("/\\") {
        return true;
    }
    match split_once_byte(input, b':') {
        Some((scheme, _)) => {
            scheme
                .bytes()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
                && every_byte(scheme, |c| {
                    c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.')
                })
        }
        None => false,
    }
}

/// The origin of a URL as the URL parser serialises it (a `Request`'s `url`):
/// `scheme://host[:port]`, up to the path. For `http` and `https` without a user name this is
/// `URL.origin`; anything else (no authority: `""`; another scheme; a user name, which stays
/// in) matches no allowed origin, so such a request is refused.
pub fn serialized_origin(href: &str) -> &str {
    let Some((scheme, rest)) = split_once_byte(href, b':') else {
        return "";
    };
    let Some(authority) = rest.strip_prefix("//") else {
        return "";
    };
    let end = scheme.len() + 3 + first(authority, |b| matches!(b, b'/' | b'?' | b'#'));
    href.get(..end).unwrap_or("")
}

/// Why a URL with a user name or password is refused (a `Request` cannot be made from one, and
/// an error must not quote it).
pub const USERINFO_REFUSED: &str =
    "the URL has a user name or password, which a request cannot carry";

/// Whether `href` (as the URL parser serialises it) has a user name or password.
pub fn has_userinfo(href: &str) -> bool {
    split_once_byte(serialized_origin(href), b'@').is_some()
}

/// What an error names for `href` (as the URL parser serialises it) when it may not receive
/// the token: the text up to its path (for http(s), `URL.origin`), or the scheme of a URL
/// that has no host (`blob:`, `data:`). Nothing for one with a user name or password, which
/// must not be quoted (callers refuse those first, with [`USERINFO_REFUSED`]).
pub fn refused_origin(href: &str) -> &str {
    let origin = serialized_origin(href);
    if has_userinfo(href) {
        return "";
    }
    if !origin.is_empty() {
        return origin;
    }
    match split_once_byte(href, b':') {
        Some((scheme, _)) => href.get(..=scheme.len()).unwrap_or(""),
        None => "",
    }
}

fn split_scheme(input: &str) -> Option<(bool, &str)> {
    // Over a borrowed array: an owned one's iterator costs more code.
    for &(scheme, https) in &[("https://", true), ("http://", false)] {
        let head = input.get(..scheme.len())?;
        if head.eq_ignore_ascii_case(scheme) {
            return Some((https, input.get(scheme.len()..)?));
        }
    }
    None
}

/// The index of the first byte matching `stop`, or the length.
// Not inlined into `HttpUrl::parse`, which calls it three times (−53 B gzip, with LTO).
#[inline(never)]
fn first(text: &str, stop: fn(u8) -> bool) -> usize {
    let mut at = 0;
    while let Some(&b) = text.as_bytes().get(at) {
        if stop(b) {
            break;
        }
        at += 1;
    }
    at
}

/// The host as written (IPv6 literals in brackets) and the port unless it is the default.
fn parse_authority(authority: &str, https: bool) -> Result<(&str, Option<u16>), UrlError> {
    if !every_byte(authority, |b| b != b'@') {
        return Err(UrlError("must not contain user name or password (`@`)"));
    }
    let (host, port) = if let Some(v6) = strip_byte(authority, b'[') {
        let (inside, after) =
            split_once_byte(v6, b']').ok_or(UrlError("has an unterminated IPv6 address"))?;
        if inside.is_empty() || !every_byte(inside, |c| c.is_ascii_hexdigit() || c == b':') {
            return Err(UrlError("has an invalid IPv6 address"));
        }
        let port = match after {
            "" => None,
            p => Some(strip_byte(p, b':').ok_or(UrlError("has an invalid port"))?),
        };
        (authority.get(..inside.len() + 2).unwrap_or_default(), port)
    } else {
        let (host, port) = match split_once_byte(authority, b':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        };
        let valid = !host.is_empty()
            && !matches!(host.as_bytes().first(), Some(b'.' | b'-'))
            && every_byte(host, |c| {
                c.is_ascii_alphanumeric() || c == b'.' || c == b'-'
            });
        if !valid {
            return Err(UrlError("must have a valid host name"));
        }
        host::check_ipv4(host)?;
        (host, port)
    };
    let port = match port {
        None => None,
        Some(p) => {
            let n = digits(p)
                .filter(|_| p.len() <= 5)
                .and_then(|n| u16::try_from(n).ok())
                .ok_or(UrlError("has an invalid port"))?;
            let default = if https { 443 } else { 80 };
            match n {
                0 => return Err(UrlError("has an invalid port")),
                n if n == default => None,
                n => Some(n),
            }
        }
    };
    Ok((host, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_normalises() {
        let u = HttpUrl::parse("HTTPS://API.Example.COM:443/mobproc/v1?x=1#f").unwrap();
        assert_eq!(u.origin(), "https://api.example.com");
        assert_eq!(u.path(), "/mobproc/v1");
        assert_eq!(u.query(), Some("x=1"));
        assert_eq!(u.fragment(), Some("f"));
        assert_eq!(u.to_string(), "https://api.example.com/mobproc/v1?x=1#f");
        let v6 = HttpUrl::parse("http://[::1]:8080").unwrap();
        assert_eq!(v6.origin(), "http://[::1]:8080");
        assert!(v6.is_loopback());
        assert_eq!(v6.path(), "/");
    }

    #[test]
    fn refuses_ambiguous_urls() {
        for bad in [
            "",
            "api.example.com/v1",
            "ftp://example.com",
            "javascript:alert(1)",
            "https://user:pw@example.com",
            "https://example.com\\@evil.example",
            "https://exa mple.com",
            "https://exämple.com",
            "https://",
            "https://:443",
            "https://example.com:99999",
            "https://example.com:0",
            "https://example.com:",
            "https://[::1",
            "https://[zz]/",
            "https://.example.com",
            // IPv4 forms the browser reads as another address than the one written.
            "https://010.0.0.5/",
            "https://0x0a.0.0.5/",
            "http://2130706433/",
            "http://127.1/",
        ] {
            assert!(HttpUrl::parse(bad).is_err(), "accepted {bad:?}");
        }
    }

    #[test]
    fn loopback_hosts() {
        for ok in ["http://127.0.0.1:8081", "http://localhost", "http://[::1]"] {
            assert!(HttpUrl::parse(ok).unwrap().is_loopback(), "{ok}");
        }
        for not in [
            "http://127.0.0.2",
            "http://localhost.evil.example",
            "http://10.0.0.1",
        ] {
            assert!(!HttpUrl::parse(not).unwrap().is_loopback(), "{not}");
        }
    }

    #[test]
    fn joins_onto_the_base_path() {
        let base = HttpUrl::parse("https://h.example/mobproc/v1").unwrap();
        assert_eq!(
            base.join_path("/ping?echoText=hi"),
            "https://h.example/mobproc/v1/ping?echoText=hi"
        );
        assert_eq!(base.join_path("ping"), "https://h.example/mobproc/v1/ping");
        assert_eq!(base.join_path(""), "https://h.example/mobproc/v1");
        let slash = HttpUrl::parse("https://h.example/mobproc/v1/?q=1").unwrap();
        assert_eq!(slash.join_path("/me"), "https://h.example/mobproc/v1/me");
        let root = HttpUrl::parse("http://127.0.0.1:9").unwrap();
        assert_eq!(root.join_path("/me"), "http://127.0.0.1:9/me");
    }

    #[test]
    fn takes_the_origin_of_a_serialised_url() {
        for (href, origin) in [
            ("https://h.example/mobproc/v1/me", "https://h.example"),
            ("https://h.example:8443/x?y#z", "https://h.example:8443"),
            ("http://127.0.0.1:9/", "http://127.0.0.1:9"),
            ("https://[::1]:8443/a", "https://[::1]:8443"),
            ("https://h.example?q", "https://h.example"),
            ("https://h.example", "https://h.example"),
            ("data:,x", ""),
            ("mailto:a@b", ""),
            ("nothing", ""),
            // Not `URL.origin`, and in no allowlist (only http(s) origins are): refused.
            ("blob:https://h.example/x", ""),
            ("file:///x", "file://"),
            ("foo://h.example/x", "foo://h.example"),
            ("https://u:p@h.example/x", "https://u:p@h.example"),
        ] {
            assert_eq!(serialized_origin(href), origin, "{href}");
        }
    }

    #[test]
    fn names_a_refused_origin_but_never_its_userinfo() {
        for (href, named, userinfo) in [
            ("https://evil.example/x", "https://evil.example", false),
            ("http://h.example:8080/", "http://h.example:8080", false),
            ("blob:https://h.example/x", "blob:", false),
            ("data:,x", "data:", false),
            ("file:///x", "file://", false),
            ("https://u:hunter2@h.example/x", "", true),
            ("https://u%40x:p@h.example:1/", "", true),
            ("https://u@h.example", "", true),
        ] {
            assert_eq!(refused_origin(href), named, "{href}");
            assert_eq!(has_userinfo(href), userinfo, "{href}");
        }
    }

    #[test]
    fn tells_absolute_references_apart() {
        for abs in [
            "https://x.example/a",
            "HTTP://x",
            "//evil.example/x",
            "mailto:a@b",
            "data:,x",
            "/\\evil",
        ] {
            assert!(is_absolute_reference(abs), "{abs}");
        }
        for rel in ["/ping", "ping", "orders/1", "/a:b", "?x=1", "", "1abc:x"] {
            assert!(!is_absolute_reference(rel), "{rel}");
        }
    }
}
