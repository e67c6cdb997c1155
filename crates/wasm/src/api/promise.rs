//! The one bridge from Rust futures to JavaScript `Promise`s.

use core::future::Future;
use core::pin::Pin;

use js_sys::Promise;
use wasm_bindgen::JsValue;

/// What an async API method runs: its body, boxed.
type MethodFuture = Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>;

/// A `Promise` that `future` settles, run on the event loop. Every async API method goes
/// through here: its body is boxed where it is written, and the bridge itself
/// (wasm-bindgen-futures' task and closures) is compiled once, not once per method.
pub(crate) fn promise(future: impl Future<Output = Result<JsValue, JsValue>> + 'static) -> Promise {
    bridge(Box::pin(future))
}

#[inline(never)]
fn bridge(future: MethodFuture) -> Promise {
    wasm_bindgen_futures::future_to_promise(future)
}
