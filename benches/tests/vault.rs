//! The WebCrypto vault against the software vault (secure channel handshake time), and
//! WebCrypto's AES-GCM against Razor's wasm AES-GCM (per message, as the Ockam suite would
//! use it). Runs in Node and in Chromium from `scripts/bench`; prints `BENCH {json}` lines.
#![cfg(target_arch = "wasm32")]

use std::rc::Rc;

use js_sys::{Object, Reflect, Uint8Array};
use razor_benches::wasm::now_ms;
use razor_core::channel::{SecureChannelOptions, TrustPolicy};
use razor_core::transport::memory::{MemoryNetwork, MemoryOptions, MemoryTransport};
use razor_core::vault::Aead as _;
use razor_core::vault::crypto::{AeadAlgorithm, AeadKey};
use razor_core::vault::{SoftwareVault, Vault};
use razor_core::{Node, NodeConfig, Route};
use razor_wasm::WasmRuntime;
use razor_wasm::vault::WebCryptoVault;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{console_log, wasm_bindgen_test};

fn runtime_name() -> &'static str {
    if Reflect::get(&js_sys::global(), &"document".into()).is_ok_and(|d| !d.is_undefined()) {
        "chromium"
    } else {
        "node"
    }
}

fn report(case: &str, name: &str, micros: f64) {
    console_log!(
        r#"BENCH {{"runtime":"{}","case":"{case}","name":"{name}","us":{micros:.1}}}"#,
        runtime_name()
    );
}

async fn handshakes(name: &str, make: impl Fn() -> Rc<dyn Vault>) {
    let network = MemoryNetwork::new();
    let a = Node::with_vault(WasmRuntime, NodeConfig::new("a"), make());
    let b = Node::with_vault(WasmRuntime, NodeConfig::new("b"), make());
    MemoryTransport::attach(&a, &network, "a", MemoryOptions::default()).unwrap();
    MemoryTransport::attach(&b, &network, "b", MemoryOptions::default()).unwrap();
    let (a_id, b_id) = (
        a.create_identity().await.unwrap(),
        b.create_identity().await.unwrap(),
    );
    b.create_secure_channel_listener(
        &b_id,
        "listener",
        SecureChannelOptions::new(TrustPolicy::TrustEveryone),
    )
    .unwrap();
    let route: Route = "mem#b => listener".parse().unwrap();
    let options = || SecureChannelOptions::new(TrustPolicy::TrustIdentifier(b_id.identifier()));
    for _ in 0..5 {
        a.create_secure_channel(&a_id, route.clone(), options())
            .await
            .unwrap()
            .close()
            .unwrap();
    }
    let rounds = 50;
    let start = now_ms();
    for _ in 0..rounds {
        a.create_secure_channel(&a_id, route.clone(), options())
            .await
            .unwrap()
            .close()
            .unwrap();
    }
    report("handshake", name, (now_ms() - start) * 1e3 / rounds as f64);
    a.shutdown();
    b.shutdown();
}

#[wasm_bindgen_test]
async fn vault_handshake_benchmark() {
    let webcrypto = WebCryptoVault::open(None).await.unwrap();
    handshakes("webcrypto vault", || Rc::new(webcrypto.clone())).await;
    handshakes("software vault", || Rc::new(SoftwareVault::new())).await;
}

#[wasm_bindgen_test]
async fn aes_gcm_webcrypto_versus_wasm() {
    let subtle: web_sys::SubtleCrypto = Reflect::get(
        &Reflect::get(&js_sys::global(), &"crypto".into()).unwrap(),
        &"subtle".into(),
    )
    .unwrap()
    .unchecked_into();
    let raw = Uint8Array::from(&[7u8; 32][..]);
    let algorithm = Object::new();
    Reflect::set(&algorithm, &"name".into(), &"AES-GCM".into()).unwrap();
    let usages = js_sys::Array::of2(&"encrypt".into(), &"decrypt".into());
    let key: web_sys::CryptoKey = JsFuture::from(
        subtle
            .import_key_with_object("raw", &raw, &algorithm, false, &usages)
            .unwrap(),
    )
    .await
    .unwrap()
    .unchecked_into();
    let wasm_key = AeadKey::new(AeadAlgorithm::Aes256Gcm, &[7; 32]);
    for size in [64usize, 1024, 2048, 4096, 8192, 16 * 1024] {
        let message = vec![9u8; size];
        let rounds = if size <= 1024 { 1_000 } else { 300 };
        // WebCrypto: a Promise to encrypt, a Promise to decrypt, as a per-message path would.
        let params = Object::new();
        Reflect::set(&params, &"name".into(), &"AES-GCM".into()).unwrap();
        let start = now_ms();
        for i in 0..rounds {
            let mut iv = [0u8; 12];
            iv[4..].copy_from_slice(&(i as u64).to_be_bytes());
            Reflect::set(&params, &"iv".into(), &Uint8Array::from(&iv[..])).unwrap();
            let sealed = JsFuture::from(
                subtle
                    .encrypt_with_object_and_u8_array(&params, &key, &message)
                    .unwrap(),
            )
            .await
            .unwrap();
            let sealed = Uint8Array::new(&sealed);
            let opened = JsFuture::from(
                subtle
                    .decrypt_with_object_and_buffer_source(&params, &key, &sealed)
                    .unwrap(),
            )
            .await
            .unwrap();
            assert_eq!(Uint8Array::new(&opened).length() as usize, size);
        }
        report(
            &format!("aes-gcm-{size}B"),
            "webcrypto (2 promises)",
            (now_ms() - start) * 1e3 / rounds as f64,
        );
        let start = now_ms();
        for i in 0..rounds {
            let mut nonce = [0u8; 12];
            nonce[4..].copy_from_slice(&(i as u64).to_be_bytes());
            let mut buffer = message.clone();
            wasm_key.seal(&nonce, &[], &mut buffer).unwrap();
            wasm_key.open(&nonce, &[], &mut buffer).unwrap();
        }
        report(
            &format!("aes-gcm-{size}B"),
            "wasm (razor)",
            (now_ms() - start) * 1e3 / rounds as f64,
        );
    }
}
