//! An identity this node owns: its history, its keys in a vault, its purpose keys and the
//! credentials it presents.

use std::cell::RefCell;
use std::rc::Rc;

use super::Identifier;
use super::model::{
    Attributes, CHANGE_DATA_TYPE, CREDENTIAL_DATA_TYPE, Change, ChangeData, ChangeHistory,
    Credential, CredentialAndPurposeKey, CredentialData, PURPOSE_KEY_DATA_TYPE,
    PurposeKeyAttestation, PurposeKeyAttestationData, PurposePublicKey, encode_versioned,
};
use super::verify::{VerifiedIdentity, verify_change_history};
use crate::error::{Error, Result};
use crate::vault::CryptoProvider;
use crate::vault::crypto::RustCrypto;
use crate::vault::{KeyId, SigningKeyKind, Vault, VerifyingKey, X25519PublicKey};

/// How long an identity key may attest purpose keys by default: ten 365-day years (Ockam's).
pub const DEFAULT_IDENTITY_TTL_SECS: u64 = 315_360_000;
/// Default lifetime of a purpose key: five 365-day years (Ockam's).
pub const DEFAULT_PURPOSE_KEY_TTL_SECS: u64 = 157_680_000;

/// A secure channel static key with its attestation.
#[derive(Debug, Clone)]
pub struct SecureChannelKey {
    /// The X25519 key in the vault.
    pub key: KeyId,
    /// Its public half.
    pub public: X25519PublicKey,
    /// The identity's attestation of it.
    pub attestation: PurposeKeyAttestation,
    /// When the attestation expires (Unix seconds).
    pub expires_at: u64,
}

#[derive(Debug, Clone)]
struct CredentialKey {
    key: KeyId,
    attestation: PurposeKeyAttestation,
    created_at: u64,
    expires_at: u64,
}

struct State {
    key: KeyId,
    verified: VerifiedIdentity,
    secure_channel_key: Option<SecureChannelKey>,
    credential_key: Option<CredentialKey>,
    credentials: Vec<CredentialAndPurposeKey>,
}

/// An identity whose keys are in this node's vault. Cheap to clone (shared state).
#[derive(Clone)]
pub struct Identity {
    vault: Rc<dyn Vault>,
    state: Rc<RefCell<State>>,
}

impl core::fmt::Debug for Identity {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Identity({})", self.identifier())
    }
}

async fn make_change(
    vault: &dyn Vault,
    new_key: &KeyId,
    previous: Option<(&KeyId, &VerifiedIdentity)>,
    revoke_all_purpose_keys: bool,
    valid_from: u64,
    valid_until: u64,
) -> Result<Change> {
    let data = ChangeData {
        previous_change: previous.map(|(_, identity)| identity.latest_change_hash()),
        primary_public_key: vault.verifying_key(new_key).await?,
        revoke_all_purpose_keys,
        attestations_valid_from: valid_from,
        attestations_valid_until: valid_until,
    };
    let data = encode_versioned(CHANGE_DATA_TYPE, &data.encode());
    let hash = RustCrypto.sha256(&[&data]);
    let signature = vault.sign(new_key, &hash).await?;
    let previous_signature = match previous {
        Some((previous_key, _)) => Some(vault.sign(previous_key, &hash).await?),
        None => None,
    };
    Ok(Change {
        data,
        signature,
        previous_signature,
    })
}

impl Identity {
    /// A new identity with a fresh `kind` key, attesting purpose keys from `now` for ten years.
    pub async fn create(vault: Rc<dyn Vault>, kind: SigningKeyKind, now: u64) -> Result<Self> {
        let key = vault.generate_signing_key(kind).await?;
        Self::create_with_key(
            vault,
            key,
            now,
            now.saturating_add(DEFAULT_IDENTITY_TTL_SECS),
        )
        .await
    }

    /// A new identity on an existing vault key with an explicit attestation window.
    pub async fn create_with_key(
        vault: Rc<dyn Vault>,
        key: KeyId,
        valid_from: u64,
        valid_until: u64,
    ) -> Result<Self> {
        let change =
            make_change(vault.as_ref(), &key, None, false, valid_from, valid_until).await?;
        let verified = verify_change_history(&RustCrypto, ChangeHistory(vec![change]))?;
        Ok(Self::from_parts(vault, key, verified))
    }

    /// An identity restored from its history and the vault handle of its current key.
    pub async fn import(vault: Rc<dyn Vault>, history: ChangeHistory, key: KeyId) -> Result<Self> {
        let verified = verify_change_history(&RustCrypto, history)?;
        if &vault.verifying_key(&key).await? != verified.public_key() {
            return Err(Error::InvalidIdentity(
                "the key does not match the identity's latest key",
            ));
        }
        Ok(Self::from_parts(vault, key, verified))
    }

    fn from_parts(vault: Rc<dyn Vault>, key: KeyId, verified: VerifiedIdentity) -> Self {
        let state = State {
            key,
            verified,
            secure_channel_key: None,
            credential_key: None,
            credentials: Vec::new(),
        };
        Self {
            vault,
            state: Rc::new(RefCell::new(state)),
        }
    }

    /// The identifier (stable across rotations).
    pub fn identifier(&self) -> Identifier {
        self.state.borrow().verified.identifier()
    }

    /// The current change history.
    pub fn change_history(&self) -> ChangeHistory {
        self.state.borrow().verified.change_history().clone()
    }

    /// The identity as others see it.
    pub fn verified(&self) -> VerifiedIdentity {
        self.state.borrow().verified.clone()
    }

    /// The vault handle of the current primary key.
    pub fn key(&self) -> KeyId {
        self.state.borrow().key.clone()
    }

    /// The vault holding the keys.
    pub fn vault(&self) -> &Rc<dyn Vault> {
        &self.vault
    }

    /// Rotates to a fresh `kind` key (signed by the old and the new key; the old key is
    /// deleted). Purpose keys must be attested again, so they are dropped.
    pub async fn rotate(&self, kind: SigningKeyKind, now: u64) -> Result<()> {
        let key = self.vault.generate_signing_key(kind).await?;
        self.rotate_to(
            key,
            false,
            now,
            now.saturating_add(DEFAULT_IDENTITY_TTL_SECS),
        )
        .await
    }

    /// Rotates to an existing vault key with an explicit window.
    pub async fn rotate_to(
        &self,
        new_key: KeyId,
        revoke_all_purpose_keys: bool,
        valid_from: u64,
        valid_until: u64,
    ) -> Result<()> {
        let (old_key, verified) = {
            let state = self.state.borrow();
            (state.key.clone(), state.verified.clone())
        };
        let change = make_change(
            self.vault.as_ref(),
            &new_key,
            Some((&old_key, &verified)),
            revoke_all_purpose_keys,
            valid_from,
            valid_until,
        )
        .await?;
        let mut history = verified.change_history().clone();
        history.0.push(change);
        let verified = verify_change_history(&RustCrypto, history)?;
        {
            let mut state = self.state.borrow_mut();
            state.key = new_key;
            state.verified = verified;
            state.secure_channel_key = None;
            state.credential_key = None;
        }
        self.vault.delete_signing_key(&old_key).await?;
        Ok(())
    }

    /// Signs an attestation of `public_key` for `[created_at, expires_at]` with the latest key.
    pub async fn attest_purpose_key(
        &self,
        public_key: PurposePublicKey,
        created_at: u64,
        expires_at: u64,
    ) -> Result<PurposeKeyAttestation> {
        let (key, verified) = {
            let state = self.state.borrow();
            (state.key.clone(), state.verified.clone())
        };
        let data = PurposeKeyAttestationData {
            subject: verified.identifier(),
            subject_latest_change_hash: verified.latest_change_hash(),
            public_key,
            created_at,
            expires_at,
        };
        let data = encode_versioned(PURPOSE_KEY_DATA_TYPE, &data.encode());
        let signature = self.vault.sign(&key, &RustCrypto.sha256(&[&data])).await?;
        Ok(PurposeKeyAttestation { data, signature })
    }

    /// `[created_at, expires_at]` for a new purpose key: from `now` for the default lifetime,
    /// inside the latest key's attestation window (which verification requires).
    fn purpose_key_window(&self, now: u64) -> (u64, u64) {
        let state = self.state.borrow();
        let latest = state.verified.latest_change();
        let from = now.max(latest.attestations_valid_from);
        let until = from
            .saturating_add(DEFAULT_PURPOSE_KEY_TTL_SECS)
            .min(latest.attestations_valid_until);
        (from, until)
    }

    /// The secure channel static key, created and attested on first use and again after a
    /// rotation or once it expires.
    pub async fn secure_channel_key(&self, now: u64) -> Result<SecureChannelKey> {
        if let Some(existing) = &self.state.borrow().secure_channel_key
            && existing.expires_at > now
        {
            return Ok(existing.clone());
        }
        let key = self.vault.generate_x25519_key().await?;
        let public = self.vault.x25519_public_key(&key).await?;
        let (created_at, expires_at) = self.purpose_key_window(now);
        let attestation = self
            .attest_purpose_key(
                PurposePublicKey::SecureChannelStatic(public),
                created_at,
                expires_at,
            )
            .await?;
        let created = SecureChannelKey {
            key,
            public,
            attestation,
            expires_at,
        };
        let replaced = self
            .state
            .borrow_mut()
            .secure_channel_key
            .replace(created.clone());
        if let Some(old) = replaced {
            self.vault.delete_x25519_key(&old.key).await?;
        }
        Ok(created)
    }

    async fn credential_key(&self, now: u64) -> Result<CredentialKey> {
        if let Some(existing) = &self.state.borrow().credential_key
            && existing.expires_at > now
        {
            return Ok(existing.clone());
        }
        let key = self
            .vault
            .generate_signing_key(SigningKeyKind::Ed25519)
            .await?;
        let public: VerifyingKey = self.vault.verifying_key(&key).await?;
        let (created_at, expires_at) = self.purpose_key_window(now);
        let attestation = self
            .attest_purpose_key(
                PurposePublicKey::CredentialSigning(public),
                created_at,
                expires_at,
            )
            .await?;
        let created = CredentialKey {
            key,
            attestation,
            created_at,
            expires_at,
        };
        self.state.borrow_mut().credential_key = Some(created.clone());
        Ok(created)
    }

    /// Issues a credential about `subject` with `attributes`, valid from `now` for `ttl_secs`
    /// (capped at the signing key's own expiry), signed with this identity's
    /// credential-signing purpose key.
    pub async fn issue_credential(
        &self,
        subject: &VerifiedIdentity,
        attributes: Attributes,
        ttl_secs: u64,
        now: u64,
    ) -> Result<CredentialAndPurposeKey> {
        let signer = self.credential_key(now).await?;
        let data = CredentialData {
            subject: Some(subject.identifier()),
            subject_latest_change_hash: Some(subject.latest_change_hash()),
            attributes,
            created_at: now.max(signer.created_at),
            expires_at: now.saturating_add(ttl_secs).min(signer.expires_at),
        };
        let data = encode_versioned(CREDENTIAL_DATA_TYPE, &data.encode());
        let signature = self
            .vault
            .sign(&signer.key, &RustCrypto.sha256(&[&data]))
            .await?;
        Ok(CredentialAndPurposeKey {
            credential: Credential { data, signature },
            purpose_key_attestation: signer.attestation,
        })
    }

    /// Corrupts the signature of the cached secure channel key attestation, so that peers see a
    /// forged attestation. For negative tests only.
    #[cfg(any(test, feature = "testing"))]
    #[doc(hidden)]
    pub fn forge_secure_channel_key_signature_for_testing_only(&self) {
        if let Some(key) = &mut self.state.borrow_mut().secure_channel_key {
            let mut bytes = *key.attestation.signature.as_bytes();
            bytes[0] ^= 0xff;
            key.attestation.signature = match key.attestation.signature {
                crate::vault::Signature::Ed25519(_) => crate::vault::Signature::Ed25519(bytes),
                crate::vault::Signature::EcdsaP256(_) => crate::vault::Signature::EcdsaP256(bytes),
            };
        }
    }

    /// Adds a credential to present in secure channel handshakes.
    pub fn add_credential(&self, credential: CredentialAndPurposeKey) {
        self.state.borrow_mut().credentials.push(credential);
    }

    /// The credentials this identity presents.
    pub fn credentials(&self) -> Vec<CredentialAndPurposeKey> {
        self.state.borrow().credentials.clone()
    }
}
