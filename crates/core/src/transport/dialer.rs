//! Transports that dial out to `host:port` or a URL. Each supplies how to dial ([`Dialer`]);
//! the [`Transport`] implementation they share reuses a connection per peer, retries per the
//! table's policy, and closes connections and listeners on shutdown.

use super::{ConnectionTable, Transport};
use crate::error::Result;
use crate::routing::{Address, TransportType};
use crate::runtime::LocalBoxFuture;
use crate::runtime::Node;

/// A transport that opens connections itself (TCP, WebSocket, WebTransport). Implementing it
/// implements [`Transport`].
pub trait Dialer: 'static {
    /// The type of the hops this transport handles.
    const TRANSPORT_TYPE: TransportType;

    /// The node the connections run on.
    fn node(&self) -> &Node;

    /// The transport's connections and listeners.
    fn connections(&self) -> &ConnectionTable;

    /// What a hop dials (`host:port`, or a URL): the key its connection is reused under.
    fn peer(&self, address: &Address) -> Result<String>;

    /// Opens a new connection to `peer` and returns its sending worker's address.
    fn dial<'a>(&'a self, peer: &'a str) -> LocalBoxFuture<'a, Result<Address>>;
}

impl<D: Dialer> Transport for D {
    fn transport_type(&self) -> TransportType {
        D::TRANSPORT_TYPE
    }

    fn resolve<'a>(&'a self, address: &'a Address) -> LocalBoxFuture<'a, Result<Address>> {
        Box::pin(async move {
            let peer = self.peer(address)?;
            self.connections()
                .get_or_connect(self.node(), &peer, || self.dial(&peer))
                .await
        })
    }

    fn shutdown(&self) {
        self.connections().close_all(self.node());
    }
}
