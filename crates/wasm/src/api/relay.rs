//! Relays from JavaScript: the relay service's name policy written in JavaScript
//! (`startRelayService` options), and relays this node keeps registered (`createRelay`).

use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use razor_core::identity::Identifier;
use razor_core::runtime::LocalBoxFuture;
use razor_core::services::{
    Connect, NamePolicy, RelayClient, RelayClientEvent, RelayEvent, RelayNames, RelayService,
    register_relay,
};
use razor_core::{Address, Error, Result, WorkerOptions};
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::lifecycle::object;
use super::options::{get, invalid, string, timeout, trust_policy};
use super::promise::promise;
use super::{Identity, Node};
use crate::to_js_error;
use crate::transport::describe;

/// [`RelayNames`] backed by a JS object `{ check(name), random(), claim(name, identifier) }`:
/// `check` throws to refuse a name, `random` returns a fresh name, `claim` resolves to
/// whether `identifier` now owns `name`.
pub(crate) struct JsRelayNames {
    this: JsValue,
    check: Function,
    random: Function,
    claim: Function,
}

impl JsRelayNames {
    pub(crate) fn new(names: JsValue) -> Result<Self> {
        let method = |name: &str| {
            Reflect::get(&names, &name.into())
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok())
                .ok_or_else(|| {
                    Error::InvalidArgument(format!("relay names need a {name}() method"))
                })
        };
        Ok(Self {
            check: method("check")?,
            random: method("random")?,
            claim: method("claim")?,
            this: names,
        })
    }
}

impl RelayNames for JsRelayNames {
    fn check(&self, name: &str) -> Result<()> {
        self.check
            .call1(&self.this, &name.into())
            .map(drop)
            .map_err(|error| Error::InvalidArgument(describe(&error)))
    }

    fn random(&self) -> String {
        self.random
            .call0(&self.this)
            .ok()
            .and_then(|name| name.as_string())
            .unwrap_or_else(razor_core::services::random_name)
    }

    fn claim<'a>(
        &'a self,
        name: &'a str,
        owner: &'a Identifier,
    ) -> LocalBoxFuture<'a, Result<bool>> {
        Box::pin(async move {
            let failed = |error: JsValue| {
                Error::InvalidArgument(format!("relay name claim failed: {}", describe(&error)))
            };
            let mut answer = self
                .claim
                .call2(&self.this, &name.into(), &owner.to_string().into())
                .map_err(failed)?;
            if answer.is_instance_of::<Promise>() {
                answer = JsFuture::from(answer.unchecked_into::<Promise>())
                    .await
                    .map_err(failed)?;
            }
            Ok(answer.as_bool().unwrap_or(false))
        })
    }
}

/// A relay this node keeps registered on a relay service (`Node.createRelay`): registered again
/// after its connection drops, with jittered backoff, until `close`.
#[wasm_bindgen]
pub struct KeptRelay {
    inner: razor_core::services::KeptRelay,
}

#[wasm_bindgen]
impl KeptRelay {
    /// The alias others route to, or `""` while the relay is not registered.
    #[wasm_bindgen(getter)]
    pub fn alias(&self) -> String {
        self.inner
            .current()
            .map(|(alias, _)| alias)
            .unwrap_or_default()
    }

    /// This node's connection to the relay service's node, or `""` while not registered.
    #[wasm_bindgen(getter)]
    pub fn hop(&self) -> String {
        self.inner
            .current()
            .map(|(_, hop)| hop.to_string())
            .unwrap_or_default()
    }

    /// Stops re-registering and closes the connection (the relay goes with it).
    pub fn close(&self) {
        self.inner.close();
    }
}

#[wasm_bindgen]
impl Node {
    /// Connects to the relay service's node at `url`, registers a relay and keeps it registered
    /// across reconnects. Options: `name` (default a random one the service picks),
    /// `timeoutMs` per step (default 10 000), `reconnect` (default true). `onEvent` hears
    /// `{ type: "registered", alias, hop }` and `{ type: "lost", error? }`. Rejects when the
    /// first registration fails.
    #[wasm_bindgen(js_name = createRelay, unchecked_return_type = "Promise<KeptRelay>")]
    pub fn create_relay(
        &self,
        url: String,
        options: JsValue,
        on_event: Option<Function>,
    ) -> Promise {
        self.keep_relay(url, None, options, on_event)
    }

    /// `createRelay`, registering through a secure channel to the service's node as
    /// `identity` (which chosen names need on a Razor edge); options `trust` (required) and
    /// `listener` (default `"secure"`) besides `createRelay`'s.
    #[wasm_bindgen(js_name = createRelayAs, unchecked_return_type = "Promise<KeptRelay>")]
    pub fn create_relay_as(
        &self,
        identity: &Identity,
        url: String,
        options: JsValue,
        on_event: Option<Function>,
    ) -> Promise {
        self.keep_relay(url, Some(identity.inner.clone()), options, on_event)
    }
}

impl Node {
    fn keep_relay(
        &self,
        url: String,
        identity: Option<razor_core::identity::Identity>,
        options: JsValue,
        on_event: Option<Function>,
    ) -> Promise {
        let node = self.node.clone();
        let (websocket, webtransport) = (self.websocket.clone(), self.webtransport.clone());
        let connect: Connect =
            Rc::new(move || super::connection::dial(&websocket, &webtransport, url.clone()));
        let client = (|| {
            let mut client = RelayClient::new();
            if let Some(name) = get(&options, "name") {
                client.name = Some(string(&name, "name")?);
            }
            if let Some(listener) = get(&options, "listener") {
                client.listener = string(&listener, "listener")?;
            }
            let ms = get(&options, "timeoutMs").and_then(|ms| ms.as_f64());
            if let Some(limit) = timeout(ms.map(|ms| ms.clamp(0.0, f64::from(u32::MAX)) as u32)) {
                client.timeout = limit;
            }
            if let Some(identity) = identity {
                let trust = get(&options, "trust")
                    .ok_or_else(|| invalid("createRelay with an identity needs trust"))?;
                client.through_channel = Some((identity, trust_policy(&trust)?));
            }
            client.reconnect = get(&options, "reconnect").is_none_or(|value| value.is_truthy());
            Ok::<_, JsValue>(client)
        })();
        promise(async move {
            let client = client?;
            let (alias, hop) = client
                .connect_and_register(&node, &connect)
                .await
                .map_err(to_js_error)?;
            let report = move |event: &RelayClientEvent| {
                let Some(on_event) = &on_event else { return };
                let event = match event {
                    RelayClientEvent::Registered { alias, hop } => object(&[
                        ("type", "registered".into()),
                        ("alias", alias.as_str().into()),
                        ("hop", hop.to_string().into()),
                    ]),
                    RelayClientEvent::Lost { error } => object(&[
                        ("type", "lost".into()),
                        (
                            "error",
                            error.clone().map(to_js_error).unwrap_or(JsValue::UNDEFINED),
                        ),
                    ]),
                };
                let _ = on_event.call1(&JsValue::NULL, &event);
            };
            let inner = client.keep_registered(&node, connect, Some((alias, hop)), report);
            Ok(KeptRelay { inner }.into())
        })
    }
}

/// The relay service this node runs, and relays registered on one.
#[wasm_bindgen]
impl Node {
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
