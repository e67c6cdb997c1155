//! WebTransport (wtransport, HTTP/3 over QUIC) with Razor's framing: one bidirectional stream
//! per session, opened by the client, carrying `u32` big-endian length + BARE
//! `TransportMessage` frames. Listeners use a fresh self-signed ECDSA P-256 certificate valid
//! for 14 days (the most a hash-pinned certificate may have); browsers reach them with
//! `serverCertificateHashes`. `wt#host:port` dials `https://host:port/`.

use std::net::SocketAddr;
use std::rc::Rc;

use razor_core::transport::connection::{BareFrames, CloseReason, FrameSink, FrameSource};
use razor_core::transport::framing::{LengthPrefixedDecoder, MAX_FRAME_LEN, length_prefixed};
use razor_core::transport::{CertificatePins, Dialing, Driver};
use razor_core::{Address, Error, Node, Result, TransportError, TransportType};
use tracing::{debug, info, warn};
use wtransport::endpoint::{IncomingSession, endpoint_side};
use wtransport::tls::Sha256Digest;
use wtransport::{
    ClientConfig, Connection, Endpoint, Identity, RecvStream, SendStream, ServerConfig,
};

use super::admission::{Admission, Guard};
use super::{Acceptor, accept_loop, bind_failed, connect_failed, socket_address};

/// A running WebTransport listener.
#[derive(Debug, Clone)]
pub struct WebTransportListener {
    /// The bound socket address.
    pub address: SocketAddr,
    /// SHA-256 of the listener's certificate: what a browser pins in `serverCertificateHashes`.
    pub certificate_hash: [u8; 32],
}

impl WebTransportListener {
    /// The certificate hash in lowercase hex.
    pub fn certificate_hash_hex(&self) -> String {
        razor_core::codec::hex::encode(&self.certificate_hash)
    }
}

/// The WebTransport transport of a node: `wt#host:port` hops (to servers whose certificate
/// hash was [pinned](Dialing::pin_certificate)), and listeners. Dereferences to the shared
/// [`Dialing`] transport (connect, pins, counts, retries).
#[derive(Clone)]
pub struct WebTransportTransport(Dialing<WebTransportDriver>);

impl core::ops::Deref for WebTransportTransport {
    type Target = Dialing<WebTransportDriver>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl WebTransportTransport {
    /// Creates the transport and registers it with `node`.
    pub fn create(node: &Node) -> Result<Self> {
        Ok(Self(Dialing::create(node, WebTransportDriver)?))
    }

    /// Accepts WebTransport sessions on `address` (UDP) until the node shuts down.
    pub async fn listen(&self, address: &str) -> Result<WebTransportListener> {
        let bind: SocketAddr = address.parse().map_err(|e| bind_failed(address, e))?;
        let identity = Identity::self_signed(["localhost", "127.0.0.1", "::1"])
            .map_err(|e| bind_failed(address, e))?;
        let certificate_hash = *identity
            .certificate_chain()
            .as_slice()
            .first()
            .map(|c| c.hash())
            .ok_or_else(|| bind_failed(address, "no certificate"))?
            .as_ref();
        let config = ServerConfig::builder()
            .with_bind_address(bind)
            .with_identity(identity)
            .keep_alive_interval(Some(std::time::Duration::from_secs(3)))
            .build();
        let endpoint = Endpoint::server(config).map_err(|e| bind_failed(address, e))?;
        let bound = endpoint.local_addr().map_err(|e| bind_failed(address, e))?;
        let listener = WebTransportListener {
            address: bound,
            certificate_hash,
        };
        info!(%bound, hash = %listener.certificate_hash_hex(), "WebTransport listener");
        let this = self.0.clone();
        let admission = Admission::of(self.node());
        let counted = admission.clone();
        let accepting = tokio::task::spawn_local(accept_loop(
            endpoint,
            counted,
            "webtransport",
            move |incoming: IncomingSession, peer| {
                // Counted from the first packet; over a cap, the attempt is refused.
                let Some(guard) = admission.admit(this.node(), peer, "webtransport") else {
                    incoming.refuse();
                    return;
                };
                let this = this.clone();
                tokio::task::spawn_local(async move {
                    let session = async {
                        let request = incoming.await.map_err(|e| e.to_string())?;
                        let connection = request.accept().await.map_err(|e| e.to_string())?;
                        let (send, recv) =
                            connection.accept_bi().await.map_err(|e| e.to_string())?;
                        Ok::<_, String>((connection, send, recv))
                    };
                    match tokio::time::timeout(std::time::Duration::from_secs(10), session).await {
                        Ok(Ok((connection, send, recv))) => {
                            let label = connection.remote_address().to_string();
                            let (sink, mut source) = halves(connection, send, recv);
                            source.guard = Some(guard);
                            if let Err(error) = this.accept(&label, sink, source) {
                                warn!(%error, "could not start a WebTransport connection");
                            }
                        }
                        Ok(Err(error)) => debug!(%error, "WebTransport session failed"),
                        Err(_) => debug!("WebTransport session setup timed out"),
                    }
                });
            },
        ));
        self.add_listener(move || accepting.abort());
        Ok(listener)
    }
}

/// A WebTransport server's endpoint yields incoming sessions; it never fails to (a UDP socket
/// takes no descriptor per peer), so the accept loop's backoff does not come into play.
impl Acceptor for Endpoint<endpoint_side::Server> {
    type Incoming = IncomingSession;

    async fn accept_next(&self) -> std::io::Result<(IncomingSession, SocketAddr)> {
        let incoming = Endpoint::<endpoint_side::Server>::accept(self).await;
        let peer = incoming.remote_address();
        Ok((incoming, peer))
    }
}

/// WebTransport sessions (wtransport) with one bidirectional stream each; a peer is
/// `host:port`, dialled at `https://host:port/` with its pinned certificate hash.
pub struct WebTransportDriver;

impl Driver for WebTransportDriver {
    const TRANSPORT_TYPE: TransportType = TransportType::WT;
    type Sink = WtSink;
    type Source = WtSource;
    type Codec = BareFrames;

    fn codec(&self) -> BareFrames {
        BareFrames
    }

    fn peer(&self, address: &Address) -> Result<String> {
        socket_address(address)
    }

    async fn dial(&self, peer: &str, pins: &CertificatePins) -> Result<(WtSink, WtSource)> {
        let hash = pins.get(peer).ok_or_else(|| {
            connect_failed(
                peer,
                "no certificate hash pinned for this address (pin_certificate)",
            )
        })?;
        let config = ClientConfig::builder()
            .with_bind_default()
            .with_server_certificate_hashes([Sha256Digest::from(hash)])
            .keep_alive_interval(Some(std::time::Duration::from_secs(3)))
            .build();
        let endpoint = Endpoint::client(config).map_err(|e| connect_failed(peer, e))?;
        let url = format!("https://{peer}/");
        let connection = endpoint.connect(url.as_str()).await.map_err(|error| {
            let text = error.to_string();
            if text.contains("certificate") || text.contains("Certificate") {
                Error::from(TransportError::CertificateMismatch)
            } else {
                connect_failed(&url, text)
            }
        })?;
        let opening = connection
            .open_bi()
            .await
            .map_err(|e| connect_failed(&url, e))?;
        let (send, recv) = opening.await.map_err(|e| connect_failed(&url, e))?;
        Ok(halves(connection, send, recv))
    }
}

fn halves(connection: Connection, send: SendStream, recv: RecvStream) -> (WtSink, WtSource) {
    let connection = Rc::new(connection);
    let sink = WtSink {
        send,
        connection: connection.clone(),
    };
    let source = WtSource {
        recv,
        decoder: LengthPrefixedDecoder::new(MAX_FRAME_LEN),
        buffer: vec![0u8; READ_BUFFER].into_boxed_slice(),
        _connection: connection,
        guard: None,
    };
    (sink, source)
}

/// The writing half of a WebTransport connection.
pub struct WtSink {
    send: SendStream,
    connection: Rc<Connection>,
}

impl FrameSink for WtSink {
    async fn send(&mut self, frame: Vec<u8>) -> Result<()> {
        self.send
            .write_all(&length_prefixed(&frame))
            .await
            .map_err(|_| Error::from(TransportError::ConnectionClosed))
    }

    async fn close(&mut self, _reason: CloseReason) {
        let _ = self.send.finish().await;
        self.connection.close(0u32.into(), b"closed");
    }
}

/// The reading half of a WebTransport connection.
pub struct WtSource {
    recv: RecvStream,
    decoder: LengthPrefixedDecoder,
    /// What a read fills (one buffer for the connection's life, not one per frame).
    buffer: Box<[u8]>,
    /// Keeps the session open as long as the stream is read.
    _connection: Rc<Connection>,
    /// An accepted connection's place and message rate.
    guard: Option<Guard>,
}

/// How much a WebTransport connection reads at once.
const READ_BUFFER: usize = 64 * 1024;

impl FrameSource for WtSource {
    async fn next(&mut self) -> Option<Result<Vec<u8>>> {
        if let Some(guard) = &mut self.guard {
            guard.pace().await;
        }
        loop {
            match self.decoder.next_frame() {
                Ok(Some(frame)) => return Some(Ok(frame)),
                Ok(None) => {}
                Err(error) => return Some(Err(error.into())),
            }
            match self.recv.read(&mut self.buffer).await {
                Ok(Some(n)) => self.decoder.push(self.buffer.get(..n).unwrap_or_default()),
                Ok(None) | Err(_) => return None,
            }
        }
    }
}
