//! Ockam's identity data model and its CBOR encoding (minicbor-derive conventions: structs are
//! arrays with trailing `None`s omitted and inner `None`s as `null`; enums are
//! `[index, [fields...]]`). Decoders accept what minicbor accepts from a newer peer (extra
//! trailing array items) but nothing unbounded.

use std::collections::BTreeMap;

use super::{ChangeHash, Identifier};
use crate::codec::DecodeError;
use crate::codec::cbor::{self, CborReader};
use crate::vault::{Signature, VerifyingKey, X25519PublicKey};

/// Most changes in one history.
pub const MAX_CHANGES: usize = 64;
/// Longest signed `data` blob (a change, an attestation, a credential).
pub const MAX_DATA_LEN: usize = 16 * 1024;
/// Most credentials presented at once.
pub const MAX_CREDENTIALS: usize = 8;
/// Most attributes in one credential.
pub const MAX_ATTRIBUTES: usize = 64;
/// Longest attribute name, and value.
pub const MAX_ATTRIBUTE_NAME: usize = 256;
/// Longest attribute value.
pub const MAX_ATTRIBUTE_VALUE: usize = 4096;
/// Extra trailing array items tolerated (fields added by newer versions).
const MAX_EXTRA_FIELDS: usize = 8;

/// `VersionedData.data_type` of a change.
pub const CHANGE_DATA_TYPE: u8 = 1;
/// `VersionedData.data_type` of a purpose key attestation.
pub const PURPOSE_KEY_DATA_TYPE: u8 = 2;
/// `VersionedData.data_type` of a credential.
pub const CREDENTIAL_DATA_TYPE: u8 = 3;

type DecodeResult<T> = Result<T, DecodeError>;

/// Opens a struct encoded as an array: at least `required` items, and returns how many items
/// there are so the caller can read the optional ones and skip unknown extras.
fn open_struct(
    r: &mut CborReader<'_>,
    what: &'static str,
    required: usize,
    known: usize,
) -> DecodeResult<usize> {
    r.array_between(what, required, known + MAX_EXTRA_FIELDS)
}

fn close_struct(r: &mut CborReader<'_>, len: usize, read: usize) -> DecodeResult<()> {
    r.skip_items(len.saturating_sub(read))
}

/// Decodes a top-level value and rejects trailing bytes.
fn decode_all<'a, T>(
    bytes: &'a [u8],
    decode: impl FnOnce(&mut CborReader<'a>) -> DecodeResult<T>,
) -> DecodeResult<T> {
    let mut r = CborReader::new(bytes);
    let value = decode(&mut r)?;
    r.finish()?;
    Ok(value)
}

// ---- keys and signatures ----------------------------------------------------------------

pub(crate) fn write_signature(out: &mut Vec<u8>, signature: &Signature) {
    let index = match signature {
        Signature::Ed25519(_) => 0,
        Signature::EcdsaP256(_) => 1,
    };
    cbor::write_variant(out, index, 1);
    cbor::write_bytes(out, signature.as_bytes());
}

pub(crate) fn read_signature(r: &mut CborReader<'_>) -> DecodeResult<Signature> {
    let (index, fields) = r.variant("signature", 1)?;
    if fields != 1 {
        return Err(DecodeError::Malformed("signature"));
    }
    let bytes = r.byte_array::<64>("signature")?;
    match index {
        0 => Ok(Signature::Ed25519(bytes)),
        1 => Ok(Signature::EcdsaP256(bytes)),
        other => Err(DecodeError::InvalidTag {
            what: "signature type",
            value: other,
        }),
    }
}

pub(crate) fn write_verifying_key(out: &mut Vec<u8>, key: &VerifyingKey) {
    let index = match key {
        VerifyingKey::Ed25519(_) => 0,
        VerifyingKey::EcdsaP256(_) => 1,
    };
    cbor::write_variant(out, index, 1);
    cbor::write_bytes(out, key.as_bytes());
}

pub(crate) fn read_verifying_key(r: &mut CborReader<'_>) -> DecodeResult<VerifyingKey> {
    let (index, fields) = r.variant("public key", 1)?;
    if fields != 1 {
        return Err(DecodeError::Malformed("public key"));
    }
    match index {
        0 => Ok(VerifyingKey::Ed25519(
            r.byte_array::<32>("Ed25519 public key")?,
        )),
        1 => {
            let key = r.byte_array::<65>("P-256 public key")?;
            if key[0] != 0x04 {
                return Err(DecodeError::Malformed(
                    "P-256 public key is not uncompressed",
                ));
            }
            Ok(VerifyingKey::EcdsaP256(key))
        }
        other => Err(DecodeError::InvalidTag {
            what: "public key type",
            value: other,
        }),
    }
}

// ---- VersionedData ----------------------------------------------------------------------

/// Wraps `data` as `VersionedData { version: 1, data_type, data }`.
pub fn encode_versioned(data_type: u8, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 8);
    cbor::write_array(&mut out, 3);
    cbor::write_u64(&mut out, 1);
    cbor::write_u64(&mut out, data_type.into());
    cbor::write_bytes(&mut out, data);
    out
}

/// Unwraps `VersionedData`, requiring version 1 and `data_type`.
pub fn decode_versioned(bytes: &[u8], data_type: u8) -> DecodeResult<&[u8]> {
    decode_all(bytes, |r| {
        let len = open_struct(r, "versioned data", 3, 3)?;
        let version = r.u8("version")?;
        if version != 1 {
            return Err(DecodeError::UnsupportedVersion(version));
        }
        let found = r.u8("data type")?;
        if found != data_type {
            return Err(DecodeError::InvalidTag {
                what: "data type",
                value: found.into(),
            });
        }
        let data = r.bytes("versioned data", MAX_DATA_LEN)?;
        close_struct(r, len, 3)?;
        Ok(data)
    })
}

// ---- change history ---------------------------------------------------------------------

/// One change of an identity: the signed data and its signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// CBOR `VersionedData(1, 1, ChangeData)`: the exact signed and hashed bytes.
    pub data: Vec<u8>,
    /// Signature of `SHA-256(data)` by this change's primary key.
    pub signature: Signature,
    /// Signature of `SHA-256(data)` by the previous change's key (all but the first change).
    pub previous_signature: Option<Signature>,
}

/// The content of a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeData {
    /// Hash of the previous change; `None` for the first.
    pub previous_change: Option<ChangeHash>,
    /// The identity's signing key from this change on.
    pub primary_public_key: VerifyingKey,
    /// Whether purpose keys attested before this change are revoked.
    pub revoke_all_purpose_keys: bool,
    /// Purpose keys attested by this key must not be created before this (Unix seconds).
    pub attestations_valid_from: u64,
    /// Purpose keys attested by this key must not expire after this (Unix seconds).
    pub attestations_valid_until: u64,
}

impl ChangeData {
    /// CBOR encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(128);
        cbor::write_array(&mut out, 5);
        match &self.previous_change {
            Some(hash) => cbor::write_bytes(&mut out, &hash.0),
            None => cbor::write_null(&mut out),
        }
        write_verifying_key(&mut out, &self.primary_public_key);
        cbor::write_bool(&mut out, self.revoke_all_purpose_keys);
        cbor::write_u64(&mut out, self.attestations_valid_from);
        cbor::write_u64(&mut out, self.attestations_valid_until);
        out
    }

    /// Decodes a `ChangeData`.
    pub fn decode(bytes: &[u8]) -> DecodeResult<Self> {
        decode_all(bytes, |r| {
            let len = open_struct(r, "change data", 5, 5)?;
            let previous_change = if r.null()? {
                None
            } else {
                Some(ChangeHash(r.byte_array::<32>("previous change")?))
            };
            let primary_public_key = read_verifying_key(r)?;
            let revoke_all_purpose_keys = r.bool("revoke all purpose keys")?;
            let attestations_valid_from = r.u64("attestations valid from")?;
            let attestations_valid_until = r.u64("attestations valid until")?;
            close_struct(r, len, 5)?;
            Ok(Self {
                previous_change,
                primary_public_key,
                revoke_all_purpose_keys,
                attestations_valid_from,
                attestations_valid_until,
            })
        })
    }
}

/// An identity's full history of changes, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeHistory(pub Vec<Change>);

impl ChangeHistory {
    /// CBOR encoding (Ockam's binary export format).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_into(&mut out);
        out
    }

    pub(crate) fn encode_into(&self, out: &mut Vec<u8>) {
        cbor::write_array(out, self.0.len());
        for change in &self.0 {
            cbor::write_array(
                out,
                if change.previous_signature.is_some() {
                    3
                } else {
                    2
                },
            );
            cbor::write_bytes(out, &change.data);
            write_signature(out, &change.signature);
            if let Some(previous) = &change.previous_signature {
                write_signature(out, previous);
            }
        }
    }

    /// Decodes a history (not yet verified: see [`verify_change_history`](super::verify_change_history)).
    pub fn decode(bytes: &[u8]) -> DecodeResult<Self> {
        decode_all(bytes, Self::read)
    }

    pub(crate) fn read(r: &mut CborReader<'_>) -> DecodeResult<Self> {
        let count = r.array("change history", MAX_CHANGES)?;
        let mut changes = Vec::with_capacity(count);
        for _ in 0..count {
            let len = open_struct(r, "change", 2, 3)?;
            let data = r.bytes("change data", MAX_DATA_LEN)?.to_vec();
            let signature = read_signature(r)?;
            let previous_signature = if len >= 3 && !r.null()? {
                Some(read_signature(r)?)
            } else {
                None
            };
            close_struct(r, len, 3.min(len))?;
            changes.push(Change {
                data,
                signature,
                previous_signature,
            });
        }
        Ok(Self(changes))
    }
}

// ---- purpose keys -----------------------------------------------------------------------

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

// ---- credentials ------------------------------------------------------------------------

/// Attributes an issuer vouches for: a schema number and name/value byte strings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attributes {
    /// Free-form schema identifier.
    pub schema: u64,
    /// Attribute name → value, ordered by name bytes (as Ockam encodes them).
    pub map: BTreeMap<Vec<u8>, Vec<u8>>,
}

impl Attributes {
    /// Attributes with schema 0 from `(name, value)` text pairs.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Self {
            schema: 0,
            map: pairs
                .into_iter()
                .map(|(k, v)| (k.as_bytes().to_vec(), v.as_bytes().to_vec()))
                .collect(),
        }
    }
}

/// A credential: issuer-signed attributes of a subject, with validity times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    /// CBOR `VersionedData(1, 3, CredentialData)`.
    pub data: Vec<u8>,
    /// Signature of `SHA-256(data)` by the issuer's credential-signing purpose key.
    pub signature: Signature,
}

/// The content of a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialData {
    /// Whom the attributes describe (required by verification).
    pub subject: Option<Identifier>,
    /// The subject's latest change when issued.
    pub subject_latest_change_hash: Option<ChangeHash>,
    /// The attributes.
    pub attributes: Attributes,
    /// Unix seconds.
    pub created_at: u64,
    /// Unix seconds.
    pub expires_at: u64,
}

impl CredentialData {
    /// CBOR encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(160);
        cbor::write_array(&mut out, 5);
        match &self.subject {
            Some(id) => cbor::write_bytes(&mut out, &id.0),
            None => cbor::write_null(&mut out),
        }
        match &self.subject_latest_change_hash {
            Some(hash) => cbor::write_bytes(&mut out, &hash.0),
            None => cbor::write_null(&mut out),
        }
        cbor::write_array(&mut out, 2);
        cbor::write_u64(&mut out, self.attributes.schema);
        cbor::write_map(&mut out, self.attributes.map.len());
        for (name, value) in &self.attributes.map {
            cbor::write_bytes(&mut out, name);
            cbor::write_bytes(&mut out, value);
        }
        cbor::write_u64(&mut out, self.created_at);
        cbor::write_u64(&mut out, self.expires_at);
        out
    }

    /// Decodes the content. Duplicate attribute names are an error.
    pub fn decode(bytes: &[u8]) -> DecodeResult<Self> {
        decode_all(bytes, |r| {
            let len = open_struct(r, "credential data", 5, 5)?;
            let subject = if r.null()? {
                None
            } else {
                Some(Identifier(r.byte_array::<32>("subject")?))
            };
            let subject_latest_change_hash = if r.null()? {
                None
            } else {
                Some(ChangeHash(r.byte_array::<32>("subject latest change")?))
            };
            let attributes_len = open_struct(r, "attributes", 2, 2)?;
            let schema = r.u64("schema")?;
            let pairs = r.map("attributes", MAX_ATTRIBUTES)?;
            let mut map = BTreeMap::new();
            for _ in 0..pairs {
                let name = r.bytes("attribute name", MAX_ATTRIBUTE_NAME)?.to_vec();
                let value = r.bytes("attribute value", MAX_ATTRIBUTE_VALUE)?.to_vec();
                if map.insert(name, value).is_some() {
                    return Err(DecodeError::Malformed("duplicate attribute"));
                }
            }
            close_struct(r, attributes_len, 2)?;
            let created_at = r.u64("created at")?;
            let expires_at = r.u64("expires at")?;
            close_struct(r, len, 5)?;
            Ok(Self {
                subject,
                subject_latest_change_hash,
                attributes: Attributes { schema, map },
                created_at,
                expires_at,
            })
        })
    }
}

/// A credential and the attestation of the issuer key that signed it: what a peer presents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialAndPurposeKey {
    /// The credential.
    pub credential: Credential,
    /// The issuer's attestation of its credential-signing key.
    pub purpose_key_attestation: PurposeKeyAttestation,
}

impl CredentialAndPurposeKey {
    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        cbor::write_array(out, 2);
        cbor::write_array(out, 2);
        cbor::write_bytes(out, &self.credential.data);
        write_signature(out, &self.credential.signature);
        self.purpose_key_attestation.write(out);
    }

    pub(crate) fn read(r: &mut CborReader<'_>) -> DecodeResult<Self> {
        let len = open_struct(r, "credential and purpose key", 2, 2)?;
        let credential_len = open_struct(r, "credential", 2, 2)?;
        let data = r.bytes("credential data", MAX_DATA_LEN)?.to_vec();
        let signature = read_signature(r)?;
        close_struct(r, credential_len, 2)?;
        let purpose_key_attestation = PurposeKeyAttestation::read(r)?;
        close_struct(r, len, 2)?;
        Ok(Self {
            credential: Credential { data, signature },
            purpose_key_attestation,
        })
    }

    /// CBOR encoding (Ockam's credential export format).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write(&mut out);
        out
    }

    /// Decodes (not yet verified).
    pub fn decode(bytes: &[u8]) -> DecodeResult<Self> {
        decode_all(bytes, Self::read)
    }

    pub(crate) fn write_list(out: &mut Vec<u8>, credentials: &[Self]) {
        cbor::write_array(out, credentials.len());
        for credential in credentials {
            credential.write(out);
        }
    }

    pub(crate) fn read_list(r: &mut CborReader<'_>) -> DecodeResult<Vec<Self>> {
        let count = r.array("credentials", MAX_CREDENTIALS)?;
        (0..count).map(|_| Self::read(r)).collect()
    }
}

/// The payload of handshake messages 2 and 3: who the sender is, its secure channel key, and
/// its credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityAndCredentials {
    /// The sender's change history.
    pub change_history: ChangeHistory,
    /// The sender's attestation of its secure channel static key.
    pub purpose_key_attestation: PurposeKeyAttestation,
    /// Credentials the sender presents.
    pub credentials: Vec<CredentialAndPurposeKey>,
}

impl IdentityAndCredentials {
    /// CBOR encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(512);
        cbor::write_array(&mut out, 3);
        self.change_history.encode_into(&mut out);
        self.purpose_key_attestation.write(&mut out);
        CredentialAndPurposeKey::write_list(&mut out, &self.credentials);
        out
    }

    /// Decodes (not yet verified).
    pub fn decode(bytes: &[u8]) -> DecodeResult<Self> {
        decode_all(bytes, |r| {
            let len = open_struct(r, "identity and credentials", 3, 3)?;
            let change_history = ChangeHistory::read(r)?;
            let purpose_key_attestation = PurposeKeyAttestation::read(r)?;
            let credentials = CredentialAndPurposeKey::read_list(r)?;
            close_struct(r, len, 3)?;
            Ok(Self {
                change_history,
                purpose_key_attestation,
                credentials,
            })
        })
    }
}
