//! The transport benchmark, in a real browser: messages per second (64 B, one at a time)
//! and megabytes per second (16 KiB, pipelined), medians of five runs, to a native node over
//! loopback WebSocket and WebTransport, plain and through secure channels, beside the same
//! exchange with a raw WebSocket echo server and no Razor (also with the cipher's work added,
//! to separate what a channel costs beyond its cipher). Run by `scripts/bench` (release build,
//! headless Chromium), which starts the servers and passes their addresses at compile time.
//! Each result is printed as a `BENCH {json}` line.
#![cfg(target_arch = "wasm32")]

use js_sys::{ArrayBuffer, Uint8Array};
use razor_benches::wasm::now_ms;
use razor_core::channel::{CipherSuite, SecureChannelOptions, TrustPolicy};
use razor_core::vault::Aead as _;
use razor_core::{Node, NodeConfig, Route};
use razor_wasm::WasmRuntime;
use razor_wasm::transport::{
    WebSocketDriver, WebSocketTransport, WebTransportDriver, WebTransportTransport,
};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const ROUND_TRIPS: usize = 1_000;
const BULK_MESSAGES: usize = 500;
const RUNS: usize = 5;
const BULK_SIZE: usize = 16 * 1024;
const WINDOW: usize = 64;

fn report(transport: &str, case: &str, messages: usize, bytes: usize, ms: f64, vs_raw: f64) {
    let row = format!(
        r#"{{"transport":"{transport}","case":"{case}","msgs_per_s":{:.0},"mb_per_s":{:.1},"vs_raw":{vs_raw:.3}}}"#,
        messages as f64 / ms * 1e3,
        bytes as f64 / ms / 1e3
    );
    console_log!("BENCH {row}");
}

/// Something that can send a payload and await one echoed payload.
trait Echo {
    async fn send(&self, payload: Vec<u8>);
    async fn receive(&self) -> Vec<u8>;
}

/// One timed run of 64-byte round trips, in milliseconds.
async fn round_trips(echo: &impl Echo) -> f64 {
    let small = vec![7u8; 64];
    let start = now_ms();
    for _ in 0..ROUND_TRIPS {
        echo.send(small.clone()).await;
        assert_eq!(echo.receive().await.len(), 64);
    }
    now_ms() - start
}

/// One timed run of pipelined 16 KiB messages (WINDOW in flight), in milliseconds.
async fn bulk(echo: &impl Echo) -> f64 {
    let big = vec![9u8; BULK_SIZE];
    let start = now_ms();
    let (mut sent, mut received) = (0, 0);
    while received < BULK_MESSAGES {
        while sent < BULK_MESSAGES && sent - received < WINDOW {
            echo.send(big.clone()).await;
            sent += 1;
        }
        assert_eq!(echo.receive().await.len(), BULK_SIZE);
        received += 1;
    }
    now_ms() - start
}

/// Round trips (64 B) and pipelined bulk (16 KiB), RUNS runs of each, every run right after
/// a run of the raw WebSocket `reference`: the ratio to raw is the median of the run-by-run
/// ratios, so that drift on a noisy loopback machine (other processes, clock changes) hits
/// both sides of each ratio alike. Rates are medians too.
async fn measure(transport: &str, echo: &impl Echo, reference: &RawWebSocket) {
    for _ in 0..50 {
        echo.send(vec![7u8; 64]).await;
        echo.receive().await;
    }
    let (mut times, mut ratios) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let raw = round_trips(reference).await;
        let ms = round_trips(echo).await;
        times.push(ms);
        ratios.push(raw / ms);
    }
    report(
        transport,
        "round-trip-64B",
        ROUND_TRIPS,
        ROUND_TRIPS * 64 * 2,
        median(times),
        median(ratios),
    );
    let (mut times, mut ratios) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let raw = bulk(reference).await;
        let ms = bulk(echo).await;
        times.push(ms);
        ratios.push(raw / ms);
    }
    report(
        transport,
        "bulk-16KiB",
        BULK_MESSAGES,
        BULK_MESSAGES * BULK_SIZE * 2,
        median(times),
        median(ratios),
    );
}

fn median(mut runs: Vec<f64>) -> f64 {
    runs.sort_by(f64::total_cmp);
    runs.get(runs.len() / 2).copied().unwrap_or(f64::NAN)
}

/// The browser's WebSocket, straight to a raw echo server.
struct RawWebSocket {
    socket: web_sys::WebSocket,
    inbox: async_channel::Receiver<Vec<u8>>,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
}

impl RawWebSocket {
    async fn open(url: &str) -> Self {
        let socket = web_sys::WebSocket::new(url).unwrap();
        socket.set_binary_type(web_sys::BinaryType::Arraybuffer);
        let (sender, inbox) = async_channel::unbounded();
        let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
            move |event: web_sys::MessageEvent| {
                let buffer: ArrayBuffer = event.data().unchecked_into();
                let _ = sender.try_send(Uint8Array::new(&buffer).to_vec());
            },
        );
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        let (opened_tx, opened) = async_channel::bounded::<()>(1);
        let on_open = Closure::once(move |_: web_sys::Event| {
            let _ = opened_tx.try_send(());
        });
        socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        opened.recv().await.unwrap();
        socket.set_onopen(None);
        Self {
            socket,
            inbox,
            _on_message: on_message,
        }
    }
}

impl Echo for RawWebSocket {
    async fn send(&self, payload: Vec<u8>) {
        self.socket.send_with_u8_array(&payload).unwrap();
    }
    async fn receive(&self) -> Vec<u8> {
        self.inbox.recv().await.unwrap()
    }
}

/// The browser's WebTransport with Razor's framing (`u32` length + body on one bidirectional
/// stream, the transport driver's sink and source) to a raw echo server: WebTransport without
/// Razor's node.
struct RawWebTransport {
    sink: std::cell::RefCell<<WebTransportDriver as razor_core::transport::Driver>::Sink>,
    source: std::cell::RefCell<<WebTransportDriver as razor_core::transport::Driver>::Source>,
}

impl RawWebTransport {
    async fn open(address: &str, hash: [u8; 32]) -> Self {
        use razor_core::transport::Driver as _;
        let pins = razor_core::transport::CertificatePins::default();
        pins.pin(address, hash);
        let hop = razor_core::Address::new(razor_core::TransportType::WT, address);
        let url = WebTransportDriver.peer(&hop).unwrap();
        let (sink, source) = WebTransportDriver.dial(&url, &pins).await.unwrap();
        Self {
            sink: sink.into(),
            source: source.into(),
        }
    }
}

#[allow(clippy::await_holding_refcell_ref)] // one caller at a time each way
impl Echo for RawWebTransport {
    async fn send(&self, payload: Vec<u8>) {
        use razor_core::transport::connection::FrameSink as _;
        self.sink.borrow_mut().send(payload).await.unwrap();
    }
    async fn receive(&self) -> Vec<u8> {
        use razor_core::transport::connection::FrameSource as _;
        self.source.borrow_mut().next().await.unwrap().unwrap()
    }
}

/// The raw WebSocket with the cipher's work and nothing else of Razor: each message is sealed
/// with ChaCha20-Poly1305 (the same RustCrypto code as the `noise-chachapoly` suite) before it
/// is sent, and each echo is opened. What a channel costs beyond its cipher is the gap between
/// this and the channel.
struct SealedRawWebSocket {
    raw: RawWebSocket,
    key: razor_core::vault::crypto::AeadKey,
    nonce: core::cell::Cell<u64>,
}

impl SealedRawWebSocket {
    fn new(raw: RawWebSocket) -> Self {
        use razor_core::vault::crypto::{AeadAlgorithm, AeadKey};
        Self {
            raw,
            key: AeadKey::new(AeadAlgorithm::ChaCha20Poly1305, &[3; 32]),
            nonce: core::cell::Cell::new(0),
        }
    }

    fn nonce(counter: u64) -> [u8; 12] {
        let mut nonce = [0u8; 12];
        nonce[4..].copy_from_slice(&counter.to_be_bytes());
        nonce
    }
}

impl Echo for SealedRawWebSocket {
    async fn send(&self, mut payload: Vec<u8>) {
        let counter = self.nonce.get();
        self.nonce.set(counter + 1);
        let mut frame = counter.to_be_bytes().to_vec();
        let tag = self
            .key
            .seal_detached(&Self::nonce(counter), &[], &mut payload)
            .unwrap();
        frame.extend_from_slice(&payload);
        frame.extend_from_slice(&tag);
        self.raw.send(frame).await;
    }
    async fn receive(&self) -> Vec<u8> {
        let frame = self.raw.receive().await;
        let counter = u64::from_be_bytes(frame[..8].try_into().unwrap());
        let mut body = frame[8..frame.len() - 16].to_vec();
        let tag: [u8; 16] = frame[frame.len() - 16..].try_into().unwrap();
        self.key
            .open_detached(&Self::nonce(counter), &[], &mut body, &tag)
            .unwrap();
        body
    }
}

/// The raw WebSocket to the Razor node's echo worker: each message is a hand-built
/// `TransportMessage`. Splits Razor's cost between the node (this against the raw echo
/// server) and the browser (Razor routing against this).
struct RawToRazorNode {
    raw: RawWebSocket,
}

impl Echo for RawToRazorNode {
    async fn send(&self, payload: Vec<u8>) {
        let message = razor_core::routing::TransportMessage::new(
            razor_core::route!["echo"],
            razor_core::route!["bench"],
            payload,
        );
        self.raw.send(message.encode()).await;
    }
    async fn receive(&self) -> Vec<u8> {
        razor_core::routing::TransportMessage::decode(&self.raw.receive().await)
            .unwrap()
            .payload
    }
}

/// Razor: a client sending along a route (to an echo worker, maybe through a channel).
struct RazorEcho {
    client: razor_core::Client,
    route: Route,
}

impl Echo for RazorEcho {
    async fn send(&self, payload: Vec<u8>) {
        self.client.send(self.route.clone(), payload).await.unwrap();
    }
    async fn receive(&self) -> Vec<u8> {
        // No timeout, like the raw socket's receive (a timeout adds a timer per message).
        self.client.receive().await.unwrap().payload
    }
}

fn node() -> (Node, WebTransportTransport) {
    let node = Node::new(
        WasmRuntime,
        NodeConfig::new("bench").with_mailbox_capacity(1024),
    );
    WebSocketTransport::create(&node, WebSocketDriver).unwrap();
    let wt = WebTransportTransport::create(&node, WebTransportDriver).unwrap();
    (node, wt)
}

async fn razor_cases(
    reference: &RawWebSocket,
    name: &str,
    node: &Node,
    hop: &str,
    node_id: razor_core::identity::Identifier,
) {
    let client = node.client().unwrap();
    let plain = RazorEcho {
        client,
        route: format!("{hop} => echo").parse().unwrap(),
    };
    measure(&format!("{name} razor routing"), &plain, reference).await;
    let identity = node.create_identity().await.unwrap();
    for suite in [CipherSuite::OckamAes256Gcm, CipherSuite::NoiseChaChaPoly] {
        let options =
            SecureChannelOptions::new(TrustPolicy::TrustIdentifier(node_id)).with_suite(suite);
        let listener = match suite {
            CipherSuite::OckamAes256Gcm => "secure",
            _ => "secure-noise",
        };
        let route: Route = format!("{hop} => {listener}").parse().unwrap();
        let channel = node
            .create_secure_channel(&identity, route, options)
            .await
            .unwrap();
        let through = RazorEcho {
            client: node.client().unwrap(),
            route: channel.route("echo"),
        };
        measure(
            &format!("{name} razor channel {}", suite.name()),
            &through,
            reference,
        )
        .await;
        channel.close();
    }
}

#[wasm_bindgen_test]
async fn transport_benchmark() {
    let (Some(raw), Some(ws), Some(wt), Some(hash), Some(id)) = (
        option_env!("RAZOR_BENCH_RAW_WS"),
        option_env!("RAZOR_BENCH_WS"),
        option_env!("RAZOR_BENCH_WT"),
        option_env!("RAZOR_BENCH_WT_HASH"),
        option_env!("RAZOR_BENCH_NODE_ID"),
    ) else {
        console_log!("skipping: run scripts/bench");
        return;
    };
    let node_id = id.parse().unwrap();
    let raw_url = format!("ws://{raw}/");
    let reference = RawWebSocket::open(&raw_url).await;
    measure(
        "websocket raw (no Razor)",
        &RawWebSocket::open(&raw_url).await,
        &reference,
    )
    .await;
    measure(
        "websocket raw + ChaCha20-Poly1305 (no Razor)",
        &SealedRawWebSocket::new(RawWebSocket::open(&raw_url).await),
        &reference,
    )
    .await;
    measure(
        "websocket raw client, razor node",
        &RawToRazorNode {
            raw: RawWebSocket::open(&format!("ws://{ws}/")).await,
        },
        &reference,
    )
    .await;

    if let (Some(raw_wt), Some(raw_wt_hash)) = (
        option_env!("RAZOR_BENCH_RAW_WT"),
        option_env!("RAZOR_BENCH_RAW_WT_HASH"),
    ) {
        let hash = razor_core::codec::hex::decode_array(raw_wt_hash).unwrap();
        measure(
            "webtransport raw (no Razor node; Razor's framing)",
            &RawWebTransport::open(raw_wt, hash).await,
            &reference,
        )
        .await;
    }

    let (node, pins) = node();
    pins.pin_certificate(wt, razor_core::codec::hex::decode_array(hash).unwrap());
    razor_cases(&reference, "websocket", &node, &format!("ws#{ws}"), node_id).await;
    razor_cases(
        &reference,
        "webtransport",
        &node,
        &format!("wt#{wt}"),
        node_id,
    )
    .await;
    node.shutdown();

    // The Ockam suite with the WebCrypto vault: large messages use WebCrypto's AES-GCM.
    let vault = razor_wasm::vault::WebCryptoVault::open(None).await.unwrap();
    let provider = razor_wasm::vault::WebCryptoProvider::new(vault.subtle());
    let node = Node::with_vault(
        WasmRuntime,
        NodeConfig::new("bench")
            .with_mailbox_capacity(1024)
            .with_crypto(std::rc::Rc::new(provider)),
        std::rc::Rc::new(vault),
    );
    WebSocketTransport::create(&node, WebSocketDriver).unwrap();
    let identity = node.create_identity().await.unwrap();
    let options = SecureChannelOptions::new(TrustPolicy::TrustIdentifier(node_id));
    let route: Route = format!("ws#{ws} => secure").parse().unwrap();
    let channel = node
        .create_secure_channel(&identity, route, options)
        .await
        .unwrap();
    let through = RazorEcho {
        client: node.client().unwrap(),
        route: channel.route("echo"),
    };
    measure(
        "websocket razor channel ockam-aes-gcm, webcrypto vault",
        &through,
        &reference,
    )
    .await;
    node.shutdown();
}
