//! Verification of identities, purpose keys and credentials (pure functions; `now` comes in).
//!
//! Each check comes in two halves: the structure (decoding, hash chains, validity windows),
//! checked at once, and the signatures, collected as `SignatureChecks` so that a handshake
//! can run all of the peer's at once — natively and in parallel where the provider can
//! ([`CryptoProvider::verify_signatures`]). The public functions do both halves synchronously.

use std::collections::BTreeMap;

use super::model::{
    CHANGE_DATA_TYPE, CREDENTIAL_DATA_TYPE, ChangeData, ChangeHistory, CredentialAndPurposeKey,
    CredentialData, PURPOSE_KEY_DATA_TYPE, PurposeKeyAttestation, PurposeKeyAttestationData,
    PurposePublicKey, decode_versioned,
};
use super::{ChangeHash, Identifier};
use crate::error::{Error, Result};
use crate::vault::{CryptoProvider, Signature, SignatureCheck, VerifyingKey};

/// Signatures a verification depends on, each with the error to fail with if it does not hold.
/// What a verification returned only counts once its checks [`run`](Self::run) clean.
#[derive(Debug, Default)]
pub(crate) struct SignatureChecks {
    checks: Vec<SignatureCheck>,
    errors: Vec<Error>,
}

impl SignatureChecks {
    fn require(
        &mut self,
        key: &VerifyingKey,
        digest: [u8; 32],
        signature: &Signature,
        error: Error,
    ) {
        self.checks.push(SignatureCheck {
            key: key.clone(),
            message: digest.to_vec(),
            signature: signature.clone(),
        });
        self.errors.push(error);
    }

    /// Runs the checks one by one, synchronously: the error of the first that fails.
    pub(crate) fn run_now(self, crypto: &dyn CryptoProvider) -> Result<()> {
        for (check, error) in self.checks.iter().zip(self.errors) {
            if !crypto.verify_signature(&check.key, &check.message, &check.signature) {
                return Err(error);
            }
        }
        Ok(())
    }

    /// Runs the checks of each of `sets` at once through
    /// [`CryptoProvider::verify_signatures`]: for each set, the error of its first check that
    /// fails.
    pub(crate) async fn run(crypto: &dyn CryptoProvider, sets: Vec<Self>) -> Vec<Result<()>> {
        let mut all = Vec::new();
        let mut errors = Vec::with_capacity(sets.len());
        for set in sets {
            all.extend(set.checks);
            errors.push(set.errors);
        }
        let mut held = crypto.verify_signatures(&all).await.into_iter();
        errors
            .into_iter()
            .map(|set| {
                let mut outcome = Ok(());
                for error in set {
                    // A provider that answers short fails the missing checks.
                    if !held.next().unwrap_or(false) && outcome.is_ok() {
                        outcome = Err(error);
                    }
                }
                outcome
            })
            .collect()
    }
}

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
    let mut checks = SignatureChecks::default();
    let identity = change_history_checks(crypto, history, &mut checks)?;
    checks.run_now(crypto)?;
    Ok(identity)
}

/// [`verify_change_history`]'s structure; its signatures go into `checks`.
pub(crate) fn change_history_checks(
    crypto: &dyn CryptoProvider,
    history: ChangeHistory,
    checks: &mut SignatureChecks,
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
                let unsigned = Error::InvalidIdentity("rotation not signed by the previous key");
                let Some(signature) = &change.previous_signature else {
                    return Err(unsigned);
                };
                checks.require(
                    &previous_data.primary_public_key,
                    hash.0,
                    signature,
                    unsigned,
                );
            }
        }
        checks.require(
            &data.primary_public_key,
            hash.0,
            &change.signature,
            Error::InvalidIdentity("change not signed by its key"),
        );
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
    let mut checks = SignatureChecks::default();
    let data = purpose_key_checks(crypto, identity, attestation, now, &mut checks)?;
    checks.run_now(crypto)?;
    Ok(data)
}

/// [`verify_purpose_key`]'s structure; its signature goes into `checks`.
pub(crate) fn purpose_key_checks(
    crypto: &dyn CryptoProvider,
    identity: &VerifiedIdentity,
    attestation: &PurposeKeyAttestation,
    now: u64,
    checks: &mut SignatureChecks,
) -> Result<PurposeKeyAttestationData> {
    let data = purpose_key_structure(identity, attestation, now)?;
    checks.require(
        &identity.latest.primary_public_key,
        crypto.sha256(&[&attestation.data]),
        &attestation.signature,
        Error::InvalidPurposeKey("bad attestation signature"),
    );
    Ok(data)
}

/// The attestation's content, if it is `identity`'s, made with its latest key and valid at
/// `now` (its signature aside).
fn purpose_key_structure(
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
    let mut checks = SignatureChecks::default();
    let credential = credential_checks(crypto, subject, authorities, presented, now, &mut checks)?;
    checks.run_now(crypto)?;
    Ok(credential)
}

/// [`verify_credential`]'s structure; its signatures (the issuer's purpose key attestation
/// and the credential's) go into `checks`.
pub(crate) fn credential_checks(
    crypto: &dyn CryptoProvider,
    subject: &Identifier,
    authorities: &[VerifiedIdentity],
    presented: &CredentialAndPurposeKey,
    now: u64,
    checks: &mut SignatureChecks,
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
    let attestation = &presented.purpose_key_attestation;
    let key_data = match purpose_key_structure(issuer, attestation, now) {
        Ok(data) => data,
        Err(Error::InvalidPurposeKey("attestation expired")) => {
            return Err(Error::CredentialExpired);
        }
        Err(_) => return Err(invalid("issuer key attestation does not verify")),
    };
    checks.require(
        &issuer.latest.primary_public_key,
        crypto.sha256(&[&attestation.data]),
        &attestation.signature,
        invalid("issuer key attestation does not verify"),
    );
    let PurposePublicKey::CredentialSigning(signing_key) = &key_data.public_key else {
        return Err(invalid("issuer key is not a credential-signing key"));
    };
    let credential = &presented.credential;
    checks.require(
        signing_key,
        crypto.sha256(&[&credential.data]),
        &credential.signature,
        invalid("bad credential signature"),
    );
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
