//! Secrets the bot must keep in the database (a TikTok shop's tokens) are sealed with
//! XChaCha20-Poly1305 under a key that lives only in the environment
//! ([`crate::config::tiktok::SECRET_KEY_ENV`]). Each sealed value is bound to what it is (the
//! `purpose`, e.g. `tiktok access token, program 3`), so a value copied into another row does not
//! open there.

use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

use crate::config::tiktok::SECRET_KEY_ENV;

const NONCE_LEN: usize = 24;

/// Why no key could be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretKeyError {
    #[error(
        "{SECRET_KEY_ENV} is not set: the bot will not store the shop's tokens unencrypted. \
         Set it to 32 random bytes, base64 (`openssl rand -base64 32`), keep it with the bot's \
         other secrets, and run this again"
    )]
    Missing,
    #[error(
        "{SECRET_KEY_ENV} must be 32 bytes written as base64 (44 characters) or hex (64 \
         characters); the value set is neither"
    )]
    Malformed,
    #[error(
        "a stored secret could not be opened with {SECRET_KEY_ENV}: the key changed since it was \
         stored, or the value was altered. Connect the shop again (`creator-bot tiktok connect`)"
    )]
    WrongKey,
}

/// The key that seals stored secrets. Its `Debug` shows nothing of it.
#[derive(Clone)]
pub struct SecretKey(XChaCha20Poly1305);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

impl SecretKey {
    /// The key from [`SECRET_KEY_ENV`].
    pub fn from_env() -> Result<SecretKey, SecretKeyError> {
        match std::env::var(SECRET_KEY_ENV) {
            Ok(v) if !v.trim().is_empty() => SecretKey::parse(&v),
            _ => Err(SecretKeyError::Missing),
        }
    }

    /// 32 bytes as base64 (standard or URL-safe, padded or not) or hex.
    pub fn parse(text: &str) -> Result<SecretKey, SecretKeyError> {
        let text = text.trim();
        let bytes = if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            hex::decode(text).ok()
        } else {
            use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
            STANDARD
                .decode(text)
                .or_else(|_| URL_SAFE.decode(text))
                .or_else(|_| URL_SAFE_NO_PAD.decode(text))
                .ok()
        };
        match bytes {
            Some(b) => XChaCha20Poly1305::new_from_slice(&b)
                .map(SecretKey)
                .map_err(|_| SecretKeyError::Malformed),
            None => Err(SecretKeyError::Malformed),
        }
    }

    /// Nonce followed by the ciphertext of `plain`, bound to `purpose`.
    pub fn seal(&self, purpose: &str, plain: &str) -> Vec<u8> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self
            .0
            .encrypt(
                &nonce,
                Payload {
                    msg: plain.as_bytes(),
                    aad: purpose.as_bytes(),
                },
            )
            .expect("sealing a short secret cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        out
    }

    /// The secret [`seal`](Self::seal) sealed for `purpose`.
    pub fn open(&self, purpose: &str, sealed: &[u8]) -> Result<String, SecretKeyError> {
        if sealed.len() < NONCE_LEN {
            return Err(SecretKeyError::WrongKey);
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().expect("split at the nonce's length");
        let plain = self
            .0
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: body,
                    aad: purpose.as_bytes(),
                },
            )
            .map_err(|_| SecretKeyError::WrongKey)?;
        String::from_utf8(plain).map_err(|_| SecretKeyError::WrongKey)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_and_opens_only_for_the_same_purpose_and_key() {
        let key = SecretKey::parse(&"ab".repeat(32)).unwrap();
        let sealed = key.seal("tiktok access token, program 1", "TTP_token");
        assert!(!sealed.windows(9).any(|w| w == b"TTP_token"));
        assert_eq!(
            key.open("tiktok access token, program 1", &sealed).unwrap(),
            "TTP_token"
        );
        assert_eq!(
            key.open("tiktok access token, program 2", &sealed),
            Err(SecretKeyError::WrongKey)
        );
        let other = SecretKey::parse("q83vEjRWeJASNFZ4kBI0VniQEjRWeJASNFZ4kBI0Vng=").unwrap();
        assert_eq!(
            other.open("tiktok access token, program 1", &sealed),
            Err(SecretKeyError::WrongKey)
        );
        assert_eq!(
            SecretKey::parse("short").unwrap_err(),
            SecretKeyError::Malformed
        );
        assert!(format!("{key:?}") == "SecretKey(..)");
    }
}
