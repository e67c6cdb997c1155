use js_sys::{Object, Reflect};
use razor_core::LocalMessage;
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
