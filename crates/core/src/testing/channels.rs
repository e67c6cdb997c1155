//! Secure channel scenarios shared by the native and the wasm tests.

use core::time::Duration;
use std::cell::RefCell;
use std::rc::Rc;

use crate::abac::Policy;
use crate::channel::{CipherSuite, SecureChannel, SecureChannelOptions, TrustPolicy};
use crate::error::{Error, Result};
use crate::identity::{Attributes, Identity};
use crate::routing::Route;
use crate::runtime::{Context, Runtime, Worker, WorkerOptions};
use crate::runtime::{LocalMessage, Node, NodeConfig};
use crate::services::{Echo, Hop};
use crate::transport::memory::{MemoryNetwork, MemoryOptions, MemoryTransport};
use crate::vault::SigningKeyKind;

use super::wait_until;

const SHORT: Duration = Duration::from_millis(300);
const PATIENT: Duration = Duration::from_secs(10);
/// How long workers get to go away after a channel ends.
const SETTLE: Duration = Duration::from_secs(3);

/// Two nodes on a memory network, each with an identity.
pub struct Pair {
    /// The initiating node.
    pub alice: Node,
    /// The listening node.
    pub bob: Node,
    /// Alice's identity.
    pub alice_id: Identity,
    /// Bob's identity.
    pub bob_id: Identity,
    _network: MemoryNetwork,
}

impl Pair {
    /// Alice and Bob, with fresh Ed25519 identities.
    pub async fn new<R: Runtime + Clone>(runtime: &R) -> Self {
        let network = MemoryNetwork::new();
        let alice = Node::new(runtime.clone(), NodeConfig::new("alice"));
        let bob = Node::new(runtime.clone(), NodeConfig::new("bob"));
        MemoryTransport::attach(&alice, &network, "alice", MemoryOptions::default()).unwrap();
        MemoryTransport::attach(&bob, &network, "bob", MemoryOptions::default()).unwrap();
        let alice_id = alice.create_identity().await.unwrap();
        let bob_id = bob.create_identity().await.unwrap();
        Self {
            alice,
            bob,
            alice_id,
            bob_id,
            _network: network,
        }
    }

    /// Alice opens a channel to Bob's `listener` through a hop on her node.
    pub async fn connect(&self, options: SecureChannelOptions) -> Result<SecureChannel> {
        if !self.alice.has_address(&"hop".into()) {
            self.alice.start_worker("hop", Hop::new())?;
        }
        self.alice
            .create_secure_channel(
                &self.alice_id,
                "hop => mem#bob => listener".parse::<Route>()?,
                options,
            )
            .await
    }

    /// Stops both nodes.
    pub fn shutdown(&self) {
        self.alice.shutdown();
        self.bob.shutdown();
    }
}

fn trust(identity: &Identity) -> SecureChannelOptions {
    SecureChannelOptions::new(TrustPolicy::TrustIdentifier(identity.identifier()))
}

/// Collects the payloads it receives.
pub(super) struct Sink(pub(super) Rc<RefCell<Vec<LocalMessage>>>);

impl Worker for Sink {
    async fn handle_message(&mut self, _ctx: &mut Context, message: LocalMessage) -> Result<()> {
        self.0.borrow_mut().push(message);
        Ok(())
    }
}

/// A channel over a 2-hop route; 1,000 messages each way arrive intact and in order, and the
/// receiving workers see the authenticated peer.
pub async fn thousand_messages_each_way<R: Runtime + Clone>(runtime: R, suite: CipherSuite) {
    let pair = Pair::new(&runtime).await;
    let listener = pair
        .bob
        .create_secure_channel_listener(
            &pair.bob_id,
            "listener",
            trust(&pair.alice_id).with_suite(suite),
        )
        .unwrap();
    pair.bob.start_worker("echo", Echo).unwrap();
    let channel = pair
        .connect(trust(&pair.bob_id).with_suite(suite).with_timeout(PATIENT))
        .await
        .unwrap();
    assert_eq!(channel.their_identifier(), pair.bob_id.identifier());
    assert_eq!(channel.peer().suite, suite);

    // Alice → Bob's echo → back: 1,000 requests of varying size.
    for i in 0..1_000u32 {
        let payload: Vec<u8> = (0..(i % 300) as usize)
            .map(|j| (i as usize + j) as u8)
            .collect();
        let reply = channel
            .request("echo", payload.clone(), Some(PATIENT))
            .await
            .unwrap();
        assert_eq!(reply.payload, payload, "message {i}");
        let peer = reply
            .local_info
            .secure_channel
            .as_ref()
            .expect("reply came through the channel");
        assert_eq!(peer.identifier, pair.bob_id.identifier());
    }

    // Bob → Alice: 1,000 messages through Bob's end of the same channel.
    let bobs_end = listener
        .try_accept()
        .expect("listener announced the channel");
    assert_eq!(bobs_end.their_identifier(), pair.alice_id.identifier());
    let received = Rc::new(RefCell::new(Vec::new()));
    pair.alice
        .start_worker("sink", Sink(received.clone()))
        .unwrap();
    let from = pair.bob.client().unwrap();
    for i in 0..1_000u32 {
        bobs_end
            .send(&from, "sink", i.to_be_bytes().to_vec())
            .await
            .unwrap();
    }
    wait_until(&pair.alice, Duration::from_secs(2), || {
        received.borrow().len() == 1_000
    })
    .await;
    {
        let received = received.borrow();
        assert_eq!(received.len(), 1_000);
        for (i, message) in received.iter().enumerate() {
            assert_eq!(message.payload, (i as u32).to_be_bytes(), "in order");
            let peer = message.local_info.secure_channel.as_ref().unwrap();
            assert_eq!(peer.identifier, pair.bob_id.identifier());
        }
    }

    // A send names whom it is from: the answer comes back through the channel to that client.
    let client = pair.alice.client().unwrap();
    channel
        .send(&client, "echo", b"answer me".to_vec())
        .await
        .unwrap();
    let answer = client.receive_timeout(PATIENT).await.unwrap();
    assert_eq!(answer.payload, b"answer me");
    let through = answer.local_info.secure_channel.as_ref();
    assert_eq!(
        through.map(|peer| peer.identifier),
        Some(pair.bob_id.identifier()),
        "the answer came back through the channel"
    );
    drop(client);

    // Closing tears down both ends.
    let before = pair.bob.worker_count();
    channel.close();
    wait_until(&pair.bob, SETTLE, || pair.bob.worker_count() == before - 1).await;
    assert!(!bobs_end.is_open());
    pair.shutdown();
}

/// Credentials: an authority vouches for Bob's role; expired credentials, untrusted issuers
/// and policy mismatches are refused with their errors; policies also guard workers.
pub async fn credentials_and_policies<R: Runtime + Clone>(runtime: R) {
    let pair = Pair::new(&runtime).await;
    let authority = pair.alice.create_identity().await.unwrap();
    let rogue = pair.alice.create_identity().await.unwrap();
    let now = pair.alice.unix_time();
    let member = Attributes::from_pairs([("role", "member")]);
    let valid = authority
        .issue_credential(&pair.bob_id.verified(), member.clone(), 3600, now)
        .await
        .unwrap();
    let expired = authority
        .issue_credential(&pair.bob_id.verified(), member.clone(), 10, now - 100)
        .await
        .unwrap();
    let untrusted = rogue
        .issue_credential(&pair.bob_id.verified(), member, 3600, now)
        .await
        .unwrap();
    let everyone = || SecureChannelOptions::new(TrustPolicy::TrustEveryone);
    for (name, credential) in [
        ("valid", &valid),
        ("expired", &expired),
        ("untrusted", &untrusted),
    ] {
        let options = everyone().with_credentials(vec![credential.clone()]);
        pair.bob
            .create_secure_channel_listener(&pair.bob_id, name, options)
            .unwrap();
    }
    let to = |name: &str| format!("mem#bob => {name}").parse::<Route>().unwrap();
    let issuer = || SecureChannelOptions::new(TrustPolicy::TrustIssuer(authority.verified()));

    let ok = pair
        .alice
        .create_secure_channel(&pair.alice_id, to("valid"), issuer())
        .await
        .unwrap();
    assert_eq!(
        ok.peer().attributes.get("role").map(String::as_str),
        Some("member")
    );
    assert!(ok.peer().has_credential);
    let alice_before = pair.alice.worker_count();
    let expired = pair
        .alice
        .create_secure_channel(&pair.alice_id, to("expired"), issuer())
        .await;
    assert_eq!(expired.unwrap_err(), Error::CredentialExpired);
    let untrusted = pair
        .alice
        .create_secure_channel(&pair.alice_id, to("untrusted"), issuer())
        .await;
    assert_eq!(untrusted.unwrap_err(), Error::UntrustedIssuer);
    assert_eq!(
        pair.alice.worker_count(),
        alice_before,
        "failed channels leave no workers"
    );

    // Trust by policy over verified attributes.
    let admins = Policy::parse("(= subject.role \"admin\")").unwrap();
    let members =
        Policy::parse("(and (= subject.role \"member\") (= subject.has_credential true))").unwrap();
    let by_policy = |p: Policy| {
        SecureChannelOptions::new(TrustPolicy::TrustPolicy(p)).with_authority(authority.verified())
    };
    let denied = pair
        .alice
        .create_secure_channel(&pair.alice_id, to("valid"), by_policy(admins.clone()))
        .await;
    assert_eq!(denied.unwrap_err(), Error::PolicyDenied);
    pair.alice
        .create_secure_channel(&pair.alice_id, to("valid"), by_policy(members))
        .await
        .unwrap();

    // A worker guarded by a policy: Bob's channel to Alice carries Bob's attributes.
    let received = Rc::new(RefCell::new(Vec::new()));
    pair.alice
        .start_worker(
            WorkerOptions::new("admins-only").with_access_control(admins),
            Sink(received.clone()),
        )
        .unwrap();
    let members_only = Policy::parse("(= subject.role \"member\")").unwrap();
    pair.alice
        .start_worker(
            WorkerOptions::new("members-only").with_access_control(members_only.clone()),
            Sink(received.clone()),
        )
        .unwrap();
    let listener = pair
        .alice
        .create_secure_channel_listener(
            &pair.alice_id,
            "alice-listener",
            everyone().with_authority(authority.verified()),
        )
        .unwrap();
    pair.bob
        .create_secure_channel(
            &pair.bob_id,
            "mem#alice => alice-listener".parse::<Route>().unwrap(),
            everyone().with_credentials(vec![valid]),
        )
        .await
        .unwrap()
        .send(
            &pair.bob.client().unwrap(),
            "admins-only",
            b"denied".to_vec(),
        )
        .await
        .unwrap();
    let bobs_channel = listener.accept().await.unwrap();
    assert_eq!(
        bobs_channel
            .peer()
            .attributes
            .get("role")
            .map(String::as_str),
        Some("member")
    );
    pair.alice.sleep(Duration::from_millis(50)).await;
    assert!(received.borrow().is_empty(), "policy denied delivery");
    // A local sender (no secure channel) is denied with the policy's typed error.
    let local = pair
        .alice
        .client()
        .unwrap()
        .send("members-only", b"local".to_vec())
        .await;
    assert_eq!(local, Err(Error::PolicyDenied));
    pair.shutdown();
}

/// A rotated identity keeps its identifier and can still open channels to peers that trust
/// that identifier, including peers that met it before the rotation.
pub async fn rotated_identity_still_connects<R: Runtime + Clone>(runtime: R) {
    let pair = Pair::new(&runtime).await;
    pair.bob
        .create_secure_channel_listener(&pair.bob_id, "listener", trust(&pair.alice_id))
        .unwrap();
    pair.bob.start_worker("echo", Echo).unwrap();
    let before = pair.connect(trust(&pair.bob_id)).await.unwrap();
    assert_eq!(
        before
            .request("echo", b"1".to_vec(), Some(PATIENT))
            .await
            .unwrap()
            .payload,
        b"1"
    );
    let identifier = pair.alice_id.identifier();
    pair.alice_id
        .rotate(SigningKeyKind::EcdsaP256, pair.alice.unix_time())
        .await
        .unwrap();
    assert_eq!(pair.alice_id.identifier(), identifier);
    assert_eq!(pair.alice_id.change_history().0.len(), 2);
    let after = pair.connect(trust(&pair.bob_id)).await.unwrap();
    assert_eq!(
        after
            .request("echo", b"2".to_vec(), Some(PATIENT))
            .await
            .unwrap()
            .payload,
        b"2"
    );
    pair.shutdown();
}

/// A channel inside a channel: the inner handshake and traffic travel through the outer one.
pub async fn nested_channels<R: Runtime + Clone>(runtime: R, suite: CipherSuite) {
    let pair = Pair::new(&runtime).await;
    let options = |id: &Identity| trust(id).with_suite(suite);
    pair.bob
        .create_secure_channel_listener(&pair.bob_id, "listener", options(&pair.alice_id))
        .unwrap();
    pair.bob
        .create_secure_channel_listener(&pair.bob_id, "inner-listener", options(&pair.alice_id))
        .unwrap();
    pair.bob.start_worker("echo", Echo).unwrap();
    let outer = pair.connect(options(&pair.bob_id)).await.unwrap();
    let inner = pair
        .alice
        .create_secure_channel(
            &pair.alice_id,
            outer.route("inner-listener"),
            options(&pair.bob_id),
        )
        .await
        .unwrap();
    for i in 0..50u8 {
        assert_eq!(
            inner
                .request("echo", vec![i; 100], Some(PATIENT))
                .await
                .unwrap()
                .payload,
            vec![i; 100]
        );
    }
    pair.shutdown();
}

/// What a [`Meddler`] does to the messages it passes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Meddling {
    Pass,
    FlipLastByte,
    Duplicate,
}

/// An on-path attacker: a hop that can corrupt or replay what it forwards.
struct Meddler(Rc<core::cell::Cell<Meddling>>);

impl Worker for Meddler {
    async fn handle_message(&mut self, ctx: &mut Context, mut message: LocalMessage) -> Result<()> {
        message.step_forward();
        match self.0.get() {
            Meddling::Pass => {}
            Meddling::FlipLastByte => {
                if let Some(last) = message.payload.last_mut() {
                    *last ^= 1;
                }
            }
            Meddling::Duplicate => ctx.forward(message.clone()).await?,
        }
        ctx.forward(message).await
    }
}

/// An attacker on the path flips a ciphertext byte or replays a frame: the receiver drops the
/// message (no delivery, no duplicate) and the channel keeps working.
pub async fn tampered_and_replayed_frames_are_dropped<R: Runtime + Clone>(runtime: R) {
    let pair = Pair::new(&runtime).await;
    pair.bob
        .create_secure_channel_listener(&pair.bob_id, "listener", trust(&pair.alice_id))
        .unwrap();
    let delivered = Rc::new(RefCell::new(Vec::new()));
    pair.bob
        .start_worker("sink", Sink(delivered.clone()))
        .unwrap();
    pair.bob.start_worker("echo", Echo).unwrap();
    let mode = Rc::new(core::cell::Cell::new(Meddling::Pass));
    pair.alice
        .start_worker("meddler", Meddler(mode.clone()))
        .unwrap();
    let route: Route = "meddler => mem#bob => listener".parse().unwrap();
    let channel = pair
        .alice
        .create_secure_channel(&pair.alice_id, route, trust(&pair.bob_id))
        .await
        .unwrap();

    mode.set(Meddling::FlipLastByte);
    let tampered = channel
        .request("echo", b"tampered".to_vec(), Some(SHORT))
        .await;
    assert!(
        matches!(tampered, Err(Error::Timeout(_))),
        "a tampered frame is not delivered"
    );

    mode.set(Meddling::Duplicate);
    channel
        .send(&pair.alice.client().unwrap(), "sink", b"once".to_vec())
        .await
        .unwrap();
    wait_until(&pair.bob, SETTLE, || !delivered.borrow().is_empty()).await;
    pair.bob.sleep(Duration::from_millis(50)).await;
    assert_eq!(delivered.borrow().len(), 1, "the replayed copy is dropped");

    mode.set(Meddling::Pass);
    let reply = channel
        .request("echo", b"still fine".to_vec(), Some(PATIENT))
        .await
        .unwrap();
    assert_eq!(reply.payload, b"still fine");
    pair.shutdown();
}

/// More busy AES-GCM channels than a thread keeps expanded key schedules (four keys a channel,
/// both ends on this thread, against 16 schedules): requests go round-robin across them, so
/// schedules are evicted and expanded again all the time, and every reply still arrives intact
/// from the right peer. (Both ends share the thread's schedules here, so the unit tests of
/// `vault/crypto/schedules.rs` are what check each schedule against a fresh expansion.)
pub async fn more_busy_channels_than_kept_schedules<R: Runtime + Clone>(runtime: R) {
    let pair = Pair::new(&runtime).await;
    let options = |identity: &Identity| trust(identity).with_suite(CipherSuite::OckamAes256Gcm);
    pair.bob
        .create_secure_channel_listener(&pair.bob_id, "listener", options(&pair.alice_id))
        .unwrap();
    pair.bob.start_worker("echo", Echo).unwrap();
    let mut channels = Vec::new();
    for _ in 0..12 {
        channels.push(pair.connect(options(&pair.bob_id)).await.unwrap());
    }
    for round in 0..5u8 {
        for (index, channel) in channels.iter().enumerate() {
            let payload = vec![round ^ index as u8; 64 + index];
            let reply = channel
                .request("echo", payload.clone(), Some(PATIENT))
                .await
                .unwrap();
            assert_eq!(reply.payload, payload, "round {round}, channel {index}");
            let origin = reply.local_info.secure_channel.as_ref().unwrap();
            assert_eq!(origin.identifier, pair.bob_id.identifier());
        }
    }
    pair.shutdown();
}

/// A forged rotation of a trusted identity — a new key the identity's own key never signed
/// for — is refused, and the listener does not remember the forged history: had it, the
/// genuine (shorter) history would look older and be refused from then on.
pub async fn forged_rotation_is_refused_and_not_remembered<R: Runtime + Clone>(runtime: R) {
    use crate::channel::handshake;
    use crate::identity::{IdentityAndCredentials, Protection};
    use crate::vault::Signature;
    use crate::vault::crypto::X25519KeyPair;

    let pair = Pair::new(&runtime).await;
    pair.bob
        .create_secure_channel_listener(&pair.bob_id, "listener", trust(&pair.alice_id))
        .unwrap();
    pair.bob.start_worker("echo", Echo).unwrap();
    // A copy of Alice's identity, rotated to a new key; the rotation's signature by Alice's
    // first key is then spoiled, as a forger without that key would have to present it.
    let secret = [7u8; 32];
    let exported = pair
        .alice_id
        .export(Protection::Key(&secret))
        .await
        .unwrap();
    // In a vault of its own: rotating deletes the previous key, which is Alice's too.
    let vault: Rc<dyn crate::vault::Vault> = Rc::new(crate::vault::SoftwareVault::new());
    let forged = Identity::import_export(vault, &exported, Protection::Key(&secret))
        .await
        .unwrap();
    forged
        .rotate(SigningKeyKind::Ed25519, pair.alice.unix_time())
        .await
        .unwrap();
    let mut history = forged.change_history();
    match history
        .0
        .last_mut()
        .and_then(|change| change.previous_signature.as_mut())
    {
        Some(Signature::Ed25519(bytes) | Signature::EcdsaP256(bytes)) => bytes[0] ^= 1,
        None => panic!("a rotation carries the previous key's signature"),
    }
    let key = forged
        .secure_channel_key(pair.alice.unix_time())
        .await
        .unwrap();
    let payload = IdentityAndCredentials {
        change_history: history,
        purpose_key_attestation: key.attestation.clone(),
        credentials: vec![],
    }
    .encode();
    // The initiator's side of the handshake, by hand, presenting that history.
    let ephemeral = X25519KeyPair::generate().unwrap();
    let (initiator, message_1) = handshake::initiate(
        pair.alice.crypto(),
        CipherSuite::default(),
        key.public,
        ephemeral.public_key(),
    );
    let client = pair.alice.client().unwrap();
    client
        .send("mem#bob => listener".parse::<Route>().unwrap(), message_1)
        .await
        .unwrap();
    let message_2 = client.receive_timeout(PATIENT).await.unwrap();
    let state = initiator.read_message_2(&message_2.payload).unwrap();
    let ee = ephemeral.diffie_hellman(state.remote_ephemeral()).unwrap();
    let state = state.mix_ee(ee).unwrap();
    let es = ephemeral.diffie_hellman(state.remote_static()).unwrap();
    let (state, _) = state.mix_es(es).unwrap();
    let se = forged
        .vault()
        .x25519(&key.key, state.remote_ephemeral())
        .await
        .unwrap();
    let (message_3, _) = state.write_message_3(se, &payload).unwrap();
    let failed = pair.bob.peer_metrics().handshakes_failed.get();
    client
        .send(message_2.return_route.clone(), message_3)
        .await
        .unwrap();
    wait_until(&pair.bob, PATIENT, || {
        pair.bob.peer_metrics().handshakes_failed.get() > failed
    })
    .await;
    assert!(
        pair.bob.peer_metrics().handshakes_failed.get() > failed,
        "the forged rotation was refused"
    );
    let genuine = pair.connect(trust(&pair.bob_id)).await.unwrap();
    assert_eq!(
        genuine
            .request("echo", b"ok".to_vec(), Some(PATIENT))
            .await
            .unwrap()
            .payload,
        b"ok"
    );
    pair.shutdown();
}
