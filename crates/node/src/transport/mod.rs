//! Native transports on tokio: TCP (Ockam's framing), WebSocket and WebTransport, listening
//! and connecting. Each plugs the core's connection machinery
//! ([`start_connection`](razor_core::transport::connection::start_connection)) onto a socket.

pub mod admission;
pub mod tcp;
pub mod websocket;
pub mod webtransport;

pub use admission::{Admission, ListenerLimits};
pub use tcp::TcpTransport;
pub use websocket::WebSocketTransport;
pub use webtransport::{WebTransportListener, WebTransportTransport};

use std::net::SocketAddr;

use razor_core::{Address, Error, Result, TransportError};
use tokio::net::TcpListener;

/// The `host:port` an address names, for the transports that dial sockets.
pub(crate) fn socket_address(address: &Address) -> Result<String> {
    let text = address
        .value_str()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Error::InvalidArgument(format!("{address} is not host:port")))?;
    Ok(text.to_owned())
}

/// A TCP listener on `address` (port 0 for any) and the address it bound.
pub(crate) async fn bind_tcp(address: &str) -> Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind(address)
        .await
        .map_err(|e| bind_failed(address, e))?;
    let bound = listener.local_addr().map_err(|e| bind_failed(address, e))?;
    Ok((listener, bound))
}

/// A listener that could not bind `address`.
pub(crate) fn bind_failed(address: &str, error: impl std::fmt::Display) -> Error {
    TransportError::BindFailed {
        address: address.to_owned(),
        reason: error.to_string(),
    }
    .into()
}

pub(crate) fn connect_failed(address: &str, error: impl std::fmt::Display) -> Error {
    TransportError::ConnectFailed {
        address: address.to_owned(),
        reason: error.to_string(),
    }
    .into()
}
