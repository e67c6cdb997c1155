//! The WebCrypto provider: RustCrypto for everything per message except what the platform does
//! better — WebCrypto's AES-GCM (hardware AES) for Ockam-suite messages of
//! [`WEBCRYPTO_AES_MIN_LEN`] bytes and more, as the provider's bulk cipher (keys imported once
//! per channel epoch, non-extractable) — and, for handshakes, WebCrypto's X25519 for ephemeral
//! keys (non-extractable) and its Ed25519 for the peer's signatures, all checked at once.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::{Array, Object, Reflect, Uint8Array};
use razor_core::runtime::LocalBoxFuture;
use razor_core::vault::crypto::RustCrypto;
use razor_core::vault::{
    Aead, AeadAlgorithm, BulkCipher, BulkKey, CryptoProvider, EphemeralKey, SharedSecret,
    Signature, SignatureCheck, VerifyingKey, X25519PublicKey,
};
use razor_core::{Error, Result};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, SubtleCrypto};

use super::webcrypto::{generate_x25519, x25519};

/// Messages from this size up go through WebCrypto's AES-GCM (hardware AES); smaller ones
/// stay in wasm, where a Promise per message costs more than the cipher. Measured crossover
/// (docs/BENCHMARKS.md): about 1 KiB in Chromium, 6 KiB in Node; at 8 KiB WebCrypto wins
/// 1.3× (Node) to 3× (Chromium).
pub const WEBCRYPTO_AES_MIN_LEN: usize = 8 * 1024;

/// RustCrypto, with WebCrypto's AES-GCM as the bulk cipher and WebCrypto's X25519 and Ed25519
/// for handshakes.
pub struct WebCryptoProvider {
    aes: WebCryptoAes,
    subtle: SubtleCrypto,
    imported: ImportedKeys,
}

impl WebCryptoProvider {
    /// The provider on this realm's `crypto.subtle`.
    pub fn new(subtle: SubtleCrypto) -> Self {
        // Each `&str` that crosses into JS is decoded from UTF-8 there; these go with every
        // WebCrypto call of a handshake, so JS keeps them (`wasm_bindgen::intern`).
        for name in [
            "name",
            "X25519",
            "Ed25519",
            "public",
            "raw",
            "verify",
            "deriveBits",
            "privateKey",
            "publicKey",
            "AES-GCM",
            "iv",
            "encrypt",
            "decrypt",
        ] {
            wasm_bindgen::intern(name);
        }
        Self {
            aes: WebCryptoAes {
                subtle: subtle.clone(),
                operations: Rc::default(),
            },
            subtle,
            imported: ImportedKeys::default(),
        }
    }

    /// Messages WebCrypto's AES-GCM sealed or opened so far.
    pub fn bulk_operations(&self) -> u64 {
        self.aes.operations.get()
    }
}

impl CryptoProvider for WebCryptoProvider {
    fn name(&self) -> &'static str {
        "rustcrypto+webcrypto"
    }

    fn fill_random(&self, out: &mut [u8]) -> Result<()> {
        RustCrypto.fill_random(out)
    }

    fn sha256(&self, parts: &[&[u8]]) -> [u8; 32] {
        RustCrypto.sha256(parts)
    }

    fn hkdf_sha256(&self, salt: &[u8], ikm: &[u8], info: &[u8], out: &mut [u8]) -> Result<()> {
        RustCrypto.hkdf_sha256(salt, ikm, info, out)
    }

    fn pbkdf2_sha256(&self, passphrase: &[u8], salt: &[u8], rounds: u32, out: &mut [u8]) {
        RustCrypto.pbkdf2_sha256(passphrase, salt, rounds, out);
    }

    fn aead(&self, algorithm: AeadAlgorithm, key: &[u8; 32]) -> Box<dyn Aead> {
        RustCrypto.aead(algorithm, key)
    }

    fn ephemeral_key(&self) -> LocalBoxFuture<'_, Result<Box<dyn EphemeralKey>>> {
        Box::pin(async move {
            let (private, public) = generate_x25519(&self.subtle).await?;
            Ok(Box::new(WebCryptoEphemeral {
                subtle: self.subtle.clone(),
                private,
                public: X25519PublicKey(public),
            }) as Box<dyn EphemeralKey>)
        })
    }

    fn verify_signature(&self, key: &VerifyingKey, message: &[u8], signature: &Signature) -> bool {
        RustCrypto.verify_signature(key, message, signature)
    }

    fn verify_signatures<'a>(
        &'a self,
        checks: &'a [SignatureCheck],
    ) -> LocalBoxFuture<'a, Vec<bool>> {
        Box::pin(verify_all(&self.subtle, &self.imported, checks))
    }

    fn bulk_cipher(&self) -> Option<&dyn BulkCipher> {
        Some(&self.aes)
    }
}

/// A handshake's ephemeral key inside WebCrypto (non-extractable).
struct WebCryptoEphemeral {
    subtle: SubtleCrypto,
    private: CryptoKey,
    public: X25519PublicKey,
}

impl EphemeralKey for WebCryptoEphemeral {
    fn public_key(&self) -> X25519PublicKey {
        self.public
    }

    fn diffie_hellman<'a>(
        &'a self,
        peer: &'a X25519PublicKey,
    ) -> LocalBoxFuture<'a, Result<SharedSecret>> {
        Box::pin(x25519(&self.subtle, &self.private, peer))
    }
}

fn ed25519() -> Object {
    let algorithm = Object::new();
    let _ = Reflect::set(&algorithm, &"name".into(), &"Ed25519".into());
    algorithm
}

/// How many Ed25519 public keys a provider keeps imported (peers met again — a reconnecting
/// app, a rotating history's earlier keys — skip the import).
const IMPORTED_KEYS: usize = 64;

/// Ed25519 public keys imported into WebCrypto, newest last.
#[derive(Default)]
struct ImportedKeys(RefCell<VecDeque<([u8; 32], CryptoKey)>>);

impl ImportedKeys {
    fn get(&self, key: &[u8; 32]) -> Option<CryptoKey> {
        let keys = self.0.borrow();
        keys.iter().find(|(k, _)| k == key).map(|(_, c)| c.clone())
    }

    fn keep(&self, key: [u8; 32], imported: CryptoKey) {
        let mut keys = self.0.borrow_mut();
        if keys.iter().any(|(k, _)| *k == key) {
            return;
        }
        if keys.len() == IMPORTED_KEYS {
            keys.pop_front();
        }
        keys.push_back((key, imported));
    }
}

/// Checks `checks` at once: the Ed25519 keys not imported yet are imported, then every
/// signature verified, by WebCrypto, each step's promises all in flight together; ECDSA P-256
/// is checked in wasm. A key or signature WebCrypto refuses fails its check.
async fn verify_all(
    subtle: &SubtleCrypto,
    imported: &ImportedKeys,
    checks: &[SignatureCheck],
) -> Vec<bool> {
    let mut outcomes: Vec<bool> = Vec::with_capacity(checks.len());
    let mut keys: Vec<Option<CryptoKey>> = Vec::with_capacity(checks.len());
    let mut imports = Vec::new();
    for (at, check) in checks.iter().enumerate() {
        outcomes.push(false);
        keys.push(None);
        match (&check.key, &check.signature) {
            (VerifyingKey::Ed25519(key), Signature::Ed25519(_)) => {
                if let Some(known) = imported.get(key) {
                    keys[at] = Some(known);
                    continue;
                }
                let usages = Array::of1(&"verify".into());
                let raw = Uint8Array::from(&key[..]);
                if let Ok(promise) =
                    subtle.import_key_with_object("raw", &raw, &ed25519(), true, &usages)
                {
                    imports.push((at, *key, JsFuture::from(promise)));
                }
            }
            (key, signature) => {
                outcomes[at] = RustCrypto.verify_signature(key, &check.message, signature);
            }
        }
    }
    for (at, key, import) in imports {
        if let Ok(crypto_key) = import.await {
            let crypto_key: CryptoKey = crypto_key.unchecked_into();
            imported.keep(key, crypto_key.clone());
            keys[at] = Some(crypto_key);
        }
    }
    let mut verifications = Vec::with_capacity(checks.len());
    for (at, key) in keys.iter().enumerate() {
        let (Some(key), Signature::Ed25519(signature)) = (key, &checks[at].signature) else {
            continue;
        };
        let verify = subtle.verify_with_object_and_u8_array_and_u8_array(
            &ed25519(),
            key,
            &signature[..],
            &checks[at].message,
        );
        if let Ok(promise) = verify {
            verifications.push((at, JsFuture::from(promise)));
        }
    }
    for (at, verification) in verifications {
        outcomes[at] = verification.await.is_ok_and(|v| v.as_bool() == Some(true));
    }
    outcomes
}

/// WebCrypto's AES-GCM.
struct WebCryptoAes {
    subtle: SubtleCrypto,
    operations: Rc<Cell<u64>>,
}

fn algorithm() -> Object {
    let algorithm = Object::new();
    let _ = Reflect::set(&algorithm, &"name".into(), &"AES-GCM".into());
    algorithm
}

impl BulkCipher for WebCryptoAes {
    fn handles(&self, algorithm: AeadAlgorithm, len: usize) -> bool {
        algorithm == AeadAlgorithm::Aes256Gcm && len >= WEBCRYPTO_AES_MIN_LEN
    }

    fn import<'a>(
        &'a self,
        kind: AeadAlgorithm,
        key: &'a [u8; 32],
    ) -> LocalBoxFuture<'a, Result<Rc<dyn BulkKey>>> {
        Box::pin(async move {
            if kind != AeadAlgorithm::Aes256Gcm {
                return Err(Error::Crypto("WebCrypto bulk cipher is AES-GCM only"));
            }
            let failed = |_: JsValue| Error::Crypto("AES key import failed");
            let usages = Array::of2(&"encrypt".into(), &"decrypt".into());
            let raw = Uint8Array::from(&key[..]);
            let import = self
                .subtle
                .import_key_with_object("raw", &raw, &algorithm(), false, &usages)
                .map_err(failed)?;
            let imported = JsFuture::from(import).await;
            raw.fill(0, 0, 32);
            let key: CryptoKey = imported.map_err(failed)?.unchecked_into();
            Ok(Rc::new(AesKey {
                subtle: self.subtle.clone(),
                key,
                operations: self.operations.clone(),
            }) as Rc<dyn BulkKey>)
        })
    }
}

/// An AES-GCM key inside WebCrypto (non-extractable).
struct AesKey {
    subtle: SubtleCrypto,
    key: CryptoKey,
    operations: Rc<Cell<u64>>,
}

impl AesKey {
    async fn run(&self, encrypt: bool, nonce: [u8; 12], input: Vec<u8>) -> Result<Vec<u8>> {
        self.operations.set(self.operations.get() + 1);
        let params = algorithm();
        let _ = Reflect::set(&params, &"iv".into(), &Uint8Array::from(&nonce[..]));
        // A view of wasm memory, not a copy: WebCrypto copies its input before it returns
        // the promise.
        let promise = if encrypt {
            self.subtle
                .encrypt_with_object_and_u8_array(&params, &self.key, &input)
        } else {
            self.subtle
                .decrypt_with_object_and_u8_array(&params, &self.key, &input)
        };
        let output = match promise {
            Ok(promise) => JsFuture::from(promise).await,
            Err(error) => Err(error),
        };
        output
            .map(|o| Uint8Array::new(&o).to_vec())
            .map_err(|_| match encrypt {
                true => Error::Crypto("AES-GCM encryption failed"),
                false => Error::Decrypt,
            })
    }
}

impl BulkKey for AesKey {
    fn seal(&self, nonce: [u8; 12], plaintext: Vec<u8>) -> LocalBoxFuture<'_, Result<Vec<u8>>> {
        Box::pin(self.run(true, nonce, plaintext))
    }

    fn open(&self, nonce: [u8; 12], sealed: Vec<u8>) -> LocalBoxFuture<'_, Result<Vec<u8>>> {
        Box::pin(self.run(false, nonce, sealed))
    }
}
