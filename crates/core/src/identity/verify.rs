//! Verification of identities, purpose keys and credentials (pure functions; `now` comes in).

use std::collections::BTreeMap;

use super::model::{
    CHANGE_DATA_TYPE, CREDENTIAL_DATA_TYPE, ChangeData, ChangeHistory, CredentialAndPurposeKey,
    CredentialData, PURPOSE_KEY_DATA_TYPE, PurposeKeyAttestation, PurposeKeyAttestationData,
    PurposePublicKey, decode_versioned,
};
use super::{ChangeHash, Identifier};
use crate::error::{Error, Result};
use crate::vault::CryptoProvider;
use crate::vault::VerifyingKey;

/// How far in the future a `created_at` may be (clock skew between peers), as Ockam allows.
pub const MAX_CLOCK_DRIFT_SECS: u64 = 60;

/// A change history that verified: its identifier and its current key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedIdentity {
    identifier: Identifier,
    history: ChangeHistory,
    latest_change_hash: ChangeHash,
    latest: ChangeData,
}

impl VerifiedIdentity {
    /// The identifier.
    pub fn identifier(&self) -> Identifier {
        self.identifier
    }

    /// The verified history.
    pub fn change_history(&self) -> &ChangeHistory {
        &self.history
    }

    /// The current primary public key.
    pub fn public_key(&self) -> &VerifyingKey {
        &self.latest.primary_public_key
    }

    /// Hash of the latest change.
    pub fn latest_change_hash(&self) -> ChangeHash {
        self.latest_change_hash
    }

    /// The latest change's content.
    pub fn latest_change(&self) -> &ChangeData {
        &self.latest
    }

    /// How this history relates to `other`, a history of the same identity.
    pub fn compare(&self, other: &VerifiedIdentity) -> HistoryRelation {
        let ours = &self.history.0;
        let theirs = &other.history.0;
        if ours.iter().zip(theirs).any(|(a, b)| a.data != b.data) {
            return HistoryRelation::Conflict;
        }
        match ours.len().cmp(&theirs.len()) {
            core::cmp::Ordering::Equal => HistoryRelation::Same,
            core::cmp::Ordering::Less => HistoryRelation::OtherIsNewer,
            core::cmp::Ordering::Greater => HistoryRelation::OtherIsOlder,
        }
    }
}

/// The relation between two verified histories of one identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryRelation {
    /// Identical.
    Same,
    /// The other extends this one (a later rotation).
    OtherIsNewer,
    /// This one extends the other.
    OtherIsOlder,
    /// They diverge: a fork, which means a compromised or misused key.
    Conflict,
}

fn decode_change(data: &[u8]) -> Result<ChangeData> {
    let inner = decode_versioned(data, CHANGE_DATA_TYPE)
        .map_err(|_| Error::InvalidIdentity("unknown change version or type"))?;
    ChangeData::decode(inner).map_err(|_| Error::InvalidIdentity("malformed change data"))
}

/// Verifies a change history: the chain of hashes, each change's self-signature, each
/// rotation's signature by the previous key, version numbers and attestation windows.
pub fn verify_change_history(
    crypto: &dyn CryptoProvider,
    history: ChangeHistory,
) -> Result<VerifiedIdentity> {
    let mut previous: Option<(ChangeHash, ChangeData)> = None;
    let mut identifier = None;
    for change in &history.0 {
        let hash = ChangeHash(crypto.sha256(&[&change.data]));
        let data = decode_change(&change.data)?;
        if data.attestations_valid_from > data.attestations_valid_until {
            return Err(Error::InvalidIdentity(
                "change is valid until before it is valid from",
            ));
        }
        match &previous {
            None => {
                if data.previous_change.is_some() {
                    return Err(Error::InvalidIdentity(
                        "first change names a previous change",
                    ));
                }
                identifier = Some(Identifier(hash.0));
            }
            Some((previous_hash, previous_data)) => {
                if data.previous_change != Some(*previous_hash) {
                    return Err(Error::InvalidIdentity(
                        "change does not follow the previous one",
                    ));
                }
                if data.attestations_valid_from < previous_data.attestations_valid_from {
                    return Err(Error::InvalidIdentity("change goes back in time"));
                }
                let signed_by_previous =
                    change.previous_signature.as_ref().is_some_and(|signature| {
                        crypto.verify_signature(
                            &previous_data.primary_public_key,
                            &hash.0,
                            signature,
                        )
                    });
                if !signed_by_previous {
                    return Err(Error::InvalidIdentity(
                        "rotation not signed by the previous key",
                    ));
                }
            }
        }
        if !crypto.verify_signature(&data.primary_public_key, &hash.0, &change.signature) {
            return Err(Error::InvalidIdentity("change not signed by its key"));
        }
        previous = Some((hash, data));
    }
    let (Some(identifier), Some((latest_change_hash, latest))) = (identifier, previous) else {
        return Err(Error::InvalidIdentity("empty change history"));
    };
    Ok(VerifiedIdentity {
        identifier,
        history,
        latest_change_hash,
        latest,
    })
}

/// Verifies that `identity` attests the key in `attestation`, made with its latest key and
/// valid at `now`. Returns the attested content.
pub fn verify_purpose_key(
    crypto: &dyn CryptoProvider,
    identity: &VerifiedIdentity,
    attestation: &PurposeKeyAttestation,
    now: u64,
) -> Result<PurposeKeyAttestationData> {
    let invalid = Error::InvalidPurposeKey;
    let inner = decode_versioned(&attestation.data, PURPOSE_KEY_DATA_TYPE)
        .map_err(|_| invalid("unknown attestation version or type"))?;
    let data =
        PurposeKeyAttestationData::decode(inner).map_err(|_| invalid("malformed attestation"))?;
    if data.subject != identity.identifier {
        return Err(invalid("attestation is for another identity"));
    }
    if data.subject_latest_change_hash != identity.latest_change_hash {
        return Err(invalid(
            "attestation not made with the identity's latest key",
        ));
    }
    let latest = &identity.latest;
    if data.expires_at > latest.attestations_valid_until
        || data.created_at < latest.attestations_valid_from
    {
        return Err(invalid(
            "attestation outside the identity's attestation window",
        ));
    }
    if data.created_at > now.saturating_add(MAX_CLOCK_DRIFT_SECS) {
        return Err(invalid("attestation created in the future"));
    }
    if data.expires_at < now {
        return Err(invalid("attestation expired"));
    }
    if !crypto.verify_signature(
        &latest.primary_public_key,
        &crypto.sha256(&[&attestation.data]),
        &attestation.signature,
    ) {
        return Err(invalid("bad attestation signature"));
    }
    Ok(data)
}

/// A credential that verified: who issued it, about whom, what it says, until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCredential {
    /// The issuing authority.
    pub issuer: Identifier,
    /// The subject.
    pub subject: Identifier,
    /// The attributes, as issued.
    pub attributes: BTreeMap<Vec<u8>, Vec<u8>>,
    /// Unix seconds after which it no longer counts.
    pub expires_at: u64,
}

/// Verifies a credential about `subject` issued by one of `authorities` and valid at `now`.
pub fn verify_credential(
    crypto: &dyn CryptoProvider,
    subject: &Identifier,
    authorities: &[VerifiedIdentity],
    presented: &CredentialAndPurposeKey,
    now: u64,
) -> Result<VerifiedCredential> {
    let invalid = Error::InvalidCredential;
    let issuer_key_data = PurposeKeyAttestationData::decode(
        decode_versioned(
            &presented.purpose_key_attestation.data,
            PURPOSE_KEY_DATA_TYPE,
        )
        .map_err(|_| invalid("unknown issuer key attestation version or type"))?,
    )
    .map_err(|_| invalid("malformed issuer key attestation"))?;
    let issuer = authorities
        .iter()
        .find(|authority| authority.identifier == issuer_key_data.subject)
        .ok_or(Error::UntrustedIssuer)?;
    let key_data = match verify_purpose_key(crypto, issuer, &presented.purpose_key_attestation, now)
    {
        Ok(data) => data,
        Err(Error::InvalidPurposeKey("attestation expired")) => {
            return Err(Error::CredentialExpired);
        }
        Err(_) => return Err(invalid("issuer key attestation does not verify")),
    };
    let PurposePublicKey::CredentialSigning(signing_key) = &key_data.public_key else {
        return Err(invalid("issuer key is not a credential-signing key"));
    };
    let credential = &presented.credential;
    if !crypto.verify_signature(
        signing_key,
        &crypto.sha256(&[&credential.data]),
        &credential.signature,
    ) {
        return Err(invalid("bad credential signature"));
    }
    let data = CredentialData::decode(
        decode_versioned(&credential.data, CREDENTIAL_DATA_TYPE)
            .map_err(|_| invalid("unknown credential version or type"))?,
    )
    .map_err(|_| invalid("malformed credential"))?;
    if data.subject != Some(*subject) {
        return Err(invalid("credential is about another identity"));
    }
    if data.created_at < key_data.created_at || data.expires_at > key_data.expires_at {
        return Err(invalid("credential outside its issuer key's validity"));
    }
    if data.created_at > now.saturating_add(MAX_CLOCK_DRIFT_SECS) {
        return Err(invalid("credential created in the future"));
    }
    if data.expires_at < now {
        return Err(Error::CredentialExpired);
    }
    Ok(VerifiedCredential {
        issuer: issuer.identifier,
        subject: *subject,
        attributes: data.attributes.map,
        expires_at: data.expires_at,
    })
}
