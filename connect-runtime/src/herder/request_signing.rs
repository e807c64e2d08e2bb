//! Signed requests between workers (Apache's `InternalRequestSignature`, KIP-507): with the
//! `sessioned` protocol the leader keeps a session key in the config topic, and a worker
//! posting task configurations to the leader signs the request body with it.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::storage::SessionKey;

/// The header carrying the Base64 signature.
pub const SIGNATURE_HEADER: &str = "X-Connect-Authorization";
/// The header naming the signature algorithm.
pub const SIGNATURE_ALGORITHM_HEADER: &str = "X-Connect-Request-Signature-Algorithm";
/// The only algorithm this worker signs and verifies with.
pub const ALGORITHM: &str = "HmacSHA256";

type HmacSha256 = Hmac<Sha256>;

fn mac(key: &[u8], body: &[u8]) -> Option<HmacSha256> {
    let mut mac = HmacSha256::new_from_slice(key).ok()?;
    mac.update(body);
    Some(mac)
}

/// The signature of `body` under `key`, Base64-encoded as Apache sends it.
pub fn sign(key: &SessionKey, body: &[u8]) -> Option<String> {
    let mac = mac(&key.key, body)?;
    Some(base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()))
}

/// Whether `signature` (Base64) is the signature of `body` under `key`; the comparison takes
/// the same time whatever the bytes.
pub fn verify(key: &SessionKey, body: &[u8], signature: &str) -> bool {
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(signature.trim()) else {
        return false;
    };
    mac(&key.key, body).is_some_and(|m| m.verify_slice(&bytes).is_ok())
}

/// A new random 256-bit key, created now.
pub fn new_key(now_ms: i64) -> Option<SessionKey> {
    let mut key = vec![0u8; 32];
    getrandom::fill(&mut key).ok()?;
    Some(SessionKey {
        key,
        algorithm: ALGORITHM.to_owned(),
        created_ms: now_ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_javas_hmac_sha256() {
        // javax.crypto.Mac "HmacSHA256" over "[]" with the key bytes "key".
        let key = SessionKey {
            key: b"key".to_vec(),
            algorithm: ALGORITHM.to_owned(),
            created_ms: 0,
        };
        let s = sign(&key, b"The quick brown fox jumps over the lazy dog").unwrap();
        // RFC 4231-style known answer (also Wikipedia's HMAC example).
        assert_eq!(
            base64::engine::general_purpose::STANDARD
                .decode(&s)
                .unwrap(),
            hex("f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")
        );
        assert!(verify(
            &key,
            b"The quick brown fox jumps over the lazy dog",
            &s
        ));
        assert!(!verify(
            &key,
            b"The quick brown fox jumps over the lazy cat",
            &s
        ));
        assert!(!verify(&key, b"x", "not base64!"));
        let fresh = new_key(1).unwrap();
        assert_eq!(fresh.key.len(), 32);
        assert_ne!(fresh.key, new_key(1).unwrap().key);
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }
}
