//! `application/x-www-form-urlencoded` parameters from a query string or a body.

use std::collections::HashMap;

/// Decoded parameters; a name sent twice is remembered as repeated. Its `Debug` names the
/// parameters, never their values (tokens, passwords).
#[derive(Default, Clone)]
pub struct Params {
    values: HashMap<String, String>,
    repeated: Vec<String>,
}

impl std::fmt::Debug for Params {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Params")
            .field("names", &self.values.keys().collect::<Vec<_>>())
            .field("repeated", &self.repeated)
            .finish()
    }
}

impl Params {
    /// Parses form-encoded bytes.
    pub fn parse(bytes: &[u8]) -> Params {
        let mut p = Params::default();
        for (k, v) in form_urlencoded::parse(bytes) {
            if p.values.insert(k.to_string(), v.to_string()).is_some() {
                p.repeated.push(k.to_string());
            }
        }
        p
    }

    /// Parses an optional raw query string.
    pub fn query(q: Option<&str>) -> Params {
        Params::parse(q.unwrap_or_default().as_bytes())
    }

    /// Adds `other`'s values on top of these (`other` wins).
    pub fn overlay(mut self, other: Params) -> Params {
        self.values.extend(other.values);
        self.repeated = other.repeated;
        self
    }

    /// A parameter's value; an empty value counts as absent (RFC 6749 §3.1).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// The first parameter that was sent more than once, if any.
    pub fn repeated(&self) -> Option<&str> {
        self.repeated.first().map(String::as_str)
    }
}
