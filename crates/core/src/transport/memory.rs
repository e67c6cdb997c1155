//! An in-process transport between nodes, for tests and demos: frames are real
//! `TransportMessage` encodings passed through bounded channels, optionally lossy.
//!
//! ```text
//! let network = MemoryNetwork::new();
//! MemoryTransport::attach(&alice, &network, "alice", MemoryOptions::default())?;
//! MemoryTransport::attach(&bob, &network, "bob", MemoryOptions::default())?;
//! alice.request("mem#bob => echo".parse::<Route>()?, b"hi".to_vec(), None).await?;
//! ```

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use async_channel::{Receiver, Sender};

use super::Transport;
use super::connection::{BareFrames, CloseReason, FrameSink, FrameSource, start_connection};
use crate::error::{Error, Result, TransportError};
use crate::routing::{Address, TransportType};
use crate::runtime::LocalBoxFuture;
use crate::runtime::Node;

/// A set of nodes that can reach each other by name over `mem#<name>` addresses.
#[derive(Clone, Default)]
pub struct MemoryNetwork {
    members: Rc<RefCell<HashMap<String, Weak<Inner>>>>,
}

impl MemoryNetwork {
    /// An empty network.
    pub fn new() -> Self {
        Self::default()
    }

    fn member(&self, name: &str) -> Option<Rc<Inner>> {
        self.members.borrow().get(name).and_then(Weak::upgrade)
    }
}

/// Packet loss and reordering for a memory transport's outgoing frames, driven by a seeded
/// generator so that a failing test can be replayed.
#[derive(Debug, Clone, Copy)]
pub struct Lossy {
    /// Frames dropped per thousand.
    pub drop_per_mille: u16,
    /// Frames held back and sent after the next one, per thousand.
    pub reorder_per_mille: u16,
    /// Seed of the generator.
    pub seed: u64,
}

/// Settings of a [`MemoryTransport`].
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct MemoryOptions {
    /// Frames in flight per direction before the sender waits (default 64).
    pub wire_capacity: usize,
    /// Loss and reordering of this node's outgoing frames (default: none).
    pub lossy: Option<Lossy>,
}

impl Default for MemoryOptions {
    fn default() -> Self {
        Self {
            wire_capacity: 64,
            lossy: None,
        }
    }
}

impl MemoryOptions {
    /// Makes this node's outgoing frames lossy.
    pub fn with_lossy(mut self, lossy: Lossy) -> Self {
        self.lossy = Some(lossy);
        self
    }
}

/// A node's membership in a [`MemoryNetwork`]: the transport for `mem#<name>` addresses.
#[derive(Clone)]
pub struct MemoryTransport {
    inner: Rc<Inner>,
}

struct Inner {
    node: Node,
    name: String,
    network: MemoryNetwork,
    options: MemoryOptions,
    /// Peer name → local address of the connection's sending worker.
    connections: RefCell<HashMap<String, Address>>,
}

impl MemoryTransport {
    /// Joins `node` to `network` under `name` and registers the transport with the node.
    pub fn attach(
        node: &Node,
        network: &MemoryNetwork,
        name: &str,
        options: MemoryOptions,
    ) -> Result<Self> {
        if network.member(name).is_some() {
            return Err(Error::InvalidArgument(format!(
                "memory network already has a node named {name:?}"
            )));
        }
        let inner = Rc::new(Inner {
            node: node.clone(),
            name: name.to_owned(),
            network: network.clone(),
            options,
            connections: RefCell::default(),
        });
        let transport = Self { inner };
        node.register_transport(Rc::new(transport.clone()))?;
        network
            .members
            .borrow_mut()
            .insert(name.to_owned(), Rc::downgrade(&transport.inner));
        Ok(transport)
    }

    /// The address other members use to reach this node.
    pub fn address(&self) -> Address {
        Address::new(TransportType::MEMORY, self.inner.name.as_bytes())
    }

    /// Number of open connections.
    pub fn connection_count(&self) -> usize {
        self.inner.connections.borrow().len()
    }
}

impl Inner {
    /// Starts this side of a connection to `peer` and remembers it.
    fn open(self: &Rc<Self>, peer: &str, sink: Wire, source: Receiver<Vec<u8>>) -> Result<Address> {
        let this = Rc::downgrade(self);
        let peer_name = peer.to_owned();
        let address = start_connection(
            &self.node,
            peer,
            Address::random_local(),
            sink,
            source,
            BareFrames,
            move || {
                if let Some(this) = this.upgrade() {
                    this.connections.borrow_mut().remove(&peer_name);
                }
            },
        )?
        .address()
        .clone();
        self.connections
            .borrow_mut()
            .insert(peer.to_owned(), address.clone());
        Ok(address)
    }

    fn wire(&self, sender: Sender<Vec<u8>>) -> Wire {
        Wire {
            sender,
            lossy: self.options.lossy.map(LossState::new),
            held: None,
        }
    }
}

impl Transport for MemoryTransport {
    fn transport_type(&self) -> TransportType {
        TransportType::MEMORY
    }

    fn resolve<'a>(&'a self, address: &'a Address) -> LocalBoxFuture<'a, Result<Address>> {
        Box::pin(async move {
            let this = &self.inner;
            let peer_name = address
                .value_str()
                .ok_or_else(|| TransportError::UnknownPeer(address.to_string()))?;
            if let Some(existing) = this.connections.borrow().get(peer_name) {
                return Ok(existing.clone());
            }
            let peer = this
                .network
                .member(peer_name)
                .ok_or_else(|| TransportError::UnknownPeer(peer_name.to_owned()))?;
            let capacity = this.options.wire_capacity.max(1);
            let (to_peer, from_us) = async_channel::bounded(capacity);
            let (to_us, from_peer) = async_channel::bounded(capacity);
            let local = this.open(peer_name, this.wire(to_peer), from_peer)?;
            peer.open(&this.name, peer.wire(to_us), from_us)?;
            Ok(local)
        })
    }

    fn shutdown(&self) {
        let this = &self.inner;
        this.network.members.borrow_mut().remove(&this.name);
        let addresses: Vec<_> = this
            .connections
            .borrow_mut()
            .drain()
            .map(|(_, a)| a)
            .collect();
        for address in addresses {
            let _ = this.node.stop_worker(&address);
        }
    }
}

/// One direction of a memory connection.
struct Wire {
    sender: Sender<Vec<u8>>,
    lossy: Option<LossState>,
    held: Option<Vec<u8>>,
}

impl FrameSink for Wire {
    async fn send(&mut self, frame: Vec<u8>) -> Result<()> {
        let closed = |_| Error::from(TransportError::ConnectionClosed);
        let Some(loss) = &mut self.lossy else {
            return self.sender.send(frame).await.map_err(closed);
        };
        if loss.roll(loss.config.drop_per_mille) {
            return Ok(());
        }
        if self.held.is_none() && loss.roll(loss.config.reorder_per_mille) {
            self.held = Some(frame);
            return Ok(());
        }
        self.sender.send(frame).await.map_err(closed)?;
        if let Some(held) = self.held.take() {
            self.sender.send(held).await.map_err(closed)?;
        }
        Ok(())
    }

    async fn close(&mut self, _reason: CloseReason) {
        self.sender.close();
    }
}

impl FrameSource for Receiver<Vec<u8>> {
    async fn next(&mut self) -> Option<Result<Vec<u8>>> {
        self.recv().await.ok().map(Ok)
    }
}

/// A SplitMix64 generator: deterministic per seed, good enough to decide drops.
struct LossState {
    config: Lossy,
    state: u64,
}

impl LossState {
    fn new(config: Lossy) -> Self {
        Self {
            config,
            state: config.seed,
        }
    }

    fn roll(&mut self, per_mille: u16) -> bool {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        z % 1000 < u64::from(per_mille)
    }
}
