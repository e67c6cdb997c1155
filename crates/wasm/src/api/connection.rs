//! Connections JavaScript attaches to a node (`node.attachConnection`).

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::to_js_error;
use crate::transport::AttachedConnection;

/// A connection whose socket JavaScript owns: hand it each frame that arrives with
/// `receive`/`tryReceive`, and `close` it when the socket closes.
#[wasm_bindgen]
pub struct Connection {
    inner: AttachedConnection,
}

impl Connection {
    pub(crate) fn new(inner: AttachedConnection) -> Self {
        Self { inner }
    }
}

#[wasm_bindgen]
impl Connection {
    /// The hop to put first in routes over this connection (the local address of its
    /// sending worker).
    #[wasm_bindgen(getter)]
    pub fn address(&self) -> String {
        self.inner.address().to_string()
    }

    /// Hands in one frame now; `false` when the node is not keeping up (the inbox is full):
    /// close the socket as overrun, or use `receive`, which waits.
    #[wasm_bindgen(js_name = tryReceive)]
    pub fn try_receive(&self, frame: Vec<u8>) -> Result<bool, JsValue> {
        self.inner.try_receive(frame).map_err(to_js_error)
    }

    /// Hands in one frame, waiting while the inbox is full.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn receive(&self, frame: Vec<u8>) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            inner.receive(frame).await.map_err(to_js_error)?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Ends the connection (its socket closed, or the application is done with it). The
    /// node stops its workers and calls the sink's `close(code, reason)`.
    pub fn close(&self) {
        self.inner.close();
    }

    /// Whether the connection has ended, from either side.
    #[wasm_bindgen(getter, js_name = isClosed)]
    pub fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }
}
