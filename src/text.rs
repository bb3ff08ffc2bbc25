//! String building without `core::fmt`: the npm build avoids the formatting machinery, which
//! costs more bytes than the messages it would print.

use crate::prelude::*;

/// Concatenates `parts` into one exactly-sized `String`.
pub fn cat(parts: &[&str]) -> String {
    // Index loops: smaller in the module than the slice iterator and its adapters.
    let (mut len, mut at) = (0, 0);
    while let Some(part) = parts.get(at) {
        len += part.len();
        at += 1;
    }
    let mut out = String::with_capacity(len);
    at = 0;
    while let Some(part) = parts.get(at) {
        out.push_str(part);
        at += 1;
    }
    out
}

/// `n` in decimal.
pub fn decimal(n: u64) -> String {
    let mut out = String::new();
    push_decimal(&mut out, n);
    out
}

/// Appends `n` in decimal: most significant digit first, by recursion (no digit buffer).
pub fn push_decimal(out: &mut String, n: u64) {
    if n >= 10 {
        push_decimal(out, n / 10);
    }
    out.push(char::from(b'0' + (n % 10) as u8));
}

/// Whether every byte of `text` passes `test`. One loop for every such check of the crate:
/// each `bytes().all(closure)` is its own copy of the iterator code in the wasm module. Not
/// inlined (−128 B gzip, with LTO).
#[inline(never)]
pub fn every_byte(text: &str, test: fn(u8) -> bool) -> bool {
    for &b in text.as_bytes() {
        if !test(b) {
            return false;
        }
    }
    true
}

/// A non-empty run of ASCII digits as a number, saturating at `u64::MAX`; `None` for anything
/// else. (`str::parse` brings its generic error machinery for the same job.)
pub fn digits(text: &str) -> Option<u64> {
    if text.is_empty() {
        return None;
    }
    if !every_byte(text, |b| b.is_ascii_digit()) {
        return None;
    }
    // Saturating by comparison: `u64::saturating_mul` pulls in a 128-bit multiply.
    let mut n = 0u64;
    for &b in text.as_bytes() {
        n = if n > u64::MAX / 10 {
            u64::MAX
        } else {
            (n * 10).saturating_add(u64::from(b - b'0'))
        };
    }
    Some(n)
}

/// `text` without the ASCII byte `strip` repeated at its start (`trim_start_matches` for one
/// byte, without the pattern machinery).
pub fn trim_start_byte(text: &str, strip: u8) -> &str {
    let mut start = 0;
    while text.as_bytes().get(start) == Some(&strip) {
        start += 1;
    }
    text.get(start..).unwrap_or_default()
}

/// `text` without the ASCII byte `strip` repeated at its end; see [`trim_start_byte`].
pub fn trim_end_byte(text: &str, strip: u8) -> &str {
    let mut end = text.len();
    while end > 0 && text.as_bytes().get(end - 1) == Some(&strip) {
        end -= 1;
    }
    text.get(..end).unwrap_or_default()
}

/// `str::trim` (Unicode white space at both ends), without the pattern machinery.
pub fn trim(text: &str) -> &str {
    let mut chars = text.char_indices();
    let start = chars
        .find(|(_, c)| !c.is_whitespace())
        .map_or(text.len(), |(at, _)| at);
    let end = text
        .char_indices()
        .rev()
        .find(|(_, c)| !c.is_whitespace())
        .map_or(start, |(at, c)| at + c.len_utf8());
    text.get(start..end).unwrap_or_default()
}

/// `text` after its first byte if that is the ASCII byte `prefix` (`strip_prefix` for one
/// byte: a `char` pattern brings UTF-8 encoding code).
pub fn strip_byte(text: &str, prefix: u8) -> Option<&str> {
    match text.as_bytes().first() {
        Some(&b) if b == prefix => text.get(1..),
        _ => None,
    }
}

/// The first `max` characters of `text`. Counted by UTF-8 lead bytes: `char_indices` would
/// keep the UTF-8 decoder in the module for this one use.
pub fn first_chars(text: &str, max: usize) -> &str {
    let mut chars = 0;
    let mut at = 0;
    while let Some(&b) = text.as_bytes().get(at) {
        // A byte that does not continue a character starts one.
        if b & 0xC0 != 0x80 {
            if chars == max {
                return text.get(..at).unwrap_or_default();
            }
            chars += 1;
        }
        at += 1;
    }
    text
}

/// `text` without HTTP optional white space (SP and HTAB, RFC 9110 §5.6.3) at either end: a
/// header value needs no Unicode tables.
pub fn trim_ows(text: &str) -> &str {
    let ows = |b: Option<&u8>| b == Some(&b' ') || b == Some(&b'\t');
    let bytes = text.as_bytes();
    let mut start = 0;
    while ows(bytes.get(start)) {
        start += 1;
    }
    let mut end = text.len();
    while end > start && ows(bytes.get(end - 1)) {
        end -= 1;
    }
    text.get(start..end).unwrap_or_default()
}

/// `str::split_once` for an ASCII separator, without the generic pattern machinery (which
/// costs the wasm module more than the callers together).
pub fn split_once_byte(text: &str, separator: u8) -> Option<(&str, &str)> {
    // An index loop: `position` kept its iterator state in memory, at twice the size.
    let mut at = 0;
    loop {
        match text.as_bytes().get(at) {
            Some(&b) if b == separator => return Some((text.get(..at)?, text.get(at + 1..)?)),
            Some(_) => at += 1,
            None => return None,
        }
    }
}

/// `str::split` for an ASCII separator; see [`split_once_byte`].
pub fn split_byte(text: &str, separator: u8) -> SplitByte<'_> {
    SplitByte {
        rest: Some(text),
        separator,
    }
}

/// The iterator of [`split_byte`].
pub struct SplitByte<'a> {
    rest: Option<&'a str>,
    separator: u8,
}

impl<'a> Iterator for SplitByte<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        match split_once_byte(rest, self.separator) {
            Some((head, tail)) => {
                self.rest = Some(tail);
                Some(head)
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}

/// Appends `value` as a JSON string literal (RFC 8259 §7), quotes included.
pub fn push_json_string(out: &mut String, value: &str) {
    // Bytes, copying the runs between escapes: every byte escaped is ASCII, so each cut is
    // a char boundary, and no UTF-8 decoding is needed.
    out.push('"');
    let mut start = 0;
    for (at, &b) in value.as_bytes().iter().enumerate() {
        if b == b'"' || b == b'\\' || b < 0x20 {
            out.push_str(value.get(start..at).unwrap_or_default());
            out.push('\\');
            if b < 0x20 {
                out.push_str("u00");
                out.push(char::from(b'0' + (b >> 4)));
                // The form encoder's digits, lowercased: one hex table in the module.
                out.push(crate::encode::hex_digit(b & 15).to_ascii_lowercase());
            } else {
                out.push(char::from(b));
            }
            start = at + 1;
        }
    }
    out.push_str(value.get(start..).unwrap_or_default());
    out.push('"');
}

/// Builds a flat JSON object from `(key, value)` pairs; `None` values are left out, numbers
/// are written as given (already digits).
pub fn json_object(fields: &[(&str, JsonValue<'_>)]) -> String {
    let mut out = String::from("{");
    for (key, value) in fields {
        let text = match *value {
            JsonValue::Opt(None) | JsonValue::Num(None) => continue,
            JsonValue::Str(s) | JsonValue::Opt(Some(s)) | JsonValue::Nullable(Some(s)) => Some(s),
            _ => None,
        };
        if out.len() > 1 {
            out.push(',');
        }
        push_json_string(&mut out, key);
        out.push(':');
        match (text, *value) {
            (Some(s), _) => push_json_string(&mut out, s),
            (None, JsonValue::Num(Some(n))) => push_decimal(&mut out, n),
            (None, JsonValue::Bool(b)) => out.push_str(if b { "true" } else { "false" }),
            _ => out.push_str("null"),
        }
    }
    out.push('}');
    out
}

/// A value of [`json_object`].
#[derive(Clone, Copy, Debug)]
pub enum JsonValue<'a> {
    /// A string.
    Str(&'a str),
    /// A string, or nothing (the key is left out).
    Opt(Option<&'a str>),
    /// A string, or `null`.
    Nullable(Option<&'a str>),
    /// A non-negative integer, or nothing (the key is left out).
    Num(Option<u64>),
    /// A boolean.
    Bool(bool),
}

/// Whether `key` names the option `name` another way: its ASCII letters, lowercased
/// (anything else dropped), contain `name`'s first six letters (`return_to`, `ReturnUrl`,
/// `timeout_ms`), or are within two edits of `name` (`returTo`, `retrunTo`, `timoutMs`).
/// `key`, `domEvent`, `timeStamp` and `isTrusted` name neither `returnto` nor `timeoutms`.
/// Past 64 letters only a stem already met counts. `name`: at most 16 lowercase letters,
/// whose six-letter stem does not begin again inside itself (`return`, `timeou`): the stem
/// is matched in one pass, restarting only at the letter that broke a match.
pub fn names_option(key: &str, name: &str) -> bool {
    let name = name.as_bytes();
    let stem = name.get(..6).unwrap_or(name);
    // One row of the edit table: `row[j]` is the distance to `name`'s first j + 1 letters.
    let mut row = [0u8; 16];
    for (slot, n) in row.iter_mut().zip(1..) {
        *slot = n;
    }
    let (mut letters, mut matched) = (0u8, 0);
    // Index loops: iterator adapters here cost 51 B more (gzip).
    let mut at = 0;
    while let Some(&c) = key.as_bytes().get(at) {
        at += 1;
        if !c.is_ascii_alphabetic() {
            continue;
        }
        let c = c.to_ascii_lowercase();
        letters += 1;
        if letters > 64 {
            return false;
        }
        // The stem, by one pass (after a false start it is tried again from this letter).
        matched = if stem.get(matched) == Some(&c) {
            matched + 1
        } else {
            usize::from(stem.first() == Some(&c))
        };
        if matched == stem.len() {
            return true;
        }
        let (mut diagonal, mut left, mut j) = (letters - 1, letters, 0);
        while let (Some(slot), Some(&n)) = (row.get_mut(j), name.get(j)) {
            let up = *slot;
            left = (up + 1).min(left + 1).min(diagonal + u8::from(c != n));
            *slot = left;
            diagonal = up;
            j += 1;
        }
    }
    // The distance to all of `name` (`letters` when `name` is empty).
    row.get(name.len().wrapping_sub(1))
        .copied()
        .unwrap_or(letters)
        <= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_names_in_other_spellings() {
        let returns = [
            "returnTo",
            "returnto",
            "return_to",
            "RETURN-TO",
            "returnUrl",
            "returTo",
        ];
        for key in returns
            .iter()
            .chain(&["retrunTo", "rturnTo", "returnTO1", "return"])
        {
            assert!(names_option(key, "returnto"), "{key}");
        }
        for key in [
            "timeout",
            "timeoutMS",
            "timeout_ms",
            "TimeOut",
            "timoutMs",
            "timeoutSeconds",
        ] {
            assert!(names_option(key, "timeoutms"), "{key}");
        }
        // The own keys of DOM and React events and of UI libraries' handler payloads.
        let others = [
            "key",
            "keyPath",
            "domEvent",
            "isTrusted",
            "type",
            "item",
            "",
            "retur",
        ];
        let react = [
            "timeStamp",
            "nativeEvent",
            "currentTarget",
            "eventPhase",
            "target",
        ];
        for key in others
            .iter()
            .chain(&react)
            .chain(&["originalEvent", "__proto__", "next"])
        {
            assert!(
                !names_option(key, "returnto") && !names_option(key, "timeoutms"),
                "{key}"
            );
        }
        assert!(!names_option(&"r".repeat(1000), "returnto"));
        assert!(names_option("ab", "abcd") && !names_option("a", "abcd"));
        assert!(names_option("", "ab") && !names_option("", "abc"));
    }

    #[test]
    fn json_strings_and_objects() {
        let mut s = String::new();
        push_json_string(&mut s, "a\"b\\c\n\u{1}é");
        assert_eq!(s, r#""a\"b\\c\u000a\u0001é""#);
        let o = json_object(&[
            ("a", JsonValue::Str("x")),
            ("b", JsonValue::Opt(None)),
            ("c", JsonValue::Num(Some(12))),
            ("f", JsonValue::Num(None)),
            ("d", JsonValue::Bool(true)),
            ("e", JsonValue::Opt(Some("y"))),
        ]);
        assert_eq!(o, r#"{"a":"x","c":12,"d":true,"e":"y"}"#);
    }

    #[test]
    fn digits_and_trims_like_str() {
        for text in [
            "",
            "0",
            "007",
            "65535",
            "18446744073709551615",
            "1a",
            " 1",
            "-1",
            "+1",
        ] {
            let parsed = (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
                .then(|| text.parse::<u64>().unwrap());
            assert_eq!(digits(text), parsed, "{text:?}");
        }
        assert_eq!(digits("99999999999999999999999"), Some(u64::MAX));
        for text in [
            "",
            " ",
            " a ",
            "\t1\u{a0}",
            "\u{85}x y\u{3000}",
            "é",
            "  ü  ",
        ] {
            assert_eq!(trim(text), text.trim(), "{text:?}");
        }
        for text in ["", "abc", "aé", "ééé", "a\u{10348}b", "\u{3000}xyz"] {
            for max in 0..5 {
                let end = text
                    .char_indices()
                    .nth(max)
                    .map_or(text.len(), |(at, _)| at);
                assert_eq!(first_chars(text, max), &text[..end], "{text:?} {max}");
            }
        }
        for text in ["", "#", "##a", "a#", "é"] {
            assert_eq!(strip_byte(text, b'#'), text.strip_prefix('#'), "{text:?}");
        }
        for text in ["", " ", "\t 7 \t", " a b ", "\u{a0}1 ", "é\t"] {
            assert_eq!(trim_ows(text), text.trim_matches([' ', '\t']), "{text:?}");
        }
        for text in ["", "/", "//a//", "a/b", "é//"] {
            assert_eq!(trim_start_byte(text, b'/'), text.trim_start_matches('/'));
            assert_eq!(trim_end_byte(text, b'/'), text.trim_end_matches('/'));
        }
    }

    #[test]
    fn splits_like_str() {
        for text in ["", "a", "a&b", "&a&&b&", "é&ü"] {
            assert_eq!(
                split_byte(text, b'&').collect::<Vec<_>>(),
                text.split('&').collect::<Vec<_>>()
            );
            assert_eq!(split_once_byte(text, b'&'), text.split_once('&'));
        }
    }

    #[test]
    fn concatenates_and_prints_numbers() {
        assert_eq!(cat(&["a", "", "bc"]), "abc");
        assert_eq!(cat(&[]), "");
        for n in [0, 7, 10, 443, 65535, u64::MAX] {
            assert_eq!(decimal(n), n.to_string());
        }
    }
}
