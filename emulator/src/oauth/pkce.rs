//! PKCE (RFC 7636) rules: what a `code_challenge` and a `code_verifier` must look like, and
//! the S256 check `BASE64URL-NOPAD(SHA256(code_verifier)) == code_challenge`. Only `S256` is
//! accepted: `plain` (and a missing method, which RFC 7636 §4.3 makes `plain`) is refused,
//! as RFC 9700 §2.1.1 recommends.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// The only `code_challenge_method` accepted.
pub const S256: &str = "S256";

/// RFC 3986 §2.3 unreserved characters: what a verifier is made of (RFC 7636 §4.1).
fn unreserved(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~')
}

/// The S256 challenge of a verifier: `BASE64URL-NOPAD(SHA256(ASCII(code_verifier)))`.
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Why a `code_verifier` is malformed (43 to 128 characters of `[A-Za-z0-9-._~]`,
/// RFC 7636 §4.1), or `None` when it is well formed.
pub fn verifier_problem(verifier: &str) -> Option<&'static str> {
    if !(43..=128).contains(&verifier.len()) {
        Some("code_verifier must be 43 to 128 characters long (RFC 7636 §4.1)")
    } else if !verifier.bytes().all(unreserved) {
        Some("code_verifier may only contain A-Z, a-z, 0-9, '-', '.', '_' and '~' (RFC 7636 §4.1)")
    } else {
        None
    }
}

/// Checks the PKCE parameters of an authorization request for the code flow; `Ok` is the
/// challenge to keep with the code, `Err` the `error_description` of an `invalid_request`.
pub fn check_challenge(
    challenge: Option<&str>,
    method: Option<&str>,
) -> Result<String, &'static str> {
    let Some(challenge) = challenge else {
        return Err("code_challenge is required (PKCE, RFC 7636, with code_challenge_method=S256)");
    };
    match method {
        Some(S256) => {}
        None => {
            return Err(
                "code_challenge_method is required and must be S256 (without it the method is plain, which is not accepted)",
            )
        }
        Some("plain") => return Err("code_challenge_method plain is not accepted; use S256"),
        Some(_) => return Err("code_challenge_method must be S256"),
    }
    // An S256 challenge is BASE64URL-NOPAD of 32 bytes: exactly 43 characters.
    let well_formed = challenge.len() == 43
        && URL_SAFE_NO_PAD
            .decode(challenge)
            .is_ok_and(|d| d.len() == 32);
    if !well_formed {
        return Err("code_challenge must be BASE64URL(SHA256(code_verifier)) without padding: 43 characters of A-Z, a-z, 0-9, '-' and '_'");
    }
    Ok(challenge.to_string())
}

/// Whether `verifier` hashes to `challenge` (compared without stopping at the first
/// difference).
pub fn verifies(verifier: &str, challenge: &str) -> bool {
    crate::random::same(&s256(verifier), challenge)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7636 Appendix B.
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn rfc_7636_appendix_b() {
        assert_eq!(s256(VERIFIER), CHALLENGE);
        assert!(verifies(VERIFIER, CHALLENGE));
        assert_eq!(verifier_problem(VERIFIER), None);
        assert_eq!(
            check_challenge(Some(CHALLENGE), Some("S256")),
            Ok(CHALLENGE.into())
        );
    }

    #[test]
    fn other_verifiers_do_not_verify() {
        let wrong = VERIFIER.replace('d', "e");
        assert!(!verifies(&wrong, CHALLENGE));
        assert!(!verifies(VERIFIER, &CHALLENGE.to_lowercase()));
        assert!(!verifies(CHALLENGE, CHALLENGE));
    }

    #[test]
    fn verifier_syntax() {
        assert!(verifier_problem(&"a".repeat(42)).is_some());
        assert!(verifier_problem(&"a".repeat(43)).is_none());
        assert!(verifier_problem(&"a".repeat(128)).is_none());
        assert!(verifier_problem(&"a".repeat(129)).is_some());
        assert!(verifier_problem(&format!("{}-._~Z9", "a".repeat(40))).is_none());
        for bad in ['+', '/', '=', ' ', '%', 'é'] {
            let v = format!("{}{bad}", "a".repeat(43));
            assert!(verifier_problem(&v).is_some(), "{v}");
        }
    }

    #[test]
    fn challenge_rules() {
        assert!(check_challenge(None, Some("S256")).is_err());
        assert!(check_challenge(Some(CHALLENGE), None).is_err());
        assert!(check_challenge(Some(CHALLENGE), Some("plain")).is_err());
        assert!(check_challenge(Some(CHALLENGE), Some("s256")).is_err());
        assert!(check_challenge(Some(CHALLENGE), Some("S512")).is_err());
        // Padded, standard alphabet, too short, too long.
        for bad in [
            format!("{CHALLENGE}="),
            CHALLENGE.replace('-', "+"),
            CHALLENGE.chars().take(42).collect(),
            format!("{CHALLENGE}A"),
        ] {
            assert!(check_challenge(Some(&bad), Some("S256")).is_err(), "{bad}");
        }
    }
}
