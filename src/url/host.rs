//! IPv4 hosts the browser's URL parser writes differently from how they were given.

use super::UrlError;
use crate::text::{digits, every_byte, split_byte};

/// Refuses a host name that the browser would read as an IPv4 address written in another
/// form: the browser reads `010.0.0.5` as 8.0.0.5 (a leading zero is octal), `0x0a.0.0.5` as
/// 10.0.0.5 and `2130706433` as 127.0.0.1, so such a token URL would name one server and send
/// the password, the client secret or the refresh token to another. A host whose last label
/// (a trailing dot aside) is a number (digits, or `0x` and hex digits) must be four numbers
/// 0-255 without leading zeros.
/// (IPv6 needs no such check: its forms are one address, and an origin the browser writes
/// another way is refused when a call is checked, never widened.)
pub(super) fn check_ipv4(host: &str) -> Result<(), UrlError> {
    let (mut last, mut before) = ("", "");
    for label in split_byte(host, b'.') {
        before = last;
        last = label;
    }
    if last.is_empty() {
        last = before;
    }
    // WHATWG's "ends in a number": digits only, or `0x` and hex digits only.
    let number = match last.get(..2) {
        Some("0x" | "0X") => {
            every_byte(last.get(2..).unwrap_or_default(), |b| b.is_ascii_hexdigit())
        }
        _ => digits(last).is_some(),
    };
    if !number {
        return Ok(());
    }
    let mut count = 0;
    for label in split_byte(host, b'.') {
        let zero_led = label.len() > 1 && label.as_bytes().first() == Some(&b'0');
        if zero_led || digits(label).is_none_or(|n| n > 255) {
            count = 0;
            break;
        }
        count += 1;
    }
    if count == 4 {
        Ok(())
    } else {
        Err(UrlError(
            "has an IPv4 address the browser reads another way (write four numbers 0-255, no \
             leading zeros)",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_only_as_the_browser_writes_it() {
        for ok in [
            "127.0.0.1",
            "10.0.0.5",
            "255.255.255.255",
            "0.0.0.0",
            "api.example.com",
            "api.example.com.",
            "v1.example",
            "1.example",
            "0xfe.example",
            "3com",
            "9gag",
            "foo.1a",
            "3f4e5a6b7c8d",
            "example.0x1g",
        ] {
            assert!(check_ipv4(ok).is_ok(), "refused {ok}");
        }
        for bad in [
            "010.0.0.5",
            "0x0a.0.0.5",
            "2130706433",
            "127.1",
            "1.2.3.4.",
            "1.2.3.256",
            "1.2.3.4.5",
            "1.2.3.1234",
            "00.0.0.0",
            "example.123",
            "example.0x1f",
            "example.09.",
        ] {
            assert!(check_ipv4(bad).is_err(), "accepted {bad}");
        }
    }
}
