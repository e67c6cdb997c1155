use core::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop};

/// The handle of a key inside a vault. Opaque; carries no secret.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(String);

impl KeyId {
    /// A handle with the given text.
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    /// The handle's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({})", self.0)
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The algorithms of identity signing keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SigningKeyKind {
    /// Ed25519 (Ockam's default).
    Ed25519,
    /// ECDSA on P-256 with SHA-256 (available in every WebCrypto).
    EcdsaP256,
}

/// A public signing key.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum VerifyingKey {
    /// 32-byte Ed25519 public key.
    Ed25519([u8; 32]),
    /// 65-byte uncompressed SEC1 P-256 point (`0x04 || x || y`).
    EcdsaP256([u8; 65]),
}

impl VerifyingKey {
    /// The algorithm.
    pub fn kind(&self) -> SigningKeyKind {
        match self {
            Self::Ed25519(_) => SigningKeyKind::Ed25519,
            Self::EcdsaP256(_) => SigningKeyKind::EcdsaP256,
        }
    }

    /// The key bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Ed25519(bytes) => bytes,
            Self::EcdsaP256(bytes) => bytes,
        }
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}({})", self.kind(), hex(self.as_bytes()))
    }
}

/// A signature.
#[derive(Clone, PartialEq, Eq)]
pub enum Signature {
    /// 64-byte Ed25519 signature.
    Ed25519([u8; 64]),
    /// 64-byte ECDSA P-256 signature, `r || s` big-endian.
    EcdsaP256([u8; 64]),
}

impl Signature {
    /// The algorithm.
    pub fn kind(&self) -> SigningKeyKind {
        match self {
            Self::Ed25519(_) => SigningKeyKind::Ed25519,
            Self::EcdsaP256(_) => SigningKeyKind::EcdsaP256,
        }
    }

    /// The signature bytes.
    pub fn as_bytes(&self) -> &[u8; 64] {
        match self {
            Self::Ed25519(bytes) | Self::EcdsaP256(bytes) => bytes,
        }
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}Signature({})", self.kind(), hex(self.as_bytes()))
    }
}

/// A 32-byte X25519 public key.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct X25519PublicKey(pub [u8; 32]);

impl fmt::Debug for X25519PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "X25519PublicKey({})", hex(&self.0))
    }
}

/// The output of a key agreement: secret, zeroized on drop, never printed.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SharedSecret(pub(crate) [u8; 32]);

impl SharedSecret {
    /// Wraps raw shared-secret bytes (from a vault's key agreement).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The secret bytes.
    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for SharedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SharedSecret(..)")
    }
}

pub(crate) use crate::codec::hex::encode as hex;
