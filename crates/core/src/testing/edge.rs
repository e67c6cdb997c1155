//! Scenarios of what the edge is built from, shared by the native and the wasm tests:
//! notices (typed answers instead of timeouts), relays with owned names, the route fallback,
//! channels that close with their connection, and handshake events.

use core::time::Duration;
use std::cell::RefCell;
use std::rc::Rc;

use crate::channel::{ChannelEvent, SecureChannelOptions, TrustPolicy};
use crate::error::{Error, Result};
use crate::routing::{Address, Route};
use crate::runtime::{Context, Runtime, Worker};
use crate::runtime::{LocalMessage, Node, NodeConfig};
use crate::services::{
    Echo, MemoryRelayNames, NamePolicy, OCKAM_RELAY_PREFIX, RelayEvent, RelayService,
    register_relay,
};
use crate::transport::memory::{MemoryNetwork, MemoryOptions, MemoryTransport};

use super::wait_until;

const PATIENT: Duration = Duration::from_secs(10);

fn nodes<R: Runtime + Clone>(runtime: &R, names: &[&str]) -> (Vec<Node>, MemoryNetwork) {
    let network = MemoryNetwork::new();
    let nodes = names
        .iter()
        .map(|name| {
            let node = Node::new(runtime.clone(), NodeConfig::new(*name));
            MemoryTransport::attach(&node, &network, name, MemoryOptions::default()).unwrap();
            node
        })
        .collect();
    (nodes, network)
}

fn remote_code(result: Result<LocalMessage>) -> &'static str {
    match result {
        Err(Error::Remote(error)) => error.code(),
        other => panic!("expected a notice, got {other:?}"),
    }
}

/// Counts what reaches it (notices must not).
struct Counter(Rc<RefCell<usize>>);

impl Worker for Counter {
    async fn handle_message(&mut self, _ctx: &mut Context, _message: LocalMessage) -> Result<()> {
        *self.0.borrow_mut() += 1;
        Ok(())
    }
}

/// A message that cannot be delivered is answered with a typed notice: across a transport,
/// through a secure channel, and for a handshake whose listener does not exist. Notices are
/// rate-limited per connection, never answered, and never reach ordinary workers.
pub async fn notices_tell_senders_why<R: Runtime + Clone>(runtime: R) {
    let (nodes, _network) = nodes(&runtime, &["alice", "bob"]);
    let (alice, bob) = (&nodes[0], &nodes[1]);
    bob.start_worker("echo", Echo).unwrap();

    // Across a transport: no worker there.
    let started = alice.unix_time();
    let missing = alice
        .request(
            "mem#bob => nowhere".parse::<Route>().unwrap(),
            b"x".to_vec(),
            Some(PATIENT),
        )
        .await;
    assert_eq!(remote_code(missing), "UNKNOWN_ADDRESS");
    assert!(alice.unix_time() - started < 5, "answered, not timed out");

    // A handshake towards a listener that does not exist fails with the remote's reason.
    let alice_id = alice.create_identity().await.unwrap();
    let bob_id = bob.create_identity().await.unwrap();
    let options = SecureChannelOptions::new(TrustPolicy::TrustEveryone).with_timeout(PATIENT);
    let refused = alice
        .create_secure_channel(
            &alice_id,
            "mem#bob => no-listener".parse::<Route>().unwrap(),
            options.clone(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, Error::Remote(e) if e.code() == "UNKNOWN_ADDRESS"),
        "{refused:?}"
    );

    // Through a channel: the peer's node has no such service.
    bob.create_secure_channel_listener(&bob_id, "listener", options.clone())
        .unwrap();
    let channel = alice
        .create_secure_channel(
            &alice_id,
            "mem#bob => listener".parse::<Route>().unwrap(),
            options,
        )
        .await
        .unwrap();
    let inside = channel
        .request("no-such-service", b"x".to_vec(), Some(PATIENT))
        .await;
    assert_eq!(remote_code(inside), "UNKNOWN_ADDRESS");
    assert_eq!(
        channel
            .request("echo", b"fine".to_vec(), Some(PATIENT))
            .await
            .unwrap()
            .payload,
        b"fine"
    );

    // A notice addressed to an ordinary worker is dropped before its mailbox.
    let seen = Rc::new(RefCell::new(0));
    alice.start_worker("plain", Counter(seen.clone())).unwrap();
    let notice = LocalMessage::notice(
        Route::from(Address::local("plain")),
        crate::routing::Notice::new("TIMEOUT", "test"),
    );
    alice.route(notice).await.unwrap();
    alice
        .route(LocalMessage::new(
            Route::from(Address::local("plain")),
            Route::new(),
            vec![1],
        ))
        .await
        .unwrap();
    wait_until(alice, PATIENT, || *seen.borrow() == 1).await;

    // A burst of undeliverable messages gets at most the budget in notices per second.
    let client = alice.client().unwrap();
    for _ in 0..100 {
        client
            .send(
                "mem#bob => nowhere".parse::<Route>().unwrap(),
                b"x".to_vec(),
            )
            .await
            .unwrap();
    }
    let mut notices = 0;
    while let Err(Error::Remote(_)) = client.receive_timeout(Duration::from_millis(300)).await {
        notices += 1;
    }
    assert!(
        (1..=2 * crate::routing::NoticeBudget::DEFAULT_PER_SECOND as usize).contains(&notices),
        "{notices} notices for 100 undeliverable messages"
    );
    for node in &nodes {
        node.shutdown();
    }
}

/// A relay service with owned names: a chosen name registered through a secure channel
/// belongs to that identity (another identity is refused with `NAME_TAKEN`, the owner can
/// register again), a registration without a channel gets a random name, a connection holds a
/// bounded number of relays, relays forward over the connection (not the channel) and go
/// when their connection closes.
pub async fn owned_relay_names<R: Runtime + Clone>(runtime: R) {
    let (nodes, network) = nodes(&runtime, &["edge", "alice", "mallory", "visitor"]);
    let (edge, alice, mallory, visitor) = (&nodes[0], &nodes[1], &nodes[2], &nodes[3]);
    let edge_id = edge.create_identity().await.unwrap();
    edge.create_secure_channel_listener(
        &edge_id,
        "secure",
        SecureChannelOptions::new(TrustPolicy::TrustEveryone),
    )
    .unwrap();
    let events = Rc::new(RefCell::new(Vec::new()));
    let log = events.clone();
    let service = RelayService::new()
        .with_prefix(OCKAM_RELAY_PREFIX)
        .with_policy(NamePolicy::Owned(Rc::new(MemoryRelayNames::default())))
        .with_relays_per_connection(2)
        .with_observer(move |event| log.borrow_mut().push(event.clone()));
    edge.start_worker(RelayService::ockam_addresses(), service.clone())
        .unwrap();
    let trust_edge = SecureChannelOptions::new(TrustPolicy::TrustIdentifier(edge_id.identifier()))
        .with_timeout(PATIENT);
    let register = |node: &Node, name: &str| {
        let (node, name, options) = (node.clone(), name.to_owned(), trust_edge.clone());
        async move {
            let identity = node.create_identity().await.unwrap();
            let channel = node
                .create_secure_channel(
                    &identity,
                    "mem#edge => secure".parse::<Route>().unwrap(),
                    options,
                )
                .await
                .unwrap();
            let alias = register_relay(
                &node,
                channel.route("forwarding_service"),
                &name,
                Some(PATIENT),
            )
            .await;
            channel.close();
            (alias, identity)
        }
    };

    let (alias, alice_id) = register(alice, "alice").await;
    assert_eq!(alias.unwrap(), "forward_to_alice");
    let (taken, _) = register(mallory, "alice").await;
    assert!(
        matches!(&taken, Err(Error::Remote(e)) if e.code() == "NAME_TAKEN"),
        "{taken:?}"
    );
    // Without a channel: a random name, whatever was asked.
    let plain = register_relay(
        mallory,
        "mem#edge => forwarding_service".parse::<Route>().unwrap(),
        "alice",
        Some(PATIENT),
    )
    .await
    .unwrap();
    assert!(
        plain.starts_with("forward_to_") && plain != "forward_to_alice",
        "{plain}"
    );
    assert_eq!(plain.len(), "forward_to_".len() + 32);
    // Ockam's static registration address works too.
    let static_alias = register_relay(
        mallory,
        "mem#edge => static_forwarding_service"
            .parse::<Route>()
            .unwrap(),
        "register",
        Some(PATIENT),
    )
    .await
    .unwrap();
    assert!(static_alias.starts_with("forward_to_"));
    // Two relays per connection at most (mallory's one connection now holds two).
    let third = register_relay(
        mallory,
        "mem#edge => forwarding_service".parse::<Route>().unwrap(),
        "register",
        Some(PATIENT),
    )
    .await;
    assert_eq!(
        remote_code(third.map(|_| LocalMessage::default())),
        "LIMIT_EXCEEDED"
    );

    // The owner registers again (say, after reconnecting): the same name.
    let again = alice
        .create_secure_channel(
            &alice_id,
            "mem#edge => secure".parse::<Route>().unwrap(),
            trust_edge.clone(),
        )
        .await
        .unwrap();
    let alias = register_relay(
        alice,
        again.route("forwarding_service"),
        "alice",
        Some(PATIENT),
    )
    .await;
    assert_eq!(alias.unwrap(), "forward_to_alice");
    again.close();

    // Others reach alice's echo through the relay; the relay forwards over the connection,
    // although the channel it was registered through is closed.
    alice.start_worker("echo", Echo).unwrap();
    let reply = visitor
        .request(
            "mem#edge => forward_to_alice => echo"
                .parse::<Route>()
                .unwrap(),
            b"hi".to_vec(),
            Some(PATIENT),
        )
        .await
        .unwrap();
    assert_eq!(reply.payload, b"hi");
    assert!(events.borrow().iter().any(|e| matches!(e, RelayEvent::Registered { alias, .. } if alias.value() == b"forward_to_alice")));

    // Alice goes away: her connection closes and her relay with it.
    let relays = service.relay_count();
    alice.shutdown();
    wait_until(edge, PATIENT, || service.relay_count() < relays).await;
    assert!(events.borrow().iter().any(
        |e| matches!(e, RelayEvent::Removed { alias } if alias.value() == b"forward_to_alice")
    ));
    let gone = visitor
        .request(
            "mem#edge => forward_to_alice => echo"
                .parse::<Route>()
                .unwrap(),
            b"hi".to_vec(),
            Some(PATIENT),
        )
        .await;
    assert_eq!(remote_code(gone), "UNKNOWN_ADDRESS");
    drop(network);
    for node in &nodes {
        node.shutdown();
    }
}

/// Unknown local addresses go where the node's fallback says; others stay unknown.
pub async fn route_fallback_sends_unknown_addresses_on<R: Runtime + Clone>(runtime: R) {
    let (nodes, _network) = nodes(&runtime, &["front", "back", "client"]);
    let (front, back, client) = (&nodes[0], &nodes[1], &nodes[2]);
    back.start_worker("far_echo", Echo).unwrap();
    front.set_address_fallback(|address| {
        address
            .value()
            .starts_with(b"far_")
            .then(|| "mem#back".parse::<Route>().unwrap())
    });
    let reply = client
        .request(
            "mem#front => far_echo".parse::<Route>().unwrap(),
            b"there".to_vec(),
            Some(PATIENT),
        )
        .await
        .unwrap();
    assert_eq!(reply.payload, b"there");
    let missing = client
        .request(
            "mem#front => near_echo".parse::<Route>().unwrap(),
            b"x".to_vec(),
            Some(PATIENT),
        )
        .await;
    assert_eq!(remote_code(missing), "UNKNOWN_ADDRESS");
    // A fallback that starts the worker itself and answers with an empty route.
    let starter = front.clone();
    front.set_address_fallback(move |address| {
        (address.value() == b"lazy_echo").then(|| {
            starter.start_worker("lazy_echo", Echo).unwrap();
            Route::new()
        })
    });
    let reply = client
        .request(
            "mem#front => lazy_echo".parse::<Route>().unwrap(),
            b"late".to_vec(),
            Some(PATIENT),
        )
        .await
        .unwrap();
    assert_eq!(reply.payload, b"late");
    for node in &nodes {
        node.shutdown();
    }
}

/// Both sides report their handshake steps in order; a channel closes when its connection
/// closes, and sending on it then fails with `CHANNEL_CLOSED`.
pub async fn handshake_events_and_transport_loss<R: Runtime + Clone>(runtime: R) {
    let (nodes, _network) = nodes(&runtime, &["alice", "bob"]);
    let (alice, bob) = (&nodes[0], &nodes[1]);
    let alice_id = alice.create_identity().await.unwrap();
    let bob_id = bob.create_identity().await.unwrap();
    let seen = |log: &Rc<RefCell<Vec<String>>>| {
        let log = log.clone();
        move |event: &ChannelEvent| {
            log.borrow_mut().push(match event {
                ChannelEvent::HandshakeSent { number, .. } => format!("sent {number}"),
                ChannelEvent::HandshakeReceived { number, .. } => format!("received {number}"),
                ChannelEvent::PeerVerified { identifier } => format!("verified {identifier}"),
                ChannelEvent::Failed { code } => format!("failed {code}"),
            })
        }
    };
    let (initiator, responder) = (
        Rc::new(RefCell::new(Vec::new())),
        Rc::new(RefCell::new(Vec::new())),
    );
    bob.create_secure_channel_listener(
        &bob_id,
        "listener",
        SecureChannelOptions::new(TrustPolicy::TrustEveryone).with_observer(seen(&responder)),
    )
    .unwrap();
    bob.start_worker("echo", Echo).unwrap();
    let channel = alice
        .create_secure_channel(
            &alice_id,
            "mem#bob => listener".parse::<Route>().unwrap(),
            SecureChannelOptions::new(TrustPolicy::TrustEveryone)
                .with_timeout(PATIENT)
                .with_observer(seen(&initiator)),
        )
        .await
        .unwrap();
    wait_until(alice, PATIENT, || responder.borrow().len() == 4).await;
    assert_eq!(
        *initiator.borrow(),
        [
            "sent 1",
            "received 2",
            &format!("verified {}", bob_id.identifier()),
            "sent 3"
        ]
    );
    assert_eq!(
        *responder.borrow(),
        [
            "received 1",
            "sent 2",
            "received 3",
            &format!("verified {}", alice_id.identifier())
        ]
    );
    assert_eq!(
        channel
            .request("echo", b"1".to_vec(), Some(PATIENT))
            .await
            .unwrap()
            .payload,
        b"1"
    );
    bob.shutdown(); // its end of the connection closes, and so does alice's
    wait_until(alice, PATIENT, || !channel.is_open()).await;
    assert_eq!(
        channel
            .send(&alice.client().unwrap(), "echo", b"2".to_vec())
            .await,
        Err(Error::ChannelClosed)
    );
    channel.close(); // closing a closed channel is fine
    alice.shutdown();
}
