//! The one transport for everything that dials sockets (TCP, WebSocket, WebTransport, native
//! or in a browser): it owns the node, the connection table (reuse, one dial per peer at a
//! time, shutdown), the retry policy and the pinned certificates. A platform supplies only a
//! [`Driver`]: how a hop names a peer, and how to open a socket to it.

use core::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use super::connection::{ConnectionHandle, FrameCodec, FrameSink, FrameSource};
use super::{ConnectionTable, RetryPolicy, Transport};
use crate::base::LocalBoxFuture;
use crate::error::Result;
use crate::routing::{Address, TransportType};
use crate::runtime::{CloseCause, Node, NodeEvent};
use tracing::debug;

/// What a platform supplies for one kind of socket.
#[allow(async_fn_in_trait)] // single-threaded by design
pub trait Driver: 'static {
    /// The type of the hops this transport handles.
    const TRANSPORT_TYPE: TransportType;
    /// The writing half of a socket.
    type Sink: FrameSink;
    /// The reading half of a socket.
    type Source: FrameSource;
    /// How frames carry messages on this socket.
    type Codec: FrameCodec;

    /// The framing of a new connection.
    fn codec(&self) -> Self::Codec;

    /// What a hop dials (`host:port`, or a URL): the key its connection is reused under.
    fn peer(&self, address: &Address) -> Result<String>;

    /// Opens a socket to `peer` (checking its certificate against `pins` where the transport
    /// has certificates).
    async fn dial(&self, peer: &str, pins: &CertificatePins) -> Result<(Self::Sink, Self::Source)>;
}

/// Servers trusted by the SHA-256 of their certificate, by `host:port` (WebTransport servers
/// with self-signed certificates). Cheap to clone (shared).
#[derive(Debug, Clone, Default)]
pub struct CertificatePins(Rc<RefCell<HashMap<String, [u8; 32]>>>);

impl CertificatePins {
    /// Trusts the server at `host_port` if and only if its certificate has this SHA-256.
    pub fn pin(&self, host_port: &str, sha256: [u8; 32]) {
        self.0.borrow_mut().insert(host_port.to_owned(), sha256);
    }

    /// The hash pinned for `host_port`.
    pub fn get(&self, host_port: &str) -> Option<[u8; 32]> {
        self.0.borrow().get(host_port).copied()
    }
}

/// A dialling transport: a [`Driver`] plus everything every such transport shares. Cheap to
/// clone (shared); [`Dialing::create`] registers it with its node.
pub struct Dialing<D: Driver> {
    inner: Rc<Inner<D>>,
}

struct Inner<D> {
    node: Node,
    driver: D,
    connections: ConnectionTable,
    pins: CertificatePins,
}

impl<D: Driver> Clone for Dialing<D> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

impl<D: Driver> Dialing<D> {
    /// The transport of `driver`, registered with `node`.
    pub fn create(node: &Node, driver: D) -> Result<Self> {
        let transport = Self {
            inner: Rc::new(Inner {
                node: node.clone(),
                driver,
                connections: ConnectionTable::default(),
                pins: CertificatePins::default(),
            }),
        };
        node.register_transport(Rc::new(transport.clone()))?;
        Ok(transport)
    }

    /// The node the connections run on.
    pub fn node(&self) -> &Node {
        &self.inner.node
    }

    /// The driver.
    pub fn driver(&self) -> &D {
        &self.inner.driver
    }

    /// The connection to `peer` (`host:port` or a URL, as the driver names peers): reused if
    /// open, else dialled now (retried per the policy; concurrent callers share one dial).
    /// Returns the hop to put first in routes.
    pub async fn connect(&self, peer: &str) -> Result<Address> {
        self.connect_with(peer, self.inner.connections.retry())
            .await
    }

    /// [`connect`](Self::connect), retried per `retry`.
    async fn connect_with(&self, peer: &str, retry: Option<RetryPolicy>) -> Result<Address> {
        let inner = &self.inner;
        let mut dial = || -> LocalBoxFuture<'_, Result<Address>> {
            Box::pin(async {
                let (sink, source) = inner.driver.dial(peer, &inner.pins).await?;
                let connection = inner.connections.start(
                    &inner.node,
                    peer,
                    Some(peer.to_owned()),
                    sink,
                    source,
                    inner.driver.codec(),
                )?;
                self.redial_when_lost(peer, &connection);
                Ok(connection.address().clone())
            })
        };
        inner
            .connections
            .get_or_connect(&inner.node, peer, retry, &mut dial)
            .await
    }

    /// With a retry policy, dials `peer` again when `connection` (dialled to it) drops — not
    /// when this side closed it or the node shut down — so that its hop keeps working (over a
    /// new connection, with a new address: channels over the old one close and report it).
    fn redial_when_lost(&self, peer: &str, connection: &ConnectionHandle) {
        let (transport, peer, connection) = (self.clone(), peer.to_owned(), connection.clone());
        self.inner.node.spawn(async move {
            let cause = connection.closed().await;
            if !matches!(cause, CloseCause::Peer | CloseCause::Failed(_)) {
                return;
            }
            let Some(policy) = transport.inner.connections.retry() else {
                return;
            };
            let node = transport.inner.node.clone();
            let mut delay = policy.initial_delay;
            for attempt in 1..=policy.attempts {
                node.emit(NodeEvent::Reconnecting {
                    peer: peer.clone(),
                    attempt,
                    delay,
                });
                node.sleep(delay).await;
                if node.is_shut_down() {
                    return;
                }
                match transport.connect_with(&peer, None).await {
                    Ok(_) => return,
                    Err(error) => debug!(%peer, attempt, %error, "redial failed"),
                }
                delay = (delay * 2).min(policy.max_delay);
            }
        });
    }

    /// Starts a connection on a socket a listener accepted; `label` names the far end in logs.
    pub fn accept(
        &self,
        label: &str,
        sink: D::Sink,
        source: D::Source,
    ) -> Result<ConnectionHandle> {
        let inner = &self.inner;
        inner
            .connections
            .start(&inner.node, label, None, sink, source, inner.driver.codec())
    }

    /// The open connection whose hop is `address`.
    pub fn connection(&self, address: &Address) -> Option<ConnectionHandle> {
        self.inner.connections.get(address)
    }

    /// Keeps `stop`, which stops a listener, to run when the node shuts down.
    pub fn add_listener(&self, stop: impl FnOnce() + 'static) {
        self.inner.connections.add_listener(stop);
    }

    /// Number of open connections, dialled and accepted.
    pub fn connection_count(&self) -> usize {
        self.inner.connections.count()
    }

    /// Retries failed connection attempts per `policy` (`None`, the default: one attempt).
    pub fn set_retry(&self, policy: Option<RetryPolicy>) {
        self.inner.connections.set_retry(policy);
    }

    /// Trusts the server at `host_port` if and only if its certificate has this SHA-256.
    pub fn pin_certificate(&self, host_port: &str, sha256: [u8; 32]) {
        self.inner.pins.pin(host_port, sha256);
    }
}

impl<D: Driver> Transport for Dialing<D> {
    fn transport_type(&self) -> TransportType {
        D::TRANSPORT_TYPE
    }

    fn resolve<'a>(&'a self, address: &'a Address) -> LocalBoxFuture<'a, Result<Address>> {
        Box::pin(async move {
            let peer = self.inner.driver.peer(address)?;
            self.connect(&peer).await
        })
    }

    fn shutdown(&self) {
        self.inner.connections.close_all(&self.inner.node);
    }
}
