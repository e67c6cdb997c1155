//! WebSocket (tokio-tungstenite): one binary message per BARE `TransportMessage`, as Ockam's
//! WebSocket transport frames them. `ws#host:port` dials `ws://host:port/`; `ws#ws://host/path`
//! dials that URL (`wss://` needs TLS, which the native node does not build).

use std::net::SocketAddr;
use std::rc::Rc;

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use razor_core::runtime::LocalBoxFuture;
use razor_core::transport::connection::{BareFrames, CloseReason, FrameSink, FrameSource};
use razor_core::transport::framing::MAX_FRAME_LEN;
use razor_core::transport::{ConnectionTable, Dialer, RetryPolicy};
use razor_core::{Address, Error, Node, Result, TransportError, TransportType};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use tracing::{debug, info, warn};

use super::{bind_tcp, connect_failed, socket_address};

/// Frame limits: 16 MiB of message, plus room for the BARE header.
fn config() -> WebSocketConfig {
    WebSocketConfig::default()
        .max_message_size(Some(MAX_FRAME_LEN + 1024))
        .max_frame_size(Some(MAX_FRAME_LEN + 1024))
}

/// The WebSocket transport of a node: `ws#host:port` hops, and listeners.
#[derive(Clone)]
pub struct WebSocketTransport {
    node: Node,
    connections: ConnectionTable,
}

impl WebSocketTransport {
    /// Creates the transport and registers it with `node`.
    pub fn create(node: &Node) -> Result<Self> {
        let transport = Self {
            node: node.clone(),
            connections: ConnectionTable::default(),
        };
        node.register_transport(Rc::new(transport.clone()))?;
        Ok(transport)
    }

    /// Accepts WebSocket connections on `address` until the node shuts down.
    pub async fn listen(&self, address: &str) -> Result<SocketAddr> {
        let (listener, bound) = bind_tcp(address).await?;
        info!(%bound, "WebSocket listener");
        let this = self.clone();
        let accepting = tokio::task::spawn_local(async move {
            loop {
                let Ok((stream, peer)) = listener.accept().await else {
                    continue;
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
                            if let Err(error) = this.open(socket, &peer.to_string(), None) {
                                warn!(%peer, %error, "could not start a WebSocket connection");
                            }
                        }
                        Ok(Err(error)) => debug!(%peer, %error, "WebSocket upgrade failed"),
                        Err(_) => debug!(%peer, "WebSocket upgrade timed out"),
                    }
                });
            }
        });
        self.connections.add_listener(move || accepting.abort());
        Ok(bound)
    }

    /// Connects to `ws://address/` (or to `address` itself when it is a `ws://` URL, e.g. a
    /// relay object's path on the edge) and returns the local address of the connection's
    /// worker.
    pub async fn connect(&self, address: &str) -> Result<Address> {
        let url = if address.contains("://") {
            address.to_owned()
        } else {
            format!("ws://{address}/")
        };
        let (socket, _) =
            tokio_tungstenite::connect_async_with_config(url.as_str(), Some(config()), true)
                .await
                .map_err(|e| connect_failed(&url, e))?;
        self.open(socket, address, Some(address.to_owned()))
    }

    /// Number of open connections.
    pub fn connection_count(&self) -> usize {
        self.connections.count()
    }

    /// Retries failed connection attempts per `policy` (`None`, the default: one attempt).
    pub fn set_retry(&self, policy: Option<RetryPolicy>) {
        self.connections.set_retry(policy);
    }

    fn open(&self, socket: Socket, label: &str, dialled: Option<String>) -> Result<Address> {
        let (sink, source) = socket.split();
        self.connections.start(
            &self.node,
            label,
            dialled,
            WsSink(sink),
            WsSource(source),
            BareFrames,
        )
    }
}

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

impl Dialer for WebSocketTransport {
    const TRANSPORT_TYPE: TransportType = TransportType::WS;

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

struct WsSink(SplitSink<Socket, Message>);

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

struct WsSource(SplitStream<Socket>);

impl FrameSource for WsSource {
    async fn next(&mut self) -> Option<Result<Vec<u8>>> {
        loop {
            return match self.0.next().await? {
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
