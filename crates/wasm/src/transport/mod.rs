//! Transports for JavaScript runtimes: WebSocket (browsers, Deno, workers) and WebTransport
//! (browsers) clients — a browser dials out, and answers come back on the connection it
//! opened — and connections JavaScript attaches: server-side sockets, Durable Object links,
//! and transports written in JavaScript.

mod attached;
mod websocket;
mod webtransport;

pub use attached::{ATTACHED_INBOX_FRAMES, AttachedConnection, AttachedConnections, JsTransport};
pub use websocket::{HIGH_WATER_MARK, INBOX_FRAMES, WebSocketDriver, WebSocketTransport};
pub use webtransport::{WebTransportDriver, WebTransportTransport};

use razor_core::{Address, Error, TransportError};

/// The URL for a hop: the address value as is if it has a scheme (`wss://relay.example/x`),
/// else `{scheme}://{host:port}/`.
pub(crate) fn url(address: &Address, scheme: &str) -> Result<String, Error> {
    let value = address
        .value_str()
        .filter(|v| !v.is_empty())
        .ok_or_else(|| Error::InvalidArgument(format!("{address} is not host:port or a URL")))?;
    Ok(if value.contains("://") {
        value.to_owned()
    } else {
        format!("{scheme}://{value}/")
    })
}

pub(crate) fn connect_failed(url: &str, reason: impl Into<String>) -> Error {
    TransportError::ConnectFailed {
        address: url.to_owned(),
        reason: reason.into(),
    }
    .into()
}

/// A JS error value as text, for error messages.
pub(crate) fn describe(value: &wasm_bindgen::JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| format!("{value:?}"))
}

use wasm_bindgen::JsCast;
