//! The secure channel scenarios on the wasm runtime (Node, and headless Chromium).
#![cfg(target_arch = "wasm32")]

use razor_core::channel::CipherSuite;
use razor_core::testing::{channels, handshake_failures};
use razor_wasm::WasmRuntime;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
async fn thousand_messages_each_way_ockam_suite() {
    channels::thousand_messages_each_way(WasmRuntime, CipherSuite::OckamAes256Gcm).await;
}

#[wasm_bindgen_test]
async fn thousand_messages_each_way_noise_suite() {
    channels::thousand_messages_each_way(WasmRuntime, CipherSuite::NoiseChaChaPoly).await;
}

#[wasm_bindgen_test]
async fn the_wrong_peer_is_an_identity_mismatch() {
    handshake_failures::the_wrong_peer_is_an_identity_mismatch(WasmRuntime).await;
}

#[wasm_bindgen_test]
async fn a_peer_that_never_answers_is_a_timeout() {
    handshake_failures::a_peer_that_never_answers_is_a_timeout(WasmRuntime).await;
}

#[wasm_bindgen_test]
async fn a_half_open_handshake_is_torn_down() {
    handshake_failures::a_half_open_handshake_is_torn_down(WasmRuntime).await;
}

#[wasm_bindgen_test]
async fn a_message_2_that_is_not_one_is_refused() {
    handshake_failures::a_message_2_that_is_not_one_is_refused(WasmRuntime).await;
}

#[wasm_bindgen_test]
async fn a_forged_initiator_key_is_refused_at_message_3() {
    handshake_failures::a_forged_initiator_key_is_refused_at_message_3(WasmRuntime).await;
}

#[wasm_bindgen_test]
async fn a_forged_responder_key_is_refused() {
    handshake_failures::a_forged_responder_key_is_refused(WasmRuntime).await;
}

#[wasm_bindgen_test]
async fn credentials_and_policies() {
    channels::credentials_and_policies(WasmRuntime).await;
}

#[wasm_bindgen_test]
async fn rotated_identity_still_connects() {
    channels::rotated_identity_still_connects(WasmRuntime).await;
}

#[wasm_bindgen_test]
async fn more_busy_channels_than_kept_schedules() {
    channels::more_busy_channels_than_kept_schedules(WasmRuntime).await;
}

#[wasm_bindgen_test]
async fn forged_rotation_is_refused_and_not_remembered() {
    channels::forged_rotation_is_refused_and_not_remembered(WasmRuntime).await;
}

#[wasm_bindgen_test]
async fn nested_channels() {
    channels::nested_channels(WasmRuntime, CipherSuite::NoiseChaChaPoly).await;
}

#[wasm_bindgen_test]
async fn tampered_and_replayed_frames_are_dropped() {
    channels::tampered_and_replayed_frames_are_dropped(WasmRuntime).await;
}
