//! The established phase of a channel: what local workers send to the encryptor is sealed to the
//! peer; what the peer sends to the decryptor is opened, checked and delivered here, or ends the
//! channel (a `Close`), or refreshes the peer's credentials.

use std::rc::Rc;

use tracing::{debug, info};

use super::super::PeerInfo;
use super::super::message::ChannelMessage;
use super::super::session::{Decryptor, Encryptor};
use super::super::verify::verify_refresh;
use super::{ChannelWorker, Role};
use crate::error::{Error, Result};
use crate::routing::{NoticeBudget, Route};
use crate::runtime::{Context, LocalMessage};

/// The established phase: the two ciphers, the route to the peer, and the peer.
pub(super) struct Session {
    pub(super) encryptor: Encryptor,
    pub(super) decryptor: Decryptor,
    /// Route to the peer's decryptor.
    pub(super) remote_route: Route,
    /// Highest nonce that refreshed `remote_route` (responder side).
    pub(super) last_nonce: u64,
    /// The peer; the messages the channel delivers carry its origin.
    pub(super) peer: Rc<PeerInfo>,
    pub(super) closed_by_peer: bool,
    pub(super) notices: NoticeBudget,
}

impl ChannelWorker {
    pub(super) async fn encrypt(
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

    pub(super) async fn decrypt(
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

/// A `Close` sealed under `encryptor`, addressed along `route` to the peer's decryptor: how a
/// channel tells its peer to drop its side (when it ends, and when a responder refuses at
/// message 3).
pub(super) fn sealed_close(encryptor: &mut Encryptor, route: Route) -> Result<LocalMessage> {
    let frame = encryptor.encrypt(&ChannelMessage::Close.encode())?;
    Ok(LocalMessage::new(route, Route::new(), frame))
}
