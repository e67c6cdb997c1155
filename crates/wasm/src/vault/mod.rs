//! Vaults for JavaScript runtimes: [`WebCryptoVault`] (non-extractable keys in WebCrypto,
//! persisted in IndexedDB where available), or the core's software vault as a fallback.

mod idb;
mod webcrypto;

pub use webcrypto::{WEBCRYPTO_AES_MIN_LEN, WebCryptoVault, private_keys_for_testing_only};
