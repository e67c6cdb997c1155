//! Connections driven from JavaScript: the application owns the socket, hands Razor each
//! frame that arrives, and gives Razor a sink to write frames to. For sockets Razor cannot
//! open itself: a WebSocket a server accepted (a Worker's `WebSocketPair`,
//! `Deno.upgradeWebSocket`, Node's `ws`), a hibernatable socket in a Durable Object, a link
//! between Durable Objects. One frame is one BARE `TransportMessage` (Ockam's WebSocket
//! framing).
//!
//! The sink is any JS object with `send(frame: Uint8Array)` (which may return a Promise: Razor
//! waits for it before the next frame, so a slow link pushes back) and
//! `close(code: number, reason: string)`.

use async_channel::{Receiver, Sender, TrySendError};
use js_sys::{Function, Promise, Reflect, Uint8Array};
use razor_core::runtime::LocalBoxFuture;
use razor_core::transport::connection::ConnectionHandle;
use razor_core::transport::connection::{BareFrames, CloseReason, FrameSink, FrameSource};
use razor_core::transport::{ConnectionTable, Transport};
use razor_core::{Address, Error, Node, Result, TransportError, TransportType};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::describe;

/// Frames handed over but not yet routed, per connection.
pub const ATTACHED_INBOX_FRAMES: usize = 1024;

/// The connections JavaScript attached to a node.
#[derive(Clone, Default)]
pub struct AttachedConnections {
    table: ConnectionTable,
}

impl AttachedConnections {
    /// Starts a connection on `sink` (see the module docs), with its sending worker at
    /// `address` (a fresh random one when `None`). `label` names the far end in logs.
    pub fn attach(
        &self,
        node: &Node,
        sink: JsValue,
        address: Option<Address>,
        label: &str,
    ) -> Result<AttachedConnection> {
        let send = method(&sink, "send")?;
        let close = method(&sink, "close")?;
        let (inbox, frames) = async_channel::bounded(ATTACHED_INBOX_FRAMES);
        let sink = JsSink {
            sink,
            send,
            close,
            inbox: inbox.clone(),
        };
        let address = address.unwrap_or_else(Address::random_local);
        let handle = self.table.start_at(
            node,
            address,
            label,
            None,
            sink,
            JsSource(frames),
            BareFrames,
        )?;
        Ok(AttachedConnection {
            handle,
            node: node.clone(),
            inbox,
        })
    }

    /// The attached connection whose hop is `address`.
    pub fn connection(&self, address: &Address) -> Option<ConnectionHandle> {
        self.table.get(address)
    }

    /// Number of open attached connections.
    pub fn count(&self) -> usize {
        self.table.count()
    }

    /// Closes every attached connection.
    pub fn close_all(&self, node: &Node) {
        self.table.close_all(node);
    }
}

fn method(sink: &JsValue, name: &str) -> Result<Function> {
    Reflect::get(sink, &name.into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .ok_or_else(|| Error::InvalidArgument(format!("a connection sink needs a {name}() method")))
}

/// The node's end of an attached connection: where JavaScript hands in frames. Cheap to
/// clone.
#[derive(Clone)]
pub struct AttachedConnection {
    handle: ConnectionHandle,
    node: Node,
    inbox: Sender<Vec<u8>>,
}

impl AttachedConnection {
    /// The local address of the connection's sending worker: the hop to put in routes.
    pub fn address(&self) -> &Address {
        self.handle.address()
    }

    /// The connection's handle: how it ended, its traffic.
    pub fn handle(&self) -> &ConnectionHandle {
        &self.handle
    }

    /// Hands in a frame now; `Ok(false)` when the inbox is full (the caller decides: close
    /// the socket as overrun, or wait with [`receive`](Self::receive)).
    pub fn try_receive(&self, frame: Vec<u8>) -> Result<bool> {
        match self.inbox.try_send(frame) {
            Ok(()) => Ok(true),
            Err(TrySendError::Full(_)) => Ok(false),
            Err(TrySendError::Closed(_)) => Err(TransportError::ConnectionClosed.into()),
        }
    }

    /// Hands in a frame, waiting while the inbox is full.
    pub async fn receive(&self, frame: Vec<u8>) -> Result<()> {
        self.inbox
            .send(frame)
            .await
            .map_err(|_| TransportError::ConnectionClosed.into())
    }

    /// Ends the connection from this side (the application is done with it): the node stops
    /// the connection's workers and calls the sink's `close`. Safe to call again.
    pub fn close(&self) {
        let _ = self.node.stop_worker(self.handle.address());
        self.inbox.close();
    }

    /// The socket underneath closed (the peer closed it, or it broke): the connection ends
    /// as closed by the peer.
    pub fn peer_closed(&self) {
        self.inbox.close();
    }

    /// Whether the connection has ended.
    pub fn is_closed(&self) -> bool {
        self.inbox.is_closed() || self.handle.is_closed()
    }
}

struct JsSink {
    sink: JsValue,
    send: Function,
    close: Function,
    /// Closed with the connection, so that the reader ends even if the socket never reports
    /// its own close.
    inbox: Sender<Vec<u8>>,
}

impl FrameSink for JsSink {
    async fn send(&mut self, frame: Vec<u8>) -> Result<()> {
        // A JS-owned copy: the sink may keep the bytes after `send` returns (workerd's
        // WebSocket does), when a view into wasm memory would point at something else.
        let copy = Uint8Array::from(frame.as_slice());
        let outcome = match self.send.call1(&self.sink, &copy) {
            Ok(value) if value.is_instance_of::<Promise>() => {
                JsFuture::from(value.unchecked_into::<Promise>())
                    .await
                    .map(drop)
            }
            other => other.map(drop),
        };
        outcome.map_err(|error| TransportError::Other(describe(&error)).into())
    }

    async fn close(&mut self, reason: CloseReason) {
        self.inbox.close();
        let code = JsValue::from(reason.websocket_code());
        if let Err(error) = self.close.call2(&self.sink, &code, &reason.text().into()) {
            tracing::debug!(error = %describe(&error), "a connection sink's close threw");
        }
    }
}

struct JsSource(Receiver<Vec<u8>>);

impl FrameSource for JsSource {
    async fn next(&mut self) -> Option<Result<Vec<u8>>> {
        self.0.recv().await.ok().map(Ok)
    }
}

/// A transport written in JavaScript: a function that, for a hop's value, returns (a
/// Promise of) the hop of a connection it attached with [`AttachedConnections::attach`]
/// (reusing one it has, or opening a new one).
pub struct JsTransport {
    kind: TransportType,
    resolve: Function,
}

impl JsTransport {
    /// A transport for hops of type `kind` resolved by `resolve(value)`.
    pub fn new(kind: TransportType, resolve: Function) -> Self {
        Self { kind, resolve }
    }
}

impl Transport for JsTransport {
    fn transport_type(&self) -> TransportType {
        self.kind
    }

    fn resolve<'a>(&'a self, address: &'a Address) -> LocalBoxFuture<'a, Result<Address>> {
        Box::pin(async move {
            let value = address.value_str().ok_or_else(|| {
                Error::InvalidArgument(format!("{address}: hop values must be UTF-8"))
            })?;
            let failed = |error: JsValue| -> Error {
                TransportError::ConnectFailed {
                    address: address.to_string(),
                    reason: describe(&error),
                }
                .into()
            };
            let mut hop = self
                .resolve
                .call1(&JsValue::NULL, &value.into())
                .map_err(failed)?;
            if hop.is_instance_of::<Promise>() {
                hop = JsFuture::from(hop.unchecked_into::<Promise>())
                    .await
                    .map_err(failed)?;
            }
            let hop: Address = hop
                .as_string()
                .ok_or_else(|| {
                    Error::InvalidArgument("a transport's resolve must give a hop string".into())
                })?
                .parse()?;
            if !hop.is_local() {
                return Err(Error::InvalidArgument(format!(
                    "a transport's resolve gave {hop}, which is not a local connection"
                )));
            }
            Ok(hop)
        })
    }
}
