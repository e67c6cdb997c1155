//! Identities, purpose key attestations and credentials (Ockam's CBOR), decoded and verified as
//! a handshake does with what a peer presents. The first byte picks what the rest is: 0 a change
//! history, 1 a purpose key attestation of the subject below, 2 a credential about the subject
//! from the issuer below as authority (both Ockam-made: crates/core/tests/vectors). Nothing
//! panics; the corpus holds the real ones, so mutations explore every check up to success.
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use razor_core::identity::model::{ChangeHistory, CredentialAndPurposeKey, PurposeKeyAttestation};
use razor_core::identity::{VerifiedIdentity, verify_change_history, verify_credential, verify_purpose_key};
use razor_core::vault::crypto::RustCrypto;

fn verified(hex: &str) -> VerifiedIdentity {
    let bytes = razor_core::codec::hex::decode(hex.trim()).expect("hex");
    verify_change_history(&RustCrypto, ChangeHistory::decode(&bytes).expect("decodes")).expect("verifies")
}

/// The vectors' "subject" identity (Ed25519).
fn subject() -> &'static VerifiedIdentity {
    static SUBJECT: OnceLock<VerifiedIdentity> = OnceLock::new();
    SUBJECT.get_or_init(|| verified(include_str!("../seeds/subject.hex")))
}

/// The vectors' issuer after its rotation: the authority of their credential.
fn issuer() -> &'static VerifiedIdentity {
    static ISSUER: OnceLock<VerifiedIdentity> = OnceLock::new();
    ISSUER.get_or_init(|| verified(include_str!("../seeds/issuer.hex")))
}

fuzz_target!(|data: &[u8]| {
    let Some((&kind, rest)) = data.split_first() else { return };
    let now = 1_800_000_000;
    match kind % 3 {
        0 => {
            if let Ok(history) = ChangeHistory::decode(rest) {
                let _ = verify_change_history(&RustCrypto, history);
            }
        }
        1 => {
            if let Ok(attestation) = PurposeKeyAttestation::decode(rest) {
                let _ = verify_purpose_key(&RustCrypto, subject(), &attestation, now);
            }
        }
        _ => {
            if let Ok(credential) = CredentialAndPurposeKey::decode(rest) {
                let _ = verify_credential(&RustCrypto, &subject().identifier(), &[issuer().clone()], &credential, now);
            }
        }
    }
});
