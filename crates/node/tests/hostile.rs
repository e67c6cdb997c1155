//! A `razor node` under attack on each of its listeners (TCP, WebSocket, WebTransport):
//! garbage, truncated, oversized and mutated frames, 10,000 half-open handshakes, a peer that
//! never reads and one that writes a byte at a time, connections over the caps — while a
//! well-behaved client keeps a secure channel over each listener and its echo round trips
//! keep working. What the node held and refused is read from its `--metrics` endpoint.

mod support;

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
use razor_node::transport::{TcpTransport, WebSocketTransport, WebTransportTransport};
use razor_node::{TokioRuntime, run_local};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::process::Child;
use tokio_tungstenite::tungstenite::Message;

/// How long the server gives a handshake (short, so that the test sees them expire).
const HANDSHAKE_TIMEOUT_MS: u64 = 3_000;
/// Handshakes each listener may have in progress.
const MAX_HANDSHAKES: u64 = 1_000;
/// The half-open handshakes the flood starts.
const FLOOD: usize = 10_000;
/// What the well-behaved client's round trips may take under load before counting as lost.
const PATIENT: Option<Duration> = Some(Duration::from_secs(20));

struct Server {
    child: Child,
    tcp: SocketAddr,
    ws: SocketAddr,
    wt: SocketAddr,
    wt_hash: [u8; 32],
    metrics: SocketAddr,
}

impl Server {
    async fn start(extra: &[&str]) -> Self {
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
        let (child, mut lines) = support::spawn_node(&args, "warn");
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
        support::drain(lines);
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
    async fn metrics(&self) -> HashMap<String, u64> {
        support::scrape_metrics(self.metrics).await
    }

    /// Waits until `check` holds for the counters (up to `within`), and returns them.
    async fn metrics_until(
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
struct WellBehaved {
    node: Node,
    channels: Vec<(&'static str, SecureChannel)>,
    round_trips: Rc<Cell<u64>>,
    failures: Rc<Cell<u64>>,
    stop: Rc<Cell<bool>>,
}

impl WellBehaved {
    async fn connect(server: &Server) -> Self {
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

    fn probe(&self) {
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
    async fn check(&self, phase: &str) {
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

    fn finish(self) {
        self.stop.set(true);
        self.node.shutdown();
    }
}

/// Which listener a raw (attacking) connection goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Tcp,
    Ws,
    Wt,
}

const KINDS: [Kind; 3] = [Kind::Tcp, Kind::Ws, Kind::Wt];

/// A connection that speaks the listener's framing by hand (or not at all).
enum Raw {
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
    async fn connect(server: &Server, kind: Kind) -> Self {
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
    async fn send_frame(&mut self, body: &[u8]) -> std::io::Result<()> {
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
    async fn send_raw(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Raw::Tcp(stream) => stream.write_all(bytes).await,
            Raw::Ws(_) => self.send_frame(bytes).await,
            Raw::Wt { send, .. } => send.write_all(bytes).await.map_err(std::io::Error::other),
        }
    }

    /// Whether the server ends the connection within `within` (reading and dropping what it
    /// sends meanwhile).
    async fn closed_by_server(&mut self, within: Duration) -> bool {
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
fn encode(kind: Kind, message: &TransportMessage) -> Vec<u8> {
    match kind {
        Kind::Tcp => OckamTcpFrames.encode(message),
        Kind::Ws | Kind::Wt => BareFrames.encode(message),
    }
}

fn to(service: &str, payload: Vec<u8>) -> TransportMessage {
    TransportMessage::new(
        Route::from_hops([Address::from(service)]),
        Route::from_hops([Address::from("attacker")]),
        payload,
    )
}

/// A small deterministic generator of bytes that look random.
struct Noise(u64);

impl Noise {
    fn bytes(&mut self, len: usize) -> Vec<u8> {
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

#[test]
fn malformed_truncated_oversized_and_mutated_frames_only_close_their_own_connection() {
    run_local(async {
        let server = Server::start(&[]).await;
        let client = WellBehaved::connect(&server).await;
        let mut noise = Noise(0x9e37_79b9_7f4a_7c15);
        for kind in KINDS {
            // Garbage where a frame should be.
            let mut raw = Raw::connect(&server, kind).await;
            let _ = raw.send_frame(&noise.bytes(300)).await;
            assert!(
                raw.closed_by_server(Duration::from_secs(10)).await,
                "{kind:?}: garbage"
            );

            // A frame cut short, then silence: the connection holds its place until the peer
            // goes; the node is not bothered meanwhile.
            let mut raw = Raw::connect(&server, kind).await;
            let mut truncated = 100u32.to_be_bytes().to_vec();
            truncated.extend_from_slice(&noise.bytes(10));
            let _ = raw.send_raw(&truncated).await;
            drop(raw);

            // A frame announcing more than the 16 MiB limit.
            let mut raw = Raw::connect(&server, kind).await;
            let oversized = match kind {
                Kind::Ws => vec![0u8; 17 * 1024 * 1024],
                Kind::Tcp | Kind::Wt => (17u32 * 1024 * 1024).to_be_bytes().to_vec(),
            };
            let _ = raw.send_raw(&oversized).await;
            assert!(
                raw.closed_by_server(Duration::from_secs(10)).await,
                "{kind:?}: oversized"
            );

            // Genuine echo requests with one byte flipped each: a flip that breaks the frame
            // closes the connection; one that still decodes is routed (or refused) like any
            // other message. Either way the node keeps serving.
            let genuine = encode(kind, &to("echo", b"mutate me".to_vec()));
            for i in 0..genuine.len() {
                let mut raw = Raw::connect(&server, kind).await;
                let mut mutated = genuine.clone();
                mutated[i] ^= 0x5a;
                let _ = raw.send_frame(&mutated).await;
                drop(raw);
            }
            client.check(&format!("{kind:?} frames")).await;
        }
        let metrics = server
            .metrics_until(Duration::from_secs(10), |m| {
                m["razor_connections_open"] == 3
            })
            .await;
        assert!(metrics["razor_malformed_frames_total"] >= 3, "{metrics:?}");
        assert_eq!(
            metrics["razor_connections_open"], 3,
            "only the well-behaved client's connections are left: {metrics:?}"
        );
        client.check("after the frames").await;
        client.finish();
        drop(server.child);
    })
    .unwrap();
}

#[test]
fn ten_thousand_half_open_handshakes_hold_bounded_memory_and_all_expire() {
    run_local(async {
        let server = Server::start(&[]).await;
        let client = WellBehaved::connect(&server).await;
        let before = server.metrics().await;
        let mut noise = Noise(0x2545_f491_4f6c_dd1d);
        // First handshake messages — an ephemeral key each — spread over the three listeners,
        // from connections that then read what comes back (message 2s) and never answer.
        let mut attackers = Vec::new();
        for (i, kind) in KINDS.iter().cycle().take(12).enumerate() {
            let mut raw = Raw::connect(&server, *kind).await;
            let share = FLOOD / 12 + usize::from(i < FLOOD % 12);
            for _ in 0..share {
                let first = encode(*kind, &to("secure", noise.bytes(32)));
                raw.send_frame(&first).await.unwrap();
            }
            attackers.push(raw);
        }
        let drain: Vec<_> = attackers
            .into_iter()
            .map(|mut raw| {
                tokio::task::spawn_local(async move {
                    raw.closed_by_server(Duration::from_secs(60)).await;
                })
            })
            .collect();
        let peak = server
            .metrics_until(Duration::from_secs(30), |m| {
                m["razor_handshakes_in_progress"]
                    + m["razor_handshakes_refused_total"]
                    + m["razor_handshakes_expired_total"]
                    + m["razor_handshakes_failed_total"]
                    >= FLOOD as u64
            })
            .await;
        client.check("during the flood").await;
        let started = FLOOD as u64 - peak["razor_handshakes_refused_total"];
        assert!(
            peak["razor_handshakes_in_progress"] <= MAX_HANDSHAKES,
            "at most the cap in progress: {peak:?}"
        );
        assert!(
            peak["razor_handshakes_refused_total"] >= FLOOD as u64 - 2 * MAX_HANDSHAKES,
            "the rest refused before any work: {peak:?}"
        );
        let grown = peak["razor_process_resident_memory_bytes"]
            .saturating_sub(before["razor_process_resident_memory_bytes"]);
        eprintln!(
            "flood: {started} handshakes started, {} refused; resident memory grew {} KiB",
            peak["razor_handshakes_refused_total"],
            grown / 1024
        );
        assert!(
            grown < 64 * 1024 * 1024,
            "10,000 half-open handshakes grew the node by {} MiB",
            grown >> 20
        );
        // After the timeout every one of them is gone (expired, or failed on a key that is
        // no key) and, once the attackers hang up, so are their workers and connections.
        let after = server
            .metrics_until(Duration::from_millis(HANDSHAKE_TIMEOUT_MS * 4), |m| {
                m["razor_handshakes_in_progress"] == 0
            })
            .await;
        assert_eq!(after["razor_handshakes_in_progress"], 0, "{after:?}");
        assert_eq!(
            after["razor_handshakes_expired_total"] + after["razor_handshakes_failed_total"],
            started,
            "every started handshake ended: {after:?}"
        );
        assert!(after["razor_handshakes_expired_total"] > 0, "{after:?}");
        client.check("after the flood").await;
        for task in drain {
            task.abort();
        }
        let after = server
            .metrics_until(Duration::from_secs(15), |m| {
                m["razor_workers"] == before["razor_workers"]
            })
            .await;
        assert_eq!(after["razor_workers"], before["razor_workers"], "{after:?}");
        assert_eq!(after["razor_connections_open"], 3, "{after:?}");
        client.finish();
        drop(server.child);
    })
    .unwrap();
}

#[test]
fn slow_readers_slow_writers_and_connections_over_the_caps_only_cost_themselves() {
    run_local(async {
        let server = Server::start(&["--max-connections-per-source", "40"]).await;
        let client = WellBehaved::connect(&server).await;
        for kind in KINDS {
            // A peer that asks for echoes and never reads the answers: its connection fills,
            // then echo drops its answers rather than wait for it.
            let mut reader = Raw::connect(&server, kind).await;
            let ask = encode(kind, &to("echo", vec![7u8; 16 * 1024]));
            let flooding = async {
                for _ in 0..4_000 {
                    if reader.send_frame(&ask).await.is_err() {
                        break;
                    }
                }
            };
            let _ = tokio::time::timeout(Duration::from_secs(20), flooding).await;
            client.check(&format!("{kind:?} slow reader")).await;
            drop(reader);

            // A peer that writes one byte at a time (a valid echo request, 20 ms a byte):
            // served like any other, holding up no one.
            let mut writer = Raw::connect(&server, kind).await;
            let ask = encode(kind, &to("echo", b"slowly".to_vec()));
            if kind != Kind::Ws {
                let framed = length_prefixed(&ask);
                for byte in framed {
                    writer.send_raw(&[byte]).await.unwrap();
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                client.check(&format!("{kind:?} slow writer")).await;
            }
            drop(writer);
        }
        let metrics = server
            .metrics_until(Duration::from_secs(15), |m| {
                m["razor_connections_open"] == 3
            })
            .await;
        assert!(metrics["razor_replies_dropped_total"] > 0, "{metrics:?}");
        assert_eq!(metrics["razor_connections_open"], 3, "{metrics:?}");

        // Connections over the per-source cap (40; the client holds 3) are closed at once.
        let mut held = Vec::new();
        for i in 0..45 {
            let kind = KINDS[i % 2]; // TCP and WebSocket: the cap is checked before the upgrade
            match kind {
                Kind::Tcp => held.push(TcpStream::connect(server.tcp).await.unwrap()),
                _ => held.push(TcpStream::connect(server.ws).await.unwrap()),
            }
        }
        let metrics = server
            .metrics_until(Duration::from_secs(10), |m| {
                m[r#"razor_connections_refused_total{cap="source"}"#] >= 8
            })
            .await;
        assert_eq!(
            metrics[r#"razor_connections_refused_total{cap="source"}"#], 8,
            "{metrics:?}"
        );
        assert_eq!(metrics["razor_connections_open"], 40, "{metrics:?}");
        client.check("over the cap").await;
        drop(held);
        let metrics = server
            .metrics_until(Duration::from_secs(15), |m| {
                m["razor_connections_open"] == 3
            })
            .await;
        assert_eq!(
            metrics["razor_connections_open"], 3,
            "places come back: {metrics:?}"
        );
        client.check("after the caps").await;
        client.finish();
        drop(server.child);
    })
    .unwrap();
}

#[test]
fn a_message_rate_paces_a_flooding_connection() {
    run_local(async {
        let server = Server::start(&["--max-messages-per-second", "200"]).await;
        let client = WellBehaved::connect(&server).await;
        let mut raw = Raw::connect(&server, Kind::Tcp).await;
        let ask = encode(Kind::Tcp, &to("echo", b"fast".to_vec()));
        for _ in 0..1_000 {
            raw.send_frame(&ask).await.unwrap();
        }
        let metrics = server
            .metrics_until(Duration::from_secs(10), |m| {
                m["razor_frames_throttled_total"] > 0
            })
            .await;
        assert!(metrics["razor_frames_throttled_total"] > 0, "{metrics:?}");
        client.check("while a connection is paced").await;
        client.finish();
        drop(server.child);
    })
    .unwrap();
}

#[test]
fn a_listener_holds_at_most_its_cap_of_channels_and_takes_new_ones_as_old_ones_close() {
    run_local(async {
        // The well-behaved client holds 3 channels; the cap leaves room for 3 more.
        let server = Server::start(&["--max-channels", "6"]).await;
        let client = WellBehaved::connect(&server).await;
        let identity = client.node.create_identity().await.unwrap();
        let route: Route = format!("tcp#{} => secure", server.tcp).parse().unwrap();
        let options = || {
            SecureChannelOptions::new(TrustPolicy::TrustEveryone)
                .with_timeout(Duration::from_millis(1_500))
        };
        let mut extra = Vec::new();
        for _ in 0..3 {
            let channel = client
                .node
                .create_secure_channel(&identity, route.clone(), options());
            extra.push(channel.await.expect("room for three more"));
        }
        let refused = client
            .node
            .create_secure_channel(&identity, route.clone(), options())
            .await;
        assert_eq!(
            refused.err().map(|e| e.code()),
            Some("TIMEOUT"),
            "a seventh channel's first message is dropped"
        );
        let metrics = server.metrics().await;
        assert_eq!(metrics["razor_channels_refused_total"], 1, "{metrics:?}");
        client.check("at the channel cap").await;
        // One closes (its Close reaches the server), and there is room again.
        extra.pop().unwrap().close();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        let reopened = loop {
            match client
                .node
                .create_secure_channel(&identity, route.clone(), options())
                .await
            {
                Ok(channel) => break channel,
                Err(error) if tokio::time::Instant::now() < deadline => {
                    assert_eq!(error.code(), "TIMEOUT");
                }
                Err(error) => panic!("no room after a close: {error}"),
            }
        };
        assert_eq!(
            reopened
                .request("echo", b"again".to_vec(), PATIENT)
                .await
                .unwrap()
                .payload,
            b"again"
        );
        client.finish();
        drop(server.child);
    })
    .unwrap();
}
