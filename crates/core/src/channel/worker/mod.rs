//! The worker behind one secure channel, on either side: it runs the handshake, then encrypts
//! what local workers send to its `encryptor` address and decrypts what the peer sends to its
//! `decryptor` address.
//!
//! Addresses (both random): `decryptor` (primary; the peer's messages arrive here, handshake
//! and channel messages alike) and `encryptor` (local senders route through it). A message
//! that arrived over a transport is never accepted at `encryptor`: a remote party must not be
//! able to make this node encrypt on its behalf.

mod established;
mod handshake;
mod route_watch;

use core::cell::RefCell;
use core::mem;
use std::rc::Rc;

use async_channel::Sender;
use tracing::{debug, warn};

use super::admission::{ChannelSlot, HandshakeSlot};
use super::handshake::{
    InitiatorAwaitingMessage2, ResponderAwaitingMessage1, ResponderAwaitingMessage3,
};
use super::setup::{ChannelAddresses, ChannelConfig, ChannelLife, Outcome};
use super::{ChannelEvent, PeerInfo};
use crate::error::{Error, Result};
use crate::routing::{Address, Route};
use crate::runtime::{CloseCause, Context, LocalMessage, NodeEvent, StopWatch, Worker};
use crate::vault::EphemeralKey;
use established::{Session, sealed_close};

/// Which side of the handshake a channel's worker plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Initiator,
    Responder,
}

// A channel spends its life `Established`: boxing that state would only add an allocation and
// a pointer to every idle channel.
#[allow(clippy::large_enum_variant)]
enum State {
    /// Between states, or after a failure.
    Done,
    /// The initiator's state and its ephemeral key.
    InitiatorAwaiting2(InitiatorAwaitingMessage2, Box<dyn EphemeralKey>),
    ResponderAwaiting1(ResponderAwaitingMessage1),
    /// The responder's state, its ephemeral key and the route back to the initiator.
    ResponderAwaiting3(ResponderAwaitingMessage3, Box<dyn EphemeralKey>, Route),
    Established(Session),
}

pub(crate) struct ChannelWorker {
    role: Role,
    config: Rc<ChannelConfig>,
    addresses: ChannelAddresses,
    state: State,
    outcome: Option<Outcome>,
    /// Dropped when the handshake ends either way, which cancels the responder's timer.
    watchdog: Option<Sender<()>>,
    /// The responder's place among its listener's handshakes in progress, given back when
    /// the handshake ends either way (it moves to the timer's task).
    slot: Option<HandshakeSlot>,
    /// The responder's place among the channels its listener holds, for the worker's life.
    _held: Option<ChannelSlot>,
    /// The hops of the route to the peer that run on this node (a connection, usually): when
    /// one stops, the channel can no longer reach the peer and closes.
    watched: Rc<RefCell<Vec<Address>>>,
    /// The callbacks watching those hops, taken back when the channel ends (a connection
    /// that outlives many channels must not keep a callback for each).
    watches: RefCell<Vec<(Address, StopWatch)>>,
    life: ChannelLife,
    /// The peer, once established (kept apart from the state, which a worker stopped
    /// mid-message may not have put back).
    peer: Option<crate::identity::Identifier>,
}

impl ChannelWorker {
    pub(crate) fn initiator(
        config: Rc<ChannelConfig>,
        addresses: ChannelAddresses,
        (handshake, ephemeral): (InitiatorAwaitingMessage2, Box<dyn EphemeralKey>),
        outcome: Outcome,
        life: ChannelLife,
    ) -> Self {
        Self {
            role: Role::Initiator,
            config,
            addresses,
            state: State::InitiatorAwaiting2(handshake, ephemeral),
            outcome: Some(outcome),
            watchdog: None,
            slot: None,
            _held: None,
            watched: Rc::default(),
            watches: RefCell::default(),
            life,
            peer: None,
        }
    }

    pub(crate) fn responder(
        config: Rc<ChannelConfig>,
        addresses: ChannelAddresses,
        handshake: ResponderAwaitingMessage1,
        outcome: Option<Outcome>,
        life: ChannelLife,
        (slot, held): (HandshakeSlot, ChannelSlot),
    ) -> Self {
        Self {
            role: Role::Responder,
            config,
            addresses,
            state: State::ResponderAwaiting1(handshake),
            outcome,
            watchdog: None,
            slot: Some(slot),
            _held: Some(held),
            watched: Rc::default(),
            watches: RefCell::default(),
            life,
            peer: None,
        }
    }

    fn report(&mut self, outcome: Result<Rc<PeerInfo>>) {
        if let Some(sender) = self.outcome.take() {
            let _ = sender.try_send(outcome);
        }
    }

    /// Tears the channel down after a handshake failure and reports the typed error.
    fn fail(&mut self, ctx: &Context, error: Error) -> Result<()> {
        if self.role == Role::Responder {
            // A peer's doing: counted, and logged within the node's budget for such lines.
            ctx.node().peer_metrics().handshakes_failed.increment();
            ctx.node().log_bad_peer(|suppressed| {
                warn!(%error, code = error.code(), role = ?self.role, suppressed, "secure channel handshake failed");
            });
        } else {
            warn!(%error, code = error.code(), role = ?self.role, "secure channel handshake failed");
        }
        self.config
            .options
            .notify(ChannelEvent::Failed { code: error.code() });
        self.report(Err(error.clone()));
        ctx.stop();
        Err(error)
    }
}

impl Drop for ChannelWorker {
    fn drop(&mut self) {
        // Ended already unless the worker's task was dropped unfinished (its runtime went).
        self.life.ending.end(CloseCause::NodeShutDown);
    }
}

/// How long a closing channel waits for room to tell its peer.
const CLOSE_SEND_TIMEOUT: core::time::Duration = core::time::Duration::from_secs(5);

impl Worker for ChannelWorker {
    const ACCEPTS_NOTICES: bool = true;

    async fn initialize(&mut self, ctx: &mut Context) -> Result<()> {
        if self.role == Role::Responder {
            // The initiator has its own timeout; the responder tears down a handshake that
            // does not finish in time (a peer that vanished mid-handshake). The timer is
            // cancelled as soon as the handshake ends, so it keeps no event loop alive.
            let (watchdog, finished) = async_channel::bounded::<()>(1);
            self.watchdog = Some(watchdog);
            let node = ctx.node().clone();
            let decryptor = self.addresses.decryptor.clone();
            let limit = self.config.options.timeout;
            let slot = self.slot.take();
            ctx.node().spawn(async move {
                let _slot = slot;
                let expired = futures_lite::future::or(
                    async {
                        node.sleep(limit).await;
                        true
                    },
                    async {
                        let _ = finished.recv().await;
                        false
                    },
                )
                .await;
                if expired && node.stop_worker(&decryptor).is_ok() {
                    node.peer_metrics().handshakes_expired.increment();
                    debug!(%decryptor, "responder handshake timed out");
                }
            });
        }
        Ok(())
    }

    async fn handle_message(&mut self, ctx: &mut Context, message: LocalMessage) -> Result<()> {
        let to_encryptor = message.onward_route.next() == Some(&self.addresses.encryptor);
        if !to_encryptor && let Some(notice) = &message.local_info.notice {
            // Another node could not deliver our handshake: the route leads nowhere.
            if let State::InitiatorAwaiting2(..) = self.state {
                self.state = State::Done;
                return self.fail(ctx, Error::from_notice(notice));
            }
            debug!(code = notice.code(), "ignored a notice at the decryptor");
            return Ok(());
        }
        match (mem::replace(&mut self.state, State::Done), to_encryptor) {
            (State::Established(mut session), true) => {
                let result = self.encrypt(ctx, &mut session, message).await;
                self.state = State::Established(session);
                result
            }
            (State::Established(mut session), false) => {
                let result = self.decrypt(ctx, &mut session, message).await;
                if let Err(error) = &result {
                    debug!(%error, "dropped a channel message");
                }
                self.state = State::Established(session);
                result
            }
            (state, true) => {
                self.state = state;
                Err(Error::Handshake("channel not established yet"))
            }
            (State::InitiatorAwaiting2(handshake, ephemeral), false) => {
                let via = message.local_info.arrived_via.clone();
                match self
                    .on_message_2(ctx, (handshake, ephemeral), message)
                    .await
                {
                    Ok(session) => {
                        self.established(ctx, session, via);
                        Ok(())
                    }
                    Err(error) => self.fail(ctx, error),
                }
            }
            (State::ResponderAwaiting1(handshake), false) => {
                match self.on_message_1(ctx, handshake, message).await {
                    Ok(next) => {
                        self.state = next;
                        Ok(())
                    }
                    Err(error) => self.fail(ctx, error),
                }
            }
            (State::ResponderAwaiting3(handshake, ephemeral, remote_route), false) => {
                let via = message.local_info.arrived_via.clone();
                match self
                    .on_message_3(ctx, (handshake, ephemeral), remote_route, message)
                    .await
                {
                    Ok(session) => {
                        self.established(ctx, session, via);
                        Ok(())
                    }
                    Err(error) => self.fail(ctx, error),
                }
            }
            (State::Done, false) => Ok(()),
        }
    }

    async fn shutdown(&mut self, ctx: &mut Context) {
        self.watchdog = None;
        for (_, watch) in self.watches.get_mut().drain(..) {
            watch.cancel();
        }
        self.report(Err(Error::Handshake(
            "channel stopped before it was established",
        )));
        let closed_by_peer = matches!(&self.state, State::Established(s) if s.closed_by_peer);
        let cause = if closed_by_peer {
            CloseCause::Peer
        } else if ctx.node().is_shut_down() {
            CloseCause::NodeShutDown
        } else {
            self.life.ending.expected().unwrap_or(CloseCause::Local)
        };
        if let State::Established(session) = &mut self.state
            && !closed_by_peer
        {
            // Tell the peer to drop its side (or it keeps it until its connection goes, which
            // over a relay may be never). Without holding up the close: when the connection
            // has no room now (many channels closing at once), a task waits for room, for a
            // bounded time.
            if let Ok(close) = sealed_close(&mut session.encryptor, session.remote_route.clone()) {
                match ctx.node().try_route(close.clone()).await {
                    Err(Error::MailboxFull(_)) => {
                        let node = ctx.node().clone();
                        ctx.node().spawn(async move {
                            let sending = node.route(close);
                            match crate::runtime::timeout(
                                node.runtime(),
                                CLOSE_SEND_TIMEOUT,
                                sending,
                            )
                            .await
                            {
                                Ok(Ok(())) => {}
                                Ok(Err(error)) | Err(error) => {
                                    debug!(%error, "could not send Close")
                                }
                            }
                        });
                    }
                    Err(error) => debug!(%error, "could not send Close"),
                    Ok(()) => {}
                }
            }
        }
        self.life.ending.end(cause.clone());
        if let Some(peer) = self.peer {
            ctx.node().emit(NodeEvent::ChannelClosed {
                address: self.addresses.encryptor.clone(),
                peer,
                cause,
            });
        }
    }
}
