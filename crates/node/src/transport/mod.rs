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

use std::future::Future;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::Duration;

use razor_core::{Address, Error, Result, TransportError};
use tokio::net::{TcpListener, TcpStream};
use tracing::warn;

/// The first wait after a failed accept; it doubles with each failure in a row.
const ACCEPT_BACKOFF_MIN: Duration = Duration::from_millis(10);
/// The longest wait between two failed accepts.
const ACCEPT_BACKOFF_MAX: Duration = Duration::from_secs(1);

/// A listening socket the [`accept_loop`] takes connection attempts from.
pub(crate) trait Acceptor {
    /// What one accept yields: a stream, or an incoming session to set up.
    type Incoming;
    /// The next connection attempt and its peer's address.
    fn accept_next(&self) -> impl Future<Output = std::io::Result<(Self::Incoming, SocketAddr)>>;
}

impl Acceptor for TcpListener {
    type Incoming = TcpStream;

    fn accept_next(&self) -> impl Future<Output = std::io::Result<(TcpStream, SocketAddr)>> {
        self.accept()
    }
}

/// Accepts connection attempts on `listener` for as long as the calling task runs, handing
/// each to `accepted` (every listener: TCP, WebSocket, WebTransport, metrics). A failed accept
/// is counted in the node's `admission` (`accept_errors`) and waits before the next try, from
/// 10 ms doubling to 1 s, until one succeeds: out of file descriptors, the connection that
/// cannot be taken stays queued and every accept fails at once, so without the wait the
/// listener would spin.
pub(crate) async fn accept_loop<A: Acceptor>(
    listener: A,
    admission: Rc<Admission>,
    what: &'static str,
    mut accepted: impl FnMut(A::Incoming, SocketAddr),
) {
    let mut backoff = ACCEPT_BACKOFF_MIN;
    loop {
        match listener.accept_next().await {
            Ok((stream, peer)) => {
                backoff = ACCEPT_BACKOFF_MIN;
                accepted(stream, peer);
            }
            Err(error) => {
                let errors = &admission.metrics().accept_errors;
                errors.increment();
                if errors.get().is_power_of_two() {
                    warn!(%error, listener = what, failures = errors.get(), "accept failed; backing off");
                }
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(ACCEPT_BACKOFF_MAX);
            }
        }
    }
}

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
