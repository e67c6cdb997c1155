//! Ockam's TCP portals natively: an outlet that dials a TCP service for each portal
//! connection, and an inlet that listens on a local TCP port and carries each accepted
//! connection through a portal (razor_core's `services::portal` is the protocol).

use std::net::SocketAddr;
use std::time::Duration;

use razor_core::services::portal::{OutletTarget, PortalConnection, PortalRead, PortalWrite};
use razor_core::{Node, Result, Route, TransportError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tracing::{debug, info, warn};

use crate::transport::{bind_tcp, connect_failed};

/// How much one read of a portal's socket takes at most.
const READ_BUFFER: usize = 64 * 1024;

/// The reading half of a TCP socket at either end of a portal.
pub struct TcpPortalRead {
    socket: OwnedReadHalf,
    /// Reused for every read; what arrived is copied out at its length.
    buffer: Box<[u8]>,
}

/// The writing half of a TCP socket at either end of a portal.
pub struct TcpPortalWrite(OwnedWriteHalf);

fn io_error(error: std::io::Error) -> razor_core::Error {
    TransportError::Other(error.to_string()).into()
}

impl PortalRead for TcpPortalRead {
    async fn read(&mut self) -> Result<Vec<u8>> {
        let n = self.socket.read(&mut self.buffer).await.map_err(io_error)?;
        Ok(self.buffer[..n].to_vec())
    }
}

impl PortalWrite for TcpPortalWrite {
    async fn write(&mut self, bytes: &[u8]) -> Result<()> {
        self.0.write_all(bytes).await.map_err(io_error)
    }

    async fn close(&mut self) {
        let _ = self.0.shutdown().await;
    }
}

fn split(stream: TcpStream) -> (TcpPortalRead, TcpPortalWrite) {
    let _ = stream.set_nodelay(true);
    let (read, write) = stream.into_split();
    let read = TcpPortalRead {
        socket: read,
        buffer: vec![0; READ_BUFFER].into_boxed_slice(),
    };
    (read, TcpPortalWrite(write))
}

/// An outlet's target: a TCP address (`host:port`), dialled for each portal connection.
pub struct TcpOutletTarget {
    address: String,
}

impl TcpOutletTarget {
    /// A target at `address`, e.g. `127.0.0.1:8080`.
    pub fn new(address: impl Into<String>) -> Self {
        Self {
            address: address.into(),
        }
    }
}

impl OutletTarget for TcpOutletTarget {
    type Read = TcpPortalRead;
    type Write = TcpPortalWrite;

    async fn connect(&self) -> Result<(TcpPortalRead, TcpPortalWrite)> {
        let stream = TcpStream::connect(&self.address)
            .await
            .map_err(|e| connect_failed(&self.address, e))?;
        Ok(split(stream))
    }
}

/// Listens on `bind` (e.g. `127.0.0.1:0`) and carries each accepted TCP connection through a
/// portal to the outlet at `outlet_route` (e.g. `[channel, "outlet"]`), waiting at most
/// `timeout` for the outlet to answer. Runs until the node shuts down; returns the bound
/// address once listening.
pub async fn serve_inlet(
    node: &Node,
    bind: &str,
    outlet_route: Route,
    timeout: Duration,
) -> Result<SocketAddr> {
    let (listener, bound) = bind_tcp(bind).await?;
    info!(%bound, route = %outlet_route, "portal inlet");
    let accepting = node.clone();
    let task = node.task();
    node.spawn(async move {
        let _task = task;
        loop {
            let accepted = tokio::select! {
                accepted = listener.accept() => Some(accepted),
                () = accepting.closed() => None,
            };
            let (stream, peer) = match accepted {
                None => return,
                Some(Ok(accepted)) => accepted,
                Some(Err(error)) => {
                    warn!(%error, "the inlet could not accept a connection");
                    continue;
                }
            };
            let node = accepting.clone();
            let route = outlet_route.clone();
            let task = node.task();
            accepting.spawn(async move {
                let _task = task;
                let (reader, writer) = split(stream);
                match PortalConnection::connect(&node, route, timeout).await {
                    Ok(connection) => match connection.run(reader, writer).await {
                        Ok(end) => debug!(%peer, ?end, "portal connection ended"),
                        Err(error) => debug!(%peer, %error, "portal connection failed"),
                    },
                    Err(error) => {
                        warn!(%peer, %error, code = error.code(), "the outlet did not answer")
                    }
                }
            });
        }
    });
    Ok(bound)
}
