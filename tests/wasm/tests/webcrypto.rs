//! The WebCrypto vault: non-extractable keys, signatures Razor's verifier accepts, channels
//! with software-vault peers, and identities that survive in IndexedDB (browsers).
#![cfg(target_arch = "wasm32")]

use std::rc::Rc;

use js_sys::Reflect;
use razor_core::channel::{CipherSuite, SecureChannelOptions, TrustPolicy};
use razor_core::identity::{Identity, verify_change_history};
use razor_core::services::Echo;
use razor_core::transport::memory::{MemoryNetwork, MemoryOptions, MemoryTransport};
use razor_core::vault::crypto::verify_signature;
use razor_core::vault::{SigningKeyKind, SigningVault, Vault};
use razor_core::{Node, NodeConfig, Route};
use razor_wasm::WasmRuntime;
use razor_wasm::vault::{WebCryptoProvider, WebCryptoVault, private_keys_for_testing_only};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

fn now() -> u64 {
    (js_sys::Date::now() / 1000.0) as u64
}

#[wasm_bindgen_test]
async fn keys_are_non_extractable_and_signatures_verify_in_razor() {
    let vault = WebCryptoVault::open(None).await.unwrap();
    for kind in [SigningKeyKind::Ed25519, SigningKeyKind::EcdsaP256] {
        let key = vault.generate_signing_key(kind).await.unwrap();
        let public = vault.verifying_key(&key).await.unwrap();
        let signature = vault.sign(&key, b"message").await.unwrap();
        assert!(
            verify_signature(&public, b"message", &signature),
            "{kind:?}"
        );
        assert!(!verify_signature(&public, b"other", &signature));
    }
    let subtle: web_sys::SubtleCrypto = Reflect::get(
        &Reflect::get(&js_sys::global(), &"crypto".into()).unwrap(),
        &"subtle".into(),
    )
    .unwrap()
    .unchecked_into();
    let keys = private_keys_for_testing_only(&vault);
    assert!(keys.len() >= 2);
    for key in keys {
        let key: web_sys::CryptoKey = key.unchecked_into();
        assert!(!key.extractable());
        for format in ["pkcs8", "jwk"] {
            let exported = match subtle.export_key(format, &key) {
                Ok(promise) => JsFuture::from(promise).await,
                Err(error) => Err(error),
            };
            assert!(
                exported.is_err(),
                "exportKey({format}) must fail on a stored key"
            );
        }
    }
}

#[wasm_bindgen_test]
async fn webcrypto_identities_rotate_and_verify() {
    let vault: Rc<dyn Vault> = Rc::new(WebCryptoVault::open(None).await.unwrap());
    let identity = Identity::create(vault.clone(), SigningKeyKind::Ed25519, now())
        .await
        .unwrap();
    let identifier = identity.identifier();
    identity
        .rotate(SigningKeyKind::EcdsaP256, now())
        .await
        .unwrap();
    let verified = verify_change_history(
        &razor_core::vault::crypto::RustCrypto,
        identity.change_history(),
    )
    .unwrap();
    assert_eq!(verified.identifier(), identifier);
    identity.secure_channel_key(now()).await.unwrap();
}

fn subtle() -> web_sys::SubtleCrypto {
    let crypto = Reflect::get(&js_sys::global(), &"crypto".into()).unwrap();
    Reflect::get(&crypto, &"subtle".into())
        .unwrap()
        .unchecked_into()
}

async fn channels_between(a_vault: Rc<dyn Vault>, b_vault: Rc<dyn Vault>) {
    let network = MemoryNetwork::new();
    // A WebCrypto node runs on the WebCrypto provider: large Ockam-suite messages use
    // WebCrypto's AES-GCM, so both cipher paths meet in these channels.
    let provider = Rc::new(WebCryptoProvider::new(subtle()));
    let config = |name: &str, vault: &Rc<dyn Vault>| {
        let config = NodeConfig::new(name);
        match vault.name() {
            "webcrypto" => config.with_crypto(provider.clone()),
            _ => config,
        }
    };
    let a = Node::with_vault(WasmRuntime, config("a", &a_vault), a_vault);
    let b = Node::with_vault(WasmRuntime, config("b", &b_vault), b_vault);
    MemoryTransport::attach(&a, &network, "a", MemoryOptions::default()).unwrap();
    MemoryTransport::attach(&b, &network, "b", MemoryOptions::default()).unwrap();
    let (a_id, b_id) = (
        a.create_identity().await.unwrap(),
        b.create_identity().await.unwrap(),
    );
    for (node, id) in [(&a, &a_id), (&b, &b_id)] {
        node.start_worker("echo", Echo).unwrap();
        for suite in [CipherSuite::OckamAes256Gcm, CipherSuite::NoiseChaChaPoly] {
            let options = SecureChannelOptions::new(TrustPolicy::TrustEveryone).with_suite(suite);
            node.create_secure_channel_listener(id, suite.name(), options)
                .unwrap();
        }
    }
    for (from, from_id, to, to_id) in [(&a, &a_id, "b", &b_id), (&b, &b_id, "a", &a_id)] {
        for suite in [CipherSuite::OckamAes256Gcm, CipherSuite::NoiseChaChaPoly] {
            let route: Route = format!("mem#{to} => {}", suite.name()).parse().unwrap();
            let options =
                SecureChannelOptions::new(TrustPolicy::TrustIdentifier(to_id.identifier()))
                    .with_suite(suite);
            let channel = from
                .create_secure_channel(from_id, route, options)
                .await
                .unwrap();
            // 64 B and 20 KiB messages, across two rekeys (every 32 messages each way).
            for i in 0..70u8 {
                let len = if i % 2 == 0 { 64 } else { 20 * 1024 };
                assert_eq!(
                    channel
                        .request("echo", vec![i; len], None)
                        .await
                        .unwrap()
                        .payload,
                    vec![i; len]
                );
            }
        }
    }
    // 20 KiB Ockam-suite messages went through WebCrypto's AES-GCM.
    assert!(
        provider.bulk_operations() >= 35,
        "{}",
        provider.bulk_operations()
    );
    a.shutdown();
    b.shutdown();
}

#[wasm_bindgen_test]
async fn webcrypto_and_software_peers_open_channels_both_ways() {
    let webcrypto: Rc<dyn Vault> = Rc::new(WebCryptoVault::open(None).await.unwrap());
    let software: Rc<dyn Vault> = Rc::new(razor_core::vault::SoftwareVault::new());
    channels_between(webcrypto.clone(), software).await;
    channels_between(
        webcrypto,
        Rc::new(WebCryptoVault::open(None).await.unwrap()),
    )
    .await;
}

#[wasm_bindgen_test]
async fn identities_survive_in_indexeddb() {
    if Reflect::get(&js_sys::global(), &"indexedDB".into()).map_or(true, |v| v.is_undefined()) {
        wasm_bindgen_test::console_log!("skipping: no IndexedDB in this runtime");
        return;
    }
    let store = format!(
        "razor-test-{}",
        razor_core::Address::random_local().value_str().unwrap()
    );
    let first = WebCryptoVault::open(Some(&store)).await.unwrap();
    assert!(first.is_persistent());
    let shared: Rc<dyn Vault> = Rc::new(first.clone());
    let identity = Identity::create(shared, SigningKeyKind::Ed25519, now())
        .await
        .unwrap();
    first.save_identity("me", &identity).await.unwrap();

    // A fresh vault on the same database, as after a page reload.
    let second = WebCryptoVault::open(Some(&store)).await.unwrap();
    let shared: Rc<dyn Vault> = Rc::new(second.clone());
    let restored = second
        .load_identity("me", shared.clone())
        .await
        .unwrap()
        .expect("saved identity");
    assert_eq!(restored.identifier(), identity.identifier());
    // Its keys still sign: the restored identity can attest a channel key.
    restored.secure_channel_key(now()).await.unwrap();
    assert!(
        second
            .load_identity("nobody", shared)
            .await
            .unwrap()
            .is_none()
    );
}

#[wasm_bindgen_test]
async fn ephemeral_keys_agree_with_software_x25519_and_refuse_low_order_peers() {
    use razor_core::vault::crypto::X25519KeyPair;
    use razor_core::vault::{CryptoProvider, X25519PublicKey};
    let provider = WebCryptoProvider::new(subtle());
    let ephemeral = provider.ephemeral_key().await.unwrap();
    let software = X25519KeyPair::generate().unwrap();
    let ours = ephemeral
        .diffie_hellman(&software.public_key())
        .await
        .unwrap();
    let theirs = software.diffie_hellman(&ephemeral.public_key()).unwrap();
    assert_eq!(ours.expose(), theirs.expose());
    // Two keys are two keys.
    let other = provider.ephemeral_key().await.unwrap();
    assert_ne!(other.public_key(), ephemeral.public_key());
    // A low-order point (here: zero, and one of order 8) would make the secret public.
    for low_order in [[0u8; 32], {
        let mut p = [0u8; 32];
        p[0] = 1;
        p
    }] {
        let refused = ephemeral.diffie_hellman(&X25519PublicKey(low_order)).await;
        assert!(
            matches!(refused, Err(razor_core::Error::Crypto(_))),
            "{refused:?}"
        );
    }
}
