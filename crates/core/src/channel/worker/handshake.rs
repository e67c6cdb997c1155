//! A channel's handshake, driven by its worker: message 1 and 3 on the responder's side, 2 on
//! the initiator's, each with its Diffie-Hellman steps, the verification of the peer, and the
//! move to the established phase. The handshake's state machines themselves
//! (`channel::handshake`) do no IO; this is where their messages are sent and received.

use std::rc::Rc;

use futures_lite::future::zip;
use tracing::{debug, info};

use super::super::handshake::{
    HandshakeResult, InitiatorAwaitingMessage2, ResponderAwaitingMessage1,
    ResponderAwaitingMessage3,
};
use super::super::session::{Decryptor, Encryptor};
use super::super::verify::verify_peer;
use super::super::{ChannelEvent, PeerInfo};
use super::established::{Session, sealed_close};
use super::{ChannelWorker, State};
use crate::error::Result;
use crate::routing::{Address, NoticeBudget, Route};
use crate::runtime::{Context, LocalMessage, NodeEvent};
use crate::vault::{EphemeralKey, SharedSecret, X25519PublicKey};

impl ChannelWorker {
    pub(super) fn establish(
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

    /// Enters the established state: watches the connection, tells the node's observer.
    pub(super) fn established(&mut self, ctx: &Context, session: Session, via: Option<Address>) {
        self.watch_route(ctx, &session.remote_route, via.as_ref());
        self.peer = Some(session.peer.identifier);
        ctx.node().emit(NodeEvent::ChannelEstablished {
            address: self.addresses.encryptor.clone(),
            peer: session.peer.identifier,
        });
        self.state = State::Established(session);
    }

    pub(super) fn notify_received(&self, number: u8, message: &LocalMessage) {
        self.config.options.notify(ChannelEvent::HandshakeReceived {
            number,
            bytes: message.payload.len(),
        });
    }

    pub(super) fn notify_verified(&self, peer: &PeerInfo) {
        self.config.options.notify(ChannelEvent::PeerVerified {
            identifier: peer.identifier,
        });
    }

    pub(super) async fn static_dh(
        &self,
        remote_ephemeral: &X25519PublicKey,
    ) -> Result<SharedSecret> {
        self.config
            .identity
            .vault()
            .x25519(&self.config.key.key, remote_ephemeral)
            .await
    }

    /// Message 1: makes this side's ephemeral key beside `es`, then `ee`, and answers.
    pub(super) async fn on_message_1(
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
    pub(super) async fn on_message_2(
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
    pub(super) async fn on_message_3(
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
    pub(super) async fn refuse_at_message_3(
        &self,
        ctx: &Context,
        keys: &HandshakeResult,
        route: Route,
    ) {
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
}
