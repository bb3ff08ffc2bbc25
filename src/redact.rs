//! Finding a secret in a text that quotes it escaped. An error page that echoes a request may
//! have written the token's `+`, `/`, `=` or `~` as an HTML character reference (`&#43;`,
//! `&#x2F;`, `&sol;`), percent-encoded (`%2B`) or behind JSON backslashes (`\/`, `\u002B`,
//! doubled when JSON is quoted in JSON), and its `-` as `\x2D` (OWASP ESAPI's JavaScript
//! encoder). Letters, digits, `.` and `_` no escaper rewrites, so a token of only those is found
//! as it is.

use crate::prelude::*;

/// Where the secret has a character an escaper rewrites: a percent-encoding (also encoded
/// again: `%252B`), a `\uHHHH` or `\xHH` escape, a character reference (also escaped again:
/// `&amp;#43;`), or one of a token's own such characters, behind a few backslashes. Any, not
/// only the forms of that character: one pattern for all, and what it matches besides is the
/// secret with one of those characters replaced, hidden too.
// Linear on any text: every alternative is bounded (backslashes at most 8, references at most
// 10 characters) and ends in something no backslash is, so no run of backslashes is split
// among neighbouring escapable characters, nor walked again from each start. The single
// character last: an alternative that matches is taken, and `&` or `%` alone would leave the
// rest of its escape behind. It is one of the token's own (RFC 6750 `b64token`), never a quote
// that closes the string the token stands in.
const ANY_ESCAPE: &str = "(?:%(?:25){0,2}[0-9a-f]{2}|\\\\{1,8}(?:u[0-9a-f]{2}|x)[0-9a-f]{2}|\
                          &(?:amp;)?#?[a-z0-9]{1,10};|\\\\{0,8}[-~+/=])";

/// At most this many escapable characters are searched for escaped: a longer pattern could
/// exceed what a regular expression engine takes. No token has that many.
const MOST_ESCAPABLE: usize = 256;

/// A JavaScript regular expression (to be used with the flags `gi`) that matches `secret` with
/// any of its other characters escaped in one of those ways; `None` when it has none (a plain
/// search finds it), more than `MOST_ESCAPABLE`, or is not ASCII.
pub fn escaped_pattern(secret: &str) -> Option<String> {
    let mut out = String::new();
    let mut escapable = 0;
    // By index, each piece pushed as a `str`: no per-character encoding in the module.
    let mut at = 0;
    while let Some(&b) = secret.as_bytes().get(at) {
        let piece = if b.is_ascii_alphanumeric() || b == b'_' {
            secret.get(at..=at).unwrap_or_default()
        } else if b == b'.' {
            "\\."
        } else if b.is_ascii() && escapable < MOST_ESCAPABLE {
            escapable += 1;
            ANY_ESCAPE
        } else {
            // Not ASCII, or one too many: stopped here, not after a pattern of megabytes.
            return None;
        };
        out.push_str(piece);
        at += 1;
    }
    (escapable > 0).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_escapable_characters_widen_the_search() {
        assert_eq!(escaped_pattern("eyJ.abc_9"), None);
        assert!(
            escaped_pattern("eyJ.abc-_9").is_some(),
            "ESAPI writes - as \\x2D"
        );
        assert_eq!(escaped_pattern("tökén+"), None);
        assert_eq!(
            escaped_pattern("a.b+").as_deref(),
            Some(&*crate::text::cat(&["a\\.b", ANY_ESCAPE]))
        );
        assert!(escaped_pattern(&"a+".repeat(MOST_ESCAPABLE)).is_some());
        assert_eq!(escaped_pattern(&"a+".repeat(MOST_ESCAPABLE + 1)), None);
    }
}
