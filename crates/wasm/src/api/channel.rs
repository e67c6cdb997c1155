//! The JavaScript `SecureChannel` (an established channel with its own inbox: send, request,
//! receive, close) and `SecureChannelListener` (the channels a listener accepted), and the
//! node's methods that open them and retrieve credentials over one.

use std::rc::Rc;

use super::promise::promise;
use js_sys::{Object, Promise, Reflect};
use razor_core::Client;
use razor_core::channel::{SecureChannel as CoreChannel, SecureChannelListener as CoreListener};
use wasm_bindgen::prelude::*;

use super::Message;
use super::identity::Identity;
use super::lifecycle::{self, abortable, close_info, traffic};
use super::node::Node;
use super::options::{channel_options, get, route as route_of, timeout};
use crate::to_js_error;
use razor_core::Error;

/// An established secure channel. It has its own inbox: what `send` sends comes from it, so
/// answers and anything else the peer sends to it arrive in `receive`.
#[wasm_bindgen]
pub struct SecureChannel {
    inner: CoreChannel,
    inbox: Rc<Client>,
}

impl SecureChannel {
    pub(crate) fn new(inner: CoreChannel, inbox: Client) -> Self {
        Self {
            inner,
            inbox: Rc::new(inbox),
        }
    }
}

#[wasm_bindgen]
impl SecureChannel {
    /// The local address to route through, e.g. `${channel.address} => echo`.
    #[wasm_bindgen(getter)]
    pub fn address(&self) -> String {
        self.inner.address().to_string()
    }

    /// The authenticated peer's identifier.
    #[wasm_bindgen(getter, js_name = theirIdentifier)]
    pub fn their_identifier(&self) -> String {
        self.inner.their_identifier().to_string()
    }

    /// The peer's verified attributes, as an object of strings.
    #[wasm_bindgen(getter)]
    pub fn attributes(&self) -> Object {
        let object = Object::new();
        for (name, value) in &self.inner.peer().attributes {
            let _ = Reflect::set(&object, &name.into(), &value.into());
        }
        object
    }

    /// Whether the channel is still open on this side.
    #[wasm_bindgen(getter, js_name = isOpen)]
    pub fn is_open(&self) -> bool {
        self.inner.is_open()
    }

    /// Sends `payload` through the channel to `route` on the peer's node, from this
    /// channel's inbox; waits while the channel cannot take more, until `signal` aborts.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn send(&self, route: &str, payload: Vec<u8>, signal: JsValue) -> Promise {
        let (channel, inbox) = (self.inner.clone(), self.inbox.clone());
        let route = route_of(route);
        let signal = lifecycle::signal(&signal);
        promise(async move {
            let (route, signal) = (route?, signal?);
            // Checked before the abort signal is: a closed channel says so first.
            channel.check_open().map_err(to_js_error)?;
            abortable(signal, channel.send(&inbox, route, payload))
                .await
                .map_err(to_js_error)?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// The next message that arrived in this channel's inbox. Once the channel has closed
    /// and the inbox is empty, rejects with `CHANNEL_CLOSED`; with `TIMEOUT` after
    /// `timeoutMs` if given; with `ABORTED` when `signal` aborts.
    #[wasm_bindgen(unchecked_return_type = "Promise<Message>")]
    pub fn receive(&self, timeout_ms: Option<u32>, signal: JsValue) -> Promise {
        let (channel, inbox) = (self.inner.clone(), self.inbox.clone());
        let signal = lifecycle::signal(&signal);
        promise(async move {
            let signal = signal?;
            let next = async {
                futures_lite::future::or(inbox.receive(), async {
                    channel.closed().await;
                    // Whatever arrived before the end is still handed out.
                    match inbox.try_receive() {
                        Some(message) => message,
                        None => Err(Error::ChannelClosed),
                    }
                })
                .await
            };
            let message = match timeout(timeout_ms) {
                Some(limit) => {
                    abortable(signal, async {
                        razor_core::runtime::timeout(&crate::WasmRuntime, limit, next).await?
                    })
                    .await
                }
                None => abortable(signal, next).await,
            };
            Ok(Message::from(message.map_err(to_js_error)?).into())
        })
    }

    /// Sends `payload` to `route` on the peer's node and resolves with the first answer (on a
    /// fresh inbox, so it does not mix with `receive`); `TIMEOUT` after `timeoutMs` (default
    /// 30 000), `ABORTED` when `signal` aborts, `CHANNEL_CLOSED` if the channel closes first.
    #[wasm_bindgen(unchecked_return_type = "Promise<Message>")]
    pub fn request(
        &self,
        route: &str,
        payload: Vec<u8>,
        timeout_ms: Option<u32>,
        signal: JsValue,
    ) -> Promise {
        let channel = self.inner.clone();
        let route = route_of(route);
        let signal = lifecycle::signal(&signal);
        promise(async move {
            let (route, signal) = (route?, signal?);
            let request = futures_lite::future::or(
                channel.request(route, payload, timeout(timeout_ms)),
                async {
                    channel.closed().await;
                    Err(Error::ChannelClosed)
                },
            );
            let reply = abortable(signal, request).await.map_err(to_js_error)?;
            Ok(Message::from(reply).into())
        })
    }

    /// Opens a portal connection to the TCP portal outlet at `outlet` on the peer's node (an
    /// Ockam outlet, or a Razor node's `--outlet`): `TIMEOUT` if it does not answer within
    /// `timeoutMs` (default the node's request timeout, 30 000; an outlet that cannot reach its
    /// service never answers),
    /// `ABORTED` when `signal` aborts.
    #[wasm_bindgen(js_name = openPortal, unchecked_return_type = "Promise<Portal>")]
    pub fn open_portal(&self, outlet: String, timeout_ms: Option<u32>, signal: JsValue) -> Promise {
        let channel = self.inner.clone();
        let signal = lifecycle::signal(&signal);
        promise(async move {
            let duration = timeout(timeout_ms).unwrap_or(channel.node().config().request_timeout);
            let portal = abortable(
                signal?,
                super::portal::Portal::open(&channel, &outlet, duration),
            )
            .await
            .map_err(to_js_error)?;
            Ok(portal.into())
        })
    }

    /// Closes the channel on both sides; resolves once it is closed. Closing again resolves
    /// at once.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn close(&self) -> Promise {
        let channel = self.inner.clone();
        promise(async move {
            channel.close();
            channel.closed().await;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Resolves once the channel has closed, with `{ reason, error? }`: `"local"` (closed
    /// here), `"peer"`, `"connection-lost"`, `"shutdown"`.
    #[wasm_bindgen(unchecked_return_type = "Promise<{ reason: string; error?: Error }>")]
    pub fn closed(&self) -> Promise {
        let channel = self.inner.clone();
        promise(async move { Ok(close_info(&channel.closed().await)) })
    }

    /// Messages and payload bytes each way so far:
    /// `{ messagesSent, bytesSent, messagesReceived, bytesReceived }`.
    #[wasm_bindgen(getter)]
    pub fn stats(&self) -> JsValue {
        traffic(self.inner.traffic())
    }
}

/// A running secure channel listener.
#[wasm_bindgen]
pub struct SecureChannelListener {
    inner: Rc<CoreListener>,
    node: razor_core::Node,
}

impl SecureChannelListener {
    pub(crate) fn new(inner: CoreListener, node: razor_core::Node) -> Self {
        Self {
            inner: Rc::new(inner),
            node,
        }
    }
}

#[wasm_bindgen]
impl SecureChannelListener {
    /// Where initiators send their first handshake message.
    #[wasm_bindgen(getter)]
    pub fn address(&self) -> String {
        self.inner.address().to_string()
    }

    /// Resolves with the next channel established through this listener; rejects with
    /// `WORKER_STOPPED` once the listener has stopped (and handed out what it had), `ABORTED`
    /// when `signal` aborts.
    #[wasm_bindgen(unchecked_return_type = "Promise<SecureChannel>")]
    pub fn accept(&self, signal: JsValue) -> Promise {
        let (listener, node) = (self.inner.clone(), self.node.clone());
        let signal = lifecycle::signal(&signal);
        promise(async move {
            let channel = abortable(signal?, listener.accept())
                .await
                .map_err(to_js_error)?;
            let inbox = node.client().map_err(to_js_error)?;
            Ok(SecureChannel::new(channel, inbox).into())
        })
    }

    /// Stops accepting channels (established ones stay open); resolves once stopped.
    /// Stopping again resolves at once.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn stop(&self) -> Promise {
        let listener = self.inner.clone();
        promise(async move {
            listener.stop().map_err(to_js_error)?;
            listener.closed().await;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Resolves once the listener has stopped (`stop`, or the node shut down).
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn closed(&self) -> Promise {
        let listener = self.inner.clone();
        promise(async move {
            listener.closed().await;
            Ok(JsValue::UNDEFINED)
        })
    }
}

/// Secure channels: listeners, channels, and credentials retrieved over one.
#[wasm_bindgen]
impl Node {
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
}
