//! The hostile tests' harness: a `razor node` with metrics to attack, a well-behaved client
//! that keeps channels over each listener, and raw connections that speak each listener's
//! framing by hand (or not at all).

use std::cell::Cell;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use razor_core::channel::{SecureChannel, SecureChannelOptions, TrustPolicy};
use razor_core::codec::hex;
use razor_core::transport::connection::{BareFrames, FrameCodec};
use razor_core::transport::framing::{OckamTcpFrames, length_prefixed};
use razor_core::{Address, Node, NodeConfig, Route, TransportMessage};
use razor_node::TokioRuntime;
use razor_node::transport::{TcpTransport, WebSocketTransport, WebTransportTransport};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::process::Child;
use tokio_tungstenite::tungstenite::Message;

/// How long the server gives a handshake (short, so that the test sees them expire).
pub(crate) const HANDSHAKE_TIMEOUT_MS: u64 = 3_000;
/// Handshakes each listener may have in progress.
pub(crate) const MAX_HANDSHAKES: u64 = 1_000;
/// The half-open handshakes the flood starts.
pub(crate) const FLOOD: usize = 10_000;
/// What the well-behaved client's round trips may take under load before counting as lost.
pub(crate) const PATIENT: Option<Duration> = Some(Duration::from_secs(20));

pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) tcp: SocketAddr,
    pub(crate) ws: SocketAddr,
    pub(crate) wt: SocketAddr,
    pub(crate) wt_hash: [u8; 32],
    pub(crate) metrics: SocketAddr,
}

impl Server {
    pub(crate) async fn start(extra: &[&str]) -> Self {
        let (timeout, max) = (HANDSHAKE_TIMEOUT_MS.to_string(), MAX_HANDSHAKES.to_string());
        let mut args = vec![
            "--name",
            "target",
            "--trust",
            "everyone",
            "--tcp",
            "127.0.0.1:0",
        ];
        args.extend([
            "--ws",
            "127.0.0.1:0",
            "--wt",
            "127.0.0.1:0",
            "--metrics",
            "127.0.0.1:0",
        ]);
        args.extend(["--handshake-timeout-ms", &timeout, "--max-handshakes", &max]);
        args.extend(extra);
        let (child, mut lines) = crate::support::spawn_node(&args, "warn");
        let (mut tcp, mut ws, mut wt, mut wt_hash, mut metrics) = (None, None, None, None, None);
        while metrics.is_none() || tcp.is_none() || ws.is_none() || wt.is_none() {
            let line = lines
                .next_line()
                .await
                .unwrap()
                .expect("razor printed its listeners");
            let word = |prefix: &str| line.strip_prefix(prefix).map(|rest| rest.to_owned());
            if let Some(rest) = word("tcp: tcp#") {
                tcp = Some(rest.parse().unwrap());
            } else if let Some(rest) = word("websocket: ws#") {
                ws = Some(rest.parse().unwrap());
            } else if let Some(rest) = word("webtransport: wt#") {
                let (address, hash) = rest.split_once(" certificate-sha256: ").unwrap();
                wt = Some(address.parse().unwrap());
                wt_hash = Some(hex::decode(hash).unwrap().try_into().unwrap());
            } else if let Some(rest) = word("metrics: http://") {
                metrics = Some(rest.trim_end_matches("/metrics").parse().unwrap());
            }
        }
        crate::support::drain(lines);
        Server {
            child,
            tcp: tcp.unwrap(),
            ws: ws.unwrap(),
            wt: wt.unwrap(),
            wt_hash: wt_hash.unwrap(),
            metrics: metrics.unwrap(),
        }
    }

    /// The node's counters.
    pub(crate) async fn metrics(&self) -> HashMap<String, u64> {
        crate::support::scrape_metrics(self.metrics).await
    }

    /// Waits until `check` holds for the counters (up to `within`), and returns them.
    pub(crate) async fn metrics_until(
        &self,
        within: Duration,
        check: impl Fn(&HashMap<String, u64>) -> bool,
    ) -> HashMap<String, u64> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let metrics = self.metrics().await;
            if check(&metrics) || tokio::time::Instant::now() > deadline {
                return metrics;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// A well-behaved client: one secure channel over each listener, and a prober that keeps
/// echo round trips going through all of them until told to stop.
pub(crate) struct WellBehaved {
    pub(crate) node: Node,
    pub(crate) channels: Vec<(&'static str, SecureChannel)>,
    pub(crate) round_trips: Rc<Cell<u64>>,
    pub(crate) failures: Rc<Cell<u64>>,
    pub(crate) stop: Rc<Cell<bool>>,
}

impl WellBehaved {
    pub(crate) async fn connect(server: &Server) -> Self {
        let node = Node::new(TokioRuntime, NodeConfig::new("well-behaved"));
        TcpTransport::create(&node).unwrap();
        WebSocketTransport::create(&node).unwrap();
        WebTransportTransport::create(&node)
            .unwrap()
            .pin_certificate(&server.wt.to_string(), server.wt_hash);
        let identity = node.create_identity().await.unwrap();
        let mut channels = Vec::new();
        for (name, hop) in [
            ("tcp", format!("tcp#{}", server.tcp)),
            ("ws", format!("ws#{}", server.ws)),
            ("wt", format!("wt#{}", server.wt)),
        ] {
            let route: Route = format!("{hop} => secure").parse().unwrap();
            let options = SecureChannelOptions::new(TrustPolicy::TrustEveryone);
            let channel = node
                .create_secure_channel(&identity, route, options)
                .await
                .unwrap_or_else(|e| panic!("channel over {name}: {e}"));
            channels.push((name, channel));
        }
        let client = Self {
            node,
            channels,
            round_trips: Rc::default(),
            failures: Rc::default(),
            stop: Rc::default(),
        };
        client.probe();
        client
    }

    pub(crate) fn probe(&self) {
        let channels: Vec<_> = self.channels.iter().map(|(n, c)| (*n, c.clone())).collect();
        let (round_trips, failures, stop) = (
            self.round_trips.clone(),
            self.failures.clone(),
            self.stop.clone(),
        );
        tokio::task::spawn_local(async move {
            let mut i = 0u32;
            while !stop.get() {
                for (name, channel) in &channels {
                    i += 1;
                    let payload = i.to_be_bytes().repeat(16);
                    match channel.request("echo", payload.clone(), PATIENT).await {
                        Ok(reply) if reply.payload == payload => {
                            round_trips.set(round_trips.get() + 1)
                        }
                        other => {
                            eprintln!("well-behaved round trip over {name} failed: {other:?}");
                            failures.set(failures.get() + 1);
                        }
                    }
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        });
    }

    /// Asserts that round trips went on during `phase` and none failed.
    pub(crate) async fn check(&self, phase: &str) {
        let before = self.round_trips.get();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while self.round_trips.get() < before + 6 {
            assert!(
                tokio::time::Instant::now() < deadline,
                "{phase}: the well-behaved client's round trips stalled"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(
            self.failures.get(),
            0,
            "{phase}: well-behaved round trips failed"
        );
    }

    pub(crate) fn finish(self) {
        self.stop.set(true);
        self.node.shutdown();
    }
}

/// Which listener a raw (attacking) connection goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Tcp,
    Ws,
    Wt,
}

pub(crate) const KINDS: [Kind; 3] = [Kind::Tcp, Kind::Ws, Kind::Wt];

/// A connection that speaks the listener's framing by hand (or not at all).
pub(crate) enum Raw {
    Tcp(TcpStream),
    Ws(Box<tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>>),
    Wt {
        _connection: wtransport::Connection,
        send: wtransport::SendStream,
        recv: wtransport::RecvStream,
    },
}

impl Raw {
    /// Connects; `preamble` sends the TCP version byte.
    pub(crate) async fn connect(server: &Server, kind: Kind) -> Self {
        match kind {
            Kind::Tcp => {
                let mut stream = TcpStream::connect(server.tcp).await.unwrap();
                stream.write_all(&[1]).await.unwrap();
                Raw::Tcp(stream)
            }
            Kind::Ws => {
                let (socket, _) = tokio_tungstenite::connect_async(format!("ws://{}/", server.ws))
                    .await
                    .unwrap();
                Raw::Ws(Box::new(socket))
            }
            Kind::Wt => {
                let config = wtransport::ClientConfig::builder()
                    .with_bind_default()
                    .with_server_certificate_hashes([wtransport::tls::Sha256Digest::from(
                        server.wt_hash,
                    )])
                    .build();
                let endpoint = wtransport::Endpoint::client(config).unwrap();
                let connection = endpoint
                    .connect(format!("https://{}/", server.wt))
                    .await
                    .unwrap();
                let (send, recv) = connection.open_bi().await.unwrap().await.unwrap();
                Raw::Wt {
                    _connection: connection,
                    send,
                    recv,
                }
            }
        }
    }

    /// Sends one frame of the listener's framing around `body` (TCP: length + body; WebSocket:
    /// a binary message; WebTransport: length + body on the stream).
    pub(crate) async fn send_frame(&mut self, body: &[u8]) -> std::io::Result<()> {
        match self {
            Raw::Tcp(stream) => stream.write_all(&length_prefixed(body)).await,
            Raw::Ws(socket) => socket
                .send(Message::Binary(body.to_vec().into()))
                .await
                .map_err(std::io::Error::other),
            Raw::Wt { send, .. } => send
                .write_all(&length_prefixed(body))
                .await
                .map_err(std::io::Error::other),
        }
    }

    /// Sends bytes as they are (on WebSocket: as one binary message).
    pub(crate) async fn send_raw(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Raw::Tcp(stream) => stream.write_all(bytes).await,
            Raw::Ws(_) => self.send_frame(bytes).await,
            Raw::Wt { send, .. } => send.write_all(bytes).await.map_err(std::io::Error::other),
        }
    }

    /// Whether the server ends the connection within `within` (reading and dropping what it
    /// sends meanwhile).
    pub(crate) async fn closed_by_server(&mut self, within: Duration) -> bool {
        let reading = async {
            let mut buffer = vec![0u8; 64 * 1024];
            loop {
                let ended = match self {
                    Raw::Tcp(stream) => !matches!(stream.read(&mut buffer).await, Ok(n) if n > 0),
                    Raw::Ws(socket) => {
                        matches!(
                            socket.next().await,
                            None | Some(Err(_)) | Some(Ok(Message::Close(_)))
                        )
                    }
                    Raw::Wt { recv, .. } => !matches!(recv.read(&mut buffer).await, Ok(Some(_))),
                };
                if ended {
                    return;
                }
            }
        };
        tokio::time::timeout(within, reading).await.is_ok()
    }
}

/// The body of a frame for `message` in the listener's framing.
pub(crate) fn encode(kind: Kind, message: &TransportMessage) -> Vec<u8> {
    match kind {
        Kind::Tcp => OckamTcpFrames.encode(message),
        Kind::Ws | Kind::Wt => BareFrames.encode(message),
    }
}

pub(crate) fn to(service: &str, payload: Vec<u8>) -> TransportMessage {
    TransportMessage::new(
        Route::from_hops([Address::from(service)]),
        Route::from_hops([Address::from("attacker")]),
        payload,
    )
}

/// A small deterministic generator of bytes that look random.
pub(crate) struct Noise(pub(crate) u64);

impl Noise {
    pub(crate) fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len)
            .map(|_| {
                self.0 ^= self.0 << 13;
                self.0 ^= self.0 >> 7;
                self.0 ^= self.0 << 17;
                self.0 as u8
            })
            .collect()
    }
}
