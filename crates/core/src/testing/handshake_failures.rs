//! How a secure channel handshake fails, one scenario per way, shared by the native and the
//! wasm tests: each fails with its typed error and leaves no worker behind on either side.

use core::time::Duration;
use std::rc::Rc;

use crate::channel::{CipherSuite, SecureChannelOptions, TrustPolicy};
use crate::error::Error;
use crate::identity::Identity;
use crate::routing::Route;
use crate::runtime::{CloseCause, Runtime};
use crate::services::{Echo, Hop};

use super::channels::{Pair, Sink};
use super::wait_until;

const SHORT: Duration = Duration::from_millis(300);
const PATIENT: Duration = Duration::from_secs(10);
/// How long workers get to go away after a handshake ends.
const SETTLE: Duration = Duration::from_secs(3);

fn trust(identity: &Identity) -> SecureChannelOptions {
    SecureChannelOptions::new(TrustPolicy::TrustIdentifier(identity.identifier()))
}

/// Alice and Bob with a listener at Bob's `listener` (trusting everyone, short handshakes), the
/// memory connection and Alice's hop already up (they are workers too), and how many workers
/// each node ran then.
struct Setup {
    pair: Pair,
    alice_before: usize,
    bob_before: usize,
}

impl Setup {
    async fn new<R: Runtime + Clone>(runtime: &R) -> Self {
        let pair = Pair::new(runtime).await;
        pair.bob
            .create_secure_channel_listener(
                &pair.bob_id,
                "listener",
                SecureChannelOptions::new(TrustPolicy::TrustEveryone).with_timeout(SHORT),
            )
            .unwrap();
        pair.bob.start_worker("ping", Echo).unwrap();
        pair.alice
            .request(
                "mem#bob => ping".parse::<Route>().unwrap(),
                vec![],
                Some(PATIENT),
            )
            .await
            .unwrap();
        pair.alice.start_worker("hop", Hop::new()).unwrap();
        let (alice_before, bob_before) = (pair.alice.worker_count(), pair.bob.worker_count());
        Self {
            pair,
            alice_before,
            bob_before,
        }
    }

    /// Both nodes back to the workers they ran before the scenario (`extra_on_alice` more on
    /// Alice's: the workers the scenario started there).
    async fn leaves_nothing(&self, extra_on_alice: usize) {
        let pair = &self.pair;
        assert_eq!(
            pair.alice.worker_count(),
            self.alice_before + extra_on_alice
        );
        wait_until(&pair.bob, SETTLE, || {
            pair.bob.worker_count() == self.bob_before
        })
        .await;
        pair.shutdown();
    }
}

/// A responder that is not the identity (or any of the identities) the initiator trusts:
/// `IDENTITY_MISMATCH`.
pub async fn the_wrong_peer_is_an_identity_mismatch<R: Runtime + Clone>(runtime: R) {
    let setup = Setup::new(&runtime).await;
    let pair = &setup.pair;
    let stranger = pair.alice.create_identity().await.unwrap();
    let wrong = pair.connect(trust(&stranger)).await;
    assert_eq!(wrong.unwrap_err(), Error::IdentityMismatch);
    let several = SecureChannelOptions::new(TrustPolicy::TrustMultiIdentifiers(vec![
        stranger.identifier(),
    ]));
    assert_eq!(
        pair.connect(several).await.unwrap_err(),
        Error::IdentityMismatch
    );
    setup.leaves_nothing(0).await;
}

/// Nothing answers message 1 (the peer vanished): `TIMEOUT` after the channel's timeout.
pub async fn a_peer_that_never_answers_is_a_timeout<R: Runtime + Clone>(runtime: R) {
    let setup = Setup::new(&runtime).await;
    let pair = &setup.pair;
    pair.alice
        .start_worker("black-hole", Sink(Rc::default()))
        .unwrap();
    let vanished = pair
        .alice
        .create_secure_channel(
            &pair.alice_id,
            Route::from("black-hole"),
            trust(&pair.bob_id).with_timeout(SHORT),
        )
        .await;
    assert_eq!(vanished.unwrap_err(), Error::Timeout(SHORT));
    setup.leaves_nothing(1).await;
}

/// The initiator vanishes after message 1: the responder's half-open handshake is torn down at
/// its listener's timeout.
pub async fn a_half_open_handshake_is_torn_down<R: Runtime + Clone>(runtime: R) {
    let setup = Setup::new(&runtime).await;
    let pair = &setup.pair;
    let client = pair.alice.client().unwrap();
    let key = || {
        crate::vault::crypto::X25519KeyPair::generate()
            .unwrap()
            .public_key()
    };
    let (_, message_1) = crate::channel::handshake::initiate(
        pair.alice.crypto(),
        CipherSuite::default(),
        key(),
        key(),
    );
    client
        .send("mem#bob => listener".parse::<Route>().unwrap(), message_1)
        .await
        .unwrap();
    let message_2 = client.receive_timeout(PATIENT).await.unwrap();
    assert!(message_2.payload.len() > 80);
    assert_eq!(
        pair.bob.worker_count(),
        setup.bob_before + 1,
        "responder waiting for message 3"
    );
    drop(client);
    setup.leaves_nothing(0).await;
}

/// What comes back is not a message 2 — no worker at the route's end (`UNKNOWN_ADDRESS`), or
/// the initiator's own message 1 echoed back (`HANDSHAKE`).
pub async fn a_message_2_that_is_not_one_is_refused<R: Runtime + Clone>(runtime: R) {
    let setup = Setup::new(&runtime).await;
    let pair = &setup.pair;
    let nowhere = pair
        .alice
        .create_secure_channel(&pair.alice_id, Route::from("nowhere"), trust(&pair.bob_id))
        .await;
    assert_eq!(
        nowhere.unwrap_err(),
        Error::UnknownAddress("nowhere".into())
    );
    pair.alice.start_worker("echo", Echo).unwrap();
    let reflected = pair
        .alice
        .create_secure_channel(
            &pair.alice_id,
            Route::from("echo"),
            trust(&pair.bob_id).with_timeout(SHORT),
        )
        .await;
    assert!(
        matches!(reflected.unwrap_err(), Error::Handshake(_)),
        "our own message 1 echoed back is not a message 2"
    );
    setup.leaves_nothing(1).await;
}

/// An initiator whose channel key attestation carries a forged signature: the responder refuses
/// at message 3 and says so with a Close, so the initiator's side ends at once (`Peer`), not at
/// a timeout.
pub async fn a_forged_initiator_key_is_refused_at_message_3<R: Runtime + Clone>(runtime: R) {
    let setup = Setup::new(&runtime).await;
    let pair = &setup.pair;
    let forger = pair.alice.create_identity().await.unwrap();
    forger
        .secure_channel_key(pair.alice.unix_time())
        .await
        .unwrap();
    forger.forge_secure_channel_key_signature_for_testing_only();
    pair.alice.start_worker("echo", Echo).unwrap();
    let forged = pair
        .alice
        .create_secure_channel(
            &forger,
            "mem#bob => listener".parse::<Route>().unwrap(),
            SecureChannelOptions::new(TrustPolicy::TrustEveryone),
        )
        .await;
    // Message 3 is the initiator's last: its side completes, then hears the refusal.
    let channel = forged.expect("the initiator's side completes with message 3");
    let ended = crate::runtime::timeout(pair.alice.runtime(), SETTLE, channel.closed()).await;
    assert_eq!(ended, Ok(CloseCause::Peer), "refused at message 3");
    assert_eq!(
        channel
            .request("echo", b"?".to_vec(), Some(SHORT))
            .await
            .map(|m| m.payload),
        Err(Error::ChannelClosed)
    );
    drop(channel);
    setup.leaves_nothing(1).await;
}

/// A responder whose channel key attestation carries a forged signature: the initiator refuses
/// it with `INVALID_PURPOSE_KEY`.
pub async fn a_forged_responder_key_is_refused<R: Runtime + Clone>(runtime: R) {
    let setup = Setup::new(&runtime).await;
    let pair = &setup.pair;
    let forging_bob = pair.bob.create_identity().await.unwrap();
    forging_bob
        .secure_channel_key(pair.bob.unix_time())
        .await
        .unwrap();
    forging_bob.forge_secure_channel_key_signature_for_testing_only();
    let listener = pair
        .bob
        .create_secure_channel_listener(
            &forging_bob,
            "forged",
            // The refused responder waits for a message 3 that never comes, this long.
            SecureChannelOptions::new(TrustPolicy::TrustEveryone).with_timeout(SHORT),
        )
        .unwrap();
    let forged = pair
        .alice
        .create_secure_channel(
            &pair.alice_id,
            "mem#bob => forged".parse::<Route>().unwrap(),
            SecureChannelOptions::new(TrustPolicy::TrustEveryone),
        )
        .await;
    assert_eq!(
        forged.unwrap_err(),
        Error::InvalidPurposeKey("bad attestation signature")
    );
    listener.stop().unwrap();
    setup.leaves_nothing(0).await;
}
