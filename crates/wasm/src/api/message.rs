//! The JavaScript `Message` (payload, return route, the peer a channel authenticated), and the
//! node's methods that send plain messages along a route.

use js_sys::Promise;
use js_sys::{Object, Reflect};
use razor_core::{LocalMessage, Route};

use super::node::Node;
use super::options::timeout;
use super::promise::promise;
use crate::to_js_error;
use wasm_bindgen::prelude::*;

/// A message delivered to JavaScript: payload, the route back to its sender, and — if it came
/// through a secure channel — the authenticated peer.
#[wasm_bindgen]
pub struct Message {
    payload: Vec<u8>,
    return_route: String,
    peer_identifier: Option<String>,
    peer_attributes: Vec<(String, String)>,
}

#[wasm_bindgen]
impl Message {
    /// The payload bytes (a fresh copy, owned by JavaScript).
    #[wasm_bindgen(getter)]
    pub fn payload(&self) -> js_sys::Uint8Array {
        js_sys::Uint8Array::from(self.payload.as_slice())
    }

    /// The route back to the sender, in `a => b` form.
    #[wasm_bindgen(getter, js_name = returnRoute)]
    pub fn return_route(&self) -> String {
        self.return_route.clone()
    }

    /// The sender's identifier, authenticated by a secure channel; `undefined` otherwise.
    #[wasm_bindgen(getter, js_name = peerIdentifier)]
    pub fn peer_identifier(&self) -> Option<String> {
        self.peer_identifier.clone()
    }

    /// The sender's verified credential attributes (empty without a channel).
    #[wasm_bindgen(getter, js_name = peerAttributes)]
    pub fn peer_attributes(&self) -> Object {
        let object = Object::new();
        for (name, value) in &self.peer_attributes {
            let _ = Reflect::set(&object, &name.into(), &value.into());
        }
        object
    }
}

impl From<LocalMessage> for Message {
    fn from(message: LocalMessage) -> Self {
        let peer = message.local_info.secure_channel.as_ref();
        Self {
            payload: message.payload,
            return_route: message.return_route.to_string(),
            peer_identifier: peer.map(|p| p.identifier.to_string()),
            peer_attributes: peer
                .map(|p| p.attributes.clone().into_iter().collect())
                .unwrap_or_default(),
        }
    }
}

/// Plain messages along a route.
#[wasm_bindgen]
impl Node {
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
}
