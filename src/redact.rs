//! Finding a secret in a text that quotes it escaped. An error page that echoes a request may
//! have written the token's `+`, `/`, `=` or `~` as an HTML character reference (`&#43;`,
//! `&#x2F;`, `&sol;`), percent-encoded (`%2B`) or behind JSON backslashes (`\/`, `\u002B`,
//! doubled when JSON is quoted in JSON). Letters, digits, `.`, `_` and `-` no escaper rewrites,
//! so a token of only those is found as it is.

use crate::prelude::*;

/// Where the secret has a character an escaper rewrites: any percent-encoding, `\uHHHH` or
/// character reference, or that character or another behind any backslashes. Any, not only the
/// forms of that character: one pattern for all, and what it matches besides is the secret with
/// one of those characters replaced, hidden too.
// The single character last: an alternative that matches is taken, and `&` or `%` alone
// would leave the rest of its escape behind. Linear on any text: a run of backslashes is
// only ever taken by `\\*` or `\\+u` (the single character is no backslash), and a
// reference is at most 10 characters long; else a body of backslashes after the token's
// first letters would be split among consecutive escapable characters every possible way.
const ANY_ESCAPE: &str = "(?:%[0-9a-f]{2}|\\\\+u[0-9a-f]{4}|&#?[a-z0-9]{1,10};|\\\\*[^a-z0-9\\\\])";

/// A JavaScript regular expression (to be used with the flags `gi`) that matches `secret` with
/// any of its other characters escaped in one of those ways; `None` when it has none (a plain
/// search finds it) or is not ASCII.
pub fn escaped_pattern(secret: &str) -> Option<String> {
    let mut out = String::new();
    let mut escapable = false;
    // By index, each piece pushed as a `str`: no per-character encoding in the module.
    let mut at = 0;
    while let Some(&b) = secret.as_bytes().get(at) {
        let piece = if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' {
            secret.get(at..=at).unwrap_or_default()
        } else if b == b'.' {
            "\\."
        } else if b.is_ascii() {
            escapable = true;
            ANY_ESCAPE
        } else {
            return None;
        };
        out.push_str(piece);
        at += 1;
    }
    escapable.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_escapable_characters_widen_the_search() {
        assert_eq!(escaped_pattern("eyJ.abc-_9"), None);
        assert_eq!(escaped_pattern("tökén+"), None);
        assert_eq!(
            escaped_pattern("a.b+").as_deref(),
            Some(&*crate::text::cat(&["a\\.b", ANY_ESCAPE]))
        );
    }
}
