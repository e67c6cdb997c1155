use std::rc::Rc;

use super::{Address, Notice, Route};
use crate::Error;
use crate::channel::PeerInfo;

/// A message inside a node: routes, payload and local metadata.
///
/// Only the routes and the payload ever go on the wire (as a
/// [`TransportMessage`](super::TransportMessage)); [`LocalInfo`] stays on this node.
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
    /// The authenticated peer, for messages that came out of a secure channel's decryptor.
    pub secure_channel: Option<Rc<PeerInfo>>,
    /// Set when this message is a [`Notice`]: another node could not deliver something sent
    /// from here. Such a message has an empty payload and return route.
    pub notice: Option<Notice>,
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

    /// The notice that tells this message's sender it failed with `error`: along its return
    /// route. `None` for a notice (never answered) or a message without a return route.
    pub fn notice_of_failure(&self, error: &Error) -> Option<LocalMessage> {
        if self.is_notice() || self.return_route.is_empty() {
            return None;
        }
        Some(Self::notice(
            self.return_route.clone(),
            Notice::from_error(error),
        ))
    }

    /// The answer to this message: onward along its return route, returning to `from`.
    pub fn reply(&self, from: Address, payload: Vec<u8>) -> LocalMessage {
        LocalMessage::new(self.return_route.clone(), Route::from(from), payload)
    }
}
