//! Whole numbers handed to JavaScript as numbers. The package's `u64` values (times in ms,
//! `Retry-After`) are at most 2^53 − 1 (`token::MAX_TIME_MS`, `retryAfter`'s cap), so they
//! are exact as `f64`; serialised as `f64` they skip serde-wasm-bindgen's `u64` path, whose
//! out-of-range error formats a message and pulls in `core::fmt` and BigInt glue.

use serde::Serializer;

/// A `u64` field as a JavaScript number (`#[serde(serialize_with)]`).
pub fn whole<S: Serializer>(value: &u64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64(*value as f64)
}

/// An `Option<u64>` field as a JavaScript number, `None` as serde-wasm-bindgen's `None`.
pub fn optional_whole<S: Serializer>(
    value: &Option<u64>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => whole(value, serializer),
        None => serializer.serialize_none(),
    }
}
