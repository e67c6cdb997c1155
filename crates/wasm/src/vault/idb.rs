//! A tiny IndexedDB key-value store for CryptoKey objects and identity records. IndexedDB
//! stores non-extractable CryptoKeys by structured clone, so keys survive a reload without
//! ever being exported.

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(inline_js = r#"
function request(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}
export function razor_idb_available() {
  return typeof indexedDB !== "undefined";
}
export function razor_idb_open(name) {
  const r = indexedDB.open(name, 1);
  r.onupgradeneeded = () => {
    r.result.createObjectStore("keys");
    r.result.createObjectStore("identities");
  };
  return request(r);
}
export function razor_idb_put(db, store, key, value) {
  return request(db.transaction(store, "readwrite").objectStore(store).put(value, key));
}
export function razor_idb_get(db, store, key) {
  return request(db.transaction(store, "readonly").objectStore(store).get(key));
}
export function razor_idb_delete(db, store, key) {
  return request(db.transaction(store, "readwrite").objectStore(store).delete(key));
}
export async function razor_idb_entries(db, store) {
  const s = db.transaction(store, "readonly").objectStore(store);
  const [keys, values] = await Promise.all([request(s.getAllKeys()), request(s.getAll())]);
  return keys.map((k, i) => [k, values[i]]);
}
"#)]
extern "C" {
    fn razor_idb_available() -> bool;
    fn razor_idb_open(name: &str) -> Promise;
    fn razor_idb_put(db: &JsValue, store: &str, key: &str, value: &JsValue) -> Promise;
    fn razor_idb_get(db: &JsValue, store: &str, key: &str) -> Promise;
    fn razor_idb_delete(db: &JsValue, store: &str, key: &str) -> Promise;
    fn razor_idb_entries(db: &JsValue, store: &str) -> Promise;
}

/// An open IndexedDB database with the `keys` and `identities` stores.
#[derive(Clone)]
pub(crate) struct Database(JsValue);

/// Stores of the database.
pub(crate) const KEYS: &str = "keys";
pub(crate) const IDENTITIES: &str = "identities";

impl Database {
    /// Opens (creating if needed) the database `name`; `None` where there is no IndexedDB.
    /// Whether this runtime has IndexedDB.
    pub(crate) fn available() -> bool {
        razor_idb_available()
    }

    pub(crate) async fn open(name: &str) -> Result<Option<Self>, JsValue> {
        if !razor_idb_available() {
            return Ok(None);
        }
        Ok(Some(Self(JsFuture::from(razor_idb_open(name)).await?)))
    }

    pub(crate) async fn put(&self, store: &str, key: &str, value: &JsValue) -> Result<(), JsValue> {
        JsFuture::from(razor_idb_put(&self.0, store, key, value))
            .await
            .map(drop)
    }

    pub(crate) async fn get(&self, store: &str, key: &str) -> Result<JsValue, JsValue> {
        JsFuture::from(razor_idb_get(&self.0, store, key)).await
    }

    pub(crate) async fn delete(&self, store: &str, key: &str) -> Result<(), JsValue> {
        JsFuture::from(razor_idb_delete(&self.0, store, key))
            .await
            .map(drop)
    }

    /// All `(key, value)` pairs of `store`.
    pub(crate) async fn entries(&self, store: &str) -> Result<Vec<(String, JsValue)>, JsValue> {
        let pairs = js_sys::Array::from(&JsFuture::from(razor_idb_entries(&self.0, store)).await?);
        Ok(pairs
            .iter()
            .filter_map(|pair| {
                let pair = js_sys::Array::from(&pair);
                Some((pair.get(0).as_string()?, pair.get(1)))
            })
            .collect())
    }
}
