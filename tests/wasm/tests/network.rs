//! Real networks from wasm: WebSocket and WebTransport to native Razor nodes, multi-protocol
//! routes on to a second node and to a real Ockam node.
//!
//! `scripts/test` starts the native peers and passes their addresses at compile time:
//! `RAZOR_TEST_WS`, `RAZOR_TEST_WT`, `RAZOR_TEST_WT_HASH`, `RAZOR_TEST_NODE_ID` (node A),
//! `RAZOR_TEST_TCP_B` (node B, TCP only), `RAZOR_TEST_OCKAM_TCP` (the Ockam peer). Without
//! them (a plain `cargo test`) these tests log and return; `scripts/test` sets
//! `RAZOR_REQUIRE_NETWORK=1` so that a missing peer fails instead.
#![cfg(target_arch = "wasm32")]

use core::time::Duration;

use razor_core::channel::{SecureChannelOptions, TrustPolicy};
use razor_core::identity::Identifier;
use razor_core::{Error, Node, NodeConfig, Route, TransportError};
use razor_wasm::WasmRuntime;
use razor_wasm::transport::{
    WebSocketDriver, WebSocketTransport, WebTransportDriver, WebTransportTransport,
};
use wasm_bindgen_test::{console_log, wasm_bindgen_test};

const PATIENT: Option<Duration> = Some(Duration::from_secs(20));

struct Peers {
    ws: &'static str,
    wt: &'static str,
    wt_hash: [u8; 32],
    node_id: Identifier,
    tcp_b: &'static str,
    ockam_tcp: &'static str,
}

fn peers() -> Option<Peers> {
    let (Some(ws), Some(wt), Some(hash), Some(id), Some(tcp_b), Some(ockam)) = (
        option_env!("RAZOR_TEST_WS"),
        option_env!("RAZOR_TEST_WT"),
        option_env!("RAZOR_TEST_WT_HASH"),
        option_env!("RAZOR_TEST_NODE_ID"),
        option_env!("RAZOR_TEST_TCP_B"),
        option_env!("RAZOR_TEST_OCKAM_TCP"),
    ) else {
        assert!(
            option_env!("RAZOR_REQUIRE_NETWORK").is_none(),
            "RAZOR_TEST_* peers are not set"
        );
        console_log!("skipping: no native peers (scripts/test starts them)");
        return None;
    };
    Some(Peers {
        ws,
        wt,
        wt_hash: razor_core::codec::hex::decode_array(hash).unwrap(),
        node_id: id.parse().unwrap(),
        tcp_b,
        ockam_tcp: ockam,
    })
}

fn has_global(name: &str) -> bool {
    js_sys::Reflect::get(&js_sys::global(), &name.into()).is_ok_and(|v| !v.is_undefined())
}

fn node() -> (Node, WebSocketTransport, WebTransportTransport) {
    let node = Node::new(WasmRuntime, NodeConfig::new("wasm"));
    let ws = WebSocketTransport::create(&node, WebSocketDriver).unwrap();
    let wt = WebTransportTransport::create(&node, WebTransportDriver).unwrap();
    (node, ws, wt)
}

/// Plain echo over `hop`, then a secure channel to node A's listener carrying 1,000
/// requests (1,000 messages each way).
async fn echo_and_channel(node: &Node, hop: &str, node_id: Identifier) {
    let reply = node
        .request(
            format!("{hop} => echo").parse::<Route>().unwrap(),
            b"plain".to_vec(),
            PATIENT,
        )
        .await
        .unwrap();
    assert_eq!(reply.payload, b"plain");
    let identity = node.create_identity().await.unwrap();
    let route: Route = format!("{hop} => secure").parse().unwrap();
    let channel = node
        .create_secure_channel(
            &identity,
            route,
            SecureChannelOptions::new(TrustPolicy::TrustIdentifier(node_id)),
        )
        .await
        .unwrap();
    for i in 0..1_000u32 {
        let payload: Vec<u8> = (0..(i % 500)).map(|j| (i + j) as u8).collect();
        assert_eq!(
            channel
                .request("echo", payload.clone(), PATIENT)
                .await
                .unwrap()
                .payload,
            payload,
            "message {i}"
        );
    }
    channel.close();
}

#[wasm_bindgen_test]
async fn websocket_to_a_native_node() {
    let Some(peers) = peers() else { return };
    if !has_global("WebSocket") {
        panic!("no WebSocket in this runtime (Node needs --experimental-websocket)");
    }
    let (node, ws, _) = node();
    echo_and_channel(&node, &format!("ws#{}", peers.ws), peers.node_id).await;
    assert_eq!(ws.connection_count(), 1, "one connection, reused");
    node.shutdown();
}

#[wasm_bindgen_test]
async fn webtransport_to_a_native_node_with_a_pinned_certificate() {
    let Some(peers) = peers() else { return };
    if !has_global("WebTransport") {
        console_log!("skipping: no WebTransport in this runtime");
        return;
    }
    let (node, _, wt) = node();
    let hop = format!("wt#{}", peers.wt);
    wt.pin_certificate(peers.wt, [0xee; 32]);
    // Browsers report a wrong pinned hash like an unreachable server ("Opening handshake
    // failed"), by design: CONNECT_FAILED, saying the pin may not match. Natively the same
    // case is CERTIFICATE_MISMATCH.
    let wrong = node
        .request(
            format!("{hop} => echo").parse::<Route>().unwrap(),
            vec![],
            PATIENT,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            &wrong,
            Error::Transport(TransportError::ConnectFailed { reason, .. })
                if reason.contains("pinned hash")
        ),
        "{wrong:?}"
    );
    assert_eq!(wt.connection_count(), 0);
    wt.pin_certificate(peers.wt, peers.wt_hash);
    echo_and_channel(&node, &hop, peers.node_id).await;
    node.shutdown();
}

#[wasm_bindgen_test]
async fn webtransport_then_tcp_to_a_second_node() {
    let Some(peers) = peers() else { return };
    if !has_global("WebTransport") {
        console_log!("skipping: no WebTransport in this runtime");
        return;
    }
    let (node, _, wt) = node();
    wt.pin_certificate(peers.wt, peers.wt_hash);
    let route: Route = format!("wt#{} => tcp#{} => echo", peers.wt, peers.tcp_b)
        .parse()
        .unwrap();
    let reply = node
        .request(route, b"two hops, two protocols".to_vec(), PATIENT)
        .await
        .unwrap();
    assert_eq!(reply.payload, b"two hops, two protocols");
    // The reply came back by the return route alone: through node A's connections.
    assert_eq!(reply.return_route.len(), 3, "{}", reply.return_route);
    node.shutdown();
}

#[wasm_bindgen_test]
async fn websocket_then_tcp_to_a_real_ockam_node() {
    let Some(peers) = peers() else { return };
    if !has_global("WebSocket") {
        panic!("no WebSocket in this runtime (Node needs --experimental-websocket)");
    }
    let (node, _, _) = node();
    // Ockam's echoer takes a `String`: a BARE string.
    let hello = [&[11u8][..], b"hello ockam"].concat();
    let route: Route = format!("ws#{} => tcp#{} => echoer", peers.ws, peers.ockam_tcp)
        .parse()
        .unwrap();
    let reply = node.request(route, hello.clone(), PATIENT).await.unwrap();
    assert_eq!(reply.payload, hello);
    node.shutdown();
}

#[wasm_bindgen_test]
async fn unreachable_servers_are_typed_errors() {
    if !has_global("WebSocket") {
        return;
    }
    let (node, ws, _) = node();
    let error = node
        .request(
            "ws#127.0.0.1:9 => echo".parse::<Route>().unwrap(),
            vec![],
            PATIENT,
        )
        .await
        .unwrap_err();
    assert_eq!(error.code(), "CONNECT_FAILED", "{error:?}");
    assert_eq!(ws.connection_count(), 0);
    node.shutdown();
    if has_global("WebTransport") {
        let (node, _, wt) = self::node();
        wt.pin_certificate("127.0.0.1:9", [1; 32]);
        let error = node
            .request(
                "wt#127.0.0.1:9 => echo".parse::<Route>().unwrap(),
                vec![],
                PATIENT,
            )
            .await
            .unwrap_err();
        assert_eq!(error.code(), "CONNECT_FAILED", "{error:?}");
        assert_eq!(wt.connection_count(), 0);
        node.shutdown();
    }
}
