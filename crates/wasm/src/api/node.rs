use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use razor_core::identity::Identity as CoreIdentity;
use razor_core::services::{Echo, Hop, RELAY_SERVICE_ADDRESS, RelayService};
use razor_core::transport::RetryPolicy;
use razor_core::transport::memory::{self, MemoryOptions, MemoryTransport};
use razor_core::vault::{SigningKeyKind, SoftwareVault, Vault};
use razor_core::{Address, LocalMessage, NodeConfig, Route};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::Message;
use super::channel::{SecureChannel, SecureChannelListener};
use super::identity::Identity;
use super::options::{channel_options, get, invalid, string, timeout};
use super::worker::JsWorker;
use crate::transport::{WebSocketTransport, WebTransportTransport};
use crate::vault::WebCryptoVault;
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
    node: razor_core::Node,
    websocket: WebSocketTransport,
    webtransport: WebTransportTransport,
    webcrypto: Option<WebCryptoVault>,
}

fn now() -> u64 {
    (js_sys::Date::now() / 1000.0) as u64
}

impl Node {
    fn build(
        name: String,
        vault: Rc<dyn Vault>,
        webcrypto: Option<WebCryptoVault>,
        mailbox: Option<usize>,
    ) -> Result<Node, JsValue> {
        let mut config = NodeConfig::new(name);
        if let Some(capacity) = mailbox {
            config = config.with_mailbox_capacity(capacity);
        }
        let node = razor_core::Node::with_vault(WasmRuntime, config, vault);
        let websocket = WebSocketTransport::create(&node).map_err(to_js_error)?;
        let webtransport = WebTransportTransport::create(&node).map_err(to_js_error)?;
        Ok(Node {
            node,
            websocket,
            webtransport,
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
        )
    }

    /// Creates a node. Options: `name`; `vault`: `"auto"` (default: WebCrypto with
    /// non-extractable keys where the runtime has Ed25519 and X25519, else the software vault
    /// with a console warning), `"webcrypto"` (fail if unavailable) or `"software"`; `persist`:
    /// an IndexedDB database name keeping keys and named identities across reloads (browsers);
    /// `mailboxCapacity`.
    #[wasm_bindgen(unchecked_return_type = "Promise<Node>")]
    pub fn create(options: JsValue) -> Promise {
        future_to_promise(async move {
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
            let webcrypto = match kind.as_str() {
                "software" => None,
                "webcrypto" => Some(
                    WebCryptoVault::open(persist.as_deref())
                        .await
                        .map_err(to_js_error)?,
                ),
                "auto" => match WebCryptoVault::open(persist.as_deref()).await {
                    Ok(vault) => Some(vault),
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
            let vault: Rc<dyn Vault> = match &webcrypto {
                Some(vault) => Rc::new(vault.clone()),
                None => Rc::new(SoftwareVault::new()),
            };
            Ok(Self::build(name, vault, webcrypto, mailbox)?.into())
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

    /// Number of open WebSocket and WebTransport connections.
    #[wasm_bindgen(getter, js_name = connectionCount)]
    pub fn connection_count(&self) -> usize {
        self.websocket.connection_count() + self.webtransport.connection_count()
    }

    /// Creates an identity (Ed25519) in this node's vault. With `{ name }` on a node created
    /// with `persist`, the identity is saved under that name and the same identity is
    /// returned on later calls, also after a reload.
    #[wasm_bindgen(js_name = createIdentity, unchecked_return_type = "Promise<Identity>")]
    pub fn create_identity(&self, options: JsValue) -> Promise {
        let node = self.node.clone();
        let webcrypto = self.webcrypto.clone();
        future_to_promise(async move {
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
    /// `Uint8Array` it returns (or resolves to) is sent back as the answer.
    #[wasm_bindgen(js_name = startWorker)]
    pub fn start_worker(&self, address: &str, handler: Function) -> Result<(), JsValue> {
        self.node
            .start_worker(address, JsWorker { handler })
            .map_err(to_js_error)
    }

    /// Stops the worker at `address`.
    #[wasm_bindgen(js_name = stopWorker)]
    pub fn stop_worker(&self, address: &str) -> Result<(), JsValue> {
        self.node
            .stop_worker(&Address::from(address))
            .map_err(to_js_error)
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

    /// Connects now to `url` (`ws://`, `wss://` or `https://` for WebTransport) and resolves
    /// with the hop to put first in routes, e.g. `${hop} => secure`.
    #[wasm_bindgen(unchecked_return_type = "Promise<string>")]
    pub fn connect(&self, url: String) -> Promise {
        let (websocket, webtransport) = (self.websocket.clone(), self.webtransport.clone());
        future_to_promise(async move {
            let address = if url.starts_with("ws://") || url.starts_with("wss://") {
                websocket.connect(&url).await
            } else if url.starts_with("https://") {
                webtransport.connect(&url).await
            } else {
                return Err(invalid(format!(
                    "connect takes ws://, wss:// or https:// URLs, got {url:?}"
                )));
            };
            Ok(address.map_err(to_js_error)?.to_string().into())
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
    #[wasm_bindgen(unchecked_return_type = "Promise<Message>")]
    pub fn request(&self, route: &str, payload: Vec<u8>, timeout_ms: Option<u32>) -> Promise {
        let node = self.node.clone();
        let route = super::options::route(route);
        future_to_promise(async move {
            let reply = node
                .request(route?, payload, timeout(timeout_ms))
                .await
                .map_err(to_js_error)?;
            Ok(Message::from(reply).into())
        })
    }

    /// Sends `payload` along `route` without waiting for an answer.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn send(&self, route: &str, payload: Vec<u8>) -> Promise {
        let node = self.node.clone();
        let route = super::options::route(route);
        future_to_promise(async move {
            node.route(LocalMessage::new(route?, Route::new(), payload))
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
        let parsed =
            super::options::route(route).and_then(|route| Ok((route, channel_options(&options)?)));
        future_to_promise(async move {
            let (route, options) = parsed?;
            let channel = node
                .create_secure_channel(&identity, route, options)
                .await
                .map_err(to_js_error)?;
            let inbox = node.client().map_err(to_js_error)?;
            Ok(SecureChannel::new(channel, inbox).into())
        })
    }

    /// Stops every worker and connection of this node.
    pub fn shutdown(&self) {
        self.node.shutdown();
    }
}
