//! Ockam's identity data model and its CBOR encoding (minicbor-derive conventions: structs are
//! arrays with trailing `None`s omitted and inner `None`s as `null`; enums are
//! `[index, [fields...]]`). Decoders accept what minicbor accepts from a newer peer (extra
//! trailing array items) but nothing unbounded.

mod credential;
mod history;
mod purpose_key;

pub use credential::{
    Attributes, Credential, CredentialAndPurposeKey, CredentialData, IdentityAndCredentials,
};
pub use history::{Change, ChangeData, ChangeHistory};
pub use purpose_key::{PurposeKeyAttestation, PurposeKeyAttestationData, PurposePublicKey};

use crate::codec::DecodeError;
use crate::codec::cbor::{self, CborReader};
use crate::vault::{Signature, VerifyingKey};

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
