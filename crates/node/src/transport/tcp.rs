//! TCP with Ockam's framing: one protocol-version byte (`1`) each way, then `u32` big-endian
//! length + CBOR `TcpTransportMessage` frames (max 16 MiB). Interoperates with Ockam nodes.

use std::net::SocketAddr;
use std::rc::Rc;

use razor_core::runtime::LocalBoxFuture;
use razor_core::transport::connection::{CloseReason, FrameSink, FrameSource};
use razor_core::transport::framing::{MAX_FRAME_LEN, OckamTcpFrames, TCP_PROTOCOL_VERSION};
use razor_core::transport::{ConnectionTable, Dialer, RetryPolicy};
use razor_core::{Address, Error, Node, Result, TransportError, TransportType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tracing::{debug, info, warn};

use super::{bind_tcp, connect_failed, socket_address};

/// The TCP transport of a node: `tcp#host:port` hops, and listeners.
#[derive(Clone)]
pub struct TcpTransport {
    node: Node,
    connections: ConnectionTable,
}

impl TcpTransport {
    /// Creates the transport and registers it with `node`.
    pub fn create(node: &Node) -> Result<Self> {
        let transport = Self {
            node: node.clone(),
            connections: ConnectionTable::default(),
        };
        node.register_transport(Rc::new(transport.clone()))?;
        Ok(transport)
    }

    /// Accepts connections on `address` (e.g. `127.0.0.1:4000`, port 0 for any) until the
    /// node shuts down. Returns the bound address.
    pub async fn listen(&self, address: &str) -> Result<SocketAddr> {
        let (listener, bound) = bind_tcp(address).await?;
        info!(%bound, "TCP listener");
        let this = self.clone();
        let accepting = tokio::task::spawn_local(async move {
            loop {
                match listener.accept().await {
                    Ok((stream, peer)) => {
                        if let Err(error) = this.open(stream, None) {
                            warn!(%peer, %error, "could not start a TCP connection");
                        }
                    }
                    Err(error) => debug!(%error, "TCP accept failed"),
                }
            }
        });
        self.connections.add_listener(move || accepting.abort());
        Ok(bound)
    }

    /// Connects to `address` and returns the local address of the connection's sending worker.
    pub async fn connect(&self, address: &str) -> Result<Address> {
        let stream = TcpStream::connect(address)
            .await
            .map_err(|e| connect_failed(address, e))?;
        self.open(stream, Some(address.to_owned()))
    }

    /// Number of open connections.
    pub fn connection_count(&self) -> usize {
        self.connections.count()
    }

    /// Retries failed connection attempts per `policy` (`None`, the default: one attempt).
    pub fn set_retry(&self, policy: Option<RetryPolicy>) {
        self.connections.set_retry(policy);
    }

    fn open(&self, stream: TcpStream, dialled: Option<String>) -> Result<Address> {
        let _ = stream.set_nodelay(true);
        let label = stream
            .peer_addr()
            .map(|a| a.to_string())
            .unwrap_or_default();
        let (reader, writer) = stream.into_split();
        let sink = TcpSink {
            writer,
            sent_version: false,
        };
        let source = TcpSource {
            reader,
            checked_version: false,
        };
        self.connections
            .start(&self.node, &label, dialled, sink, source, OckamTcpFrames)
    }
}

impl Dialer for TcpTransport {
    const TRANSPORT_TYPE: TransportType = TransportType::TCP;

    fn node(&self) -> &Node {
        &self.node
    }

    fn connections(&self) -> &ConnectionTable {
        &self.connections
    }

    fn peer(&self, address: &Address) -> Result<String> {
        socket_address(address)
    }

    fn dial<'a>(&'a self, peer: &'a str) -> LocalBoxFuture<'a, Result<Address>> {
        Box::pin(self.connect(peer))
    }
}

struct TcpSink {
    writer: OwnedWriteHalf,
    sent_version: bool,
}

fn io_error(error: std::io::Error) -> Error {
    match error.kind() {
        std::io::ErrorKind::UnexpectedEof
        | std::io::ErrorKind::ConnectionReset
        | std::io::ErrorKind::BrokenPipe
        | std::io::ErrorKind::ConnectionAborted => TransportError::ConnectionClosed.into(),
        _ => TransportError::Other(error.to_string()).into(),
    }
}

impl FrameSink for TcpSink {
    async fn send(&mut self, frame: Vec<u8>) -> Result<()> {
        if !self.sent_version {
            self.writer
                .write_all(&[TCP_PROTOCOL_VERSION])
                .await
                .map_err(io_error)?;
            self.sent_version = true;
        }
        let len = u32::try_from(frame.len()).map_err(|_| Error::MessageTooLarge {
            len: frame.len(),
            max: MAX_FRAME_LEN,
        })?;
        self.writer
            .write_all(&len.to_be_bytes())
            .await
            .map_err(io_error)?;
        self.writer.write_all(&frame).await.map_err(io_error)
    }

    async fn open(&mut self) -> Result<()> {
        // Ockam sends its version byte as soon as it connects; so do we.
        self.writer
            .write_all(&[TCP_PROTOCOL_VERSION])
            .await
            .map_err(io_error)?;
        self.sent_version = true;
        Ok(())
    }

    async fn close(&mut self, _reason: CloseReason) {
        let _ = self.writer.shutdown().await;
    }
}

struct TcpSource {
    reader: OwnedReadHalf,
    checked_version: bool,
}

impl TcpSource {
    async fn read_frame(&mut self) -> Result<Vec<u8>> {
        if !self.checked_version {
            let version = self.reader.read_u8().await.map_err(io_error)?;
            if version != TCP_PROTOCOL_VERSION {
                return Err(TransportError::UnsupportedVersion(version).into());
            }
            self.checked_version = true;
        }
        let len = self.reader.read_u32().await.map_err(io_error)? as usize;
        if len > MAX_FRAME_LEN {
            return Err(TransportError::FrameTooLarge {
                len: len as u64,
                max: MAX_FRAME_LEN as u64,
            }
            .into());
        }
        // Grow with what actually arrives: a peer announcing 16 MiB and sending nothing costs
        // nothing.
        let mut frame = Vec::with_capacity(len.min(64 * 1024));
        (&mut self.reader)
            .take(len as u64)
            .read_to_end(&mut frame)
            .await
            .map_err(io_error)?;
        if frame.len() != len {
            return Err(TransportError::ConnectionClosed.into());
        }
        Ok(frame)
    }
}

impl FrameSource for TcpSource {
    async fn next(&mut self) -> Option<Result<Vec<u8>>> {
        match self.read_frame().await {
            Ok(frame) => Some(Ok(frame)),
            Err(Error::Transport(TransportError::ConnectionClosed)) => None,
            Err(error) => Some(Err(error)),
        }
    }
}
