//! TCP with Ockam's framing: one protocol-version byte (`1`) each way, then `u32` big-endian
//! length + CBOR `TcpTransportMessage` frames (max 16 MiB). Interoperates with Ockam nodes.

use std::io::IoSlice;
use std::net::SocketAddr;

use razor_core::transport::connection::{CloseReason, FrameSink, FrameSource};
use razor_core::transport::framing::{MAX_FRAME_LEN, OckamTcpFrames, TCP_PROTOCOL_VERSION};
use razor_core::transport::{CertificatePins, Dialing, Driver};
use razor_core::{Address, Error, Node, Result, TransportError, TransportType};
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tracing::{info, warn};

use super::admission::{Admission, Guard};
use super::{accept_loop, bind_tcp, connect_failed, socket_address};

/// The TCP transport of a node: `tcp#host:port` hops, and listeners. Dereferences to the
/// shared [`Dialing`] transport (connect, counts, retries).
#[derive(Clone)]
pub struct TcpTransport(Dialing<TcpDriver>);

impl core::ops::Deref for TcpTransport {
    type Target = Dialing<TcpDriver>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl TcpTransport {
    /// Creates the transport and registers it with `node`.
    pub fn create(node: &Node) -> Result<Self> {
        Ok(Self(Dialing::create(node, TcpDriver)?))
    }

    /// Accepts connections on `address` (e.g. `127.0.0.1:4000`, port 0 for any) until the
    /// node shuts down. Returns the bound address.
    pub async fn listen(&self, address: &str) -> Result<SocketAddr> {
        let (listener, bound) = bind_tcp(address).await?;
        info!(%bound, "TCP listener");
        let this = self.0.clone();
        let admission = Admission::of(self.node());
        let counted = admission.clone();
        let accepting = tokio::task::spawn_local(accept_loop(
            listener,
            counted,
            "tcp",
            move |stream, peer| {
                // Over a cap: dropping the stream closes it.
                let Some(guard) = admission.admit(this.node(), peer, "tcp") else {
                    return;
                };
                let (sink, mut source) = halves(stream);
                source.guard = Some(guard);
                if let Err(error) = this.accept(&peer.to_string(), sink, source) {
                    warn!(%peer, %error, "could not start a TCP connection");
                }
            },
        ));
        self.add_listener(move || accepting.abort());
        Ok(bound)
    }
}

/// TCP sockets with Ockam's framing.
pub struct TcpDriver;

impl Driver for TcpDriver {
    const TRANSPORT_TYPE: TransportType = TransportType::TCP;
    type Sink = TcpSink;
    type Source = TcpSource;
    type Codec = OckamTcpFrames;

    fn codec(&self) -> OckamTcpFrames {
        OckamTcpFrames
    }

    fn peer(&self, address: &Address) -> Result<String> {
        socket_address(address)
    }

    async fn dial(&self, peer: &str, _pins: &CertificatePins) -> Result<(TcpSink, TcpSource)> {
        let stream = TcpStream::connect(peer)
            .await
            .map_err(|e| connect_failed(peer, e))?;
        Ok(halves(stream))
    }
}

fn halves(stream: TcpStream) -> (TcpSink, TcpSource) {
    let _ = stream.set_nodelay(true);
    let (reader, writer) = stream.into_split();
    let sink = TcpSink {
        writer,
        sent_version: false,
    };
    let source = TcpSource {
        reader: BufReader::with_capacity(READ_BUFFER, reader),
        checked_version: false,
        guard: None,
    };
    (sink, source)
}

/// The writing half of a TCP connection (writes the version byte first).
pub struct TcpSink {
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

impl TcpSink {
    /// Writes one frame: its length and its bytes in one vectored write (one segment and one
    /// wakeup of the peer, not two), without copying the frame.
    async fn write_frame(&mut self, frame: &[u8]) -> Result<()> {
        let len = u32::try_from(frame.len()).map_err(|_| Error::MessageTooLarge {
            len: frame.len(),
            max: MAX_FRAME_LEN,
        })?;
        let header = len.to_be_bytes();
        let mut slices = [IoSlice::new(&header), IoSlice::new(frame)];
        let mut pending = &mut slices[..];
        while !pending.is_empty() {
            let written = self
                .writer
                .write_vectored(pending)
                .await
                .map_err(io_error)?;
            if written == 0 {
                return Err(TransportError::ConnectionClosed.into());
            }
            IoSlice::advance_slices(&mut pending, written);
        }
        Ok(())
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
        self.write_frame(&frame).await
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

/// How much a TCP connection reads at once: frames that arrived together are taken in one
/// read, not two reads each.
const READ_BUFFER: usize = 64 * 1024;

/// The reading half of a TCP connection (checks the version byte first).
pub struct TcpSource {
    reader: BufReader<OwnedReadHalf>,
    checked_version: bool,
    /// An accepted connection's place and message rate.
    guard: Option<Guard>,
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
        if let Some(guard) = &mut self.guard {
            guard.pace().await;
        }
        match self.read_frame().await {
            Ok(frame) => Some(Ok(frame)),
            Err(Error::Transport(TransportError::ConnectionClosed)) => None,
            Err(error) => Some(Err(error)),
        }
    }
}
