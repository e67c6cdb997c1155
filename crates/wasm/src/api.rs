//! The JavaScript API (see `js/` for the package around it).
//!
//! ```js
//! const network = new MemoryNetwork();
//! const alice = new Node("alice"), bob = new Node("bob");
//! alice.attachMemory(network, "alice"); bob.attachMemory(network, "bob");
//! bob.startEcho("echo");
//! const reply = await alice.request("mem#bob => echo", new TextEncoder().encode("hi"));
//! ```
//! Errors are JS `Error`s named `RazorError` with a `code` such as `"TIMEOUT"`.

use core::time::Duration;

use js_sys::{Function, Object, Promise, Reflect};
use razor_core::services::{Echo, Hop, RELAY_SERVICE_ADDRESS, RelayService};
use razor_core::transport::RetryPolicy;
use razor_core::transport::memory::{self, MemoryOptions, MemoryTransport};
use razor_core::{LocalMessage, NodeConfig, Route};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::transport::{WebSocketTransport, WebTransportTransport};
use crate::{WasmRuntime, to_js_error};

/// A set of nodes in this JS realm that reach each other as `mem#<name>`.
#[wasm_bindgen]
#[derive(Default)]
pub struct MemoryNetwork {
    inner: memory::MemoryNetwork,
}

#[wasm_bindgen]
impl MemoryNetwork {
    /// An empty network.
    #[wasm_bindgen(constructor)]
    pub fn new() -> MemoryNetwork {
        MemoryNetwork::default()
    }
}

/// A message received by [`Node::request`]: the payload and the route back to its sender.
#[wasm_bindgen]
pub struct Message {
    payload: Vec<u8>,
    return_route: String,
}

#[wasm_bindgen]
impl Message {
    /// The payload bytes.
    #[wasm_bindgen(getter)]
    pub fn payload(&self) -> Vec<u8> {
        self.payload.clone()
    }

    /// The route back to the sender, in `a => b` form.
    #[wasm_bindgen(getter, js_name = returnRoute)]
    pub fn return_route(&self) -> String {
        self.return_route.clone()
    }
}

impl From<LocalMessage> for Message {
    fn from(message: LocalMessage) -> Self {
        Self {
            payload: message.payload,
            return_route: message.return_route.to_string(),
        }
    }
}

/// A Razor node running on this JS thread's event loop, with WebSocket (`ws#…`) and
/// WebTransport (`wt#…`) transports.
#[wasm_bindgen]
pub struct Node {
    node: razor_core::Node,
    websocket: WebSocketTransport,
    webtransport: WebTransportTransport,
}

#[wasm_bindgen]
impl Node {
    /// A node named `name` (for logs).
    #[wasm_bindgen(constructor)]
    pub fn new(name: Option<String>) -> Result<Node, JsValue> {
        let config = NodeConfig::new(name.unwrap_or_else(|| "razor".into()));
        let node = razor_core::Node::new(WasmRuntime, config);
        let websocket = WebSocketTransport::create(&node).map_err(to_js_error)?;
        let webtransport = WebTransportTransport::create(&node).map_err(to_js_error)?;
        Ok(Node {
            node,
            websocket,
            webtransport,
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
        let bytes: Option<Vec<u8>> = (0..sha256_hex.len() / 2)
            .map(|i| {
                sha256_hex
                    .get(2 * i..2 * i + 2)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            })
            .collect();
        let hash: [u8; 32] = bytes.and_then(|b| b.try_into().ok()).ok_or_else(|| {
            to_js_error(razor_core::Error::InvalidArgument(
                "a SHA-256 is 64 hex digits".into(),
            ))
        })?;
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
            let number = |key: &str| {
                Reflect::get(&options, &key.into())
                    .ok()
                    .and_then(|v| v.as_f64())
            };
            let attempts = number("attempts").filter(|n| *n >= 1.0).ok_or_else(|| {
                to_js_error(razor_core::Error::InvalidArgument(
                    "reconnect.attempts must be ≥ 1".into(),
                ))
            })?;
            let mut policy = RetryPolicy::new(attempts as u32);
            if let Some(ms) = number("initialDelayMs") {
                policy.initial_delay = Duration::from_millis(ms.max(0.0) as u64);
            }
            if let Some(ms) = number("maxDelayMs") {
                policy.max_delay = Duration::from_millis(ms.max(0.0) as u64);
            }
            Some(policy)
        };
        self.websocket.set_retry(policy);
        self.webtransport.set_retry(policy);
        Ok(())
    }

    /// Number of open WebSocket and WebTransport connections.
    #[wasm_bindgen(getter, js_name = connectionCount)]
    pub fn connection_count(&self) -> usize {
        self.websocket.connection_count() + self.webtransport.connection_count()
    }

    /// The core node behind this handle.
    pub(crate) fn core(&self) -> &razor_core::Node {
        &self.node
    }

    /// The node's name.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.node.name().to_owned()
    }

    /// Number of running workers.
    #[wasm_bindgen(getter, js_name = workerCount)]
    pub fn worker_count(&self) -> usize {
        self.node.worker_count()
    }

    /// Starts an echo worker at `address`: it answers every message with its payload.
    #[wasm_bindgen(js_name = startEcho)]
    pub fn start_echo(&self, address: &str) -> Result<(), JsValue> {
        self.node.start_worker(address, Echo).map_err(to_js_error)
    }

    /// Starts a routing hop at `address`. `onHop`, if given, is called with
    /// `{ node, onward, returnRoute }` for each message it passes on.
    #[wasm_bindgen(js_name = startHop)]
    pub fn start_hop(&self, address: &str, on_hop: Option<Function>) -> Result<(), JsValue> {
        let hop = match on_hop {
            None => Hop::new(),
            Some(callback) => Hop::observed(move |node, message| {
                let event = Object::new();
                let _ = Reflect::set(&event, &"node".into(), &node.into());
                let onward = message.onward_route.to_string();
                let _ = Reflect::set(&event, &"onward".into(), &onward.into());
                let back = message.return_route.to_string();
                let _ = Reflect::set(&event, &"returnRoute".into(), &back.into());
                let _ = callback.call1(&JsValue::NULL, &event);
            }),
        };
        self.node.start_worker(address, hop).map_err(to_js_error)
    }

    /// Starts Ockam's relay service at `address` (default `forwarding_service`).
    #[wasm_bindgen(js_name = startRelayService)]
    pub fn start_relay_service(&self, address: Option<String>) -> Result<(), JsValue> {
        let address = address.unwrap_or_else(|| RELAY_SERVICE_ADDRESS.into());
        self.node
            .start_worker(address.as_str(), RelayService::new())
            .map_err(to_js_error)
    }

    /// Joins `network` as `mem#<name>`.
    #[wasm_bindgen(js_name = attachMemory)]
    pub fn attach_memory(&self, network: &MemoryNetwork, name: &str) -> Result<(), JsValue> {
        MemoryTransport::attach(&self.node, &network.inner, name, MemoryOptions::default())
            .map(|_| ())
            .map_err(to_js_error)
    }

    /// Sends `payload` along `route` (e.g. `"mem#bob => echo"`) and resolves with the first
    /// answer, or rejects with code `TIMEOUT` after `timeoutMs` (default 30 000).
    #[wasm_bindgen(unchecked_return_type = "Promise<Message>")]
    pub fn request(&self, route: &str, payload: Vec<u8>, timeout_ms: Option<u32>) -> Promise {
        let node = self.node.clone();
        let route = route.parse::<Route>();
        future_to_promise(async move {
            let route = route.map_err(|e| to_js_error(e.into()))?;
            let timeout = timeout_ms.map(|ms| Duration::from_millis(ms.into()));
            let reply = node
                .request(route, payload, timeout)
                .await
                .map_err(to_js_error)?;
            Ok(Message::from(reply).into())
        })
    }

    /// Sends `payload` along `route` without waiting for an answer.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn send(&self, route: &str, payload: Vec<u8>) -> Promise {
        let node = self.node.clone();
        let route = route.parse::<Route>();
        future_to_promise(async move {
            let route = route.map_err(|e| to_js_error(e.into()))?;
            let message = LocalMessage::new(route, Route::new(), payload);
            node.route(message).await.map_err(to_js_error)?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Stops every worker and connection of this node.
    pub fn shutdown(&self) {
        self.node.shutdown();
    }
}
