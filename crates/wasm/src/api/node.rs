//! The JavaScript `Node`: one Razor node in a JS realm — created with its vault, it makes
//! identities, opens and listens for secure channels, connects transports, runs workers and
//! services, and shuts down; and `MemoryNetwork`, in-memory links between such nodes.

use std::cell::RefCell;
use std::rc::Rc;

use super::promise::promise;
use js_sys::{Function, Object, Promise, Reflect};
use razor_core::abac::Policy;
use razor_core::identity::Identity as CoreIdentity;
use razor_core::services::{Echo, Hop, NamePolicy, RelayEvent, RelayService, register_relay};
use razor_core::transport::RetryPolicy;
use razor_core::transport::memory::{self, MemoryOptions, MemoryTransport};
use razor_core::vault::{SigningKeyKind, SoftwareVault, Vault};
use razor_core::{Address, Error, LocalMessage, NodeConfig, Route, TransportType, WorkerOptions};
use wasm_bindgen::prelude::*;

use super::Message;
use super::channel::{SecureChannel, SecureChannelListener};
use super::connection::Connection;
use super::identity::Identity;
use super::options::{channel_options, get, invalid, string, timeout};
use super::relay::JsRelayNames;
use super::worker::JsWorker;
use crate::transport::{
    AttachedConnections, JsTransport, WebSocketDriver, WebSocketTransport, WebTransportDriver,
    WebTransportTransport,
};
use crate::vault::{WebCryptoProvider, WebCryptoVault};
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

/// A relay service event as a JS object.
fn relay_event(event: &RelayEvent) -> JsValue {
    let object = Object::new();
    let set = |key: &str, value: JsValue| {
        let _ = Reflect::set(&object, &key.into(), &value);
    };
    match event {
        RelayEvent::Registered {
            alias,
            route_back,
            connection,
        } => {
            set("type", "registered".into());
            set("alias", alias.to_string().into());
            set("routeBack", route_back.to_string().into());
            set(
                "connection",
                connection
                    .as_ref()
                    .map_or(JsValue::UNDEFINED, |c| c.to_string().into()),
            );
        }
        RelayEvent::Removed { alias } => {
            set("type", "removed".into());
            set("alias", alias.to_string().into());
        }
    }
    object.into()
}

fn now() -> u64 {
    (js_sys::Date::now() / 1000.0) as u64
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

    /// Creates an identity (Ed25519) in this node's vault. With `{ name }` on a node created
    /// with `persist`, the identity is saved under that name and the same identity is
    /// returned on later calls, also after a reload.
    #[wasm_bindgen(js_name = createIdentity, unchecked_return_type = "Promise<Identity>")]
    pub fn create_identity(&self, options: JsValue) -> Promise {
        let node = self.node.clone();
        let webcrypto = self.webcrypto.clone();
        promise(async move {
            let name = get(&options, "name")
                .map(|n| string(&n, "name"))
                .transpose()?;
            let persistent = webcrypto.filter(|v| v.is_persistent());
            if let (Some(name), Some(vault)) = (&name, &persistent)
                && let Some(inner) = vault
                    .load_identity(name, node.vault())
                    .await
                    .map_err(to_js_error)?
            {
                let saved_as = Some((vault.clone(), name.clone()));
                return Ok(Identity { inner, saved_as }.into());
            }
            let inner = CoreIdentity::create(node.vault(), SigningKeyKind::Ed25519, now())
                .await
                .map_err(to_js_error)?;
            let saved_as = match (name, persistent) {
                (Some(name), Some(vault)) => {
                    vault
                        .save_identity(&name, &inner)
                        .await
                        .map_err(to_js_error)?;
                    Some((vault, name))
                }
                _ => None,
            };
            Ok(Identity { inner, saved_as }.into())
        })
    }

    /// The identity sealed in `bytes` (from `identity.export` or `createIdentityExport`),
    /// rotated to a fresh key (`"ed25519"` default, or `"p256"`) and sealed again with the
    /// same secret, without passing through this node's vault: how an identity kept in a
    /// store rotates.
    #[wasm_bindgen(js_name = rotateSealed, unchecked_return_type = "Promise<Uint8Array>")]
    pub fn rotate_sealed(
        &self,
        bytes: Vec<u8>,
        protection: JsValue,
        kind: Option<String>,
    ) -> Promise {
        promise(async move {
            let secret = super::options::Secret::read(&protection)?;
            let kind = super::identity::key_kind(kind.as_deref())?;
            let vault: Rc<dyn Vault> = Rc::new(SoftwareVault::new());
            let identity = CoreIdentity::import_export(vault, &bytes, secret.protection())
                .await
                .map_err(to_js_error)?;
            identity.rotate(kind, now()).await.map_err(to_js_error)?;
            let sealed = identity
                .export(secret.protection())
                .await
                .map_err(to_js_error)?;
            Ok(js_sys::Uint8Array::from(sealed.as_slice()).into())
        })
    }

    /// The identity in `bytes` (from `identity.export`), opened with the same `{ key }` or
    /// `{ passphrase }`; its key goes into this node's vault (non-extractable in a WebCrypto
    /// vault). A wrong key or tampered bytes reject with `DECRYPT`.
    #[wasm_bindgen(js_name = importIdentity, unchecked_return_type = "Promise<Identity>")]
    pub fn import_identity(&self, bytes: Vec<u8>, protection: JsValue) -> Promise {
        let node = self.node.clone();
        promise(async move {
            let secret = super::options::Secret::read(&protection)?;
            let inner = CoreIdentity::import_export(node.vault(), &bytes, secret.protection())
                .await
                .map_err(to_js_error)?;
            Ok(Identity {
                inner,
                saved_as: None,
            }
            .into())
        })
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
            Some(callback) => Hop::observed(move |node, message: &LocalMessage| {
                let event = Object::new();
                let _ = Reflect::set(&event, &"node".into(), &node.into());
                let _ = Reflect::set(
                    &event,
                    &"onward".into(),
                    &message.onward_route.to_string().into(),
                );
                let _ = Reflect::set(
                    &event,
                    &"returnRoute".into(),
                    &message.return_route.to_string().into(),
                );
                let _ = callback.call1(&JsValue::NULL, &event);
            }),
        };
        self.node.start_worker(address, hop).map_err(to_js_error)
    }

    /// Starts a worker at `address` that calls `handler(message)` for each message; a
    /// `Uint8Array` it returns (or resolves to) is sent back as the answer. Options: `policy`,
    /// an ABAC expression (e.g. `(= subject.role "admin")`) a message's secure channel peer
    /// must satisfy — messages that did not come through a secure channel are refused too,
    /// and their senders told `POLICY_DENIED`.
    #[wasm_bindgen(js_name = startWorker)]
    pub fn start_worker(
        &self,
        address: &str,
        handler: Function,
        options: JsValue,
    ) -> Result<(), JsValue> {
        let mut worker_options = WorkerOptions::new(address);
        if let Some(policy) = get(&options, "policy") {
            let policy = Policy::parse(&string(&policy, "policy")?)
                .map_err(|e| invalid(format!("policy: {e}")))?;
            worker_options = worker_options.with_access_control(policy);
        }
        self.node
            .start_worker(worker_options, JsWorker::new(handler))
            .map_err(to_js_error)
    }

    /// Stops the worker at `address`.
    #[wasm_bindgen(js_name = stopWorker)]
    pub fn stop_worker(&self, address: &str) -> Result<(), JsValue> {
        let address: Address = address.parse().map_err(|e| to_js_error(Error::from(e)))?;
        self.node.stop_worker(&address).map_err(to_js_error)
    }

    /// Starts Ockam's relay service at `address` (default: `forwarding_service` and
    /// `static_forwarding_service`, where Ockam's clients look). Options:
    /// `prefix` for aliases (Ockam's is `"forward_to_"`; default none), `names` — an object
    /// `{ check(name), random(), claim(name, identifier) }` that switches to owned names
    /// (chosen names only through a secure channel, kept by the first identity that claims
    /// them; random names otherwise) —, `relaysPerConnection` (default 16), and `onEvent`,
    /// called with `{ type: "registered", alias, routeBack, connection }` or
    /// `{ type: "removed", alias }`.
    #[wasm_bindgen(js_name = startRelayService)]
    pub fn start_relay_service(
        &self,
        address: Option<String>,
        options: JsValue,
    ) -> Result<(), JsValue> {
        let addresses = match address {
            Some(address) => WorkerOptions::new(address.as_str()),
            None => RelayService::ockam_addresses(),
        };
        let mut service = RelayService::new();
        if let Some(prefix) = get(&options, "prefix") {
            service = service.with_prefix(string(&prefix, "prefix")?);
        }
        if let Some(names) = get(&options, "names") {
            let names = JsRelayNames::new(names).map_err(to_js_error)?;
            service = service.with_policy(NamePolicy::Owned(Rc::new(names)));
        }
        if let Some(limit) = get(&options, "relaysPerConnection").and_then(|v| v.as_f64()) {
            service = service.with_relays_per_connection(limit.max(0.0) as usize);
        }
        if let Some(callback) = get(&options, "onEvent") {
            let callback: Function = callback
                .dyn_into()
                .map_err(|_| invalid("onEvent must be a function"))?;
            service = service.with_observer(move |event| {
                let _ = callback.call1(&JsValue::NULL, &relay_event(event));
            });
        }
        self.node
            .start_worker(addresses, service.clone())
            .map_err(to_js_error)?;
        *self.relay_service.borrow_mut() = Some(service);
        Ok(())
    }

    /// Restarts a relay at `alias` forwarding along `routeBack` (from an earlier
    /// `registered` event), without answering anyone: for a node that is re-created and
    /// restores what the previous one had. Needs `startRelayService` first.
    #[wasm_bindgen(js_name = restoreRelay)]
    pub fn restore_relay(&self, alias: &str, route_back: &str) -> Result<(), JsValue> {
        let service = self
            .relay_service
            .borrow()
            .clone()
            .ok_or_else(|| invalid("start the relay service first"))?;
        let route_back = super::options::route(route_back)?;
        let alias: Address = alias.parse().map_err(|e| to_js_error(Error::from(e)))?;
        service
            .restore(&self.node, alias, route_back)
            .map_err(to_js_error)
    }

    /// Registers a relay through `route` (the route to a relay service, e.g.
    /// `"ws#edge => forwarding_service"`, or through a secure channel to it) and resolves with
    /// the alias the service granted. `name` is the alias to ask for (`"register"` for a
    /// random one).
    #[wasm_bindgen(js_name = registerRelay, unchecked_return_type = "Promise<string>")]
    pub fn register_relay(&self, route: &str, name: &str, timeout_ms: Option<u32>) -> Promise {
        let node = self.node.clone();
        let route = super::options::route(route);
        let name = name.to_owned();
        promise(async move {
            let alias = register_relay(&node, route?, &name, timeout(timeout_ms))
                .await
                .map_err(to_js_error)?;
            Ok(alias.into())
        })
    }

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

    /// Calls `observer(event)` with every connection and channel opening and closing and
    /// every redial: `{ type: "connectionopen" | "connectionclose" | "channelopen" |
    /// "channelclose" | "reconnecting", ... }`.
    #[wasm_bindgen(js_name = setObserver)]
    pub fn set_observer(&self, observer: Function) {
        self.node.set_observer(move |event| {
            let _ = observer.call1(&JsValue::NULL, &super::lifecycle::node_event(event));
        });
    }

    /// A new identity, sealed with `{ key }` or `{ passphrase }` as `identity.export` does,
    /// never held by this node's vault: for keeping identities in a store (import it with
    /// `importIdentity`).
    #[wasm_bindgen(js_name = createIdentityExport, unchecked_return_type = "Promise<Uint8Array>")]
    pub fn create_identity_export(&self, protection: JsValue) -> Promise {
        promise(async move {
            let secret = super::options::Secret::read(&protection)?;
            let vault: Rc<dyn Vault> = Rc::new(SoftwareVault::new());
            let identity = CoreIdentity::create(vault, SigningKeyKind::Ed25519, now())
                .await
                .map_err(to_js_error)?;
            let bytes = identity
                .export(secret.protection())
                .await
                .map_err(to_js_error)?;
            Ok(js_sys::Uint8Array::from(bytes.as_slice()).into())
        })
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

    /// Sends `payload` along `route` (e.g. `"mem#bob => echo"`) and resolves with the first
    /// answer, or rejects with code `TIMEOUT` after `timeoutMs` (default 30 000).
    /// `ABORTED` when `signal` aborts.
    #[wasm_bindgen(unchecked_return_type = "Promise<Message>")]
    pub fn request(
        &self,
        route: &str,
        payload: Vec<u8>,
        timeout_ms: Option<u32>,
        signal: JsValue,
    ) -> Promise {
        let node = self.node.clone();
        let route = super::options::route(route);
        let signal = super::lifecycle::signal(&signal);
        promise(async move {
            let (route, signal) = (route?, signal?);
            let reply = super::lifecycle::abortable(
                signal,
                node.request(route, payload, timeout(timeout_ms)),
            )
            .await
            .map_err(to_js_error)?;
            Ok(Message::from(reply).into())
        })
    }

    /// Sends `payload` along `route` without waiting for an answer (but waiting while the
    /// next hop cannot take more, until `signal` aborts).
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn send(&self, route: &str, payload: Vec<u8>, signal: JsValue) -> Promise {
        let node = self.node.clone();
        let route = super::options::route(route);
        let signal = super::lifecycle::signal(&signal);
        promise(async move {
            let (route, signal) = (route?, signal?);
            super::lifecycle::abortable(
                signal,
                node.route(LocalMessage::new(route, Route::new(), payload)),
            )
            .await
            .map_err(to_js_error)?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Accepts secure channels for `identity` at `address`; `options` as for
    /// `createSecureChannel` (`trust` is required).
    #[wasm_bindgen(js_name = createSecureChannelListener)]
    pub fn create_secure_channel_listener(
        &self,
        identity: &Identity,
        address: &str,
        options: JsValue,
    ) -> Result<SecureChannelListener, JsValue> {
        let options = channel_options(&options)?;
        let listener = self
            .node
            .create_secure_channel_listener(&identity.inner, address, options)
            .map_err(to_js_error)?;
        Ok(SecureChannelListener::new(listener, self.node.clone()))
    }

    /// Opens a secure channel as `identity` to the listener at the end of `route`; resolves
    /// once both sides are authenticated, or rejects with a `RazorError` whose `code` says why
    /// (`TIMEOUT`, `IDENTITY_MISMATCH`, `POLICY_DENIED`, `CREDENTIAL_EXPIRED`, ...).
    #[wasm_bindgen(js_name = createSecureChannel, unchecked_return_type = "Promise<SecureChannel>")]
    pub fn create_secure_channel(
        &self,
        identity: &Identity,
        route: &str,
        options: JsValue,
    ) -> Promise {
        let node = self.node.clone();
        let identity = identity.inner.clone();
        let parsed = super::options::route(route).and_then(|route| {
            let signal = super::lifecycle::signal(&get(&options, "signal").unwrap_or_default())?;
            Ok((route, channel_options(&options)?, signal))
        });
        promise(async move {
            let (route, options, signal) = parsed?;
            let channel = super::lifecycle::abortable(
                signal,
                node.create_secure_channel(&identity, route, options),
            )
            .await
            .map_err(to_js_error)?;
            let inbox = node.client().map_err(to_js_error)?;
            Ok(SecureChannel::new(channel, inbox).into())
        })
    }

    /// Gets `identity` a credential from an Ockam authority's `credential_issuer` at the end of
    /// `route` (its secure channel listener), as an enrolled Ockam project member does: the
    /// channel trusts only `issuer`, and the credential must be about `identity` and signed by
    /// `issuer`. Resolves with the credential's bytes (present it with `addCredential`);
    /// `POLICY_DENIED` when the authority refuses (not a member).
    #[wasm_bindgen(js_name = retrieveCredential, unchecked_return_type = "Promise<Uint8Array>")]
    pub fn retrieve_credential(
        &self,
        identity: &Identity,
        route: &str,
        issuer: &str,
        timeout_ms: Option<u32>,
        signal: JsValue,
    ) -> Promise {
        let node = self.node.clone();
        let identity = identity.inner.clone();
        let parsed = super::options::route(route).and_then(|route| {
            let issuer = issuer
                .parse::<razor_core::identity::Identifier>()
                .map_err(to_js_error)?;
            Ok((route, issuer, super::lifecycle::signal(&signal)?))
        });
        promise(async move {
            let (route, issuer, signal) = parsed?;
            let timeout =
                super::options::timeout(timeout_ms).unwrap_or(node.config().request_timeout);
            let credential = super::lifecycle::abortable(
                signal,
                razor_core::services::credential_retrieval::retrieve_credential(
                    &node, &identity, route, issuer, timeout,
                ),
            )
            .await
            .map_err(to_js_error)?;
            Ok(js_sys::Uint8Array::from(credential.encode().as_slice()).into())
        })
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
