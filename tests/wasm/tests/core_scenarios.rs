//! The shared core scenarios on the wasm runtime: in Node, and in headless Chromium when
//! `WASM_BINDGEN_USE_BROWSER=1`.
#![cfg(target_arch = "wasm32")]

use razor_core::testing;
use razor_wasm::WasmRuntime;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
async fn three_hop_round_trip_over_memory_transport() {
    let hops = testing::three_hop_round_trip(WasmRuntime).await;
    assert_eq!(hops.len(), 4);
}

#[wasm_bindgen_test]
async fn mailbox_limits_and_typed_errors() {
    testing::mailbox_limits_and_typed_errors(WasmRuntime).await;
}

#[wasm_bindgen_test]
async fn access_control_refuses_remote_messages() {
    testing::access_control_refuses_remote_messages(WasmRuntime).await;
}

#[wasm_bindgen_test]
async fn lossy_link_is_deterministic_per_seed() {
    let first = testing::lossy_link_loses_but_never_corrupts(WasmRuntime).await;
    let second = testing::lossy_link_loses_but_never_corrupts(WasmRuntime).await;
    assert_eq!(first, second);
}

#[wasm_bindgen_test]
async fn connection_table_follows_connection_lifetimes() {
    testing::connection_table_follows_connection_lifetimes(WasmRuntime).await;
}

#[wasm_bindgen_test]
async fn relay_alias_reaches_the_registered_peer() {
    testing::relay_alias_reaches_the_registered_peer(WasmRuntime).await;
}

#[wasm_bindgen_test]
fn ten_thousand_random_and_ten_thousand_mutated_inputs_never_panic() {
    let rejected = testing::fuzz::transport_message_decoder_never_panics(10_000);
    assert!(rejected > 5_000, "only {rejected} inputs were rejected");
}

#[wasm_bindgen_test]
async fn notices_tell_senders_why() {
    testing::edge::notices_tell_senders_why(WasmRuntime).await;
}

#[wasm_bindgen_test]
async fn owned_relay_names() {
    testing::edge::owned_relay_names(WasmRuntime).await;
}

#[wasm_bindgen_test]
async fn route_fallback_sends_unknown_addresses_on() {
    testing::edge::route_fallback_sends_unknown_addresses_on(WasmRuntime).await;
}

#[wasm_bindgen_test]
async fn handshake_events_and_transport_loss() {
    testing::edge::handshake_events_and_transport_loss(WasmRuntime).await;
}

#[wasm_bindgen_test]
async fn concurrent_dials_share_one_connection() {
    testing::concurrent_dials_share_one_connection(WasmRuntime).await;
}

#[wasm_bindgen_test]
async fn channels_and_listeners_end_with_their_cause() {
    testing::lifecycle::channels_and_listeners_end_with_their_cause(WasmRuntime).await;
}

#[wasm_bindgen_test]
async fn connections_end_with_their_cause() {
    testing::lifecycle::connections_end_with_their_cause(WasmRuntime).await;
}
