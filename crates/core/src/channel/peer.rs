use std::collections::BTreeMap;

use super::CipherSuite;
use crate::abac::Subject;
use crate::identity::{Identifier, VerifiedIdentity};
use crate::routing::{Address, Route};
use crate::runtime::SecureChannelOrigin;

/// What a secure channel established about its peer. Attached to every message the channel
/// delivers (in [`LocalInfo`](crate::runtime::LocalInfo)) and used by access policies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerInfo {
    /// The peer's identifier, authenticated by the handshake.
    pub identifier: Identifier,
    /// The peer's verified identity (its change history), as of the handshake or the latest
    /// credential refresh: what credentials the peer issues verify against.
    pub identity: VerifiedIdentity,
    /// Attributes from the peer's credentials that verified against a trusted authority.
    pub attributes: BTreeMap<String, String>,
    /// Whether any presented credential verified.
    pub has_credential: bool,
    /// This node's encryptor address for the channel (where answers go).
    pub channel: Address,
    /// The channel's cipher suite.
    pub suite: CipherSuite,
    /// The route to the peer's node outside the channel: the transport route the channel
    /// runs over, as it was when the channel was established (empty for a peer on this
    /// node). A relay registered through the channel forwards along it.
    pub node_route: Route,
}

impl PeerInfo {
    /// What messages out of the channel carry about it (`LocalInfo::secure_channel`).
    pub fn origin(&self) -> SecureChannelOrigin {
        SecureChannelOrigin {
            identifier: self.identifier,
            attributes: self.attributes.clone(),
            has_credential: self.has_credential,
            channel: self.channel.clone(),
            node_route: self.node_route.clone(),
        }
    }

    /// The peer as an ABAC subject.
    pub fn subject(&self) -> Subject {
        Subject {
            identifier: Some(self.identifier),
            attributes: self.attributes.clone(),
            has_credential: self.has_credential,
        }
    }
}
