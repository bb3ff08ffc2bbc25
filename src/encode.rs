//! `application/x-www-form-urlencoded` encoding and decoding (WHATWG URL §5), small and strict.
//!
//! Hand-written rather than the `url`/`form_urlencoded` crates: those pull in IDNA tables that
//! cost more than this whole library in the browser.

use crate::prelude::*;
use crate::text::{cat, split_byte, split_once_byte};

/// Base64 of `bytes` (RFC 4648): §5 base64url without padding when `url`, else §4 with it.
pub fn base64(bytes: &[u8], url: bool) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let sextet = |v: u32| {
        let c = ALPHABET.get((v & 63) as usize).copied().unwrap_or(b'A');
        char::from(match (url, c) {
            (true, b'+') => b'-',
            (true, b'/') => b'_',
            _ => c,
        })
    };
    let mut out = String::with_capacity(bytes.len() * 4 / 3 + 4);
    // Index loops: `chunks` and an array iterator cost more than the encoding.
    let mut at = 0;
    while at < bytes.len() {
        let b = |i: usize| u32::from(bytes.get(at + i).copied().unwrap_or(0));
        let n = b(0) << 16 | b(1) << 8 | b(2);
        // Sextet `i` exists when the group has at least `i` bytes (the first two always).
        for i in 0..4 {
            if i <= bytes.len() - at {
                out.push(sextet(n >> (18 - 6 * i)));
            } else if !url {
                out.push('=');
            }
        }
        at += 3;
    }
    out
}

/// A version 4 UUID (RFC 9562 §5.4) from 16 random bytes, in its usual text form.
pub fn uuid_v4(mut bytes: [u8; 16]) -> String {
    if let Some(b) = bytes.get_mut(6) {
        *b = (*b & 0x0f) | 0x40;
    }
    if let Some(b) = bytes.get_mut(8) {
        *b = (*b & 0x3f) | 0x80;
    }
    let mut out = String::with_capacity(36);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        // The form encoder's digits, lowercased: one hex table in the module.
        out.push(hex_digit(b >> 4).to_ascii_lowercase());
        out.push(hex_digit(b & 15).to_ascii_lowercase());
    }
    out
}

/// The `Authorization` value of HTTP Basic client authentication (RFC 6749 §2.3.1: id and
/// secret form-encoded first).
pub fn basic_credentials(client_id: &str, secret: &str) -> String {
    let pair = cat(&[&form_encode(client_id), ":", &form_encode(secret)]);
    cat(&["Basic ", &base64(pair.as_bytes(), false)])
}

/// Percent-encodes `value` for a query string or form body: unreserved bytes pass, space is `+`.
pub fn form_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    for &b in value.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(hex_digit(b >> 4));
                out.push(hex_digit(b & 0x0f));
            }
        }
    }
    out
}

/// Builds `a=1&b=2` from pairs, each value encoded with [`form_encode`].
pub fn form_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    for (key, value) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(&form_encode(key));
        out.push('=');
        out.push_str(&form_encode(value));
    }
    out
}

/// Why a form string could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// `%` not followed by two hex digits.
    BadPercent,
    /// A decoded byte outside ASCII. OAuth response values are ASCII (RFC 6749 Appendix A),
    /// and refusing the rest keeps UTF-8 validation out of the module.
    NotAscii,
    /// More than [`MAX_PAIRS`] pairs.
    TooManyPairs,
}

/// The most pairs [`parse_form`] reads: an OAuth answer has a handful, and each pair costs
/// the module memory (which never shrinks) for a crafted link's `&a&a&a…`.
pub const MAX_PAIRS: usize = 64;

/// Decodes one form component: `+` is a space, `%XX` a byte. Strict: a stray `%` is an error,
/// because a lenient decoder would let two parsers disagree about a token.
pub fn form_decode(input: &str) -> Result<String, DecodeError> {
    let bytes = input.as_bytes();
    let mut out = String::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let decoded = match b {
            b'+' => b' ',
            b'%' => {
                let hi = bytes.get(i + 1).and_then(|&h| hex_value(h));
                let lo = bytes.get(i + 2).and_then(|&l| hex_value(l));
                i += 2;
                match (hi, lo) {
                    (Some(hi), Some(lo)) => hi << 4 | lo,
                    _ => return Err(DecodeError::BadPercent),
                }
            }
            b => b,
        };
        if !decoded.is_ascii() {
            return Err(DecodeError::NotAscii);
        }
        out.push(char::from(decoded));
        i += 1;
    }
    Ok(out)
}

/// Splits `a=1&b=2` into decoded pairs, in order, keeping duplicates (the caller decides).
/// Empty segments (`a=1&&b=2`) are skipped; a segment without `=` has an empty value.
pub fn parse_form(input: &str) -> Result<Vec<(String, String)>, DecodeError> {
    // A loop, not `collect` into a `Result`: the iterator adapters that would take cost the
    // wasm module more than this function.
    let mut pairs = Vec::new();
    for segment in split_byte(input, b'&').filter(|segment| !segment.is_empty()) {
        if pairs.len() == MAX_PAIRS {
            return Err(DecodeError::TooManyPairs);
        }
        let (key, value) = split_once_byte(segment, b'=').unwrap_or((segment, ""));
        pairs.push((form_decode(key)?, form_decode(value)?));
    }
    Ok(pairs)
}

/// The uppercase hex digit of the low four bits of `nibble`.
pub(crate) fn hex_digit(nibble: u8) -> char {
    char::from(
        b"0123456789ABCDEF"
            .get(usize::from(nibble & 0x0f))
            .copied()
            .unwrap_or(b'0'),
    )
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_v4_sets_version_and_variant() {
        let id = uuid_v4([0xff; 16]);
        assert_eq!(id, "ffffffff-ffff-4fff-bfff-ffffffffffff");
        assert_eq!(uuid_v4([0; 16]), "00000000-0000-4000-8000-000000000000");
    }

    #[test]
    fn base64_both_alphabets() {
        assert_eq!(base64(b"\xfb\xff", false), "+/8=");
        assert_eq!(base64(b"\xfb\xff", true), "-_8");
        assert_eq!(base64(b"abc", false), "YWJj");
        assert_eq!(
            basic_credentials("portal demo", "s:cret"),
            "Basic cG9ydGFsK2RlbW86cyUzQWNyZXQ="
        );
    }

    #[test]
    fn encodes_reserved_and_non_ascii() {
        assert_eq!(form_encode("a b&c=d/é"), "a+b%26c%3Dd%2F%C3%A9");
        assert_eq!(form_encode("command://jdoe"), "command%3A%2F%2Fjdoe");
    }

    #[test]
    fn decode_round_trips() {
        for s in ["", "plain", "a b+c", "100%", "un/code?&=#", "\u{0}\u{7f}"] {
            assert_eq!(form_decode(&form_encode(s)).as_deref(), Ok(s));
        }
    }

    #[test]
    fn decode_rejects_bad_percent_and_non_ascii() {
        assert_eq!(form_decode("%"), Err(DecodeError::BadPercent));
        assert_eq!(form_decode("%4"), Err(DecodeError::BadPercent));
        assert_eq!(form_decode("%zz"), Err(DecodeError::BadPercent));
        assert_eq!(form_decode("%FF"), Err(DecodeError::NotAscii));
        assert_eq!(form_decode("é"), Err(DecodeError::NotAscii));
    }

    #[test]
    fn parses_pairs_in_order_with_duplicates() {
        let pairs = parse_form("a=1&&b=x+y&a=2&flag").unwrap();
        let expected = [("a", "1"), ("b", "x y"), ("a", "2"), ("flag", "")];
        let got: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(got, expected);
    }
}
