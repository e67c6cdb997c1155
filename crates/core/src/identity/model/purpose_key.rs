//! Purpose key attestations: an identity's signed statement that a key serves it for one
//! purpose (its secure channel static key, its credential-signing key).

use super::*;
use crate::codec::cbor;
use crate::identity::{ChangeHash, Identifier};
use crate::vault::X25519PublicKey;

/// What a purpose key is for, and the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PurposePublicKey {
    /// The static X25519 key of secure channels.
    SecureChannelStatic(X25519PublicKey),
    /// A key that signs credentials.
    CredentialSigning(VerifyingKey),
}

/// A signed statement by an identity that a key serves it for one purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurposeKeyAttestation {
    /// CBOR `VersionedData(1, 2, PurposeKeyAttestationData)`.
    pub data: Vec<u8>,
    /// Signature of `SHA-256(data)` by the identity's latest primary key.
    pub signature: Signature,
}

/// The content of a purpose key attestation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurposeKeyAttestationData {
    /// The attesting identity.
    pub subject: Identifier,
    /// The attesting identity's latest change when it signed.
    pub subject_latest_change_hash: ChangeHash,
    /// The attested key.
    pub public_key: PurposePublicKey,
    /// Unix seconds.
    pub created_at: u64,
    /// Unix seconds.
    pub expires_at: u64,
}

impl PurposeKeyAttestationData {
    /// CBOR encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(160);
        cbor::write_array(&mut out, 5);
        cbor::write_bytes(&mut out, &self.subject.0);
        cbor::write_bytes(&mut out, &self.subject_latest_change_hash.0);
        match &self.public_key {
            PurposePublicKey::SecureChannelStatic(key) => {
                cbor::write_variant(&mut out, 0, 1);
                cbor::write_bytes(&mut out, &key.0);
            }
            PurposePublicKey::CredentialSigning(key) => {
                cbor::write_variant(&mut out, 1, 1);
                write_verifying_key(&mut out, key);
            }
        }
        cbor::write_u64(&mut out, self.created_at);
        cbor::write_u64(&mut out, self.expires_at);
        out
    }

    /// Decodes the content.
    pub fn decode(bytes: &[u8]) -> DecodeResult<Self> {
        decode_all(bytes, |r| {
            let len = open_struct(r, "purpose key attestation data", 5, 5)?;
            let subject = Identifier(r.byte_array::<32>("subject")?);
            let subject_latest_change_hash =
                ChangeHash(r.byte_array::<32>("subject latest change")?);
            let (index, fields) = r.variant("purpose key", 1)?;
            if fields != 1 {
                return Err(DecodeError::Malformed("purpose key"));
            }
            let public_key = match index {
                0 => PurposePublicKey::SecureChannelStatic(X25519PublicKey(
                    r.byte_array::<32>("X25519 key")?,
                )),
                1 => PurposePublicKey::CredentialSigning(read_verifying_key(r)?),
                other => {
                    return Err(DecodeError::InvalidTag {
                        what: "purpose",
                        value: other,
                    });
                }
            };
            let created_at = r.u64("created at")?;
            let expires_at = r.u64("expires at")?;
            close_struct(r, len, 5)?;
            Ok(Self {
                subject,
                subject_latest_change_hash,
                public_key,
                created_at,
                expires_at,
            })
        })
    }
}

impl PurposeKeyAttestation {
    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        cbor::write_array(out, 2);
        cbor::write_bytes(out, &self.data);
        write_signature(out, &self.signature);
    }

    pub(crate) fn read(r: &mut CborReader<'_>) -> DecodeResult<Self> {
        let len = open_struct(r, "purpose key attestation", 2, 2)?;
        let data = r.bytes("attestation data", MAX_DATA_LEN)?.to_vec();
        let signature = read_signature(r)?;
        close_struct(r, len, 2)?;
        Ok(Self { data, signature })
    }

    /// CBOR encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write(&mut out);
        out
    }

    /// Decodes an attestation (not yet verified).
    pub fn decode(bytes: &[u8]) -> DecodeResult<Self> {
        decode_all(bytes, Self::read)
    }
}
