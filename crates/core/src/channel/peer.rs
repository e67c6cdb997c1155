//! What a secure channel established about its peer.

use std::rc::Rc;

use super::CipherSuite;
use crate::abac::Subject;
use crate::identity::VerifiedIdentity;
use crate::runtime::SecureChannelOrigin;

/// What a secure channel established about its peer. What every message the channel
/// delivers carries (in [`LocalInfo`](crate::runtime::LocalInfo)) is its
/// [`origin`](Self::origin), shared, not copied; its fields read through `PeerInfo` too
/// (`peer.identifier`, `peer.attributes`, ...). Used by access policies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerInfo {
    /// The peer's identifier and attributes, this node's end of the channel and the route
    /// to the peer's node: what delivered messages point to.
    pub origin: Rc<SecureChannelOrigin>,
    /// The peer's verified identity (its change history), as of the handshake or the latest
    /// credential refresh: what credentials the peer issues verify against.
    pub identity: VerifiedIdentity,
    /// The channel's cipher suite.
    pub suite: CipherSuite,
}

impl core::ops::Deref for PeerInfo {
    type Target = SecureChannelOrigin;

    fn deref(&self) -> &SecureChannelOrigin {
        &self.origin
    }
}

impl PeerInfo {
    /// The peer as an ABAC subject.
    pub fn subject(&self) -> Subject {
        Subject {
            identifier: Some(self.identifier),
            attributes: self.attributes.clone(),
            has_credential: self.has_credential,
        }
    }
}
