//! Connections, as JavaScript sees them: ones the node dialled (`node.connect`) and ones
//! JavaScript attached (`node.attachConnection`), whose frames it hands in; and the node's
//! methods that dial, attach, and route hops to transports.

use super::promise::promise;
use js_sys::Promise;
use razor_core::transport::connection::ConnectionHandle;
use std::rc::Rc;

use js_sys::Function;
use razor_core::transport::RetryPolicy;
use razor_core::transport::memory::{MemoryOptions, MemoryTransport};
use razor_core::{Address, Error, Node as CoreNode, Route, TransportType};
use wasm_bindgen::prelude::*;

use super::lifecycle::{close_info, traffic};
use super::node::{MemoryNetwork, Node};
use super::options::{get, invalid, string, timeout};
use crate::WasmRuntime;
use crate::to_js_error;
use crate::transport::{
    AttachedConnection, JsTransport, WebSocketTransport, WebTransportTransport,
};

/// A connection: its hop, how it ended, its traffic; for an attached one, where JavaScript
/// hands in the frames that arrive (`receive`/`tryReceive`) and says when its socket closed
/// (`peerClosed`).
#[wasm_bindgen]
pub struct Connection {
    handle: ConnectionHandle,
    node: CoreNode,
    attached: Option<AttachedConnection>,
}

impl Connection {
    pub(crate) fn attached(inner: AttachedConnection, node: CoreNode) -> Self {
        Self {
            handle: inner.handle().clone(),
            node,
            attached: Some(inner),
        }
    }

    pub(crate) fn dialled(handle: ConnectionHandle, node: CoreNode) -> Self {
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

/// Connections: dialled, attached from JavaScript, in memory, and how routes reach them.
#[wasm_bindgen]
impl Node {
    /// Attaches a connection whose socket JavaScript owns. `sink` is an object with
    /// `send(frame: Uint8Array)` (may return a Promise) and `close(code, reason)`. Options:
    /// `address` (the sending worker's address, to keep one a previous node had; default a
    /// fresh random one), `label` (for logs).
    #[wasm_bindgen(js_name = attachConnection)]
    pub fn attach_connection(
        &self,
        sink: JsValue,
        options: JsValue,
    ) -> Result<Connection, JsValue> {
        let address = get(&options, "address")
            .map(|a| {
                string(&a, "address")?
                    .parse::<Address>()
                    .map_err(|e| to_js_error(Error::from(e)))
            })
            .transpose()?;
        let label = get(&options, "label")
            .map(|l| string(&l, "label"))
            .transpose()?
            .unwrap_or_else(|| "attached".into());
        self.attached
            .attach(&self.node, sink, address, &label)
            .map(|inner| Connection::attached(inner, self.node.clone()))
            .map_err(to_js_error)
    }

    /// The open connection whose hop is `address` (dialled or attached), if any.
    pub fn connection(&self, address: &str) -> Result<Option<Connection>, JsValue> {
        let address: Address = address.parse().map_err(|e| to_js_error(Error::from(e)))?;
        let handle = self
            .websocket
            .connection(&address)
            .or_else(|| self.webtransport.connection(&address))
            .or_else(|| self.attached.connection(&address));
        Ok(handle.map(|handle| Connection::dialled(handle, self.node.clone())))
    }

    /// Handles hops of transport type `kind` (1–255, not one this node already has) with
    /// `resolve(value)`, which returns (a Promise of) the hop of an attached connection to
    /// use for that value. The node asks once per value and sends later messages straight to
    /// that connection until it closes.
    #[wasm_bindgen(js_name = registerTransport)]
    pub fn register_transport(&self, kind: u8, resolve: Function) -> Result<(), JsValue> {
        let transport = JsTransport::new(TransportType::new(kind), resolve);
        self.node
            .register_transport(Rc::new(transport))
            .map_err(to_js_error)
    }

    /// For a local address with no worker on this node, `fallback(address)` may return a
    /// route (string) to put in front of it, e.g. a hop to the node that has it, or `""` after
    /// starting something at that address itself (it is looked up again); `undefined` leaves
    /// the address unknown.
    #[wasm_bindgen(js_name = setRouteFallback)]
    pub fn set_route_fallback(&self, fallback: Function) {
        self.node.set_address_fallback(move |address| {
            let answer = fallback
                .call1(&JsValue::NULL, &address.to_string().into())
                .ok()?;
            answer.as_string()?.parse::<Route>().ok()
        });
    }

    /// Resolves when the worker (or connection) at `address` stops — at once if nothing runs
    /// there (any more).
    #[wasm_bindgen(js_name = whenStopped, unchecked_return_type = "Promise<void>")]
    pub fn when_stopped(&self, address: &str) -> Promise {
        let stopped = address
            .parse::<Address>()
            .map(|address| self.node.stopped(&address))
            .map_err(|error| to_js_error(Error::from(error)));
        promise(async move {
            stopped?.await;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Joins `network` as `mem#<name>`.
    #[wasm_bindgen(js_name = attachMemory)]
    pub fn attach_memory(&self, network: &MemoryNetwork, name: &str) -> Result<(), JsValue> {
        MemoryTransport::attach(&self.node, &network.inner, name, MemoryOptions::default())
            .map(|_| ())
            .map_err(to_js_error)
    }

    /// Connects now to `url` (`ws://`, `wss://` or `https://` for WebTransport), reusing an
    /// open connection to it, and resolves with the `Connection` (its `address` is the hop to
    /// put first in routes, e.g. `${hop} => secure`). `TIMEOUT` after `timeoutMs` (default:
    /// none beyond the platform's), `ABORTED` when `signal` aborts.
    #[wasm_bindgen(unchecked_return_type = "Promise<Connection>")]
    pub fn connect(&self, url: String, timeout_ms: Option<u32>, signal: JsValue) -> Promise {
        let dial = dial(&self.websocket, &self.webtransport, url);
        let (websocket, webtransport) = (self.websocket.clone(), self.webtransport.clone());
        let node = self.node.clone();
        let signal = super::lifecycle::signal(&signal);
        promise(async move {
            let signal = signal?;
            let dial = async {
                let address = dial.await?;
                Ok(websocket
                    .connection(&address)
                    .or_else(|| webtransport.connection(&address)))
            };
            let handle = match timeout(timeout_ms) {
                Some(limit) => {
                    super::lifecycle::abortable(signal, async {
                        razor_core::runtime::timeout(&WasmRuntime, limit, dial).await?
                    })
                    .await
                }
                None => super::lifecycle::abortable(signal, dial).await,
            }
            .map_err(to_js_error)?
            .ok_or_else(|| to_js_error(razor_core::TransportError::ConnectionClosed.into()))?;
            Ok(Connection::dialled(handle, node).into())
        })
    }

    /// Trusts the WebTransport server at `hostPort` (e.g. `"127.0.0.1:4433"`) by the SHA-256
    /// of its certificate, given as 64 hex digits (what `razor node --wt` prints).
    #[wasm_bindgen(js_name = pinWebTransportCertificate)]
    pub fn pin_webtransport_certificate(
        &self,
        host_port: &str,
        sha256_hex: &str,
    ) -> Result<(), JsValue> {
        let hash: [u8; 32] = razor_core::codec::hex::decode_array(sha256_hex.trim())
            .map_err(|_| invalid("a SHA-256 is 64 hex digits"))?;
        self.webtransport.pin_certificate(host_port, hash);
        Ok(())
    }

    /// Opt-in reconnection: failed WebSocket/WebTransport connection attempts are retried
    /// `attempts` times in all, waiting `initialDelayMs` (default 100) and doubling up to
    /// `maxDelayMs` (default 5000). `setReconnect(null)` turns it off.
    #[wasm_bindgen(js_name = setReconnect)]
    pub fn set_reconnect(&self, options: JsValue) -> Result<(), JsValue> {
        let policy = if options.is_null() || options.is_undefined() {
            None
        } else {
            let number = |key: &str| get(&options, key).and_then(|v| v.as_f64());
            let attempts = number("attempts")
                .filter(|n| *n >= 1.0)
                .ok_or_else(|| invalid("reconnect.attempts must be at least 1"))?;
            let mut policy = RetryPolicy::new(attempts as u32);
            if let Some(ms) = number("initialDelayMs") {
                policy.initial_delay = core::time::Duration::from_millis(ms.max(0.0) as u64);
            }
            if let Some(ms) = number("maxDelayMs") {
                policy.max_delay = core::time::Duration::from_millis(ms.max(0.0) as u64);
            }
            Some(policy)
        };
        self.websocket.set_retry(policy);
        self.webtransport.set_retry(policy);
        Ok(())
    }
}

/// Dials `url` — `ws://`, `wss://`, or `https://` for WebTransport — reusing an open connection
/// to it; resolves to the connection's hop.
pub(super) fn dial(
    websocket: &WebSocketTransport,
    webtransport: &WebTransportTransport,
    url: String,
) -> razor_core::runtime::LocalBoxFuture<'static, razor_core::Result<Address>> {
    let (websocket, webtransport) = (websocket.clone(), webtransport.clone());
    // `ws://host:port` and `ws://host:port/` are one peer (a hop names it with the `/`).
    let url = match url.split_once("://") {
        Some((_, rest)) if !rest.contains('/') => format!("{url}/"),
        _ => url,
    };
    Box::pin(async move {
        if url.starts_with("ws://") || url.starts_with("wss://") {
            websocket.connect(&url).await
        } else if url.starts_with("https://") {
            webtransport.connect(&url).await
        } else {
            Err(Error::InvalidArgument(format!(
                "connect takes ws://, wss:// or https:// URLs, got {url:?}"
            )))
        }
    })
}
