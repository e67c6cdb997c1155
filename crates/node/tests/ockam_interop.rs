//! Razor-created identities, purpose key attestations and credentials verified by the real
//! Ockam 0.150 crates (`interop/ockam-peer`, built by `scripts/ockam-peer`).
//!
//! Needs `RAZOR_OCKAM_PEER` (the binary's path). `scripts/test` sets it and
//! `RAZOR_REQUIRE_OCKAM=1`, so in CI a missing peer fails instead of skipping.

use std::path::PathBuf;
use std::process::Command;

use razor_core::identity::{Attributes, Identity};
use razor_core::vault::SigningKeyKind;
use razor_core::{Node, NodeConfig};
use razor_node::{TokioRuntime, run_local};

fn peer() -> Option<PathBuf> {
    match std::env::var_os("RAZOR_OCKAM_PEER") {
        Some(path) => Some(PathBuf::from(path)),
        None if std::env::var("RAZOR_REQUIRE_OCKAM").as_deref() == Ok("1") => {
            panic!("RAZOR_OCKAM_PEER is not set; build it with scripts/ockam-peer")
        }
        None => {
            eprintln!("skipping: RAZOR_OCKAM_PEER is not set (scripts/test sets it)");
            None
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs the peer; returns (succeeded, stdout).
fn ockam(peer: &PathBuf, args: &[&str]) -> (bool, String) {
    let output = Command::new(peer)
        .args(args)
        .output()
        .expect("run ockam-peer");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "ockam-peer failed: {stdout} {}",
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), stdout)
}

#[test]
fn razor_identities_attestations_and_credentials_verify_in_ockam() {
    let Some(peer) = peer() else { return };
    run_local(async {
        let node = Node::new(TokioRuntime, NodeConfig::new("interop"));
        let now = node.unix_time();
        let vault = node.vault();
        let ed = Identity::create(vault.clone(), SigningKeyKind::Ed25519, now)
            .await
            .unwrap();
        let p256 = Identity::create(vault.clone(), SigningKeyKind::EcdsaP256, now)
            .await
            .unwrap();
        let rotated = Identity::create(vault.clone(), SigningKeyKind::Ed25519, now)
            .await
            .unwrap();
        rotated
            .rotate(SigningKeyKind::EcdsaP256, now + 1)
            .await
            .unwrap();
        rotated
            .rotate(SigningKeyKind::Ed25519, now + 2)
            .await
            .unwrap();

        for identity in [&ed, &p256, &rotated] {
            let history = hex(&identity.change_history().encode());
            let (ok, out) = ockam(&peer, &["verify-identity", &history]);
            assert!(ok, "{out}");
            assert!(
                out.contains(&identity.identifier().to_string()),
                "Ockam computes the same identifier: {out}"
            );

            let attestation = identity.secure_channel_key(now).await.unwrap().attestation;
            let (ok, out) = ockam(
                &peer,
                &["verify-attestation", &history, &hex(&attestation.encode())],
            );
            assert!(ok, "{out}");
            assert!(out.contains("SecureChannelStatic"), "{out}");
        }

        let credential = p256
            .issue_credential(
                &ed.verified(),
                Attributes::from_pairs([("role", "admin"), ("team", "red")]),
                3600,
                now,
            )
            .await
            .unwrap();
        let issuer_history = hex(&p256.change_history().encode());
        let subject = ed.identifier().to_string();
        let (ok, out) = ockam(
            &peer,
            &[
                "verify-credential",
                &subject,
                &issuer_history,
                &hex(&credential.encode()),
            ],
        );
        assert!(ok, "{out}");
        assert!(
            out.contains("attribute role=admin") && out.contains("attribute team=red"),
            "{out}"
        );

        // Ockam refuses what Razor would refuse: a credential about someone else, a tampered history.
        let other = rotated.identifier().to_string();
        let (ok, _) = ockam(
            &peer,
            &[
                "verify-credential",
                &other,
                &issuer_history,
                &hex(&credential.encode()),
            ],
        );
        assert!(!ok);
        let mut tampered = rotated.change_history().encode();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        let (ok, _) = ockam(&peer, &["verify-identity", &hex(&tampered)]);
        assert!(!ok);
    })
    .unwrap();
}
