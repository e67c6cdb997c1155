//! Credentials: attributes of a subject, signed by an issuer's credential purpose key; and what
//! a peer presents in a handshake (its history, its channel key's attestation, its credentials).

use std::collections::BTreeMap;

use super::*;
use crate::codec::cbor;
use crate::identity::{ChangeHash, Identifier};

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
