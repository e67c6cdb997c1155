//! End-to-end scenarios shared by the native tests (`razor-node`) and the wasm tests
//! (`tests/wasm`, in Node and in headless Chromium), so that the same behaviour is checked on
//! every platform. Each scenario panics with a message when the behaviour is wrong.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod channels;
pub mod edge;
pub mod fuzz;
pub mod handshake_failures;
pub mod lifecycle;
pub mod wycheproof;

use core::time::Duration;
use std::cell::RefCell;
use std::rc::Rc;

use crate::error::{Error, Result, TransportError};
use crate::routing::{Address, Route};
use crate::runtime::{Context, LocalOnly, Runtime, Worker, WorkerOptions};
use crate::runtime::{LocalMessage, Node, NodeConfig};
use crate::services::{Echo, Hop, RELAY_SERVICE_ADDRESS, RelayService, register_relay};
use crate::transport::ConnectionTable;
use crate::transport::connection::{BareFrames, FrameSink};
use crate::transport::memory::{Lossy, MemoryNetwork, MemoryOptions, MemoryTransport};

/// Test vectors written as hex, with any whitespace between digits.
pub fn unhex(text: &str) -> Vec<u8> {
    let digits: String = text.split_whitespace().collect();
    crate::codec::hex::decode(&digits).unwrap()
}

/// Waits until `done` holds, checking every 10 ms; panics if it still does not after
/// `within`.
pub async fn wait_until(node: &Node, within: Duration, done: impl Fn() -> bool) {
    let step = Duration::from_millis(10);
    for _ in 0..within.as_millis().div_ceil(step.as_millis()) {
        if done() {
            return;
        }
        node.sleep(step).await;
    }
    assert!(done(), "condition not reached in {within:?}");
}

/// Two nodes, `alice` and `bob`, on one memory network (`mem#alice`, `mem#bob`).
pub fn two_nodes<R: Runtime + Clone>(runtime: &R) -> (Node, Node, MemoryNetwork) {
    let network = MemoryNetwork::new();
    let alice = Node::new(runtime.clone(), NodeConfig::new("alice"));
    let bob = Node::new(runtime.clone(), NodeConfig::new("bob"));
    MemoryTransport::attach(&alice, &network, "alice", MemoryOptions::default()).unwrap();
    MemoryTransport::attach(&bob, &network, "bob", MemoryOptions::default()).unwrap();
    (alice, bob, network)
}

/// A message crosses `hop (alice) => mem#bob => hop (bob) => echo (bob)` and the echo comes
/// back by the return route alone. Returns the hops observed, in order.
pub async fn three_hop_round_trip<R: Runtime + Clone>(runtime: R) -> Vec<String> {
    let (alice, bob, _network) = two_nodes(&runtime);
    let seen = Rc::new(RefCell::new(Vec::new()));
    for node in [&alice, &bob] {
        let seen = seen.clone();
        let hop = Hop::observed(move |name, message: &LocalMessage| {
            seen.borrow_mut()
                .push(format!("{name}: onward [{}]", message.onward_route));
        });
        node.start_worker("hop", hop).unwrap();
    }
    bob.start_worker("echo", Echo).unwrap();

    let route: Route = "hop => mem#bob => hop => echo".parse().unwrap();
    let client = alice.client().unwrap();
    let reply = client
        .request(route, b"ping".to_vec(), Some(Duration::from_secs(5)))
        .await
        .unwrap();

    assert_eq!(reply.payload, b"ping");
    // The return route leads back to echo on bob through the connection and both hops.
    assert_eq!(
        reply.return_route.len(),
        4,
        "return route: {}",
        reply.return_route
    );
    assert_eq!(
        reply.return_route.recipient(),
        Some(&Address::local("echo"))
    );
    assert!(reply.onward_route.is_empty() || reply.onward_route.next() == Some(client.address()));

    // Two hops on the way out, the same two on the way back, each seen once.
    let hops = seen.borrow().clone();
    assert_eq!(hops.len(), 4, "hops: {hops:?}");
    assert!(
        hops[0].starts_with("alice: onward [254#bob => 0#hop => 0#echo]"),
        "{hops:?}"
    );
    assert!(hops[1].starts_with("bob: onward [0#echo]"), "{hops:?}");
    assert!(hops[2].starts_with("bob: onward [0#"), "{hops:?}");
    assert!(hops[3].starts_with("alice: onward [0#"), "{hops:?}");

    // Answer the echo along the return route we got: it reaches echo again and comes back.
    let again = client
        .request(
            reply.return_route.clone(),
            b"pong".to_vec(),
            Some(Duration::from_secs(5)),
        )
        .await
        .unwrap();
    assert_eq!(again.payload, b"pong");
    assert_eq!(seen.borrow().len(), 8);
    alice.shutdown();
    bob.shutdown();
    hops
}

/// A worker that parks forever on its first message, so its mailbox fills up.
struct Stuck;

impl Worker for Stuck {
    async fn handle_message(&mut self, _ctx: &mut Context, _message: LocalMessage) -> Result<()> {
        futures_lite::future::pending::<()>().await;
        Ok(())
    }
}

/// A full mailbox: `try_send` fails with `MailboxFull`; `send` waits (backpressure) instead
/// of failing or growing the mailbox; unknown addresses and denied access are typed errors.
pub async fn mailbox_limits_and_typed_errors<R: Runtime + Clone>(runtime: R) {
    let wait = Duration::from_millis(40);
    let node = Node::new(
        runtime,
        NodeConfig::new("limits").with_request_timeout(wait),
    );
    node.start_worker(WorkerOptions::new("stuck").with_mailbox_capacity(2), Stuck)
        .unwrap();
    let client = node.client().unwrap();
    // The worker takes one message and parks; two more fill its mailbox.
    client.send("stuck", b"1".to_vec()).await.unwrap();
    node.sleep(Duration::from_millis(10)).await;
    node.try_route(LocalMessage::new(
        "stuck".into(),
        Route::new(),
        b"2".to_vec(),
    ))
    .await
    .unwrap();
    node.try_route(LocalMessage::new(
        "stuck".into(),
        Route::new(),
        b"3".to_vec(),
    ))
    .await
    .unwrap();
    let full = node
        .try_route(LocalMessage::new(
            "stuck".into(),
            Route::new(),
            b"4".to_vec(),
        ))
        .await;
    assert_eq!(full, Err(Error::MailboxFull(Address::local("stuck"))));
    // A waiting send applies backpressure: it does not complete while the mailbox is full.
    let waited = crate::runtime::timeout(
        node.runtime(),
        Duration::from_millis(50),
        client.send("stuck", b"5".to_vec()),
    )
    .await;
    assert_eq!(waited, Err(Error::Timeout(Duration::from_millis(50))));

    let unknown = client.send("nobody", b"?".to_vec()).await;
    assert_eq!(
        unknown,
        Err(Error::UnknownAddress(Address::local("nobody")))
    );
    let no_transport = client
        .send("tcp#127.0.0.1:1 => echo".parse::<Route>().unwrap(), vec![])
        .await;
    assert!(matches!(no_transport, Err(Error::NoTransport(_))));
    assert_eq!(
        client.send(Route::new(), vec![]).await,
        Err(Error::EmptyRoute)
    );

    let timed_out = client.receive_timeout(Duration::from_millis(20)).await;
    assert_eq!(timed_out.unwrap_err().code(), "TIMEOUT");
    // A request with no timeout of its own waits the node's (the worker is stuck).
    let unanswered = node.request("stuck", b"6".to_vec(), None).await;
    assert_eq!(unanswered, Err(Error::Timeout(wait)));

    assert_eq!(
        node.start_worker("stuck", Echo),
        Err(Error::AddressInUse(Address::local("stuck")))
    );
    node.stop_worker(&Address::local("stuck")).unwrap();
    assert_eq!(node.worker_count(), 0);
    drop(client);
    assert_eq!(node.client_count(), 0);
    node.shutdown();
    assert_eq!(node.start_worker("late", Echo), Err(Error::NodeShutDown));
}

/// Workers guarded by `LocalOnly` take local messages and refuse the same message arriving
/// over a transport; the sender is told why (a notice: `ACCESS_DENIED`, remote) at once.
pub async fn access_control_refuses_remote_messages<R: Runtime + Clone>(runtime: R) {
    let (alice, bob, _network) = two_nodes(&runtime);
    bob.start_worker(
        WorkerOptions::new("private").with_access_control(LocalOnly),
        Echo,
    )
    .unwrap();
    let local = bob
        .request("private", b"ok".to_vec(), Some(Duration::from_secs(1)))
        .await
        .unwrap();
    assert_eq!(local.payload, b"ok");
    let route: Route = "mem#bob => private".parse().unwrap();
    let remote = alice
        .request(route, b"no".to_vec(), Some(Duration::from_secs(5)))
        .await;
    match remote {
        Err(Error::Remote(error)) => assert_eq!(error.code(), "ACCESS_DENIED"),
        other => panic!("expected a remote ACCESS_DENIED, got {other:?}"),
    }
    alice.shutdown();
    bob.shutdown();
}

/// Over a lossy link, some of 200 messages are lost, the rest arrive intact, and nothing
/// breaks; the same seed loses the same messages.
pub async fn lossy_link_loses_but_never_corrupts<R: Runtime + Clone>(runtime: R) -> usize {
    let network = MemoryNetwork::new();
    let alice = Node::new(runtime.clone(), NodeConfig::new("alice"));
    let bob = Node::new(runtime, NodeConfig::new("bob"));
    let lossy = Lossy {
        drop_per_mille: 100,
        reorder_per_mille: 100,
        seed: 7,
    };
    MemoryTransport::attach(
        &alice,
        &network,
        "alice",
        MemoryOptions::default().with_lossy(lossy),
    )
    .unwrap();
    MemoryTransport::attach(&bob, &network, "bob", MemoryOptions::default()).unwrap();
    let (collector, received) = Collector::new();
    bob.start_worker("sink", collector).unwrap();
    let client = alice.client().unwrap();
    let route: Route = "mem#bob => sink".parse().unwrap();
    for i in 0..200u32 {
        client
            .send(route.clone(), i.to_be_bytes().to_vec())
            .await
            .unwrap();
    }
    alice.sleep(Duration::from_millis(50)).await;
    let got = received.borrow().clone();
    assert!(got.len() < 200 && got.len() > 120, "received {}", got.len());
    let mut numbers: Vec<u32> = got
        .iter()
        .map(|p| u32::from_be_bytes(p[..4].try_into().unwrap()))
        .collect();
    let in_order = numbers.windows(2).all(|w| w[0] < w[1]);
    assert!(!in_order, "expected some reordering");
    numbers.sort_unstable();
    numbers.dedup();
    assert_eq!(numbers.len(), got.len(), "no duplicates");
    alice.shutdown();
    bob.shutdown();
    got.len()
}

/// A peer registers a relay alias on another node; a third party reaches the peer's echo
/// through the alias.
pub async fn relay_alias_reaches_the_registered_peer<R: Runtime + Clone>(runtime: R) {
    let network = MemoryNetwork::new();
    let make = |name: &str| {
        let node = Node::new(runtime.clone(), NodeConfig::new(name));
        MemoryTransport::attach(&node, &network, name, MemoryOptions::default()).unwrap();
        node
    };
    let (relay, peer, visitor) = (make("relay"), make("peer"), make("visitor"));
    relay
        .start_worker(RELAY_SERVICE_ADDRESS, RelayService::new())
        .unwrap();
    peer.start_worker("echo", Echo).unwrap();
    let to_service: Route = format!("mem#relay => {RELAY_SERVICE_ADDRESS}")
        .parse()
        .unwrap();
    let alias = register_relay(&peer, to_service, "peer-1", Some(Duration::from_secs(2)))
        .await
        .unwrap();
    assert_eq!(alias, "peer-1");
    let via_alias: Route = "mem#relay => peer-1 => echo".parse().unwrap();
    let reply = visitor
        .request(via_alias, b"hi".to_vec(), Some(Duration::from_secs(2)))
        .await
        .unwrap();
    assert_eq!(reply.payload, b"hi");
    for node in [relay, peer, visitor] {
        node.shutdown();
    }
}

/// A connection table reuses a dialled connection, forgets it once the peer closes it, stops
/// its listeners on `close_all`, and keeps nothing of a connection that could not start.
pub async fn connection_table_follows_connection_lifetimes<R: Runtime + Clone>(runtime: R) {
    let node = Node::new(runtime, NodeConfig::new("table"));
    let table = ConnectionTable::default();
    let open = |table: &ConnectionTable, node: &Node| {
        let (to_us, from_peer) = async_channel::bounded::<Vec<u8>>(4);
        let (to_peer, peer_inbox) = async_channel::bounded::<Vec<u8>>(4);
        let started = table.start(
            node,
            "peer",
            Some("peer:1".into()),
            ChannelSink(to_peer),
            from_peer,
            BareFrames,
        );
        (started, to_us, peer_inbox)
    };

    let (started, to_us, _peer_inbox) = open(&table, &node);
    let address = started.unwrap().address().clone();
    assert_eq!(table.dialled("peer:1"), Some(address.clone()));
    assert_eq!(table.count(), 1);
    let reused = table
        .get_or_connect(&node, "peer:1", None, &mut || {
            Box::pin(async {
                Err::<Address, _>(Error::InvalidArgument("dialled although connected".into()))
            })
        })
        .await;
    assert_eq!(reused.unwrap(), address);

    drop(to_us); // the peer closes: the connection is forgotten
    wait_until(&node, Duration::from_secs(1), || table.count() == 0).await;
    assert_eq!(table.dialled("peer:1"), None);
    assert!(!node.has_address(&address));

    let stopped = Rc::new(core::cell::Cell::new(false));
    let flag = stopped.clone();
    table.add_listener(move || flag.set(true));
    table.close_all(&node);
    assert!(stopped.get(), "close_all stops the listeners");

    node.shutdown();
    let (started, _to_us, _peer_inbox) = open(&table, &node);
    assert!(matches!(started, Err(Error::NodeShutDown)));
    assert_eq!(table.count(), 0);
    assert_eq!(table.dialled("peer:1"), None);
}

/// The far end of an in-memory connection: what the peer sends, what it received.
type FarEnd = (
    async_channel::Sender<Vec<u8>>,
    async_channel::Receiver<Vec<u8>>,
);

/// A driver whose "sockets" are in-memory channels, slow to open, counting its dials.
struct SlowDriver {
    dials: Rc<core::cell::Cell<u32>>,
    delay: Duration,
    node: Node,
    /// The far ends, kept open.
    far: RefCell<Vec<FarEnd>>,
}

impl crate::transport::Driver for SlowDriver {
    const TRANSPORT_TYPE: crate::routing::TransportType = crate::routing::TransportType::new(200);
    type Sink = ChannelSink;
    type Source = async_channel::Receiver<Vec<u8>>;
    type Codec = BareFrames;

    fn codec(&self) -> BareFrames {
        BareFrames
    }

    fn peer(&self, address: &Address) -> Result<String> {
        Ok(address.value_str().unwrap_or_default().to_owned())
    }

    async fn dial(
        &self,
        peer: &str,
        _pins: &crate::transport::CertificatePins,
    ) -> Result<(ChannelSink, async_channel::Receiver<Vec<u8>>)> {
        self.dials.set(self.dials.get() + 1);
        self.node.sleep(self.delay).await;
        if peer == "unreachable" {
            return Err(TransportError::ConnectFailed {
                address: peer.into(),
                reason: "test".into(),
            }
            .into());
        }
        let (to_us, from_peer) = async_channel::bounded(4);
        let (to_peer, peer_inbox) = async_channel::bounded(4);
        self.far.borrow_mut().push((to_us, peer_inbox));
        Ok((ChannelSink(to_peer), from_peer))
    }
}

/// Concurrent dials to one peer share one connection (and one failure); a dial abandoned
/// half-way (its caller timed out) releases whoever waited for it.
pub async fn concurrent_dials_share_one_connection<R: Runtime + Clone>(runtime: R) {
    use crate::transport::Dialing;
    let node = Node::new(runtime.clone(), NodeConfig::new("dials"));
    let dials = Rc::new(core::cell::Cell::new(0));
    let transport = Dialing::create(
        &node,
        SlowDriver {
            dials: dials.clone(),
            delay: Duration::from_millis(50),
            node: node.clone(),
            far: RefCell::default(),
        },
    )
    .unwrap();
    // Five callers at once, each on its own task.
    let together = |peer: &'static str, callers: usize| {
        let (done, results) = async_channel::unbounded();
        for _ in 0..callers {
            let (transport, done) = (transport.clone(), done.clone());
            node.spawn(async move {
                let _ = done.send(transport.connect(peer).await).await;
            });
        }
        async move {
            let mut all = Vec::new();
            for _ in 0..callers {
                all.push(results.recv().await.unwrap());
            }
            all
        }
    };
    let hops = together("peer", 5).await;
    assert_eq!(dials.get(), 1, "one dial for five callers");
    let hops: Vec<Address> = hops.into_iter().map(|h| h.unwrap()).collect();
    assert!(hops.windows(2).all(|w| w[0] == w[1]));
    assert_eq!(transport.connection_count(), 1);

    for outcome in together("unreachable", 3).await {
        assert!(matches!(
            outcome,
            Err(Error::Transport(TransportError::ConnectFailed { .. }))
        ));
    }
    assert_eq!(dials.get(), 2, "one dial for three callers, failure shared");

    // The first caller gives up half-way; the one waiting behind it is told, not stuck.
    let abandoned = crate::runtime::timeout(
        node.runtime(),
        Duration::from_millis(10),
        transport.connect("slow"),
    );
    let waiting = transport.connect("slow");
    let (first, second) = futures_lite::future::zip(abandoned, waiting).await;
    assert!(first.is_err(), "timed out");
    assert!(second.is_err(), "released with the abandoned dial");
    let again = transport.connect("slow").await;
    assert!(again.is_ok(), "a later dial is a fresh one: {again:?}");
    node.shutdown();
}

/// The sending half of an in-memory connection.
struct ChannelSink(async_channel::Sender<Vec<u8>>);

impl FrameSink for ChannelSink {
    async fn send(&mut self, frame: Vec<u8>) -> Result<()> {
        self.0
            .send(frame)
            .await
            .map_err(|_| TransportError::ConnectionClosed.into())
    }
}

/// Collects payloads it receives.
pub struct Collector {
    received: Rc<RefCell<Vec<Vec<u8>>>>,
}

impl Collector {
    /// A collector and a handle on what it collected.
    pub fn new() -> (Self, Rc<RefCell<Vec<Vec<u8>>>>) {
        let received = Rc::new(RefCell::new(Vec::new()));
        (
            Self {
                received: received.clone(),
            },
            received,
        )
    }
}

impl Worker for Collector {
    async fn handle_message(&mut self, _ctx: &mut Context, message: LocalMessage) -> Result<()> {
        self.received.borrow_mut().push(message.payload);
        Ok(())
    }
}
