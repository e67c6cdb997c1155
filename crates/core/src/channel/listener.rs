//! The secure channel listener: a worker at a well-known address that starts a responder
//! channel worker for each first handshake message and hands the message to it.

use core::cell::Cell;
use std::rc::Rc;

use async_channel::{Receiver, Sender};
use tracing::{debug, warn};

use super::admission::{HandshakeSlot, Slot};
use super::handshake;
use super::setup::{ChannelAddresses, ChannelConfig, ChannelLife};
use super::worker::ChannelWorker;
use super::{PeerInfo, SecureChannel, SecureChannelOptions};
use crate::error::Result;
use crate::identity::Identity;
use crate::routing::Address;
use crate::runtime::{Context, Worker, WorkerOptions};
use crate::runtime::{LocalMessage, Node};

/// Established channels a listener has not handed out yet, beyond which new ones are only
/// logged (the channels themselves work regardless).
const ACCEPTED_BACKLOG: usize = 64;

/// A running listener: its address, and the channels it has accepted.
pub struct SecureChannelListener {
    node: Node,
    address: Address,
    accepted: Receiver<SecureChannel>,
}

impl SecureChannelListener {
    /// Where initiators send their first handshake message.
    pub fn address(&self) -> &Address {
        &self.address
    }

    /// Waits for the next established channel. Once the listener has stopped, channels it
    /// established before are still handed out, then this fails with
    /// [`Error::WorkerStopped`](crate::error::Error::WorkerStopped).
    pub async fn accept(&self) -> Result<SecureChannel> {
        let stopped = crate::error::Error::WorkerStopped(self.address.clone());
        if let Ok(channel) = self.accepted.try_recv() {
            return Ok(channel);
        }
        let listener_stopped = self.node.stopped(&self.address);
        futures_lite::future::or(
            async { self.accepted.recv().await.map_err(|_| stopped.clone()) },
            async {
                listener_stopped.await;
                self.accepted.try_recv().map_err(|_| stopped.clone())
            },
        )
        .await
    }

    /// Completes when the listener has stopped (`stop`, or the node shut down).
    pub async fn closed(&self) {
        self.node.stopped(&self.address).await
    }

    /// The next established channel, if one is waiting.
    pub fn try_accept(&self) -> Option<SecureChannel> {
        self.accepted.try_recv().ok()
    }

    /// Stops accepting new channels (established ones stay open). Stopping a stopped
    /// listener does nothing.
    pub fn stop(&self) -> Result<()> {
        match self.node.stop_worker(&self.address) {
            Err(crate::error::Error::UnknownAddress(_)) => Ok(()),
            other => other,
        }
    }
}

pub(crate) struct Listener {
    identity: Identity,
    options: SecureChannelOptions,
    accepted: Sender<SecureChannel>,
    /// Handshakes in progress (started by a first message, not finished yet).
    in_progress: Rc<Cell<usize>>,
    /// Channels held: from their first message until their worker is gone.
    held: Rc<Cell<usize>>,
    /// What every responder of this listener knows about its side, shared until the
    /// identity's channel key changes (one copy per listener, not per channel).
    config: Option<Rc<ChannelConfig>>,
}

impl Listener {
    pub(crate) fn start(
        node: &Node,
        identity: &Identity,
        address: Address,
        options: SecureChannelOptions,
    ) -> Result<SecureChannelListener> {
        let (accepted, receiver) = async_channel::bounded(ACCEPTED_BACKLOG);
        let listener = Listener {
            identity: identity.clone(),
            options,
            accepted,
            in_progress: Rc::default(),
            held: Rc::default(),
            config: None,
        };
        node.start_worker(address.clone(), listener)?;
        Ok(SecureChannelListener {
            node: node.clone(),
            address,
            accepted: receiver,
        })
    }
}

impl Worker for Listener {
    async fn handle_message(&mut self, ctx: &mut Context, mut message: LocalMessage) -> Result<()> {
        let node = ctx.node().clone();
        let metrics = node.peer_metrics();
        if self.in_progress.get() >= self.options.max_handshakes {
            // Refused before any work: a flood of first messages costs a counter each.
            metrics.handshakes_refused.increment();
            node.log_bad_peer(|suppressed| {
                warn!(listener = %ctx.address(), max = self.options.max_handshakes, suppressed, "too many handshakes in progress; dropped a first message");
            });
            return Ok(());
        }
        if self.held.get() >= self.options.max_channels {
            metrics.channels_refused.increment();
            node.log_bad_peer(|suppressed| {
                warn!(listener = %ctx.address(), max = self.options.max_channels, suppressed, "too many channels held; dropped a first message");
            });
            return Ok(());
        }
        let slot = HandshakeSlot::take(&self.in_progress, metrics);
        let held = Slot::take(&self.held);
        let key = self.identity.secure_channel_key(node.unix_time()).await?;
        let handshake = handshake::respond(node.crypto(), self.options.suite, key.public);
        let config = match &self.config {
            Some(config) if config.key.public == key.public => config.clone(),
            _ => {
                let config = Rc::new(ChannelConfig {
                    identity: self.identity.clone(),
                    options: self.options.clone(),
                    key,
                    crypto: node.crypto(),
                });
                self.config = Some(config.clone());
                config
            }
        };
        let addresses = ChannelAddresses::random();
        let (outcome, result) = async_channel::bounded::<Result<Rc<PeerInfo>>>(1);
        let life = ChannelLife::default();
        let worker = ChannelWorker::responder(
            config,
            addresses.clone(),
            handshake,
            Some(outcome),
            life.clone(),
            (slot, held),
        );
        node.start_worker(
            WorkerOptions::new(addresses.decryptor.clone()).with_alias(addresses.encryptor.clone()),
            worker,
        )?;
        // Hand the established channel to whoever waits on the listener.
        let accepted = self.accepted.clone();
        let announce_node = node.clone();
        let encryptor = addresses.encryptor.clone();
        node.spawn(async move {
            if let Ok(Ok(peer)) = result.recv().await {
                let channel = SecureChannel::new(announce_node, encryptor, peer, life);
                if accepted.try_send(channel).is_err() {
                    debug!("accepted-channel backlog full; channel not announced");
                }
            }
        });
        message.onward_route.step();
        message.onward_route.push_front(addresses.decryptor);
        ctx.forward(message).await
    }
}
