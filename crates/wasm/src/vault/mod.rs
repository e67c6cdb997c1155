//! Vaults for JavaScript runtimes: [`WebCryptoVault`] (non-extractable keys in WebCrypto,
//! persisted in IndexedDB where available), or the core's software vault as a fallback; and
//! [`WebCryptoProvider`], the crypto provider that uses WebCrypto's AES-GCM where it wins.

mod idb;
mod provider;
mod webcrypto;

pub use provider::{WEBCRYPTO_AES_MIN_LEN, WebCryptoProvider};
pub use webcrypto::{WebCryptoVault, private_keys_for_testing_only};

/// Whether this runtime has IndexedDB (what `persist: "<name>"` keeps keys in).
pub fn has_indexed_db() -> bool {
    idb::Database::available()
}
