//! String building without `core::fmt`: the npm build avoids the formatting machinery, which
//! costs more bytes than the messages it would print.

use crate::prelude::*;

/// Concatenates `parts` into one exactly-sized `String`.
pub fn cat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        out.push_str(part);
    }
    out
}

/// `n` in decimal.
pub fn decimal(mut n: u64) -> String {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        if let Some(d) = digits.get_mut(start) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || start == 0 {
            break;
        }
    }
    digits
        .get(start..)
        .map(|d| d.iter().map(|&b| char::from(b)).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concatenates_and_prints_numbers() {
        assert_eq!(cat(&["a", "", "bc"]), "abc");
        assert_eq!(cat(&[]), "");
        for n in [0, 7, 10, 443, 65535, u64::MAX] {
            assert_eq!(decimal(n), n.to_string());
        }
    }
}
