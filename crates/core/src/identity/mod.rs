//! Identities, purpose keys and credentials in Ockam's format.
//!
//! An identity is a history of changes: the first names a primary signing key (Ed25519 or
//! ECDSA P-256); each later change rotates to a new key and is signed by both the new and the
//! previous key. The identifier is the SHA-256 of the first change and never changes.
//! Identities attest *purpose keys* (the secure channel static X25519 key, credential-signing
//! keys); authorities issue *credentials* (signed attributes) about identities.
//!
//! Everything is checked by pure functions in [`verify`] that take `now` as an argument.

mod export;
mod identifier;
pub mod model;
mod owned;
pub mod verify;

pub use export::{PASSPHRASE_ROUNDS, Protection};
pub use identifier::{ChangeHash, Identifier};
pub use model::{
    Attributes, ChangeHistory, CredentialAndPurposeKey, IdentityAndCredentials,
    PurposeKeyAttestation, PurposePublicKey,
};
pub use owned::{
    DEFAULT_IDENTITY_TTL_SECS, DEFAULT_PURPOSE_KEY_TTL_SECS, Identity, SecureChannelKey,
};
pub use verify::{
    HistoryRelation, VerifiedCredential, VerifiedIdentity, verify_change_history,
    verify_credential, verify_purpose_key,
};

#[cfg(test)]
mod tests;
