//! Connections, as JavaScript sees them: ones the node dialled (`node.connect`) and ones
//! JavaScript attached (`node.attachConnection`), whose frames it hands in.

use super::promise::promise;
use js_sys::Promise;
use razor_core::transport::connection::ConnectionHandle;
use razor_core::{Error, Node};
use wasm_bindgen::prelude::*;

use super::lifecycle::{close_info, traffic};
use crate::to_js_error;
use crate::transport::AttachedConnection;

/// A connection: its hop, how it ended, its traffic; for an attached one, where JavaScript
/// hands in the frames that arrive (`receive`/`tryReceive`) and says when its socket closed
/// (`peerClosed`).
#[wasm_bindgen]
pub struct Connection {
    handle: ConnectionHandle,
    node: Node,
    attached: Option<AttachedConnection>,
}

impl Connection {
    pub(crate) fn attached(inner: AttachedConnection, node: Node) -> Self {
        Self {
            handle: inner.handle().clone(),
            node,
            attached: Some(inner),
        }
    }

    pub(crate) fn dialled(handle: ConnectionHandle, node: Node) -> Self {
        Self {
            handle,
            node,
            attached: None,
        }
    }

    fn attached_only(&self) -> Result<&AttachedConnection, JsValue> {
        self.attached.as_ref().ok_or_else(|| {
            to_js_error(Error::InvalidArgument(
                "only an attached connection takes frames from JavaScript".into(),
            ))
        })
    }
}

#[wasm_bindgen]
impl Connection {
    /// The hop to put first in routes over this connection (the local address of its
    /// sending worker).
    #[wasm_bindgen(getter)]
    pub fn address(&self) -> String {
        self.handle.address().to_string()
    }

    /// What it connects to: the URL or `host:port` it was dialled to, or the label it was
    /// attached with.
    #[wasm_bindgen(getter)]
    pub fn peer(&self) -> String {
        self.handle.peer().to_owned()
    }

    /// Whether the connection has ended, from either side.
    #[wasm_bindgen(getter, js_name = isClosed)]
    pub fn is_closed(&self) -> bool {
        self.handle.is_closed() || self.attached.as_ref().is_some_and(|a| a.is_closed())
    }

    /// Frames and bytes each way so far:
    /// `{ messagesSent, bytesSent, messagesReceived, bytesReceived }`.
    #[wasm_bindgen(getter)]
    pub fn stats(&self) -> JsValue {
        traffic(self.handle.traffic())
    }

    /// Resolves once the connection has ended, with `{ reason, error? }`: `"local"`,
    /// `"peer"`, `"failed"` (with the error), `"shutdown"`.
    #[wasm_bindgen(unchecked_return_type = "Promise<{ reason: string; error?: Error }>")]
    pub fn closed(&self) -> Promise {
        let handle = self.handle.clone();
        promise(async move { Ok(close_info(&handle.closed().await)) })
    }

    /// Ends the connection from this side (an attached one calls its sink's `close`);
    /// resolves once it has ended. Closing again resolves at once.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn close(&self) -> Promise {
        match &self.attached {
            Some(attached) => attached.close(),
            None => {
                let _ = self.node.stop_worker(self.handle.address());
            }
        }
        let handle = self.handle.clone();
        promise(async move {
            handle.closed().await;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Hands in one frame now; `false` when the node is not keeping up (the inbox is full):
    /// close the socket as overrun, or use `receive`, which waits. Attached connections only.
    #[wasm_bindgen(js_name = tryReceive)]
    pub fn try_receive(&self, frame: Vec<u8>) -> Result<bool, JsValue> {
        self.attached_only()?
            .try_receive(frame)
            .map_err(to_js_error)
    }

    /// Hands in one frame, waiting while the inbox is full. Attached connections only.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn receive(&self, frame: Vec<u8>) -> Promise {
        let attached = self.attached_only().cloned();
        promise(async move {
            attached?.receive(frame).await.map_err(to_js_error)?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// The socket underneath closed (the peer closed it, or it broke): the connection ends
    /// as closed by the peer. Attached connections only.
    #[wasm_bindgen(js_name = peerClosed)]
    pub fn peer_closed(&self) -> Result<(), JsValue> {
        self.attached_only()?.peer_closed();
        Ok(())
    }
}
