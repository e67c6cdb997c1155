//! An identity's change history: each change names a primary key and is signed by it (and by
//! the previous key).

use super::*;
use crate::codec::cbor;
use crate::identity::ChangeHash;

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

    /// Decodes a history (not yet verified: see [`verify_change_history`](crate::identity::verify_change_history)).
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
