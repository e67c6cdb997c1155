//! WebCrypto's AES-GCM as the secure channel's bulk cipher for large Ockam-suite messages.

use js_sys::{Array, Object, Reflect, Uint8Array};
use razor_core::runtime::LocalBoxFuture;
use razor_core::vault::BulkCipher;
use razor_core::vault::crypto::{AeadAlgorithm, constant_time_eq};
use razor_core::{Error, Result};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::CryptoKey;

use super::{WebCryptoVault, bytes, crypto_error};

/// Messages from this size up go through WebCrypto's AES-GCM (hardware AES); smaller ones
/// stay in wasm, where a Promise per message costs more than the cipher. Measured crossover
/// (docs/BENCHMARKS.md): about 1 KiB in Chromium, 6 KiB in Node; at 8 KiB WebCrypto wins
/// 1.3× (Node) to 3× (Chromium).
pub const WEBCRYPTO_AES_MIN_LEN: usize = 8 * 1024;

impl WebCryptoVault {
    /// The AES-GCM CryptoKey for `key`, imported once (non-extractable) and cached.
    async fn aes_key(&self, key: &[u8; 32]) -> Result<CryptoKey> {
        if let Some((_, cached)) = self
            .inner
            .aes_keys
            .borrow()
            .iter()
            .find(|(k, _)| constant_time_eq(k.as_slice(), key))
        {
            return Ok(cached.clone());
        }
        let algorithm = Object::new();
        let _ = Reflect::set(&algorithm, &"name".into(), &"AES-GCM".into());
        let usages = Array::of2(&"encrypt".into(), &"decrypt".into());
        let raw = Uint8Array::from(&key[..]);
        let import = self
            .inner
            .subtle
            .import_key_with_object("raw", &raw, &algorithm, false, &usages);
        let imported: CryptoKey =
            JsFuture::from(import.map_err(crypto_error("AES key import failed"))?)
                .await
                .map_err(crypto_error("AES key import failed"))?
                .unchecked_into();
        raw.fill(0, 0, 32);
        let mut cache = self.inner.aes_keys.borrow_mut();
        // A channel uses two keys per direction at most (current, next): keep a few.
        if cache.len() >= 8 {
            cache.remove(0);
        }
        cache.push((zeroize::Zeroizing::new(*key), imported.clone()));
        Ok(imported)
    }

    /// Messages that went through WebCrypto's AES-GCM so far.
    pub fn bulk_operations(&self) -> u64 {
        self.inner.bulk_operations.get()
    }

    async fn aes(
        &self,
        encrypt: bool,
        key: &[u8; 32],
        nonce: [u8; 12],
        input: Vec<u8>,
    ) -> Result<Vec<u8>> {
        self.inner
            .bulk_operations
            .set(self.inner.bulk_operations.get() + 1);
        let key = self.aes_key(key).await?;
        let params = Object::new();
        let _ = Reflect::set(&params, &"name".into(), &"AES-GCM".into());
        let _ = Reflect::set(&params, &"iv".into(), &Uint8Array::from(&nonce[..]));
        let data = Uint8Array::from(input.as_slice());
        let promise = if encrypt {
            self.inner
                .subtle
                .encrypt_with_object_and_buffer_source(&params, &key, &data)
        } else {
            self.inner
                .subtle
                .decrypt_with_object_and_buffer_source(&params, &key, &data)
        };
        let output = match promise {
            Ok(promise) => JsFuture::from(promise).await,
            Err(error) => Err(error),
        };
        output.map(|o| bytes(&o)).map_err(|_| {
            if encrypt {
                Error::Crypto("AES-GCM encryption failed")
            } else {
                Error::Decrypt
            }
        })
    }
}

impl BulkCipher for WebCryptoVault {
    fn handles(&self, algorithm: AeadAlgorithm, len: usize) -> bool {
        algorithm == AeadAlgorithm::Aes256Gcm && len >= WEBCRYPTO_AES_MIN_LEN
    }

    fn seal<'a>(
        &'a self,
        key: &'a [u8; 32],
        nonce: [u8; 12],
        plaintext: Vec<u8>,
    ) -> LocalBoxFuture<'a, Result<Vec<u8>>> {
        Box::pin(self.aes(true, key, nonce, plaintext))
    }

    fn open<'a>(
        &'a self,
        key: &'a [u8; 32],
        nonce: [u8; 12],
        sealed: Vec<u8>,
    ) -> LocalBoxFuture<'a, Result<Vec<u8>>> {
        Box::pin(self.aes(false, key, nonce, sealed))
    }
}
