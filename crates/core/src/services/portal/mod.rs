//! Ockam's TCP portals: an inlet on one side turns each local stream into a portal connection
//! through a secure channel to an outlet, which opens a stream to its target (a private TCP
//! service) and carries the bytes both ways. Same messages and conversation as
//! `ockam_transport_tcp` 0.137, so either side may be Ockam. The local streams are the
//! drivers' ([`PortalRead`], [`PortalWrite`]); this module is the protocol.

mod connection;
mod message;
mod outlet;
mod stream;

pub use connection::{PortalConnection, PortalEnd};
pub use message::{MAX_PORTAL_CHUNK, PortalMessage};
pub use outlet::{DEFAULT_OUTLET_ADDRESS, Outlet, OutletTarget};
pub use stream::{PortalRead, PortalWrite};
