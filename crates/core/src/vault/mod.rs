//! Keys and the operations on them, behind traits split by purpose.
//!
//! Long-term secrets (identity signing keys, secure-channel static X25519 keys) live in a vault
//! and are named by [`KeyId`] handles; the raw secret never crosses the trait, so a WebCrypto
//! vault can keep keys non-extractable. The traits are asynchronous (WebCrypto is) and
//! object-safe (`Rc<dyn Vault>`): they are called a few times per handshake, not per message.
//!
//! Per-message and per-handshake work (AEAD, HKDF, SHA-256, ephemeral X25519, signature
//! verification, randomness) goes through a [`CryptoProvider`] ([`provider`]): synchronous per
//! message, asynchronous for the handshake's ephemeral key and signature checks (which a
//! platform may run natively, in parallel). The secure channel's state machines stay free of
//! async and IO: every Diffie-Hellman result is handed to them. [`crypto`] is the RustCrypto
//! implementation and the only module that names a crypto crate.

pub mod crypto;
mod keys;
pub mod provider;
mod software;

pub use keys::{KeyId, SharedSecret, Signature, SigningKeyKind, VerifyingKey, X25519PublicKey};
pub use provider::{
    Aead, AeadAlgorithm, BulkCipher, BulkKey, CryptoProvider, EphemeralKey, SignatureCheck,
};
pub use software::SoftwareVault;

use zeroize::Zeroizing;

use crate::base::LocalBoxFuture;
use crate::error::{Error, Result};

/// Identity keys: create, sign with, and delete signing keys (Ed25519, ECDSA P-256).
pub trait SigningVault {
    /// Creates a signing key of `kind` and returns its handle.
    fn generate_signing_key(&self, kind: SigningKeyKind) -> LocalBoxFuture<'_, Result<KeyId>>;
    /// The public key of `key`.
    fn verifying_key<'a>(&'a self, key: &'a KeyId) -> LocalBoxFuture<'a, Result<VerifyingKey>>;
    /// Signs `message` with `key` (Ed25519 over the message; ECDSA P-256 with SHA-256).
    fn sign<'a>(
        &'a self,
        key: &'a KeyId,
        message: &'a [u8],
    ) -> LocalBoxFuture<'a, Result<Signature>>;
    /// Forgets `key`; `Ok(false)` if there was no such key.
    fn delete_signing_key<'a>(&'a self, key: &'a KeyId) -> LocalBoxFuture<'a, Result<bool>>;

    /// The secret of `key` (an Ed25519 seed or a P-256 scalar), to export an identity. Vaults
    /// whose keys cannot leave them (non-extractable WebCrypto keys) refuse, which is the
    /// default.
    fn export_signing_secret<'a>(
        &'a self,
        _key: &'a KeyId,
    ) -> LocalBoxFuture<'a, Result<(SigningKeyKind, Zeroizing<[u8; 32]>)>> {
        Box::pin(async {
            Err(Error::InvalidArgument(
                "this vault's keys cannot leave it; create the identity in a software vault to export it".into(),
            ))
        })
    }

    /// Adds a signing key from its secret (what [`export_signing_secret`](Self::export_signing_secret)
    /// gave), to import an identity. A WebCrypto vault makes it non-extractable.
    fn import_signing_secret(
        &self,
        kind: SigningKeyKind,
        secret: Zeroizing<[u8; 32]>,
    ) -> LocalBoxFuture<'_, Result<KeyId>>;
}

/// Secure-channel static keys: X25519 key agreement with keys that never leave the vault.
pub trait KeyAgreementVault {
    /// Creates a static X25519 key and returns its handle.
    fn generate_x25519_key(&self) -> LocalBoxFuture<'_, Result<KeyId>>;
    /// The public key of `key`.
    fn x25519_public_key<'a>(
        &'a self,
        key: &'a KeyId,
    ) -> LocalBoxFuture<'a, Result<X25519PublicKey>>;
    /// X25519(`key`, `peer`). Fails on a low-order `peer` (an all-zero shared secret).
    fn x25519<'a>(
        &'a self,
        key: &'a KeyId,
        peer: &'a X25519PublicKey,
    ) -> LocalBoxFuture<'a, Result<SharedSecret>>;
    /// Forgets `key`; `Ok(false)` if there was no such key.
    fn delete_x25519_key<'a>(&'a self, key: &'a KeyId) -> LocalBoxFuture<'a, Result<bool>>;
}

/// Everything a node needs from a vault.
pub trait Vault: SigningVault + KeyAgreementVault {
    /// A short name for logs (`"software"`, `"webcrypto"`).
    fn name(&self) -> &'static str;
}

#[cfg(test)]
mod tests {
    use crate::testing::wycheproof;

    #[test]
    fn wycheproof_vectors_pass_through_the_software_vault() {
        assert!(wycheproof::aes_256_gcm() > 50);
        assert!(wycheproof::chacha20_poly1305() > 200);
        assert!(futures_lite::future::block_on(wycheproof::x25519()) > 500);
        assert!(wycheproof::ed25519() > 100);
        assert!(wycheproof::ecdsa_p256() > 200);
        assert!(wycheproof::hkdf_sha256() > 50);
        let batch = wycheproof::signatures_through(&crate::vault::crypto::RustCrypto);
        assert!(futures_lite::future::block_on(batch) > 300);
    }
}
