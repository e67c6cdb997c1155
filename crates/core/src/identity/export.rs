//! Moving an identity: its change history and current signing key, sealed with AES-256-GCM
//! under a key the caller provides or one derived from a passphrase, so that an identity can
//! live where it must stay the same across restarts and deploys: a Worker secret, a file, a
//! Durable Object's storage.
//!
//! Format (Razor's own, version 1):
//!
//! ```text
//! "RAZOR-ID" | version u8 (1) | kdf u8 | kdf parameters | nonce [12] | sealed
//!   kdf 0: the caller's 32-byte key, through HKDF-SHA256 (no parameters)
//!   kdf 1: a passphrase through PBKDF2-HMAC-SHA256 (rounds u32 big-endian | salt [16])
//! sealed = AES-256-GCM(key, nonce, associated data = every byte before the nonce,
//!          plaintext = change history (ULEB128 length + bytes) | key kind u8 | secret [32])
//! ```
//! Key kinds: 0 Ed25519 seed, 1 ECDSA P-256 scalar. Only the current key travels: purpose
//! keys are attested afresh where the identity is imported.
//!
//! The trade-off: whoever holds the export and its key holds the identity. A raw key is as
//! strong as its 256 bits and costs nothing to open; a passphrase is as strong as the
//! passphrase, slowed by [`PASSPHRASE_ROUNDS`] rounds. Keys in a non-extractable WebCrypto
//! vault cannot be exported at all (by design); import into one makes them non-extractable.

use std::rc::Rc;

use zeroize::Zeroizing;

use super::Identity;
use super::model::ChangeHistory;
use crate::codec::{Reader, write_bytes};
use crate::error::{Error, Result};
use crate::vault::crypto::RustCrypto;
use crate::vault::provider::{Aead, AeadAlgorithm, CryptoProvider, random};
use crate::vault::{SigningKeyKind, Vault};

const MAGIC: &[u8; 8] = b"RAZOR-ID";
const VERSION: u8 = 1;
const KDF_KEY: u8 = 0;
const KDF_PASSPHRASE: u8 = 1;
/// PBKDF2-HMAC-SHA256 rounds for passphrases (OWASP's 2023 figure).
pub const PASSPHRASE_ROUNDS: u32 = 600_000;
/// Fewest rounds an import accepts.
const MIN_ROUNDS: u32 = 100_000;
/// Most rounds an import accepts (bounds the work an export can ask of an importer).
const MAX_ROUNDS: u32 = 10_000_000;
const MAX_HISTORY_LEN: usize = 64 * 1024;

/// What seals an exported identity.
#[derive(Clone, Copy)]
pub enum Protection<'a> {
    /// A random 32-byte key the caller keeps (e.g. in a second secret).
    Key(&'a [u8; 32]),
    /// A passphrase, stretched with PBKDF2-HMAC-SHA256.
    Passphrase(&'a str),
}

impl core::fmt::Debug for Protection<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Protection::Key(_) => "Protection::Key(..)",
            Protection::Passphrase(_) => "Protection::Passphrase(..)",
        })
    }
}

fn sealing_key(kdf: u8, parameters: &[u8], protection: Protection<'_>) -> Result<Box<dyn Aead>> {
    let mut key = Zeroizing::new([0u8; 32]);
    match (kdf, protection) {
        (KDF_KEY, Protection::Key(secret)) => {
            RustCrypto.hkdf_sha256(b"razor identity export v1", secret, b"", key.as_mut_slice())?;
        }
        (KDF_PASSPHRASE, Protection::Passphrase(passphrase)) => {
            let mut reader = Reader::new(parameters);
            let rounds = reader.u32_be()?;
            let salt = reader.array::<16>()?;
            if !(MIN_ROUNDS..=MAX_ROUNDS).contains(&rounds) {
                return Err(Error::InvalidArgument(format!(
                    "an identity export asks for {rounds} PBKDF2 rounds ({MIN_ROUNDS} to {MAX_ROUNDS} accepted)"
                )));
            }
            RustCrypto.pbkdf2_sha256(passphrase.as_bytes(), &salt, rounds, key.as_mut_slice());
        }
        (KDF_KEY, _) => {
            return Err(Error::InvalidArgument(
                "this identity export is sealed with a key, not a passphrase".into(),
            ));
        }
        (KDF_PASSPHRASE, _) => {
            return Err(Error::InvalidArgument(
                "this identity export is sealed with a passphrase, not a key".into(),
            ));
        }
        (other, _) => {
            return Err(Error::InvalidArgument(format!(
                "unknown identity export kdf {other}"
            )));
        }
    }
    Ok(RustCrypto.aead(AeadAlgorithm::Aes256Gcm, &key))
}

impl Identity {
    /// The identity and its current signing key, sealed with `protection` (see the module
    /// docs). Fails if the vault's keys cannot leave it.
    pub async fn export(&self, protection: Protection<'_>) -> Result<Vec<u8>> {
        let (kind, secret) = self.vault().export_signing_secret(&self.key()).await?;
        let (kdf, parameters) = match protection {
            Protection::Key(_) => (KDF_KEY, Vec::new()),
            Protection::Passphrase(_) => {
                let mut parameters = PASSPHRASE_ROUNDS.to_be_bytes().to_vec();
                parameters.extend_from_slice(random::<16>(&RustCrypto)?.as_slice());
                (KDF_PASSPHRASE, parameters)
            }
        };
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&[VERSION, kdf]);
        out.extend_from_slice(&parameters);
        let key = sealing_key(kdf, &parameters, protection)?;
        let nonce = *random::<12>(&RustCrypto)?;
        let mut plaintext = Zeroizing::new(Vec::new());
        write_bytes(&mut plaintext, &self.change_history().encode());
        plaintext.push(match kind {
            SigningKeyKind::Ed25519 => 0,
            SigningKeyKind::EcdsaP256 => 1,
        });
        plaintext.extend_from_slice(secret.as_slice());
        let mut sealed = plaintext.to_vec();
        key.seal(&nonce, &out, &mut sealed)?;
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// The identity in `bytes` (from [`export`](Self::export)), its key imported into `vault`.
    /// A wrong key or passphrase, or any change to the bytes, is [`Error::Decrypt`].
    pub async fn import_export(
        vault: Rc<dyn Vault>,
        bytes: &[u8],
        protection: Protection<'_>,
    ) -> Result<Identity> {
        let mut reader = Reader::new(bytes);
        if reader.array::<8>()? != *MAGIC {
            return Err(Error::InvalidArgument("not a Razor identity export".into()));
        }
        let version = reader.u8()?;
        if version != VERSION {
            return Err(Error::InvalidArgument(format!(
                "identity export version {version} is not supported"
            )));
        }
        let kdf = reader.u8()?;
        let parameters = match kdf {
            KDF_PASSPHRASE => reader.take(20)?,
            _ => &[],
        };
        let header_len = bytes.len() - reader.remaining();
        let key = sealing_key(kdf, parameters, protection)?;
        let nonce = reader.array::<12>()?;
        let mut plaintext = Zeroizing::new(reader.rest().to_vec());
        let header = bytes.get(..header_len).unwrap_or_default();
        key.open(&nonce, header, &mut plaintext)?;
        let mut inner = Reader::new(&plaintext);
        let history = ChangeHistory::decode(inner.bytes("change history", MAX_HISTORY_LEN)?)?;
        let kind = match inner.u8()? {
            0 => SigningKeyKind::Ed25519,
            1 => SigningKeyKind::EcdsaP256,
            other => {
                return Err(Error::InvalidArgument(format!("unknown key kind {other}")));
            }
        };
        let secret = Zeroizing::new(inner.array::<32>()?);
        inner.finish()?;
        let key = vault.import_signing_secret(kind, secret).await?;
        Identity::import(vault, history, key).await
    }
}

#[cfg(test)]
mod tests {
    use futures_lite::future::block_on;

    use super::*;
    use crate::vault::SoftwareVault;

    fn identity(kind: SigningKeyKind) -> Identity {
        block_on(Identity::create(Rc::new(SoftwareVault::new()), kind, 1_000)).unwrap()
    }

    #[test]
    fn an_identity_moves_with_a_key_and_with_a_passphrase() {
        for kind in [SigningKeyKind::Ed25519, SigningKeyKind::EcdsaP256] {
            let original = identity(kind);
            block_on(original.rotate(kind, 2_000)).unwrap();
            let key = [7u8; 32];
            for protection in [
                Protection::Key(&key),
                Protection::Passphrase("correct horse"),
            ] {
                let bytes = block_on(original.export(protection)).unwrap();
                let vault: Rc<dyn Vault> = Rc::new(SoftwareVault::new());
                let copy = block_on(Identity::import_export(vault, &bytes, protection)).unwrap();
                assert_eq!(copy.identifier(), original.identifier());
                assert_eq!(copy.change_history(), original.change_history());
                // The imported key signs for the identity.
                let signature = block_on(copy.vault().sign(&copy.key(), b"x")).unwrap();
                assert!(RustCrypto.verify_signature(
                    copy.verified().public_key(),
                    b"x",
                    &signature
                ));
            }
        }
    }

    #[test]
    fn wrong_keys_and_tampering_fail_closed() {
        let original = identity(SigningKeyKind::Ed25519);
        let bytes = block_on(original.export(Protection::Key(&[1; 32]))).unwrap();
        let import = |bytes: &[u8], protection| {
            block_on(Identity::import_export(
                Rc::new(SoftwareVault::new()),
                bytes,
                protection,
            ))
        };
        assert_eq!(
            import(&bytes, Protection::Key(&[2; 32])).unwrap_err(),
            Error::Decrypt
        );
        assert!(matches!(
            import(&bytes, Protection::Passphrase("x")).unwrap_err(),
            Error::InvalidArgument(_)
        ));
        for i in 0..bytes.len() {
            let mut tampered = bytes.clone();
            tampered[i] ^= 1;
            assert!(
                import(&tampered, Protection::Key(&[1; 32])).is_err(),
                "byte {i}"
            );
        }
        for len in 0..bytes.len() {
            assert!(import(&bytes[..len], Protection::Key(&[1; 32])).is_err());
        }
        let passphrased = block_on(original.export(Protection::Passphrase("pw"))).unwrap();
        assert_eq!(
            import(&passphrased, Protection::Passphrase("pW")).unwrap_err(),
            Error::Decrypt
        );
    }
}
