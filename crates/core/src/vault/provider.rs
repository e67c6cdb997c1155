//! The crypto provider: the algorithms Razor's protocols run on, behind one trait, so that the
//! handshake, the channel session and identity verification name no crypto library. The
//! RustCrypto implementation ([`RustCrypto`](super::crypto::RustCrypto)) is the default;
//! a platform can wrap it and add what it does better (the browser's WebCrypto AES-GCM for
//! large messages, as a [`BulkCipher`]). A node has one provider
//! ([`Node::crypto`](crate::runtime::Node::crypto)).
//!
//! Long-term keys are not here: they live in a [`Vault`](super::Vault), by handle.
//! What runs per message is synchronous; what a handshake needs a few times — its ephemeral
//! key, its Diffie-Hellmans and the signature checks of the peer's identity — is asynchronous,
//! so that a platform can hand it to its native crypto (WebCrypto) and run it in parallel.

use core::fmt;
use std::rc::Rc;

use zeroize::Zeroizing;

use super::{SharedSecret, Signature, VerifyingKey, X25519PublicKey};
use crate::base::LocalBoxFuture;
use crate::error::{Error, Result};

/// The AEAD ciphers of Razor's two cipher suites.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AeadAlgorithm {
    /// AES-256-GCM (Ockam's suite).
    Aes256Gcm,
    /// ChaCha20-Poly1305 (the standard Noise suite).
    ChaCha20Poly1305,
}

/// Length of an AEAD tag for both ciphers.
pub const TAG_LEN: usize = 16;

/// A keyed AEAD cipher; its key is zeroized when dropped.
pub trait Aead {
    /// Encrypts `buffer` in place and returns the tag.
    fn seal_detached(
        &self,
        nonce: &[u8; 12],
        ad: &[u8],
        buffer: &mut [u8],
    ) -> Result<[u8; TAG_LEN]>;

    /// Checks `tag` over `buffer`, then decrypts `buffer` in place. Any failure is
    /// [`Error::Decrypt`], with no detail; `buffer` is then unspecified.
    fn open_detached(
        &self,
        nonce: &[u8; 12],
        ad: &[u8],
        buffer: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> Result<()>;

    /// Encrypts `buffer` in place and appends the tag.
    fn seal(&self, nonce: &[u8; 12], ad: &[u8], buffer: &mut Vec<u8>) -> Result<()> {
        let tag = self.seal_detached(nonce, ad, buffer)?;
        buffer.extend_from_slice(&tag);
        Ok(())
    }

    /// Checks the tag at the end of `buffer` and decrypts the rest in place, removing the tag.
    /// Any failure is [`Error::Decrypt`], with no detail; `buffer` is then unspecified.
    fn open(&self, nonce: &[u8; 12], ad: &[u8], buffer: &mut Vec<u8>) -> Result<()> {
        let body_len = buffer.len().checked_sub(TAG_LEN).ok_or(Error::Decrypt)?;
        let (body, tag) = buffer.split_at_mut(body_len);
        let tag: &[u8; TAG_LEN] = (&*tag).try_into().map_err(|_| Error::Decrypt)?;
        self.open_detached(nonce, ad, body, tag)?;
        buffer.truncate(body_len);
        Ok(())
    }
}

/// The algorithms Razor runs on. Object-safe: nodes hold an `Rc<dyn CryptoProvider>`.
pub trait CryptoProvider {
    /// A short name for logs.
    fn name(&self) -> &'static str;
    /// Fills `out` with unpredictable bytes.
    fn fill_random(&self, out: &mut [u8]) -> Result<()>;
    /// SHA-256 of the concatenation of `parts`.
    fn sha256(&self, parts: &[&[u8]]) -> [u8; 32];
    /// RFC 5869 HKDF-SHA256 into `out`.
    fn hkdf_sha256(&self, salt: &[u8], ikm: &[u8], info: &[u8], out: &mut [u8]) -> Result<()>;
    /// PBKDF2-HMAC-SHA256 of `passphrase` and `salt` with `rounds` iterations, into `out`.
    fn pbkdf2_sha256(&self, passphrase: &[u8], salt: &[u8], rounds: u32, out: &mut [u8]);
    /// A cipher for `algorithm` keyed with `key`.
    fn aead(&self, algorithm: AeadAlgorithm, key: &[u8; 32]) -> Box<dyn Aead>;
    /// A fresh X25519 key for one handshake (Noise's `e`), its secret from this provider's
    /// randomness.
    fn ephemeral_key(&self) -> LocalBoxFuture<'_, Result<Box<dyn EphemeralKey>>>;
    /// Whether `signature` is `key`'s signature of `message` (Ed25519; ECDSA P-256 with
    /// SHA-256, `r || s`). Mismatched or malformed inputs are `false`.
    fn verify_signature(&self, key: &VerifyingKey, message: &[u8], signature: &Signature) -> bool;
    /// Runs `checks` — all of them, in parallel where the platform can — and says for each
    /// whether it holds. The default runs [`verify_signature`](Self::verify_signature) on each.
    fn verify_signatures<'a>(
        &'a self,
        checks: &'a [SignatureCheck],
    ) -> LocalBoxFuture<'a, Vec<bool>> {
        Box::pin(async move {
            checks
                .iter()
                .map(|check| self.verify_signature(&check.key, &check.message, &check.signature))
                .collect()
        })
    }
    /// A platform cipher that beats [`aead`](Self::aead) for some messages (WebCrypto's
    /// hardware AES-GCM for large ones), if this provider has one.
    fn bulk_cipher(&self) -> Option<&dyn BulkCipher> {
        None
    }
}

impl fmt::Debug for dyn CryptoProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CryptoProvider({})", self.name())
    }
}

/// One signature to check: `signature` by `key` over `message` (for identities, purpose keys
/// and credentials: a SHA-256 digest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureCheck {
    /// The key that must have signed.
    pub key: VerifyingKey,
    /// What was signed.
    pub message: Vec<u8>,
    /// The signature presented.
    pub signature: Signature,
}

/// An X25519 key that lives for one handshake: its public half goes to the peer, its secret
/// never leaves it (a non-extractable WebCrypto key, or wasm memory zeroized on drop).
pub trait EphemeralKey {
    /// The public key.
    fn public_key(&self) -> X25519PublicKey;
    /// X25519 with `peer`. Fails on an all-zero result (a low-order `peer`), so that a peer
    /// cannot force a known shared secret.
    fn diffie_hellman<'a>(
        &'a self,
        peer: &'a X25519PublicKey,
    ) -> LocalBoxFuture<'a, Result<SharedSecret>>;
}

/// `N` unpredictable bytes from `crypto`.
pub fn random<const N: usize>(
    crypto: &(impl CryptoProvider + ?Sized),
) -> Result<Zeroizing<[u8; N]>> {
    let mut bytes = Zeroizing::new([0u8; N]);
    crypto.fill_random(bytes.as_mut_slice())?;
    Ok(bytes)
}

/// An asynchronous AEAD for some messages (see [`CryptoProvider::bulk_cipher`]). Keys are
/// imported once into a handle; output is byte-identical to [`Aead`]'s (ciphertext, then the
/// 16-byte tag; empty associated data).
pub trait BulkCipher {
    /// Whether to use this cipher for a `len`-byte message under `algorithm`.
    fn handles(&self, algorithm: AeadAlgorithm, len: usize) -> bool;
    /// Imports `key` (the raw bytes cross once; the handle keeps the key, non-extractable
    /// where the platform allows).
    fn import<'a>(
        &'a self,
        algorithm: AeadAlgorithm,
        key: &'a [u8; 32],
    ) -> LocalBoxFuture<'a, Result<Rc<dyn BulkKey>>>;
}

/// A key imported into a [`BulkCipher`].
pub trait BulkKey {
    /// Encrypts `plaintext`; returns ciphertext and tag.
    fn seal(&self, nonce: [u8; 12], plaintext: Vec<u8>) -> LocalBoxFuture<'_, Result<Vec<u8>>>;
    /// Checks and decrypts ciphertext and tag; any failure is [`Error::Decrypt`].
    fn open(&self, nonce: [u8; 12], sealed: Vec<u8>) -> LocalBoxFuture<'_, Result<Vec<u8>>>;
}
