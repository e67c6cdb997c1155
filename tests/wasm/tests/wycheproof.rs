//! Wycheproof vectors through Razor's crypto, compiled to wasm (Node and headless Chromium).
#![cfg(target_arch = "wasm32")]

use razor_core::testing::wycheproof;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn aead_vectors() {
    assert!(wycheproof::aes_256_gcm() > 50);
    assert!(wycheproof::chacha20_poly1305() > 200);
}

#[wasm_bindgen_test]
async fn x25519_vectors() {
    assert!(wycheproof::x25519().await > 500);
}

#[wasm_bindgen_test]
fn signature_and_hkdf_vectors() {
    assert!(wycheproof::ed25519() > 100);
    assert!(wycheproof::ecdsa_p256() > 200);
    assert!(wycheproof::hkdf_sha256() > 50);
}

#[wasm_bindgen_test]
async fn signature_vectors_through_webcrypto() {
    // Handshakes check the peer's Ed25519 signatures with WebCrypto: it must agree with the
    // vectors (valid pass, invalid fail) in every runtime the package runs in.
    let vault = razor_wasm::vault::WebCryptoVault::open(None).await.unwrap();
    let provider = razor_wasm::vault::WebCryptoProvider::new(vault.subtle());
    assert!(wycheproof::signatures_through(&provider).await > 300);
}
