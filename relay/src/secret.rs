//! The client secret: held once, never printed.

use std::fmt;

/// The confidential client's secret. `Debug` shows a placeholder and there is no
/// `Display`, so a `{:?}` of the configuration or an error cannot leak it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret that is already checked (see [`crate::values::secret`]).
    pub(crate) fn new(value: String) -> Secret {
        Secret(value)
    }

    /// The secret itself, for the one place that puts it on the upstream request.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::Secret;

    #[test]
    fn debug_hides_the_value() {
        let s = Secret::new("hunter2-very-secret".into());
        assert_eq!(format!("{s:?}"), "Secret(…)");
        assert_eq!(s.expose(), "hunter2-very-secret");
    }
}
