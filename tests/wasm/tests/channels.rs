//! The secure channel scenarios on the wasm runtime (Node, and headless Chromium).
#![cfg(target_arch = "wasm32")]

use razor_core::channel::CipherSuite;
use razor_core::testing::channels;
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
async fn handshake_failures_are_typed_and_leave_nothing() {
    channels::handshake_failures_are_typed_and_leave_nothing(WasmRuntime).await;
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
