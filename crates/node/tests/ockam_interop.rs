//! Razor-created identities, purpose key attestations and credentials verified by the real
//! Ockam 0.150 crates (`interop/ockam-peer`, built by `scripts/ockam-peer`).
//!
//! Needs `RAZOR_OCKAM_PEER` (the binary's path). `scripts/test` sets it and
//! `RAZOR_REQUIRE_OCKAM=1`, so in CI a missing peer fails instead of skipping.

mod support;

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

use razor_core::codec::hex::encode as hex;

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

mod live {
    //! A live Ockam node over TCP: plain routing and `OCKAM_XX_25519_AES256_GCM_SHA256`
    //! secure channels in both directions.

    use std::process::Stdio;
    use std::time::Duration;

    use razor_core::channel::{SecureChannelOptions, TrustPolicy};
    use razor_core::identity::Identifier;
    use razor_core::services::Echo;
    use razor_core::{Node, NodeConfig, Route};
    use razor_node::transport::TcpTransport;
    use razor_node::{TokioRuntime, run_local};
    use tokio::io::{AsyncBufReadExt, BufReader};
    use tokio::process::Command;

    /// Ockam's `String` message: a BARE string.
    fn bare(text: &str) -> Vec<u8> {
        [&[text.len() as u8][..], text.as_bytes()].concat()
    }

    #[test]
    fn razor_to_ockam_and_ockam_to_razor_over_tcp() {
        let Some(peer) = super::peer() else { return };
        run_local(async move {
            let port = super::support::free_port();
            let mut ockam = Command::new(&peer)
                .args(["listen", &format!("127.0.0.1:{port}")])
                .env("OCKAM_LOG_LEVEL", "warn")
                .stdout(Stdio::piped())
                .kill_on_drop(true)
                .spawn()
                .unwrap();
            let mut lines = BufReader::new(ockam.stdout.take().unwrap()).lines();
            let mut ockam_id = None;
            while let Some(line) = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
                .await
                .unwrap()
                .unwrap()
            {
                if let Some(id) = line.strip_prefix("identifier: ") {
                    ockam_id = Some(id.parse::<Identifier>().unwrap());
                }
                if line.starts_with("listening on") {
                    break;
                }
            }
            let ockam_id = ockam_id.expect("the Ockam node printed its identifier");

            // Razor → Ockam: plain routing, then a secure channel that trusts exactly that node.
            let node = Node::new(TokioRuntime, NodeConfig::new("razor"));
            let tcp = TcpTransport::create(&node).unwrap();
            let to_ockam: Route = format!("tcp#127.0.0.1:{port} => echoer").parse().unwrap();
            let reply = node
                .request(to_ockam, bare("plain hello"), Some(Duration::from_secs(10)))
                .await
                .unwrap();
            assert_eq!(reply.payload, bare("plain hello"));
            let identity = node.create_identity().await.unwrap();
            let route: Route = format!("tcp#127.0.0.1:{port} => secure").parse().unwrap();
            let options = SecureChannelOptions::new(TrustPolicy::TrustIdentifier(ockam_id));
            let channel = node
                .create_secure_channel(&identity, route, options)
                .await
                .unwrap();
            assert_eq!(channel.their_identifier(), ockam_id);
            // Past several rekeys (every 32 messages) in both directions.
            for i in 0..100 {
                let text = format!("hello {i}");
                let reply = channel
                    .request("echoer", bare(&text), Some(Duration::from_secs(10)))
                    .await
                    .unwrap();
                assert_eq!(reply.payload, bare(&text));
            }
            channel.close();

            // Ockam → Razor: Ockam's `connect` opens a channel to our listener and sends "hello"
            // to our echoer.
            let bound = tcp.listen("127.0.0.1:0").await.unwrap();
            node.create_secure_channel_listener(
                &identity,
                "secure",
                SecureChannelOptions::new(TrustPolicy::TrustEveryone),
            )
            .unwrap();
            node.start_worker("echoer", Echo).unwrap();
            let output = tokio::time::timeout(
                Duration::from_secs(60),
                Command::new(&peer)
                    .args(["connect", &bound.to_string()])
                    .env("OCKAM_LOG_LEVEL", "warn")
                    .output(),
            )
            .await
            .unwrap()
            .unwrap();
            let stdout = String::from_utf8_lossy(&output.stdout);
            assert!(
                output.status.success(),
                "{stdout} {}",
                String::from_utf8_lossy(&output.stderr)
            );
            assert!(
                stdout.contains(&format!("secure channel to {}", identity.identifier())),
                "{stdout}"
            );
            assert!(stdout.contains("reply: hello"), "{stdout}");
            node.shutdown();
            let _ = ockam.kill().await;
        })
        .unwrap();
    }
}
