//! PKCE (RFC 7636) for the authorization code grant: a verifier from 32 random bytes and its
//! S256 challenge. SHA-256 is written out here (FIPS 180-4): about 1 KB of wasm, where
//! `crypto.subtle.digest` would make the start of a sign-in async (and a popup needs it
//! synchronous, inside the click) and is missing outside secure contexts.

use crate::prelude::*;

use crate::encode::base64;
use crate::secret::CodeVerifier;

impl CodeVerifier {
    /// A verifier from 32 random bytes: 43 base64url characters (RFC 7636 §4.1 recommends this).
    pub fn from_random_bytes(bytes: &[u8; 32]) -> Self {
        CodeVerifier::new(base64(bytes, true))
    }

    /// The `code_challenge` for `code_challenge_method=S256`: BASE64URL(SHA256(verifier)).
    pub fn challenge(&self) -> String {
        base64(&sha256(self.secret().as_bytes()), true)
    }
}

const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    // The message, 0x80, zeros, and the bit length: a whole number of 64-byte blocks.
    let mut padded = data.to_vec();
    padded.push(0x80);
    while padded.len() % 64 != 56 {
        padded.push(0);
    }
    padded.extend_from_slice(&((data.len() as u64) * 8).to_be_bytes());
    // Index loops throughout: the array iterators, `zip`, `flat_map` and `rotate_right` this
    // was first written with cost the wasm module several times the arithmetic.
    let mut at = 0;
    while let Some(block) = padded.get(at..at + 64) {
        at += 64;
        let mut w = [0u32; 64];
        for (i, &byte) in block.iter().enumerate() {
            if let Some(word) = w.get_mut(i / 4) {
                *word = (*word << 8) | u32::from(byte);
            }
        }
        for i in 16..64 {
            // `get` rather than indexing: no panic path (i ≥ 16 keeps every index in range).
            let at = |back: usize| w.get(i - back).copied().unwrap_or(0);
            let (a, b) = (at(15), at(2));
            let s0 = a.rotate_right(7) ^ a.rotate_right(18) ^ (a >> 3);
            let s1 = b.rotate_right(17) ^ b.rotate_right(19) ^ (b >> 10);
            let next = at(16).wrapping_add(s0).wrapping_add(at(7)).wrapping_add(s1);
            if let Some(slot) = w.get_mut(i) {
                *slot = next;
            }
        }
        let mut v = h;
        for (i, k) in K.iter().enumerate() {
            let w = w.get(i).copied().unwrap_or(0);
            let s1 = v[4].rotate_right(6) ^ v[4].rotate_right(11) ^ v[4].rotate_right(25);
            let choose = (v[4] & v[5]) ^ (!v[4] & v[6]);
            let t1 = v[7]
                .wrapping_add(s1)
                .wrapping_add(choose)
                .wrapping_add(*k)
                .wrapping_add(w);
            let s0 = v[0].rotate_right(2) ^ v[0].rotate_right(13) ^ v[0].rotate_right(22);
            let majority = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
            let t2 = s0.wrapping_add(majority);
            v = [
                t1.wrapping_add(t2),
                v[0],
                v[1],
                v[2],
                v[3].wrapping_add(t1),
                v[4],
                v[5],
                v[6],
            ];
        }
        for (i, h) in h.iter_mut().enumerate() {
            *h = h.wrapping_add(v.get(i).copied().unwrap_or(0));
        }
    }
    // Byte by byte: `copy_from_slice` has a length check whose formatted panic message would
    // keep `core::fmt` reachable from every sign-in.
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = (h.get(i / 4).copied().unwrap_or(0) >> (24 - 8 * (i % 4))) as u8;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn sha256_matches_the_fips_examples() {
        assert_eq!(
            hex(&sha256(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex(&sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        // Two blocks (56 bytes: the length no longer fits the first).
        assert_eq!(
            hex(&sha256(
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            )),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
        assert_eq!(
            hex(&sha256(&[b'a'; 1000])),
            "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"
        );
    }

    #[test]
    fn s256_challenge_of_rfc_7636_appendix_b() {
        let verifier = CodeVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(
            verifier.challenge(),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn a_verifier_from_32_bytes_is_43_unreserved_characters() {
        let verifier = CodeVerifier::from_random_bytes(&[0xfb; 32]);
        assert_eq!(verifier.secret().len(), 43);
        assert!(verifier
            .secret()
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(format!("{verifier:?}"), "CodeVerifier([redacted])");
    }
}
