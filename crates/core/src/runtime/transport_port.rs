//! The router's port to transports: the runtime defines what it needs of a transport, the
//! transport layer above implements it (so the runtime never imports a transport).

use crate::base::LocalBoxFuture;
use crate::error::Result;
use crate::routing::{Address, TransportType};

/// A way to reach other nodes, registered with [`Node::register_transport`](crate::runtime::Node).
pub trait Transport: 'static {
    /// The transport type of the addresses this transport handles.
    fn transport_type(&self) -> TransportType;

    /// Connects to (or reuses a connection to) `address` and returns the local address of the
    /// worker that sends over that connection. The node remembers the answer: later messages
    /// to `address` go to that worker without asking again, for as long as it runs.
    fn resolve<'a>(&'a self, address: &'a Address) -> LocalBoxFuture<'a, Result<Address>>;

    /// Closes every connection and listener. Called by [`Node::shutdown`](crate::runtime::Node).
    fn shutdown(&self) {}
}
