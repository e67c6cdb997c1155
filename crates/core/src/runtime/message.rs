//! Messages inside a node: [`LocalMessage`] (routes, payload, and local metadata that never
//! leaves the node) and its conversion to and from the wire's
//! [`TransportMessage`](crate::routing::TransportMessage).

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::identity::Identifier;
use crate::routing::{Address, Notice, Route, TransportMessage};

/// A message inside a node: routes, payload and local metadata.
///
/// Only the routes and the payload ever go on the wire (as a
/// [`TransportMessage`](crate::routing::TransportMessage)); [`LocalInfo`] stays on this node.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocalMessage {
    /// Where the message is going; the front is the next hop.
    pub onward_route: Route,
    /// How to answer; the front is the most recent hop.
    pub return_route: Route,
    /// Opaque application bytes.
    pub payload: Vec<u8>,
    /// Metadata added by this node's transports and channels. Never sent.
    pub local_info: LocalInfo,
}

/// Local-only facts about how a message reached this node. Never encoded, never sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LocalInfo {
    /// The transport connection the message arrived through: the local address of that
    /// connection's sending worker. `None` for messages that started on this node.
    pub arrived_via: Option<Address>,
    /// The secure channel the message came out of, with its authenticated peer (set by the
    /// channel's decryptor).
    pub secure_channel: Option<Rc<SecureChannelOrigin>>,
    /// Set when this message is a [`Notice`]: another node could not deliver something sent
    /// from here. Such a message has an empty payload and return route.
    pub notice: Option<Notice>,
}

/// Where a message that came out of a secure channel came from: the peer the channel
/// authenticated and the channel itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecureChannelOrigin {
    /// The peer's identifier, authenticated by the handshake.
    pub identifier: Identifier,
    /// Attributes from the peer's credentials that verified against a trusted authority.
    pub attributes: BTreeMap<String, String>,
    /// Whether any presented credential verified.
    pub has_credential: bool,
    /// This node's end of the channel (its encryptor): where answers go.
    pub channel: Address,
    /// The route to the peer's node outside the channel (the transport route the channel runs
    /// over, as it was when the channel was established).
    pub node_route: Route,
}

impl LocalMessage {
    /// A message with the given routes and payload and no local metadata.
    pub fn new(onward_route: Route, return_route: Route, payload: Vec<u8>) -> Self {
        Self {
            onward_route,
            return_route,
            payload,
            local_info: LocalInfo::default(),
        }
    }

    /// Performs one routing hop: removes the next address from the onward route and pushes
    /// it onto the return route. Returns that address (`None` if the onward route was empty).
    pub fn step_forward(&mut self) -> Option<Address> {
        let hop = self.onward_route.step()?;
        self.return_route.push_front(hop.clone());
        Some(hop)
    }

    /// A notice travelling to `destination`.
    pub fn notice(destination: Route, notice: Notice) -> Self {
        let mut message = Self::new(destination, Route::new(), Vec::new());
        message.local_info.notice = Some(notice);
        message
    }

    /// Whether this message is a [`Notice`].
    pub fn is_notice(&self) -> bool {
        self.local_info.notice.is_some()
    }

    /// `notice`, sent back to whoever sent this message: along its return route. `None` for a
    /// notice (never answered) or a message without a return route.
    pub fn notice_back(&self, notice: Notice) -> Option<LocalMessage> {
        if self.is_notice() || self.return_route.is_empty() {
            return None;
        }
        Some(Self::notice(self.return_route.clone(), notice))
    }

    /// The message from its wire parts (onward route, return route, payload), by the one rule
    /// for notices: see [`into_wire_parts`](Self::into_wire_parts). No local metadata yet, but
    /// for a notice.
    pub fn from_wire_parts(onward_route: Route, return_route: Route, payload: Vec<u8>) -> Self {
        if onward_route.is_empty()
            && let Some(notice) = Notice::decode(&payload)
        {
            return LocalMessage::notice(return_route, notice);
        }
        LocalMessage::new(onward_route, return_route, payload)
    }

    /// The message's wire parts: onward route, return route, payload, dropping local
    /// metadata. The one rule for how a [`Notice`] travels, on a transport and inside a secure
    /// channel alike: as an empty onward route (Ockam's heartbeat, which nodes that know no
    /// notices drop) with its destination as the return route.
    pub fn into_wire_parts(self) -> (Route, Route, Vec<u8>) {
        match self.local_info.notice {
            Some(notice) => (Route::new(), self.onward_route, notice.encode()),
            None => (self.onward_route, self.return_route, self.payload),
        }
    }

    /// The local message a [`TransportMessage`] becomes on arrival.
    pub fn from_transport(message: TransportMessage) -> Self {
        Self::from_wire_parts(message.onward_route, message.return_route, message.payload)
    }

    /// The wire form ([`into_wire_parts`](Self::into_wire_parts)).
    pub fn into_transport(self) -> TransportMessage {
        let (onward_route, return_route, payload) = self.into_wire_parts();
        TransportMessage::new(onward_route, return_route, payload)
    }
}
