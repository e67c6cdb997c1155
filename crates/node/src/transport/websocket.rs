//! WebSocket (tokio-tungstenite): one binary message per BARE `TransportMessage`, as Ockam's
//! WebSocket transport frames them. `ws#host:port` dials `ws://host:port/`; `ws#ws://host/path`
//! dials that URL (`wss://` needs TLS, which the native node does not build).

use std::net::SocketAddr;

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use razor_core::transport::connection::{BareFrames, CloseReason, FrameSink, FrameSource};
use razor_core::transport::framing::MAX_FRAME_LEN;
use razor_core::transport::{CertificatePins, Dialing, Driver};
use razor_core::{Address, Error, Node, Result, TransportError, TransportType};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use tracing::{debug, info, warn};

use super::admission::{Admission, Guard};
use super::{accept_loop, bind_tcp, connect_failed, socket_address};

/// Frame limits: 16 MiB of message, plus room for the BARE header.
fn config() -> WebSocketConfig {
    WebSocketConfig::default()
        .max_message_size(Some(MAX_FRAME_LEN + 1024))
        .max_frame_size(Some(MAX_FRAME_LEN + 1024))
}

/// The WebSocket transport of a node: `ws#host:port` hops, and listeners. Dereferences to the
/// shared [`Dialing`] transport (connect, counts, retries).
#[derive(Clone)]
pub struct WebSocketTransport(Dialing<WebSocketDriver>);

impl core::ops::Deref for WebSocketTransport {
    type Target = Dialing<WebSocketDriver>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl WebSocketTransport {
    /// Creates the transport and registers it with `node`.
    pub fn create(node: &Node) -> Result<Self> {
        Ok(Self(Dialing::create(node, WebSocketDriver)?))
    }

    /// Accepts WebSocket connections on `address` until the node shuts down.
    pub async fn listen(&self, address: &str) -> Result<SocketAddr> {
        let (listener, bound) = bind_tcp(address).await?;
        info!(%bound, "WebSocket listener");
        let this = self.0.clone();
        let admission = Admission::of(self.node());
        let accepting = tokio::task::spawn_local(accept_loop(
            listener,
            admission.clone(),
            "websocket",
            move |stream, peer| {
                // Counted from before the upgrade; over a cap, dropping the stream closes it.
                let Some(guard) = admission.admit(this.node(), peer, "websocket") else {
                    return;
                };
                let this = this.clone();
                // The upgrade handshake runs on its own task so that a slow client cannot
                // hold up others.
                tokio::task::spawn_local(async move {
                    let _ = stream.set_nodelay(true);
                    let upgrade = tokio_tungstenite::accept_async_with_config(
                        MaybeTlsStream::Plain(stream),
                        Some(config()),
                    );
                    match tokio::time::timeout(std::time::Duration::from_secs(10), upgrade).await {
                        Ok(Ok(socket)) => {
                            let (sink, mut source) = halves(socket);
                            source.guard = Some(guard);
                            if let Err(error) = this.accept(&peer.to_string(), sink, source) {
                                warn!(%peer, %error, "could not start a WebSocket connection");
                            }
                        }
                        Ok(Err(error)) => debug!(%peer, %error, "WebSocket upgrade failed"),
                        Err(_) => debug!(%peer, "WebSocket upgrade timed out"),
                    }
                });
            },
        ));
        self.add_listener(move || accepting.abort());
        Ok(bound)
    }
}

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// WebSockets (tokio-tungstenite). A peer is `host:port` (dialled at `ws://host:port/`) or a
/// `ws://` URL.
pub struct WebSocketDriver;

impl Driver for WebSocketDriver {
    const TRANSPORT_TYPE: TransportType = TransportType::WS;
    type Sink = WsSink;
    type Source = WsSource;
    type Codec = BareFrames;

    fn codec(&self) -> BareFrames {
        BareFrames
    }

    fn peer(&self, address: &Address) -> Result<String> {
        socket_address(address)
    }

    async fn dial(&self, peer: &str, _pins: &CertificatePins) -> Result<(WsSink, WsSource)> {
        let url = if peer.contains("://") {
            peer.to_owned()
        } else {
            format!("ws://{peer}/")
        };
        let (socket, _) =
            tokio_tungstenite::connect_async_with_config(url.as_str(), Some(config()), true)
                .await
                .map_err(|e| connect_failed(&url, e))?;
        Ok(halves(socket))
    }
}

fn halves(socket: Socket) -> (WsSink, WsSource) {
    let (sink, source) = socket.split();
    (
        WsSink(sink),
        WsSource {
            source,
            guard: None,
        },
    )
}

fn ws_error(error: tokio_tungstenite::tungstenite::Error) -> Error {
    use tokio_tungstenite::tungstenite::Error as E;
    match error {
        E::ConnectionClosed | E::AlreadyClosed => TransportError::ConnectionClosed.into(),
        E::Capacity(error) => {
            debug!(%error, "WebSocket message over the limit");
            TransportError::FrameTooLarge {
                len: 0,
                max: MAX_FRAME_LEN as u64,
            }
            .into()
        }
        other => TransportError::Other(other.to_string()).into(),
    }
}

/// The writing half of a WebSocket connection.
pub struct WsSink(SplitSink<Socket, Message>);

impl FrameSink for WsSink {
    async fn send(&mut self, frame: Vec<u8>) -> Result<()> {
        self.0
            .send(Message::Binary(frame.into()))
            .await
            .map_err(ws_error)
    }

    async fn close(&mut self, reason: CloseReason) {
        let frame = CloseFrame {
            code: reason.websocket_code().into(),
            reason: reason.text().into(),
        };
        let _ = self.0.send(Message::Close(Some(frame))).await;
        let _ = self.0.close().await;
    }
}

/// The reading half of a WebSocket connection.
pub struct WsSource {
    source: SplitStream<Socket>,
    /// An accepted connection's place and message rate.
    guard: Option<Guard>,
}

impl FrameSource for WsSource {
    async fn next(&mut self) -> Option<Result<Vec<u8>>> {
        if let Some(guard) = &mut self.guard {
            guard.pace().await;
        }
        loop {
            return match self.source.next().await? {
                Ok(Message::Binary(frame)) => Some(Ok(frame.into())),
                Ok(Message::Close(_)) => None,
                Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_)) => continue,
                Ok(Message::Text(_)) => Some(Err(TransportError::MalformedFrame(
                    razor_core::codec::DecodeError::Malformed("text WebSocket message"),
                )
                .into())),
                Err(error) => match ws_error(error) {
                    Error::Transport(TransportError::ConnectionClosed) => None,
                    other => Some(Err(other)),
                },
            };
        }
    }
}
