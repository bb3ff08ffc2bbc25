//! Secret strings whose `Debug` and `Display` print `[redacted]`, so a token cannot reach a log
//! line by accident; reading one takes an explicit [`AccessToken::secret`].

use crate::prelude::*;

use core::fmt;

macro_rules! secret_newtype {
    ($($(#[$doc:meta])* $name:ident),*) => {$(
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            /// Wraps a secret value.
            pub fn new(value: impl Into<String>) -> Self {
                $name(value.into())
            }
            /// The secret itself: call this only where it is sent.
            pub fn secret(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}([redacted])", stringify!($name))
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("[redacted]")
            }
        }
    )*};
}

secret_newtype!(
    /// An OAuth access token (RFC 6749 §1.4), sent as `Authorization: Bearer …`.
    AccessToken,
    /// An OAuth refresh token (RFC 6749 §1.5); Tangoe rotates it on every refresh.
    RefreshToken,
    /// The anti-CSRF `state` of a pending sign-in (RFC 6749 §10.12).
    State,
    /// A confidential client's secret (RFC 6749 §2.3.1): server-side only.
    ClientSecret,
    /// The PKCE `code_verifier` of a pending code sign-in (RFC 7636 §4.1).
    CodeVerifier
);

impl State {
    /// Compares in time independent of where the strings first differ.
    pub fn matches(&self, other: &str) -> bool {
        let (a, b) = (self.0.as_bytes(), other.as_bytes());
        // An index loop: `zip` brings its random-access length code along.
        let mut diff = u8::from(a.len() != b.len());
        for (i, x) in a.iter().enumerate() {
            diff |= x ^ b.get(i).copied().unwrap_or(0);
        }
        diff == 0
    }

    /// A `state` from 32 random bytes (256 bits, above RFC 6749's 128-bit floor), base64url.
    pub fn from_random_bytes(bytes: &[u8; 32]) -> Self {
        State(crate::encode::base64(bytes, true))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_are_redacted() {
        let token = AccessToken::new("eyJ-very-secret");
        let refresh = RefreshToken::new("r-secret");
        let state = State::new("s-secret");
        for printed in [
            format!("{token:?} {token} {refresh:?} {refresh} {state:?} {state}"),
            format!("{:?}", Some(&token)),
        ] {
            assert!(!printed.contains("secret"), "{printed}");
            assert!(printed.contains("[redacted]"), "{printed}");
        }
        assert_eq!(token.secret(), "eyJ-very-secret");
    }

    #[test]
    fn state_is_43_base64url_chars_and_matches_only_itself() {
        let state = State::from_random_bytes(&[0xfb; 32]);
        assert_eq!(state.secret().len(), 43);
        assert!(state
            .secret()
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert!(state.matches(state.secret()));
        assert!(!state.matches(""));
        assert!(!state.matches(&state.secret()[1..]));
        assert_ne!(
            State::from_random_bytes(&[0; 32]),
            State::from_random_bytes(&[1; 32])
        );
    }

    #[test]
    fn base64url_known_vectors() {
        let base64url = |b: &[u8]| crate::encode::base64(b, true);
        assert_eq!(base64url(b""), "");
        assert_eq!(base64url(b"f"), "Zg");
        assert_eq!(base64url(b"fo"), "Zm8");
        assert_eq!(base64url(b"foo"), "Zm9v");
        assert_eq!(base64url(&[0xff, 0xfe]), "__4");
    }
}
