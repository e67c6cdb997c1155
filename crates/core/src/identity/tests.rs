use std::rc::Rc;

use proptest::prelude::*;
use serde_json::Value;

use super::model::*;
use super::*;
use crate::error::Error;
use crate::vault::CryptoProvider;
use crate::vault::crypto::RustCrypto;

fn sha256(data: &[u8]) -> [u8; 32] {
    RustCrypto.sha256(&[data])
}
use crate::vault::{SigningKeyKind, SigningVault, SoftwareVault, Vault};

fn vectors() -> Value {
    serde_json::from_str(include_str!("../../tests/vectors/ockam_identities.json")).unwrap()
}

use crate::testing::unhex;

use crate::codec::hex::encode as hex;

fn history(vector: &Value) -> ChangeHistory {
    ChangeHistory::decode(&unhex(vector["change_history"].as_str().unwrap())).unwrap()
}

fn block_on<F: core::future::Future>(future: F) -> F::Output {
    futures_lite::future::block_on(future)
}

/// The vectors' identities, re-created in Razor from the same keys and times.
struct Fixture {
    vault: SoftwareVault,
    issuer: Identity,
    subject: Identity,
}

fn fixture() -> Fixture {
    block_on(async {
        let vault = SoftwareVault::new();
        let shared: Rc<dyn Vault> = Rc::new(vault.clone());
        let key1 = vault
            .import_signing_key(SigningKeyKind::Ed25519, [1; 32])
            .unwrap();
        let issuer = Identity::create_with_key(shared.clone(), key1, 1_700_000_000, 2_015_360_000)
            .await
            .unwrap();
        let key2 = vault
            .import_signing_key(SigningKeyKind::Ed25519, [2; 32])
            .unwrap();
        issuer
            .rotate_to(key2, true, 1_700_000_100, 2_015_360_100)
            .await
            .unwrap();
        let key4 = vault
            .import_signing_key(SigningKeyKind::Ed25519, [4; 32])
            .unwrap();
        let subject = Identity::create_with_key(shared, key4, 1_700_000_000, 2_015_360_000)
            .await
            .unwrap();
        Fixture {
            vault,
            issuer,
            subject,
        }
    })
}

#[test]
fn ockam_created_histories_verify_with_their_identifiers() {
    let v = vectors();
    for name in [
        "upstream_ed25519",
        "upstream_p256",
        "ed25519",
        "ed25519_rotated",
        "p256",
    ] {
        let verified = verify_change_history(&RustCrypto, history(&v[name]))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            verified.identifier().to_string(),
            v[name]["identifier"].as_str().unwrap(),
            "{name}"
        );
        // Re-encoding gives Ockam's bytes back.
        assert_eq!(
            hex(&verified.change_history().encode()),
            v[name]["change_history"].as_str().unwrap()
        );
    }
    let rotated = verify_change_history(&RustCrypto, history(&v["ed25519_rotated"])).unwrap();
    assert_eq!(rotated.change_history().0.len(), 2);
    assert!(rotated.latest_change().revoke_all_purpose_keys);
}

#[test]
fn razor_creates_ockams_bytes_from_the_same_keys() {
    let v = vectors();
    let f = fixture();
    assert_eq!(
        hex(&f.issuer.change_history().encode()),
        v["ed25519_rotated"]["change_history"].as_str().unwrap()
    );
    assert_eq!(
        f.issuer.identifier().to_string(),
        v["ed25519"]["identifier"].as_str().unwrap()
    );
    assert_eq!(
        f.subject.identifier().to_string(),
        v["subject"]["identifier"].as_str().unwrap()
    );
    block_on(async {
        let vault: Rc<dyn Vault> = Rc::new(f.vault.clone());
        let key3 = f
            .vault
            .import_signing_key(SigningKeyKind::EcdsaP256, [3; 32])
            .unwrap();
        let p256 = Identity::create_with_key(vault, key3, 1_700_000_000, 2_015_360_000)
            .await
            .unwrap();
        assert_eq!(
            hex(&p256.change_history().encode()),
            v["p256"]["change_history"].as_str().unwrap()
        );
    });
}

#[test]
fn razor_issues_the_same_credential_as_ockam() {
    let v = vectors();
    let f = fixture();
    block_on(async {
        let key5 = f
            .vault
            .import_signing_key(SigningKeyKind::Ed25519, [5; 32])
            .unwrap();
        let public5 = f.vault.verifying_key(&key5).await.unwrap();
        let attestation = f
            .issuer
            .attest_purpose_key(
                PurposePublicKey::CredentialSigning(public5),
                1_700_000_200,
                2_000_000_000,
            )
            .await
            .unwrap();
        assert_eq!(
            hex(&attestation.encode()),
            v["credential_purpose_key_attestation"].as_str().unwrap()
        );

        let data = CredentialData {
            subject: Some(f.subject.identifier()),
            subject_latest_change_hash: Some(f.subject.verified().latest_change_hash()),
            attributes: Attributes {
                schema: 1,
                ..Attributes::from_pairs([("role", "member"), ("a", "1")])
            },
            created_at: 1_700_000_300,
            expires_at: 1_900_000_000,
        };
        let data = encode_versioned(CREDENTIAL_DATA_TYPE, &data.encode());
        let signature = f.vault.sign(&key5, &sha256(&data)).await.unwrap();
        let presented = CredentialAndPurposeKey {
            credential: Credential { data, signature },
            purpose_key_attestation: attestation,
        };
        assert_eq!(
            hex(&presented.encode()),
            v["credential_and_purpose_key"].as_str().unwrap()
        );
    });
}

#[test]
fn ockam_credential_verifies_and_fails_closed() {
    let v = vectors();
    let f = fixture();
    let presented =
        CredentialAndPurposeKey::decode(&unhex(v["credential_and_purpose_key"].as_str().unwrap()))
            .unwrap();
    let issuer = verify_change_history(&RustCrypto, history(&v["ed25519_rotated"])).unwrap();
    let subject = f.subject.identifier();
    let now = 1_800_000_000;
    let verified = verify_credential(
        &RustCrypto,
        &subject,
        std::slice::from_ref(&issuer),
        &presented,
        now,
    )
    .unwrap();
    assert_eq!(
        verified.attributes.get(&b"role"[..]),
        Some(&b"member".to_vec())
    );
    assert_eq!(verified.issuer, issuer.identifier());

    assert_eq!(
        verify_credential(
            &RustCrypto,
            &subject,
            std::slice::from_ref(&issuer),
            &presented,
            1_950_000_000
        ),
        Err(Error::CredentialExpired)
    );
    let stranger = f.subject.verified();
    assert_eq!(
        verify_credential(&RustCrypto, &subject, &[stranger], &presented, now),
        Err(Error::UntrustedIssuer)
    );
    assert_eq!(
        verify_credential(&RustCrypto, &subject, &[], &presented, now),
        Err(Error::UntrustedIssuer)
    );
    assert!(matches!(
        verify_credential(
            &RustCrypto,
            &issuer.identifier(),
            std::slice::from_ref(&issuer),
            &presented,
            now
        ),
        Err(Error::InvalidCredential(_))
    ));
    let mut tampered = presented.clone();
    let last = tampered.credential.data.len() - 1;
    tampered.credential.data[last] ^= 1;
    assert!(matches!(
        verify_credential(&RustCrypto, &subject, &[issuer], &tampered, now),
        Err(Error::InvalidCredential(_))
    ));
}

#[test]
fn ockam_secure_channel_attestation_verifies() {
    let v = vectors();
    let f = fixture();
    let attestation = PurposeKeyAttestation::decode(&unhex(
        v["secure_channel_purpose_key_attestation_of_subject"]
            .as_str()
            .unwrap(),
    ))
    .unwrap();
    let data = verify_purpose_key(
        &RustCrypto,
        &f.subject.verified(),
        &attestation,
        1_800_000_000,
    )
    .unwrap();
    assert!(matches!(
        data.public_key,
        PurposePublicKey::SecureChannelStatic(_)
    ));
    assert_eq!(
        verify_purpose_key(
            &RustCrypto,
            &f.subject.verified(),
            &attestation,
            2_000_000_001
        ),
        Err(Error::InvalidPurposeKey("attestation expired"))
    );
    assert!(
        verify_purpose_key(
            &RustCrypto,
            &f.issuer.verified(),
            &attestation,
            1_800_000_000
        )
        .is_err()
    );
}

#[test]
fn broken_histories_are_rejected() {
    let v = vectors();
    let good = history(&v["ed25519_rotated"]);

    let mut bad_signature = good.clone();
    bad_signature.0[0].signature = bad_signature.0[1].signature.clone();
    assert!(matches!(
        verify_change_history(&RustCrypto, bad_signature),
        Err(Error::InvalidIdentity(_))
    ));

    // A rotation whose previous-key signature is by the wrong key.
    let mut bad_rotation = good.clone();
    bad_rotation.0[1].previous_signature = Some(bad_rotation.0[1].signature.clone());
    assert_eq!(
        verify_change_history(&RustCrypto, bad_rotation),
        Err(Error::InvalidIdentity(
            "rotation not signed by the previous key"
        ))
    );
    let mut unsigned_rotation = good.clone();
    unsigned_rotation.0[1].previous_signature = None;
    assert!(verify_change_history(&RustCrypto, unsigned_rotation).is_err());

    // Changes out of order or dropped from the middle break the chain.
    let mut reordered = good.clone();
    reordered.0.swap(0, 1);
    assert!(verify_change_history(&RustCrypto, reordered).is_err());
    assert!(verify_change_history(&RustCrypto, ChangeHistory(vec![])).is_err());

    // Unknown version of the change data.
    let mut unknown_version = good.clone();
    unknown_version.0[0].data[1] = 2;
    assert_eq!(
        verify_change_history(&RustCrypto, unknown_version),
        Err(Error::InvalidIdentity("unknown change version or type"))
    );
}

#[test]
fn bad_timestamps_and_forks_are_detected() {
    block_on(async {
        let vault: Rc<dyn Vault> = Rc::new(SoftwareVault::new());
        let key = vault
            .generate_signing_key(SigningKeyKind::Ed25519)
            .await
            .unwrap();
        assert!(
            Identity::create_with_key(vault.clone(), key.clone(), 2_000, 1_000)
                .await
                .is_err()
        );
        let identity = Identity::create_with_key(vault.clone(), key, 1_000, 9_000)
            .await
            .unwrap();
        let original = identity.verified();
        // Rotating to a window that starts earlier than the previous one goes back in time.
        let next = vault
            .generate_signing_key(SigningKeyKind::Ed25519)
            .await
            .unwrap();
        assert!(identity.rotate_to(next, false, 500, 9_000).await.is_err());
        identity
            .rotate(SigningKeyKind::EcdsaP256, 2_000)
            .await
            .unwrap();
        let rotated = identity.verified();
        assert_eq!(
            rotated.identifier(),
            original.identifier(),
            "rotation keeps the identifier"
        );
        assert_eq!(original.compare(&rotated), HistoryRelation::OtherIsNewer);
        // Importing checks that the vault key is the identity's current key.
        let stranger_key = vault
            .generate_signing_key(SigningKeyKind::Ed25519)
            .await
            .unwrap();
        assert!(
            Identity::import(
                vault.clone(),
                rotated.change_history().clone(),
                stranger_key
            )
            .await
            .is_err()
        );
        assert!(
            Identity::import(
                vault.clone(),
                rotated.change_history().clone(),
                identity.key()
            )
            .await
            .is_ok()
        );
        // A second, different rotation of the original history is a fork.
        let mut fork = original.change_history().clone();
        let first_key = vault
            .generate_signing_key(SigningKeyKind::Ed25519)
            .await
            .unwrap();
        let forked = Identity::create_with_key(vault.clone(), first_key, 1_000, 9_000)
            .await
            .unwrap();
        fork.0.push(forked.change_history().0[0].clone());
        assert!(
            verify_change_history(&RustCrypto, fork).is_err(),
            "a change from another identity does not chain"
        );
        let sibling = Identity::import(
            vault.clone(),
            original.change_history().clone(),
            identity.key(),
        )
        .await;
        assert!(
            sibling.is_err(),
            "the original key was deleted by the rotation"
        );
    });
}

#[test]
fn purpose_keys_stay_inside_the_attestation_window() {
    block_on(async {
        let vault: Rc<dyn Vault> = Rc::new(SoftwareVault::new());
        // A key whose window starts later than the caller's clock (clock skew, or a rotation
        // stamped ahead): the attestation starts with the window, so it verifies.
        let key = vault
            .generate_signing_key(SigningKeyKind::Ed25519)
            .await
            .unwrap();
        let identity = Identity::create_with_key(vault, key, 5_000, 9_000)
            .await
            .unwrap();
        let attested = identity.secure_channel_key(4_990).await.unwrap();
        let verified = verify_purpose_key(
            &RustCrypto,
            &identity.verified(),
            &attested.attestation,
            5_000,
        );
        assert!(verified.is_ok(), "{verified:?}");
        assert_eq!(attested.expires_at, 9_000, "capped at the window's end");
    });
}

#[test]
fn purpose_keys_follow_rotation() {
    block_on(async {
        let vault: Rc<dyn Vault> = Rc::new(SoftwareVault::new());
        let identity = Identity::create(vault, SigningKeyKind::Ed25519, 1_000)
            .await
            .unwrap();
        let before = identity.secure_channel_key(1_000).await.unwrap();
        let stale = identity.verified();
        assert!(verify_purpose_key(&RustCrypto, &stale, &before.attestation, 1_001).is_ok());
        identity
            .rotate(SigningKeyKind::Ed25519, 1_100)
            .await
            .unwrap();
        // The old attestation was made with the old key: it no longer verifies.
        assert!(
            verify_purpose_key(
                &RustCrypto,
                &identity.verified(),
                &before.attestation,
                1_200
            )
            .is_err()
        );
        let after = identity.secure_channel_key(1_200).await.unwrap();
        assert_ne!(after.public, before.public);
        assert!(
            verify_purpose_key(&RustCrypto, &identity.verified(), &after.attestation, 1_200)
                .is_ok()
        );
    });
}

/// The two Ockam objects the mutation test starts from, decoded once.
fn mutation_seeds() -> &'static (Vec<u8>, Vec<u8>) {
    static SEEDS: std::sync::OnceLock<(Vec<u8>, Vec<u8>)> = std::sync::OnceLock::new();
    SEEDS.get_or_init(|| {
        let v = vectors();
        (
            unhex(v["credential_and_purpose_key"].as_str().unwrap()),
            unhex(v["ed25519_rotated"]["change_history"].as_str().unwrap()),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn decoders_never_panic_on_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = ChangeHistory::decode(&bytes);
        let _ = IdentityAndCredentials::decode(&bytes);
        let _ = CredentialAndPurposeKey::decode(&bytes);
        let _ = CredentialData::decode(&bytes);
        let _ = PurposeKeyAttestationData::decode(&bytes);
        let _ = ChangeData::decode(&bytes);
    }

    #[test]
    fn mutated_ockam_objects_never_panic_and_never_verify(
        at in any::<prop::sample::Index>(), value in any::<u8>(), cut in any::<prop::sample::Index>()
    ) {
        let (credential, history) = mutation_seeds();
        let mut bytes = credential.clone();
        let i = at.index(bytes.len());
        bytes[i] = value;
        let _ = CredentialAndPurposeKey::decode(&bytes[..cut.index(bytes.len() + 1)]);
        let mut history_bytes = history.clone();
        let j = at.index(history_bytes.len());
        let changed = history_bytes[j] != value;
        history_bytes[j] = value;
        if let Ok(history) = ChangeHistory::decode(&history_bytes)
            && changed
        {
            prop_assert!(verify_change_history(&RustCrypto, history).is_err());
        }
    }
}
