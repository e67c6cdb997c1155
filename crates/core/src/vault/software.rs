//! The software vault: keys in wasm or process memory, zeroized when deleted or dropped.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::crypto::{self, X25519KeyPair, random_bytes};
use super::keys::hex;
use super::{
    KeyAgreementVault, KeyId, SharedSecret, Signature, SigningKeyKind, SigningVault, Vault,
    VerifyingKey, X25519PublicKey,
};
use crate::base::LocalBoxFuture;
use crate::error::{Error, Result};

/// A vault that keeps secrets in memory. Cheap to clone (shared state).
///
/// Natively, [`export_secrets`](Self::export_secrets) and
/// [`import_secrets`](Self::import_secrets) let a driver persist keys (the core does no IO).
#[derive(Clone, Default)]
pub struct SoftwareVault {
    keys: Rc<RefCell<HashMap<KeyId, Secret>>>,
}

#[derive(Zeroize, ZeroizeOnDrop)]
enum Secret {
    Ed25519([u8; 32]),
    EcdsaP256([u8; 32]),
    X25519(X25519KeyPair),
}

impl SoftwareVault {
    /// An empty vault.
    pub fn new() -> Self {
        Self::default()
    }

    fn insert(&self, prefix: &str, public: &[u8], secret: Secret) -> KeyId {
        // Handles name the public key, so the same secret always has the same handle.
        let id = KeyId::new(format!("{prefix}-{}", hex(public)));
        self.keys.borrow_mut().insert(id.clone(), secret);
        id
    }

    fn with_secret<T>(&self, key: &KeyId, f: impl FnOnce(&Secret) -> Result<T>) -> Result<T> {
        let keys = self.keys.borrow();
        let secret = keys
            .get(key)
            .ok_or_else(|| Error::KeyNotFound(key.to_string()))?;
        f(secret)
    }

    fn remove(&self, key: &KeyId) -> bool {
        self.keys.borrow_mut().remove(key).is_some()
    }

    /// Imports a signing key from its secret bytes (an Ed25519 seed or a P-256 scalar).
    pub fn import_signing_key(&self, kind: SigningKeyKind, secret: [u8; 32]) -> Result<KeyId> {
        Ok(match kind {
            SigningKeyKind::Ed25519 => {
                let public = crypto::ed25519_public(&secret);
                self.insert("ed25519", public.as_bytes(), Secret::Ed25519(secret))
            }
            SigningKeyKind::EcdsaP256 => {
                let public = crypto::p256_public(&secret)?;
                self.insert("p256", public.as_bytes(), Secret::EcdsaP256(secret))
            }
        })
    }

    /// Imports a static X25519 key from its secret bytes.
    pub fn import_x25519_key(&self, secret: [u8; 32]) -> KeyId {
        let pair = X25519KeyPair::from_secret(secret);
        let public = pair.public_key();
        self.insert("x25519", &public.0, Secret::X25519(pair))
    }

    /// Every key as `(kind, secret)` for a driver to persist: `0` Ed25519, `1` P-256,
    /// `2` X25519. Handle with care; zeroize after use.
    pub fn export_secrets(&self) -> Vec<(u8, zeroize::Zeroizing<[u8; 32]>)> {
        self.keys
            .borrow()
            .values()
            .map(|secret| match secret {
                Secret::Ed25519(s) => (0, zeroize::Zeroizing::new(*s)),
                Secret::EcdsaP256(s) => (1, zeroize::Zeroizing::new(*s)),
                Secret::X25519(pair) => (2, zeroize::Zeroizing::new(*pair.secret_bytes())),
            })
            .collect()
    }

    /// Imports what [`export_secrets`](Self::export_secrets) produced.
    pub fn import_secrets(&self, secrets: &[(u8, zeroize::Zeroizing<[u8; 32]>)]) -> Result<()> {
        for (kind, secret) in secrets {
            match kind {
                0 => self
                    .import_signing_key(SigningKeyKind::Ed25519, **secret)
                    .map(drop)?,
                1 => self
                    .import_signing_key(SigningKeyKind::EcdsaP256, **secret)
                    .map(drop)?,
                2 => drop(self.import_x25519_key(**secret)),
                other => return Err(Error::InvalidArgument(format!("unknown key kind {other}"))),
            }
        }
        Ok(())
    }

    fn generate_signing_key_now(&self, kind: SigningKeyKind) -> Result<KeyId> {
        loop {
            let secret = random_bytes::<32>()?;
            match self.import_signing_key(kind, *secret) {
                Ok(id) => return Ok(id),
                // A P-256 scalar must be below the group order: retry (probability ~2^-32).
                Err(Error::Crypto(_)) if kind == SigningKeyKind::EcdsaP256 => continue,
                Err(error) => return Err(error),
            }
        }
    }
}

impl SigningVault for SoftwareVault {
    fn generate_signing_key(&self, kind: SigningKeyKind) -> LocalBoxFuture<'_, Result<KeyId>> {
        Box::pin(async move { self.generate_signing_key_now(kind) })
    }

    fn verifying_key<'a>(&'a self, key: &'a KeyId) -> LocalBoxFuture<'a, Result<VerifyingKey>> {
        Box::pin(async move {
            self.with_secret(key, |secret| match secret {
                Secret::Ed25519(seed) => Ok(crypto::ed25519_public(seed)),
                Secret::EcdsaP256(scalar) => crypto::p256_public(scalar),
                Secret::X25519(_) => Err(Error::KeyNotFound(key.to_string())),
            })
        })
    }

    fn sign<'a>(
        &'a self,
        key: &'a KeyId,
        message: &'a [u8],
    ) -> LocalBoxFuture<'a, Result<Signature>> {
        Box::pin(async move {
            self.with_secret(key, |secret| match secret {
                Secret::Ed25519(seed) => Ok(crypto::ed25519_sign(seed, message).1),
                Secret::EcdsaP256(scalar) => crypto::p256_sign(scalar, message),
                Secret::X25519(_) => Err(Error::KeyNotFound(key.to_string())),
            })
        })
    }

    fn delete_signing_key<'a>(&'a self, key: &'a KeyId) -> LocalBoxFuture<'a, Result<bool>> {
        Box::pin(async move { Ok(self.remove(key)) })
    }

    fn export_signing_secret<'a>(
        &'a self,
        key: &'a KeyId,
    ) -> LocalBoxFuture<'a, Result<(SigningKeyKind, Zeroizing<[u8; 32]>)>> {
        Box::pin(async move {
            self.with_secret(key, |secret| match secret {
                Secret::Ed25519(seed) => Ok((SigningKeyKind::Ed25519, Zeroizing::new(*seed))),
                Secret::EcdsaP256(scalar) => {
                    Ok((SigningKeyKind::EcdsaP256, Zeroizing::new(*scalar)))
                }
                Secret::X25519(_) => Err(Error::KeyNotFound(key.to_string())),
            })
        })
    }

    fn import_signing_secret(
        &self,
        kind: SigningKeyKind,
        secret: Zeroizing<[u8; 32]>,
    ) -> LocalBoxFuture<'_, Result<KeyId>> {
        Box::pin(async move { self.import_signing_key(kind, *secret) })
    }
}

impl KeyAgreementVault for SoftwareVault {
    fn generate_x25519_key(&self) -> LocalBoxFuture<'_, Result<KeyId>> {
        Box::pin(async move { Ok(self.import_x25519_key(*random_bytes::<32>()?)) })
    }

    fn x25519_public_key<'a>(
        &'a self,
        key: &'a KeyId,
    ) -> LocalBoxFuture<'a, Result<X25519PublicKey>> {
        Box::pin(async move {
            self.with_secret(key, |secret| match secret {
                Secret::X25519(pair) => Ok(pair.public_key()),
                _ => Err(Error::KeyNotFound(key.to_string())),
            })
        })
    }

    fn x25519<'a>(
        &'a self,
        key: &'a KeyId,
        peer: &'a X25519PublicKey,
    ) -> LocalBoxFuture<'a, Result<SharedSecret>> {
        Box::pin(async move {
            self.with_secret(key, |secret| match secret {
                Secret::X25519(pair) => pair.diffie_hellman(peer),
                _ => Err(Error::KeyNotFound(key.to_string())),
            })
        })
    }

    fn delete_x25519_key<'a>(&'a self, key: &'a KeyId) -> LocalBoxFuture<'a, Result<bool>> {
        Box::pin(async move { Ok(self.remove(key)) })
    }
}

impl Vault for SoftwareVault {
    fn name(&self) -> &'static str {
        "software"
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn vault_secrets_are_zeroized_on_drop() {
        fn zeroized_on_drop<T: zeroize::ZeroizeOnDrop>() {}
        zeroized_on_drop::<super::Secret>();
    }
}
