//! The one-call API: `node.create_secure_channel(&identity, route, options)` and
//! `node.create_secure_channel_listener(&identity, address, options)`.

use core::time::Duration;
use std::rc::Rc;

use super::listener::{Listener, SecureChannelListener};
use super::setup::{ChannelAddresses, ChannelConfig, ChannelLife};
use super::worker::ChannelWorker;
use super::{PeerInfo, SecureChannelOptions, handshake};
use crate::error::{Error, Result};
use crate::identity::{Identifier, Identity};
use crate::routing::{Address, Route};
use crate::runtime::{Client, CloseCause, LocalMessage, Node, Traffic};
use crate::runtime::{WorkerOptions, timeout};
use crate::vault::SigningKeyKind;

/// An established secure channel, from this side: route through [`address`](Self::address)
/// to reach workers on the peer's node, end-to-end encrypted.
#[derive(Clone)]
pub struct SecureChannel {
    node: Node,
    address: Address,
    peer: Rc<PeerInfo>,
    life: ChannelLife,
}

impl core::fmt::Debug for SecureChannel {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SecureChannel")
            .field("address", &self.address)
            .field("peer", &self.peer.identifier)
            .finish()
    }
}

impl SecureChannel {
    pub(crate) fn new(node: Node, address: Address, peer: Rc<PeerInfo>, life: ChannelLife) -> Self {
        Self {
            node,
            address,
            peer,
            life,
        }
    }

    /// The local address to route through (the channel's encryptor).
    pub fn address(&self) -> &Address {
        &self.address
    }

    /// The node the channel runs on.
    pub fn node(&self) -> &Node {
        &self.node
    }

    /// The authenticated peer.
    pub fn peer(&self) -> &PeerInfo {
        &self.peer
    }

    /// The peer's identifier.
    pub fn their_identifier(&self) -> Identifier {
        self.peer.identifier
    }

    /// The route through this channel to `rest` on the peer's node.
    pub fn route(&self, rest: impl Into<Route>) -> Route {
        let mut route = rest.into();
        route.push_front(self.address.clone());
        route
    }

    /// Sends `payload` through the channel to `rest` and waits for one answer.
    pub async fn request(
        &self,
        rest: impl Into<Route>,
        payload: impl Into<Vec<u8>>,
        timeout: Option<Duration>,
    ) -> Result<LocalMessage> {
        self.check_open()?;
        self.node.request(self.route(rest), payload, timeout).await
    }

    /// `Err(ChannelClosed)` once the channel is closed, from either side or because its
    /// connection closed.
    pub fn check_open(&self) -> Result<()> {
        if self.is_open() {
            Ok(())
        } else {
            Err(Error::ChannelClosed)
        }
    }

    /// Sends `payload` through the channel to `rest` on the peer's node, from `from`: an
    /// answer comes back through the channel to that client.
    pub async fn send(
        &self,
        from: &Client,
        rest: impl Into<Route>,
        payload: impl Into<Vec<u8>>,
    ) -> Result<()> {
        self.check_open()?;
        from.send(self.route(rest), payload).await
    }

    /// Whether the channel is still open on this side.
    pub fn is_open(&self) -> bool {
        self.node.has_address(&self.address)
    }

    /// Closes the channel: the peer is told (best effort) and both sides drop their state.
    /// Closing a closed channel does nothing. [`closed`](Self::closed) completes once it is
    /// closed.
    pub fn close(&self) {
        if self.is_open() {
            let _ = self.node.stop_worker(&self.address);
        }
    }

    /// Completes when the channel has closed, with why: closed here, by the peer, because its
    /// connection was lost, or because the node shut down.
    pub async fn closed(&self) -> CloseCause {
        self.life.ending.ended().await
    }

    /// Why the channel closed, once it has.
    pub fn close_cause(&self) -> Option<CloseCause> {
        self.life.ending.cause()
    }

    /// Messages and payload bytes sent and received through the channel so far.
    pub fn traffic(&self) -> Traffic {
        self.life.traffic.get()
    }
}

/// Stops a channel worker whose handshake did not finish, however the wait for it ends
/// (failure, timeout, or the caller dropping the future).
struct StopUnlessEstablished<'a> {
    node: &'a Node,
    address: Option<Address>,
}

impl StopUnlessEstablished<'_> {
    fn established(mut self) {
        self.address = None;
    }
}

impl Drop for StopUnlessEstablished<'_> {
    fn drop(&mut self) {
        if let Some(address) = self.address.take() {
            let _ = self.node.stop_worker(&address);
        }
    }
}

impl Node {
    /// A new identity (Ed25519) whose keys live in this node's vault.
    pub async fn create_identity(&self) -> Result<Identity> {
        Identity::create(self.vault(), SigningKeyKind::Ed25519, self.unix_time()).await
    }

    /// Opens a secure channel as `identity` to the listener at the end of `route`. Returns
    /// once the handshake has completed and the peer satisfied `options`' trust policy, or
    /// fails with a typed error (`Timeout`, `IdentityMismatch`, `PolicyDenied`, ...), in which
    /// case no state is left behind on this side.
    pub async fn create_secure_channel(
        &self,
        identity: &Identity,
        route: impl Into<Route>,
        options: SecureChannelOptions,
    ) -> Result<SecureChannel> {
        let route = route.into();
        if route.is_empty() {
            return Err(Error::EmptyRoute);
        }
        let key = identity.secure_channel_key(self.unix_time()).await?;
        let ephemeral = self.crypto().ephemeral_key().await?;
        let (handshake, message_1) = handshake::initiate(
            self.crypto(),
            options.suite,
            key.public,
            ephemeral.public_key(),
        );
        let limit = options.timeout;
        let observer = options.clone();
        let config = Rc::new(ChannelConfig {
            identity: identity.clone(),
            options,
            key,
            crypto: self.crypto(),
        });
        let addresses = ChannelAddresses::random();
        let (outcome, result) = async_channel::bounded(1);
        let life = ChannelLife::default();
        let worker = ChannelWorker::initiator(
            config,
            addresses.clone(),
            (handshake, ephemeral),
            outcome,
            life.clone(),
        );
        self.start_worker(
            WorkerOptions::new(addresses.decryptor.clone()).with_alias(addresses.encryptor.clone()),
            worker,
        )?;
        let pending = StopUnlessEstablished {
            node: self,
            address: Some(addresses.decryptor.clone()),
        };
        let bytes = message_1.len();
        let first = LocalMessage::new(route, Route::from(addresses.decryptor.clone()), message_1);
        self.route(first).await?;
        observer.notify(super::ChannelEvent::HandshakeSent { number: 1, bytes });
        let peer = match timeout(self.runtime(), limit, result.recv()).await? {
            Ok(Ok(peer)) => peer,
            Ok(Err(error)) => return Err(error),
            Err(_) => return Err(Error::Handshake("channel worker stopped")),
        };
        pending.established();
        Ok(SecureChannel::new(
            self.clone(),
            addresses.encryptor,
            peer,
            life,
        ))
    }

    /// Starts a listener at `address` that accepts channels for `identity` from peers that
    /// satisfy `options`' trust policy, speaking `options`' cipher suite.
    pub fn create_secure_channel_listener(
        &self,
        identity: &Identity,
        address: impl Into<Address>,
        options: SecureChannelOptions,
    ) -> Result<SecureChannelListener> {
        Listener::start(self, identity, address.into(), options)
    }
}
