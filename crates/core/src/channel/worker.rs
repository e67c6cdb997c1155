//! The worker behind one secure channel, on either side: it runs the handshake, then encrypts
//! what local workers send to its `encryptor` address and decrypts what the peer sends to its
//! `decryptor` address.
//!
//! Addresses (both random): `decryptor` (primary; the peer's messages arrive here, handshake
//! and channel messages alike) and `encryptor` (local senders route through it). A message
//! that arrived over a transport is never accepted at `encryptor`: a remote party must not be
//! able to make this node encrypt on its behalf.

use core::cell::RefCell;
use core::mem;
use std::rc::Rc;

use async_channel::Sender;
use futures_lite::future::zip;
use tracing::{debug, info, warn};

use super::handshake::{
    HandshakeResult, InitiatorAwaitingMessage2, ResponderAwaitingMessage1,
    ResponderAwaitingMessage3,
};
use super::listener::{ChannelSlot, HandshakeSlot};
use super::message::ChannelMessage;
use super::session::{Decryptor, Encryptor};
use super::verify::{verify_peer, verify_refresh};
use super::{ChannelEvent, PeerInfo, SecureChannelOptions};
use crate::error::{Error, Result};
use crate::identity::{Identity, IdentityAndCredentials, SecureChannelKey};
use crate::routing::NoticeBudget;
use crate::routing::{Address, Route};
use crate::runtime::LocalMessage;
use crate::runtime::{CloseCause, Context, Ending, NodeEvent, StopWatch, TrafficCounter, Worker};
use crate::vault::{CryptoProvider, EphemeralKey, SharedSecret, X25519PublicKey};

/// Everything a channel worker needs to know about its own side.
pub(crate) struct ChannelConfig {
    pub(crate) identity: Identity,
    pub(crate) options: SecureChannelOptions,
    pub(crate) key: SecureChannelKey,
    /// The node's crypto provider.
    pub(crate) crypto: Rc<dyn CryptoProvider>,
}

impl ChannelConfig {
    fn own_payload(&self) -> Vec<u8> {
        IdentityAndCredentials {
            change_history: self.identity.change_history(),
            purpose_key_attestation: self.key.attestation.clone(),
            credentials: self
                .options
                .credentials
                .clone()
                .unwrap_or_else(|| self.identity.credentials()),
        }
        .encode()
    }
}

/// How long a closing channel waits for room to tell its peer.
const CLOSE_SEND_TIMEOUT: core::time::Duration = core::time::Duration::from_secs(5);

/// The two addresses of a channel.
#[derive(Debug, Clone)]
pub(crate) struct ChannelAddresses {
    pub(crate) decryptor: Address,
    pub(crate) encryptor: Address,
}

impl ChannelAddresses {
    pub(crate) fn random() -> Self {
        Self {
            decryptor: Address::random_local(),
            encryptor: Address::random_local(),
        }
    }
}

/// What a channel's handles share with its worker: how it ended, and its traffic.
#[derive(Clone, Default)]
pub(crate) struct ChannelLife {
    pub(crate) ending: Ending,
    pub(crate) traffic: TrafficCounter,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Initiator,
    Responder,
}

struct Session {
    encryptor: Encryptor,
    decryptor: Decryptor,
    /// Route to the peer's decryptor.
    remote_route: Route,
    /// Highest nonce that refreshed `remote_route` (responder side).
    last_nonce: u64,
    /// The peer; the messages the channel delivers carry its origin.
    peer: Rc<PeerInfo>,
    closed_by_peer: bool,
    notices: NoticeBudget,
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

/// Reported once: the established peer or why the handshake failed.
pub(crate) type Outcome = Sender<Result<Rc<PeerInfo>>>;

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

    fn establish(
        &mut self,
        remote_route: Route,
        keys: HandshakeResult,
        mut peer: PeerInfo,
    ) -> Session {
        let origin = Rc::make_mut(&mut peer.origin);
        origin.node_route = remote_route.clone();
        origin.node_route.pop_back();
        let suite = self.config.options.suite;
        info!(peer = %peer.identifier, role = ?self.role, suite = suite.name(), "secure channel established");
        self.watchdog = None;
        // The channel's handle shares the peer with the session.
        let peer = Rc::new(peer);
        self.report(Ok(peer.clone()));
        Session {
            encryptor: Encryptor::new(self.config.crypto.clone(), suite, &keys.send_key),
            decryptor: Decryptor::new(self.config.crypto.clone(), suite, &keys.receive_key),
            remote_route,
            last_nonce: 0,
            peer,
            closed_by_peer: false,
            notices: NoticeBudget::default(),
        }
    }

    /// Closes the channel when a hop of `route` that runs on this node stops — the
    /// connection `via` which the peer's messages arrive, or a hop before it: the peer is out
    /// of reach, and senders should learn it now rather than from a timeout. Hops after that
    /// connection are the peer's; without a connection (a peer on this node) only the first
    /// hop is watched.
    fn watch_route(&self, ctx: &Context, route: &Route, via: Option<&Address>) {
        let own = [&self.addresses.decryptor, &self.addresses.encryptor];
        let mut hops = Vec::new();
        for hop in route.iter() {
            if hop.is_local() && !own.contains(&hop) && ctx.node().has_address(hop) {
                hops.push(hop.clone());
            }
            if via.is_none_or(|connection| connection == hop) {
                break;
            }
        }
        if *self.watched.borrow() == hops {
            return;
        }
        // Hops no longer on the route are no longer watched.
        let unwatched: Vec<StopWatch> = {
            let mut watches = self.watches.borrow_mut();
            let (kept, gone): (Vec<_>, Vec<_>) =
                watches.drain(..).partition(|(hop, _)| hops.contains(hop));
            *watches = kept;
            gone.into_iter().map(|(_, watch)| watch).collect()
        };
        unwatched.into_iter().for_each(StopWatch::cancel);
        for hop in &hops {
            if self.watched.borrow().contains(hop) {
                continue;
            }
            let (node, decryptor, watched, ending) = (
                ctx.node().clone(),
                self.addresses.decryptor.clone(),
                self.watched.clone(),
                self.life.ending.clone(),
            );
            let stopped = hop.clone();
            let watching = ctx.node().on_worker_stopped(hop, move || {
                if watched.borrow().contains(&stopped) {
                    info!(hop = %stopped, "a hop of the channel's route stopped; closing the channel");
                    ending.expect(CloseCause::ConnectionLost);
                    let _ = node.stop_worker(&decryptor);
                }
            });
            match watching {
                Ok(watch) => self.watches.borrow_mut().push((hop.clone(), watch)),
                Err(_) => debug!(%hop, "a hop of the channel's route is not a worker here"),
            }
        }
        *self.watched.borrow_mut() = hops;
    }

    /// Enters the established state: watches the connection, tells the node's observer.
    fn established(&mut self, ctx: &Context, session: Session, via: Option<Address>) {
        self.watch_route(ctx, &session.remote_route, via.as_ref());
        self.peer = Some(session.peer.identifier);
        ctx.node().emit(NodeEvent::ChannelEstablished {
            address: self.addresses.encryptor.clone(),
            peer: session.peer.identifier,
        });
        self.state = State::Established(session);
    }

    fn notify_received(&self, number: u8, message: &LocalMessage) {
        self.config.options.notify(ChannelEvent::HandshakeReceived {
            number,
            bytes: message.payload.len(),
        });
    }

    fn notify_verified(&self, peer: &PeerInfo) {
        self.config.options.notify(ChannelEvent::PeerVerified {
            identifier: peer.identifier,
        });
    }

    async fn static_dh(&self, remote_ephemeral: &X25519PublicKey) -> Result<SharedSecret> {
        self.config
            .identity
            .vault()
            .x25519(&self.config.key.key, remote_ephemeral)
            .await
    }

    /// Message 1: makes this side's ephemeral key beside `es`, then `ee`, and answers.
    async fn on_message_1(
        &self,
        ctx: &Context,
        handshake: ResponderAwaitingMessage1,
        message: LocalMessage,
    ) -> Result<State> {
        let next = handshake.read_message_1(&message.payload)?;
        self.notify_received(1, &message);
        let re = *next.remote_ephemeral();
        let (ephemeral, es) = zip(self.config.crypto.ephemeral_key(), self.static_dh(&re)).await;
        let ephemeral = ephemeral?;
        let ee = ephemeral.diffie_hellman(&re).await?;
        let (next, message_2) =
            next.write_message_2(ephemeral.public_key(), ee, es?, &self.config.own_payload())?;
        let bytes = message_2.len();
        ctx.send(message.return_route.clone(), message_2).await?;
        self.config
            .options
            .notify(ChannelEvent::HandshakeSent { number: 2, bytes });
        Ok(State::ResponderAwaiting3(
            next,
            ephemeral,
            message.return_route,
        ))
    }

    /// Message 2: `ee` beside `se` (both with the responder's ephemeral key), then `es`;
    /// verifies the responder and answers with message 3.
    async fn on_message_2(
        &mut self,
        ctx: &Context,
        (handshake, ephemeral): (InitiatorAwaitingMessage2, Box<dyn EphemeralKey>),
        message: LocalMessage,
    ) -> Result<Session> {
        let next = handshake.read_message_2(&message.payload)?;
        let re = *next.remote_ephemeral();
        let (ee, se) = zip(ephemeral.diffie_hellman(&re), self.static_dh(&re)).await;
        let next = next.mix_ee(ee?)?;
        let es = ephemeral.diffie_hellman(next.remote_static()).await?;
        drop(ephemeral);
        let (next, payload) = next.mix_es(es)?;
        self.notify_received(2, &message);
        let peer = verify_peer(
            ctx.node(),
            &self.config.options,
            &payload,
            next.remote_static(),
            &self.addresses.encryptor,
        )
        .await?;
        self.notify_verified(&peer);
        let (message_3, keys) = next.write_message_3(se?, &self.config.own_payload())?;
        let bytes = message_3.len();
        ctx.send(message.return_route.clone(), message_3).await?;
        self.config
            .options
            .notify(ChannelEvent::HandshakeSent { number: 3, bytes });
        Ok(self.establish(message.return_route, keys, peer))
    }

    /// Message 3: `se`, then verifies the initiator.
    async fn on_message_3(
        &mut self,
        ctx: &Context,
        (handshake, ephemeral): (ResponderAwaitingMessage3, Box<dyn EphemeralKey>),
        remote_route: Route,
        message: LocalMessage,
    ) -> Result<Session> {
        let next = handshake.read_message_3(&message.payload)?;
        let se = ephemeral.diffie_hellman(next.remote_static()).await?;
        drop(ephemeral);
        let (keys, payload) = next.mix_se(se)?;
        self.notify_received(3, &message);
        let verified = verify_peer(
            ctx.node(),
            &self.config.options,
            &payload,
            &keys.remote_static,
            &self.addresses.encryptor,
        )
        .await;
        let peer = match verified {
            Ok(peer) => peer,
            Err(error) => {
                self.refuse_at_message_3(ctx, &keys, remote_route).await;
                return Err(error);
            }
        };
        self.notify_verified(&peer);
        Ok(self.establish(remote_route, keys, peer))
    }

    /// Tells an initiator this side refuses (its identity, credentials or policy did not pass)
    /// with a Close under the channel's new keys, the way an established channel ends: its
    /// side learns it at once (`CloseCause::Peer`) instead of from a timeout. Only after message
    /// 3 authenticated, so only the initiator that holds those keys can read it. Never waits.
    async fn refuse_at_message_3(&self, ctx: &Context, keys: &HandshakeResult, route: Route) {
        let suite = self.config.options.suite;
        let mut encryptor = Encryptor::new(self.config.crypto.clone(), suite, &keys.send_key);
        match sealed_close(&mut encryptor, route) {
            Ok(close) => {
                if let Err(error) = ctx.node().try_route(close).await {
                    debug!(%error, "could not send the refusal's Close");
                }
            }
            Err(error) => debug!(%error, "could not seal the refusal's Close"),
        }
    }

    async fn encrypt(
        &self,
        ctx: &Context,
        session: &mut Session,
        mut message: LocalMessage,
    ) -> Result<()> {
        if message.local_info.arrived_via.is_some() {
            debug!("refusing to encrypt a message that arrived over a transport");
            return Err(Error::AccessDenied(self.addresses.encryptor.clone()));
        }
        message.onward_route.step();
        self.life.traffic.sent(message.payload.len());
        let (onward_route, return_route, payload) = message.into_wire_parts();
        let inner = ChannelMessage::Payload {
            onward_route,
            return_route,
            payload,
        };
        let frame = session
            .encryptor
            .seal_with(inner.size_hint(), |buffer| inner.encode_into(buffer))
            .await?;
        ctx.forward(LocalMessage::new(
            session.remote_route.clone(),
            Route::new(),
            frame,
        ))
        .await
    }

    async fn decrypt(
        &self,
        ctx: &Context,
        session: &mut Session,
        message: LocalMessage,
    ) -> Result<()> {
        let (nonce, plaintext) = session.decryptor.open(message.payload).await?;
        match ChannelMessage::decode(&plaintext)? {
            ChannelMessage::Payload {
                onward_route,
                return_route,
                payload,
            } => {
                self.life.traffic.received(payload.len());
                // A responder follows an initiator that moves (Ockam's rule): the newest
                // message's outer return route leads to the peer's decryptor.
                if self.role == Role::Responder && nonce > session.last_nonce {
                    if let Some(peer_decryptor) = session.remote_route.recipient().cloned() {
                        let mut route = message.return_route.clone();
                        route.push_back(peer_decryptor);
                        session.remote_route = route;
                        self.watch_route(
                            ctx,
                            &session.remote_route,
                            message.local_info.arrived_via.as_ref(),
                        );
                    }
                    session.last_nonce = nonce;
                }
                let mut inner = LocalMessage::from_wire_parts(onward_route, return_route, payload);
                // A notice travels to its destination as it is; anything else needs somewhere
                // to go, and its answers come back through this channel.
                if !inner.is_notice() {
                    if inner.onward_route.is_empty() {
                        return Ok(());
                    }
                    inner
                        .return_route
                        .push_front(self.addresses.encryptor.clone());
                }
                inner.local_info.secure_channel = Some(session.peer.origin.clone());
                // A message the peer sent that cannot be delivered here is answered with a
                // notice through this channel (a notice is never answered).
                if let Err(error) = ctx
                    .node()
                    .route_or_notify(inner, &mut session.notices)
                    .await
                {
                    debug!(%error, "could not deliver a decrypted message");
                }
                Ok(())
            }
            ChannelMessage::Close => {
                info!(peer = %session.peer.identifier, "peer closed the secure channel");
                session.closed_by_peer = true;
                ctx.stop();
                Ok(())
            }
            ChannelMessage::RefreshCredentials {
                change_history,
                credentials,
            } => {
                let now = ctx.node().unix_time();
                let peer = verify_refresh(
                    ctx.node(),
                    &self.config.options,
                    &session.peer,
                    change_history,
                    &credentials,
                    now,
                )
                .await?;
                session.peer = Rc::new(peer);
                Ok(())
            }
        }
    }
}

impl Drop for ChannelWorker {
    fn drop(&mut self) {
        // Ended already unless the worker's task was dropped unfinished (its runtime went).
        self.life.ending.end(CloseCause::NodeShutDown);
    }
}

/// A `Close` sealed under `encryptor`, addressed along `route` to the peer's decryptor: how a
/// channel tells its peer to drop its side (when it ends, and when a responder refuses at
/// message 3).
fn sealed_close(encryptor: &mut Encryptor, route: Route) -> Result<LocalMessage> {
    let frame = encryptor.encrypt(&ChannelMessage::Close.encode())?;
    Ok(LocalMessage::new(route, Route::new(), frame))
}

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
