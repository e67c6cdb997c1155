//! The JavaScript `Node`: one Razor node in a JS realm, created with its vault and transports,
//! observed and shut down here; and `MemoryNetwork`, in-memory links between such nodes.
//!
//! The node's other methods live with their job, each an `impl Node` block of its own:
//! identities in `identity.rs`, workers and services in `worker.rs`, relays in `relay.rs`,
//! connections and transports in `connection.rs`, plain messages in `message.rs`, secure
//! channels and credentials in `channel.rs`.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Promise};
use razor_core::NodeConfig;
use razor_core::services::RelayService;
use razor_core::transport::memory;
use razor_core::vault::{SoftwareVault, Vault};
use wasm_bindgen::prelude::*;

use super::options::{get, invalid, string};
use super::promise::promise;
use crate::transport::{
    AttachedConnections, WebSocketDriver, WebSocketTransport, WebTransportDriver,
    WebTransportTransport,
};
use crate::vault::{WebCryptoProvider, WebCryptoVault};
use crate::{WasmRuntime, to_js_error};

/// A set of nodes in this JS realm that reach each other as `mem#<name>`.
#[wasm_bindgen]
#[derive(Default)]
pub struct MemoryNetwork {
    pub(super) inner: memory::MemoryNetwork,
}

#[wasm_bindgen]
impl MemoryNetwork {
    /// An empty network.
    #[wasm_bindgen(constructor)]
    pub fn new() -> MemoryNetwork {
        MemoryNetwork::default()
    }
}

/// A Razor node on this JS thread's event loop, with WebSocket (`ws#…`) and WebTransport
/// (`wt#…`) transports.
#[wasm_bindgen]
pub struct Node {
    pub(super) node: razor_core::Node,
    pub(super) websocket: WebSocketTransport,
    pub(super) webtransport: WebTransportTransport,
    pub(super) attached: AttachedConnections,
    pub(super) relay_service: Rc<RefCell<Option<RelayService>>>,
    pub(super) webcrypto: Option<WebCryptoVault>,
}

impl Node {
    fn build(
        name: String,
        vault: Rc<dyn Vault>,
        webcrypto: Option<WebCryptoVault>,
        subtle: Option<web_sys::SubtleCrypto>,
        mailbox: Option<usize>,
    ) -> Result<Node, JsValue> {
        let mut config = NodeConfig::new(name);
        if let Some(capacity) = mailbox {
            config = config.with_mailbox_capacity(capacity);
        }
        // With WebCrypto at hand, handshakes run their X25519 and Ed25519 there and large
        // Ockam-suite messages use its hardware AES (whichever vault holds the keys).
        if let Some(subtle) = subtle {
            config = config.with_crypto(Rc::new(WebCryptoProvider::new(subtle)));
        }
        let node = razor_core::Node::with_vault(WasmRuntime, config, vault);
        let websocket = WebSocketTransport::create(&node, WebSocketDriver).map_err(to_js_error)?;
        let webtransport =
            WebTransportTransport::create(&node, WebTransportDriver).map_err(to_js_error)?;
        Ok(Node {
            node,
            websocket,
            webtransport,
            attached: AttachedConnections::default(),
            relay_service: Rc::default(),
            webcrypto,
        })
    }
}

#[wasm_bindgen]
impl Node {
    /// A node named `name` with a software vault (see `Node.create` for WebCrypto).
    #[wasm_bindgen(constructor)]
    pub fn new(name: Option<String>) -> Result<Node, JsValue> {
        Self::build(
            name.unwrap_or_else(|| "razor".into()),
            Rc::new(SoftwareVault::new()),
            None,
            None,
            None,
        )
    }

    /// Creates a node. Options: `name`; `vault`: `"auto"` (default: WebCrypto with
    /// non-extractable keys where the runtime has Ed25519 and X25519, else the software vault
    /// with a console warning), `"webcrypto"` (fail if unavailable) or `"software"`; `persist`:
    /// an IndexedDB database name keeping keys and named identities across reloads (browsers);
    /// `mailboxCapacity`.
    #[wasm_bindgen(unchecked_return_type = "Promise<Node>")]
    pub fn create(options: JsValue) -> Promise {
        promise(async move {
            let name = get(&options, "name")
                .map(|n| string(&n, "name"))
                .transpose()?
                .unwrap_or_else(|| "razor".into());
            let kind = get(&options, "vault")
                .map(|v| string(&v, "vault"))
                .transpose()?
                .unwrap_or_else(|| "auto".into());
            let persist = get(&options, "persist")
                .map(|p| string(&p, "persist"))
                .transpose()?;
            let mailbox = get(&options, "mailboxCapacity")
                .and_then(|m| m.as_f64())
                .map(|m| m.max(1.0) as usize);
            if let Some(name) = &persist {
                if !crate::vault::has_indexed_db() {
                    return Err(invalid(format!(
                        "persist: {name:?} keeps keys in IndexedDB, which this runtime does not have; \
                         keep identities in a store instead (persist: {{ store, secret }})"
                    )));
                }
                if kind == "software" {
                    return Err(invalid(
                        "persist keeps non-extractable WebCrypto keys; vault: \"software\" cannot persist",
                    ));
                }
            }
            let webcrypto = match kind.as_str() {
                "software" => None,
                "webcrypto" => Some(
                    WebCryptoVault::open(persist.as_deref())
                        .await
                        .map_err(to_js_error)?,
                ),
                "auto" => match WebCryptoVault::open(persist.as_deref()).await {
                    Ok(vault) => Some(vault),
                    Err(error) if persist.is_some() => return Err(to_js_error(error)),
                    Err(error) => {
                        web_sys::console::warn_1(
                            &format!("razor: WebCrypto lacks non-extractable Ed25519/X25519 keys here ({error}); using the software vault: keys live in wasm memory").into(),
                        );
                        None
                    }
                },
                other => {
                    return Err(invalid(format!(
                        "unknown vault {other:?} (auto, webcrypto or software)"
                    )));
                }
            };
            let (vault, subtle): (Rc<dyn Vault>, _) = match &webcrypto {
                Some(vault) => (Rc::new(vault.clone()), Some(vault.subtle())),
                // Keys in wasm memory; the handshake's own crypto still goes to WebCrypto
                // where the runtime has its X25519 and Ed25519 (probed once per realm).
                None => (
                    Rc::new(SoftwareVault::new()),
                    WebCryptoVault::open(None).await.ok().map(|v| v.subtle()),
                ),
            };
            Ok(Self::build(name, vault, webcrypto, subtle, mailbox)?.into())
        })
    }

    /// The node's name.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.node.name().to_owned()
    }

    /// `"webcrypto"` or `"software"`.
    #[wasm_bindgen(getter)]
    pub fn vault(&self) -> String {
        self.node.vault().name().to_owned()
    }

    /// Number of running workers.
    #[wasm_bindgen(getter, js_name = workerCount)]
    pub fn worker_count(&self) -> usize {
        self.node.worker_count()
    }

    /// Bytes of WebAssembly memory this instance of Razor holds (shared by every node of the
    /// JS realm; it grows and never shrinks).
    #[wasm_bindgen(js_name = wasmMemoryBytes)]
    pub fn wasm_memory_bytes() -> f64 {
        use wasm_bindgen::JsCast;
        wasm_bindgen::memory()
            .unchecked_into::<js_sys::WebAssembly::Memory>()
            .buffer()
            .unchecked_into::<js_sys::ArrayBuffer>()
            .byte_length() as f64
    }

    /// What peers did to this node: `{ handshakesInProgress, handshakesRefused,
    /// handshakesExpired, channelsRefused, handshakesFailed, malformedFrames, repliesDropped }`.
    #[wasm_bindgen(getter, js_name = peerMetrics)]
    pub fn peer_metrics(&self) -> JsValue {
        let metrics = self.node.peer_metrics();
        let count = |counter: &razor_core::runtime::Counter| JsValue::from(counter.get() as f64);
        super::lifecycle::object(&[
            (
                "handshakesInProgress",
                count(&metrics.handshakes_in_progress),
            ),
            ("handshakesRefused", count(&metrics.handshakes_refused)),
            ("handshakesExpired", count(&metrics.handshakes_expired)),
            ("channelsRefused", count(&metrics.channels_refused)),
            ("handshakesFailed", count(&metrics.handshakes_failed)),
            ("malformedFrames", count(&metrics.malformed_frames)),
            ("repliesDropped", count(&metrics.replies_dropped)),
        ])
    }

    /// Number of open connections: WebSocket, WebTransport and attached ones.
    #[wasm_bindgen(getter, js_name = connectionCount)]
    pub fn connection_count(&self) -> usize {
        self.websocket.connection_count()
            + self.webtransport.connection_count()
            + self.attached.count()
    }

    /// Calls `observer(event)` with every connection and channel opening and closing and
    /// every redial: `{ type: "connectionopen" | "connectionclose" | "channelopen" |
    /// "channelclose" | "reconnecting", ... }`.
    #[wasm_bindgen(js_name = setObserver)]
    pub fn set_observer(&self, observer: Function) {
        self.node.set_observer(move |event| {
            let _ = observer.call1(&JsValue::NULL, &super::lifecycle::node_event(event));
        });
    }

    /// Stops every worker, channel and connection of this node; resolves once all of them
    /// have ended (their `closed` promises settled). Shutting down again resolves at once.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn shutdown(&self) -> Promise {
        self.node.shutdown();
        let node = self.node.clone();
        promise(async move {
            node.closed().await;
            node.clear_observer();
            Ok(JsValue::UNDEFINED)
        })
    }
}
