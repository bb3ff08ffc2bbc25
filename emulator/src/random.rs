//! Unguessable token values, short error ids and constant-time comparison.

use std::sync::atomic::{AtomicU64, Ordering};

/// 32 random bytes from the OS, hex-encoded (64 characters).
pub fn token() -> Option<String> {
    let mut buf = [0u8; 32];
    getrandom::getrandom(&mut buf).ok()?;
    Some(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// A short lowercase id such as `tghwn`, for Tangoe error bodies (not a secret).
pub fn short_id() -> String {
    static FALLBACK: AtomicU64 = AtomicU64::new(0x9e37_79b9);
    let mut buf = [0u8; 5];
    if getrandom::getrandom(&mut buf).is_err() {
        let n = FALLBACK.fetch_add(0x9e37_79b9, Ordering::Relaxed);
        buf = [
            n as u8,
            (n >> 8) as u8,
            (n >> 16) as u8,
            (n >> 24) as u8,
            (n >> 32) as u8,
        ];
    }
    buf.iter().map(|b| char::from(b'a' + b % 26)).collect()
}

/// Compares two secrets without stopping at the first difference.
pub fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
