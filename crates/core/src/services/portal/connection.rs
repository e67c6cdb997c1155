//! One portal connection: the handshake (Ping from the inlet, Pong from the outlet's new
//! connection address) and then stream bytes both ways until either side disconnects.

use core::time::Duration;
use std::rc::Rc;

use futures_lite::future;
use tracing::debug;

use super::message::{MAX_PORTAL_CHUNK, PortalMessage};
use super::stream::{PortalRead, PortalWrite};
use crate::error::Result;
use crate::identity::Identifier;
use crate::routing::Route;
use crate::runtime::{self, Client, LocalMessage, Node, SecureChannelOrigin};

/// How a portal connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortalEnd {
    /// The local stream ended (the other side was sent a Disconnect).
    Local,
    /// The other side disconnected.
    Remote,
    /// The secure channel the connection ran through closed.
    ChannelClosed,
}

/// A portal connection whose handshake is done: bytes can flow.
pub struct PortalConnection {
    client: Client,
    remote: Route,
    peer: Option<Rc<SecureChannelOrigin>>,
    node: Node,
}

impl PortalConnection {
    /// The inlet side: asks the outlet at `outlet_route` (e.g. `[channel, "outlet"]`) for a
    /// connection and waits at most `timeout` for its Pong (an Ockam outlet that cannot reach
    /// its target never answers).
    pub async fn connect(node: &Node, outlet_route: Route, timeout: Duration) -> Result<Self> {
        let client = node.client()?;
        client
            .send(outlet_route, PortalMessage::Ping.encode())
            .await?;
        let pong = async {
            loop {
                let message = client.receive().await?;
                if let Ok(PortalMessage::Pong) = PortalMessage::decode(&message.payload) {
                    return Ok::<_, crate::error::Error>(message);
                }
                debug!("ignored a portal message before the outlet's Pong");
            }
        };
        let pong = runtime::timeout(node.runtime(), timeout, pong).await??;
        Ok(Self::established(node, client, pong))
    }

    /// The outlet side: answers `ping` (the inlet's first message, already checked to be a
    /// Ping) with a Pong from a new address that the inlet then talks to.
    pub async fn accept(node: &Node, ping: LocalMessage) -> Result<Self> {
        let client = node.client()?;
        client
            .send(ping.return_route.clone(), PortalMessage::Pong.encode())
            .await?;
        Ok(Self::established(node, client, ping))
    }

    fn established(node: &Node, client: Client, first: LocalMessage) -> Self {
        Self {
            client,
            remote: first.return_route,
            peer: first.local_info.secure_channel,
            node: node.clone(),
        }
    }

    /// The identity the secure channel under this connection authenticated (`None` without one).
    pub fn peer_identifier(&self) -> Option<Identifier> {
        self.peer.as_ref().map(|origin| origin.identifier)
    }

    /// Carries bytes both ways until the local stream ends, the other side disconnects or the
    /// channel closes; then closes `writer`. The local stream's end is sent as a Disconnect.
    pub async fn run(
        self,
        mut reader: impl PortalRead,
        mut writer: impl PortalWrite,
    ) -> Result<PortalEnd> {
        let Self {
            client,
            remote,
            peer,
            node,
        } = self;
        let uplink = async {
            loop {
                let bytes = match reader.read().await {
                    Ok(bytes) => bytes,
                    Err(error) => {
                        let _ = client
                            .send(remote.clone(), PortalMessage::Disconnect.encode())
                            .await;
                        return Err(error);
                    }
                };
                if bytes.is_empty() {
                    client
                        .send(remote.clone(), PortalMessage::Disconnect.encode())
                        .await?;
                    return Ok(PortalEnd::Local);
                }
                for chunk in bytes.chunks(MAX_PORTAL_CHUNK) {
                    client
                        .send(remote.clone(), PortalMessage::Payload(chunk).encode())
                        .await?;
                }
            }
        };
        let downlink = async {
            loop {
                let message = client.receive().await?;
                if !same_peer(&peer, &message) {
                    debug!("dropped a portal message from another peer");
                    continue;
                }
                match PortalMessage::decode(&message.payload) {
                    Ok(PortalMessage::Payload(bytes)) => writer.write(bytes).await?,
                    Ok(PortalMessage::Disconnect) => return Ok(PortalEnd::Remote),
                    Ok(PortalMessage::Ping | PortalMessage::Pong) => {}
                    Err(error) => debug!(%error, "dropped a malformed portal message"),
                }
            }
        };
        let channel_closed = async {
            match peer.as_ref() {
                Some(origin) => node.stopped(&origin.channel).await,
                None => future::pending::<()>().await,
            }
            Ok(PortalEnd::ChannelClosed)
        };
        let end = future::or(future::or(uplink, downlink), channel_closed).await;
        writer.close().await;
        end
    }
}

/// Whether `message` came through a channel authenticated as the connection's first message's.
fn same_peer(peer: &Option<Rc<SecureChannelOrigin>>, message: &LocalMessage) -> bool {
    match (peer, &message.local_info.secure_channel) {
        (None, None) => true,
        (Some(first), Some(this)) => first.identifier == this.identifier,
        _ => false,
    }
}

impl core::fmt::Debug for PortalConnection {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PortalConnection")
            .field("remote", &self.remote)
            .field("peer", &self.peer_identifier())
            .finish()
    }
}
