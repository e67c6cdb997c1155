//! The RustCrypto provider ([`RustCrypto`]): the [`CryptoProvider`] on RustCrypto and dalek,
//! and the primitives the software vault signs and agrees keys with. The only module (with its
//! AES schedule cache) that names a crypto crate. Secrets are zeroized when dropped.

use aes_gcm::aead::{AeadInOut, KeyInit};
use chacha20poly1305::ChaCha20Poly1305;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use std::rc::Rc;

use super::provider::{Aead, CryptoProvider, EphemeralKey};
pub use super::provider::{AeadAlgorithm, TAG_LEN};
use super::{SharedSecret, Signature, VerifyingKey, X25519PublicKey};
use crate::base::LocalBoxFuture;
use crate::error::{Error, Result};

mod schedules;

/// The default provider: RustCrypto's AES-GCM, ChaCha20-Poly1305, SHA-256, HKDF, and dalek's
/// X25519 and Ed25519, with the platform's CSPRNG (`getrandom`).
#[derive(Debug, Clone, Copy, Default)]
pub struct RustCrypto;

impl RustCrypto {
    /// The provider, shared.
    pub fn provider() -> Rc<dyn CryptoProvider> {
        Rc::new(RustCrypto)
    }
}

impl CryptoProvider for RustCrypto {
    fn name(&self) -> &'static str {
        "rustcrypto"
    }

    fn fill_random(&self, out: &mut [u8]) -> Result<()> {
        getrandom::fill(out).map_err(|_| Error::Crypto("no randomness available"))
    }

    fn sha256(&self, parts: &[&[u8]]) -> [u8; 32] {
        sha256_parts(parts)
    }

    fn hkdf_sha256(&self, salt: &[u8], ikm: &[u8], info: &[u8], out: &mut [u8]) -> Result<()> {
        hkdf_sha256(salt, ikm, info, out)
    }

    fn pbkdf2_sha256(&self, passphrase: &[u8], salt: &[u8], rounds: u32, out: &mut [u8]) {
        pbkdf2_sha256(passphrase, salt, rounds, out);
    }

    fn aead(&self, algorithm: AeadAlgorithm, key: &[u8; 32]) -> Box<dyn Aead> {
        Box::new(AeadKey::new(algorithm, key))
    }

    fn ephemeral_key(&self) -> LocalBoxFuture<'_, Result<Box<dyn EphemeralKey>>> {
        Box::pin(async move {
            let secret = random_bytes::<32>()?;
            Ok(Box::new(SoftwareEphemeralKey::new(secret)) as Box<dyn EphemeralKey>)
        })
    }

    fn verify_signature(&self, key: &VerifyingKey, message: &[u8], signature: &Signature) -> bool {
        verify_signature(key, message, signature)
    }
}

/// The default [`EphemeralKey`]: RustCrypto's X25519 on a secret zeroized when dropped.
struct SoftwareEphemeralKey {
    secret: Zeroizing<[u8; 32]>,
    public: X25519PublicKey,
}

impl SoftwareEphemeralKey {
    fn new(secret: Zeroizing<[u8; 32]>) -> Self {
        let public = x25519_public(&secret);
        Self { secret, public }
    }
}

impl EphemeralKey for SoftwareEphemeralKey {
    fn public_key(&self) -> X25519PublicKey {
        self.public
    }

    fn diffie_hellman<'a>(
        &'a self,
        peer: &'a X25519PublicKey,
    ) -> LocalBoxFuture<'a, Result<SharedSecret>> {
        Box::pin(async move { x25519(&self.secret, peer) })
    }
}

/// The X25519 public key of `secret`.
pub(crate) fn x25519_public(secret: &[u8; 32]) -> X25519PublicKey {
    let secret = x25519_dalek::StaticSecret::from(*secret);
    X25519PublicKey(x25519_dalek::PublicKey::from(&secret).to_bytes())
}

/// X25519, refusing an all-zero result (a low-order peer key).
pub(crate) fn x25519(secret: &[u8; 32], peer: &X25519PublicKey) -> Result<SharedSecret> {
    let secret = SharedSecret(x25519_dalek::x25519(*secret, peer.0));
    if constant_time_eq(&secret.0, &[0u8; 32]) {
        return Err(Error::Crypto("low-order X25519 public key"));
    }
    Ok(secret)
}

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// SHA-256 of the concatenation of `parts`.
pub fn sha256_parts(parts: &[&[u8]]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}

/// RFC 5869 HKDF-SHA256 into `out` (at most 8160 bytes).
pub fn hkdf_sha256(salt: &[u8], ikm: &[u8], info: &[u8], out: &mut [u8]) -> Result<()> {
    hkdf::Hkdf::<Sha256>::new(Some(salt), ikm)
        .expand(info, out)
        .map_err(|_| Error::Crypto("HKDF output too long"))
}

/// Whether `a` and `b` are equal, in time independent of where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// PBKDF2-HMAC-SHA256 of `passphrase` and `salt` with `rounds` iterations, into `out`.
pub fn pbkdf2_sha256(passphrase: &[u8], salt: &[u8], rounds: u32, out: &mut [u8]) {
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(passphrase, salt, rounds, out);
}

/// `N` bytes from the platform's CSPRNG.
pub fn random_bytes<const N: usize>() -> Result<Zeroizing<[u8; N]>> {
    let mut bytes = Zeroizing::new([0u8; N]);
    getrandom::fill(bytes.as_mut_slice()).map_err(|_| Error::Crypto("no randomness available"))?;
    Ok(bytes)
}

/// A keyed AEAD cipher. A ChaCha20-Poly1305 key is its 32 bytes; an AES-256-GCM key keeps its
/// 32 bytes too and borrows its expanded schedule from those this thread used last
/// (`vault/crypto/schedules.rs`), so an idle channel holds no 1,104-byte round keys. Key bytes
/// and schedules are zeroized when dropped.
pub struct AeadKey {
    cipher: Cipher,
}

// The key bytes are `Zeroizing` and the schedules are wiped when evicted or forgotten (see
// above): an `AeadKey` wipes what it holds when dropped.
impl ZeroizeOnDrop for AeadKey {}

enum Cipher {
    Aes {
        key_id: u64,
        key: Zeroizing<[u8; 32]>,
    },
    // The chacha20poly1305 crate zeroizes its key on drop.
    ChaCha(ChaCha20Poly1305),
}

impl AeadKey {
    /// A cipher for `algorithm` keyed with `key`.
    pub fn new(algorithm: AeadAlgorithm, key: &[u8; 32]) -> Self {
        let cipher = match algorithm {
            AeadAlgorithm::Aes256Gcm => Cipher::Aes {
                key_id: schedules::new_key_id(),
                key: Zeroizing::new(*key),
            },
            AeadAlgorithm::ChaCha20Poly1305 => Cipher::ChaCha(ChaCha20Poly1305::new(key.into())),
        };
        Self { cipher }
    }

    /// The algorithm.
    pub fn algorithm(&self) -> AeadAlgorithm {
        match self.cipher {
            Cipher::Aes { .. } => AeadAlgorithm::Aes256Gcm,
            Cipher::ChaCha(_) => AeadAlgorithm::ChaCha20Poly1305,
        }
    }
}

impl Drop for AeadKey {
    fn drop(&mut self) {
        if let Cipher::Aes { key_id, .. } = self.cipher {
            schedules::forget(key_id);
        }
    }
}

impl Aead for AeadKey {
    fn seal_detached(
        &self,
        nonce: &[u8; 12],
        ad: &[u8],
        buffer: &mut [u8],
    ) -> Result<[u8; TAG_LEN]> {
        let tag = match &self.cipher {
            Cipher::Aes { key_id, key } => schedules::with_schedule(*key_id, key, |c| {
                c.encrypt_inout_detached(nonce.into(), ad, buffer.into())
            }),
            Cipher::ChaCha(c) => c.encrypt_inout_detached(nonce.into(), ad, buffer.into()),
        }
        .map_err(|_| Error::Crypto("message too long to encrypt"))?;
        Ok(tag.into())
    }

    fn open_detached(
        &self,
        nonce: &[u8; 12],
        ad: &[u8],
        buffer: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> Result<()> {
        match &self.cipher {
            Cipher::Aes { key_id, key } => schedules::with_schedule(*key_id, key, |c| {
                c.decrypt_inout_detached(nonce.into(), ad, buffer.into(), tag.into())
            }),
            Cipher::ChaCha(c) => {
                c.decrypt_inout_detached(nonce.into(), ad, buffer.into(), tag.into())
            }
        }
        .map_err(|_| Error::Decrypt)
    }
}

impl core::fmt::Debug for AeadKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "AeadKey({:?}, ..)", self.algorithm())
    }
}

/// An X25519 key pair held in memory: Noise ephemerals, and the software vault's statics.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct X25519KeyPair {
    secret: [u8; 32],
    #[zeroize(skip)]
    public: X25519PublicKey,
}

impl X25519KeyPair {
    /// A fresh key pair from the CSPRNG.
    pub fn generate() -> Result<Self> {
        Ok(Self::from_secret(*random_bytes::<32>()?))
    }

    /// The key pair with this secret (clamped by X25519 itself).
    pub fn from_secret(secret: [u8; 32]) -> Self {
        let static_secret = x25519_dalek::StaticSecret::from(secret);
        let public = X25519PublicKey(x25519_dalek::PublicKey::from(&static_secret).to_bytes());
        Self { secret, public }
    }

    /// The public key.
    pub fn public_key(&self) -> X25519PublicKey {
        self.public
    }

    /// The secret bytes (for the software vault's persistence only).
    pub(crate) fn secret_bytes(&self) -> &[u8; 32] {
        &self.secret
    }

    /// X25519 with `peer`. Fails on an all-zero result (a low-order `peer`), so a peer cannot
    /// force a known shared secret.
    pub fn diffie_hellman(&self, peer: &X25519PublicKey) -> Result<SharedSecret> {
        x25519(&self.secret, peer)
    }
}

impl core::fmt::Debug for X25519KeyPair {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "X25519KeyPair({:?}, ..)", self.public)
    }
}

/// Whether `signature` is `key`'s signature of `message`. Mismatched algorithms, malformed
/// keys and malformed signatures are all `false`.
pub fn verify_signature(key: &VerifyingKey, message: &[u8], signature: &Signature) -> bool {
    match (key, signature) {
        (VerifyingKey::Ed25519(key), Signature::Ed25519(signature)) => {
            use ed25519_dalek::Verifier;
            let Ok(key) = ed25519_dalek::VerifyingKey::from_bytes(key) else {
                return false;
            };
            let signature = ed25519_dalek::Signature::from_bytes(signature);
            key.verify(message, &signature).is_ok()
        }
        (VerifyingKey::EcdsaP256(key), Signature::EcdsaP256(signature)) => {
            use p256::ecdsa::signature::Verifier;
            let Ok(key) = p256::ecdsa::VerifyingKey::from_sec1_bytes(key) else {
                return false;
            };
            let Ok(signature) = p256::ecdsa::Signature::from_slice(signature) else {
                return false;
            };
            key.verify(message, &signature).is_ok()
        }
        _ => false,
    }
}

/// Ed25519 signing key from a 32-byte seed: its public key and a signer.
pub(crate) fn ed25519_sign(seed: &[u8; 32], message: &[u8]) -> (VerifyingKey, Signature) {
    use ed25519_dalek::Signer;
    let key = ed25519_dalek::SigningKey::from_bytes(seed);
    let public = VerifyingKey::Ed25519(key.verifying_key().to_bytes());
    (public, Signature::Ed25519(key.sign(message).to_bytes()))
}

/// The Ed25519 public key of a seed.
pub fn ed25519_public(seed: &[u8; 32]) -> VerifyingKey {
    VerifyingKey::Ed25519(
        ed25519_dalek::SigningKey::from_bytes(seed)
            .verifying_key()
            .to_bytes(),
    )
}

/// The P-256 public key of a scalar, or an error if the bytes are not a valid scalar.
pub fn p256_public(scalar: &[u8; 32]) -> Result<VerifyingKey> {
    let key = p256_key(scalar)?;
    let point = key.verifying_key().to_sec1_point(false);
    let bytes: [u8; 65] = point
        .as_bytes()
        .try_into()
        .map_err(|_| Error::Crypto("bad P-256 point"))?;
    Ok(VerifyingKey::EcdsaP256(bytes))
}

/// ECDSA P-256 / SHA-256 signature (deterministic, RFC 6979) of `message`.
pub(crate) fn p256_sign(scalar: &[u8; 32], message: &[u8]) -> Result<Signature> {
    use p256::ecdsa::signature::Signer;
    let key = p256_key(scalar)?;
    let signature: p256::ecdsa::Signature = key.sign(message);
    let bytes: [u8; 64] = signature
        .to_bytes()
        .as_slice()
        .try_into()
        .map_err(|_| Error::Crypto("bad signature"))?;
    Ok(Signature::EcdsaP256(bytes))
}

fn p256_key(scalar: &[u8; 32]) -> Result<p256::ecdsa::SigningKey> {
    p256::ecdsa::SigningKey::from_slice(scalar).map_err(|_| Error::Crypto("invalid P-256 scalar"))
}
