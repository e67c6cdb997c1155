use std::rc::Rc;

use js_sys::{Object, Promise, Reflect};
use razor_core::Client;
use razor_core::channel::{SecureChannel as CoreChannel, SecureChannelListener as CoreListener};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::Message;
use super::options::{route as route_of, timeout};
use crate::to_js_error;

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
    /// channel's inbox.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn send(&self, route: &str, payload: Vec<u8>) -> Promise {
        let (channel, inbox) = (self.inner.clone(), self.inbox.clone());
        let route = route_of(route);
        future_to_promise(async move {
            channel.check_open().map_err(to_js_error)?;
            inbox
                .send(channel.route(route?), payload)
                .await
                .map_err(to_js_error)?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// The next message that arrived in this channel's inbox; rejects with `TIMEOUT` after
    /// `timeoutMs` if given.
    #[wasm_bindgen(unchecked_return_type = "Promise<Message>")]
    pub fn receive(&self, timeout_ms: Option<u32>) -> Promise {
        let inbox = self.inbox.clone();
        future_to_promise(async move {
            let message = match timeout(timeout_ms) {
                Some(limit) => inbox.receive_timeout(limit).await,
                None => inbox.receive().await,
            };
            Ok(Message::from(message.map_err(to_js_error)?).into())
        })
    }

    /// Sends `payload` to `route` on the peer's node and resolves with the first answer (on a
    /// fresh inbox, so it does not mix with `receive`).
    #[wasm_bindgen(unchecked_return_type = "Promise<Message>")]
    pub fn request(&self, route: &str, payload: Vec<u8>, timeout_ms: Option<u32>) -> Promise {
        let channel = self.inner.clone();
        let route = route_of(route);
        future_to_promise(async move {
            let reply = channel
                .request(route?, payload, timeout(timeout_ms))
                .await
                .map_err(to_js_error)?;
            Ok(Message::from(reply).into())
        })
    }

    /// Closes the channel on both sides.
    pub fn close(&self) -> Result<(), JsValue> {
        self.inner.close().map_err(to_js_error)
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

    /// Resolves with the next channel established through this listener.
    #[wasm_bindgen(unchecked_return_type = "Promise<SecureChannel>")]
    pub fn accept(&self) -> Promise {
        let (listener, node) = (self.inner.clone(), self.node.clone());
        future_to_promise(async move {
            let channel = listener.accept().await.map_err(to_js_error)?;
            let inbox = node.client().map_err(to_js_error)?;
            Ok(SecureChannel::new(channel, inbox).into())
        })
    }

    /// Stops accepting channels (established ones stay open).
    pub fn stop(&self) -> Result<(), JsValue> {
        self.inner.stop().map_err(to_js_error)
    }
}
