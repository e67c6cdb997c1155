//! How things end, shared by the native and the wasm tests: every channel, listener and
//! connection ends with its cause, whoever ended it, and the node reports it as events.

use core::time::Duration;
use std::cell::RefCell;
use std::rc::Rc;

use crate::channel::{SecureChannelOptions, TrustPolicy};
use crate::error::Error;
use crate::routing::{Address, Route};
use crate::runtime::{CloseCause, Node, NodeEvent, Runtime, timeout};
use crate::services::Echo;

use super::channels::Pair;

const PATIENT: Duration = Duration::from_secs(10);

/// What a node's observer saw, as short strings (`"channel-closed local"`, ...).
fn record(node: &Node) -> Rc<RefCell<Vec<String>>> {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let log = seen.clone();
    node.set_observer(move |event| {
        let line = match event {
            NodeEvent::ConnectionOpened { .. } => "connection-opened".to_owned(),
            NodeEvent::ConnectionClosed { cause, .. } => {
                format!("connection-closed {}", cause.name())
            }
            NodeEvent::ChannelEstablished { .. } => "channel-established".to_owned(),
            NodeEvent::ChannelClosed { cause, .. } => format!("channel-closed {}", cause.name()),
            NodeEvent::Reconnecting { attempt, .. } => format!("reconnecting {attempt}"),
        };
        log.borrow_mut().push(line);
    });
    seen
}

/// Channels end with their cause on both sides — closed here, by the peer, because a hop of
/// their route stopped, because the node shut down — and count their traffic; a listener's
/// `accept` ends once it is stopped; closing twice is fine.
pub async fn channels_and_listeners_end_with_their_cause<R: Runtime + Clone>(runtime: R) {
    let pair = Pair::new(&runtime).await;
    let alice_events = record(&pair.alice);
    let bob_events = record(&pair.bob);
    let options = || SecureChannelOptions::new(TrustPolicy::TrustEveryone);
    let listener = pair
        .bob
        .create_secure_channel_listener(&pair.bob_id, "listener", options())
        .unwrap();
    pair.bob.start_worker("echo", Echo).unwrap();
    let rt = pair.alice.runtime();
    let ended = |channel: crate::channel::SecureChannel| async move {
        timeout(rt, PATIENT, channel.closed()).await.unwrap()
    };

    // Closed here: the peer's end learns it was the peer.
    let channel = pair.connect(options()).await.unwrap();
    let accepted = timeout(rt, PATIENT, listener.accept())
        .await
        .unwrap()
        .unwrap();
    let reply = channel
        .request("echo", b"four".to_vec(), Some(PATIENT))
        .await
        .unwrap();
    assert_eq!(reply.payload, b"four");
    let traffic = channel.traffic();
    assert_eq!((traffic.messages_sent, traffic.bytes_sent), (1, 4));
    assert_eq!((traffic.messages_received, traffic.bytes_received), (1, 4));
    let theirs = accepted.traffic();
    assert_eq!((theirs.messages_received, theirs.messages_sent), (1, 1));
    channel.close();
    channel.close();
    assert_eq!(ended(channel.clone()).await, CloseCause::Local);
    assert_eq!(ended(accepted).await, CloseCause::Peer);
    assert_eq!(
        channel
            .send(&pair.alice.client().unwrap(), "echo", b"late".to_vec())
            .await,
        Err(Error::ChannelClosed)
    );

    // Closed by the peer.
    let channel = pair.connect(options()).await.unwrap();
    let accepted = timeout(rt, PATIENT, listener.accept())
        .await
        .unwrap()
        .unwrap();
    accepted.close();
    assert_eq!(ended(channel).await, CloseCause::Peer);
    assert_eq!(ended(accepted).await, CloseCause::Local);

    // A hop of its route stopped (here alice's hop in front of the connection; the
    // connection itself is the same case).
    let channel = pair.connect(options()).await.unwrap();
    timeout(rt, PATIENT, listener.accept())
        .await
        .unwrap()
        .unwrap();
    pair.alice.stop_worker(&"hop".into()).unwrap();
    assert_eq!(ended(channel).await, CloseCause::ConnectionLost);

    // The node shut down.
    let channel = pair.connect(options()).await.unwrap();
    let accepted = timeout(rt, PATIENT, listener.accept())
        .await
        .unwrap()
        .unwrap();

    // A stopped listener hands out nothing more, and says so.
    listener.stop().unwrap();
    listener.stop().unwrap();
    assert!(matches!(
        timeout(rt, PATIENT, listener.accept()).await.unwrap(),
        Err(Error::WorkerStopped(_))
    ));
    timeout(rt, PATIENT, listener.closed()).await.unwrap();

    pair.alice.shutdown();
    timeout(rt, PATIENT, pair.alice.closed()).await.unwrap();
    assert_eq!(pair.alice.worker_count(), 0);
    assert_eq!(channel.close_cause(), Some(CloseCause::NodeShutDown));
    assert_eq!(ended(channel).await, CloseCause::NodeShutDown);
    // A node that shuts down sends nothing more: its peer sees the connection go.
    assert_eq!(ended(accepted).await, CloseCause::ConnectionLost);
    pair.bob.shutdown();

    let alice = alice_events.borrow();
    for expected in [
        "channel-established",
        "channel-closed local",
        "channel-closed peer",
        "channel-closed connection-lost",
        "channel-closed shutdown",
        "connection-opened",
    ] {
        assert!(
            alice.iter().any(|e| e == expected),
            "{expected} in {alice:?}"
        );
    }
    let bob = bob_events.borrow();
    assert!(bob.iter().any(|e| e == "channel-closed peer"), "{bob:?}");
}

/// A connection ends with its cause on both sides: closed here, or by the peer.
pub async fn connections_end_with_their_cause<R: Runtime + Clone>(runtime: R) {
    let pair = Pair::new(&runtime).await;
    let alice_events = record(&pair.alice);
    let bob_events = record(&pair.bob);
    pair.bob.start_worker("echo", Echo).unwrap();
    let reply = pair
        .alice
        .request(
            "mem#bob => echo".parse::<Route>().unwrap(),
            b"x".to_vec(),
            Some(PATIENT),
        )
        .await
        .unwrap();
    // The connection is the first hop of the return route on bob's side; on alice's side it
    // is what the answer arrived through.
    let alice_end: Address = reply.local_info.arrived_via.clone().unwrap();
    pair.alice.stop_worker(&alice_end).unwrap();
    super::wait_until(&pair.bob, PATIENT, || {
        bob_events
            .borrow()
            .iter()
            .any(|e| e == "connection-closed peer")
    })
    .await;
    super::wait_until(&pair.alice, PATIENT, || {
        alice_events
            .borrow()
            .iter()
            .any(|e| e == "connection-closed local")
    })
    .await;
    pair.shutdown();
}
