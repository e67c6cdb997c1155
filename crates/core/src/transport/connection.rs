//! One connection between two nodes, whatever the transport: a sending worker and a reading
//! task around a pair of frame halves supplied by the driver.

use core::cell::Cell;
use std::rc::Rc;

use tracing::{debug, warn};

use crate::codec::DecodeError;
use crate::error::{Error, Result, TransportError};
use crate::routing::NoticeBudget;
use crate::routing::limits::MAX_MESSAGE_LEN;
use crate::routing::{Address, TransportMessage};
use crate::runtime::{CloseCause, Context, Ending, NodeEvent, Traffic, TrafficCounter, Worker};
use crate::runtime::{LocalMessage, Node};

/// The writing half of a connection: sends whole frames, in order.
#[allow(async_fn_in_trait)] // single-threaded by design
pub trait FrameSink: 'static {
    /// Sends one frame, waiting while the connection cannot take more.
    async fn send(&mut self, frame: Vec<u8>) -> Result<()>;
    /// Runs once when the connection starts (e.g. to write a protocol preamble).
    async fn open(&mut self) -> Result<()> {
        Ok(())
    }
    /// Closes the connection (both directions where the transport allows), telling the peer
    /// `reason` where the transport can (a WebSocket close code).
    async fn close(&mut self, _reason: CloseReason) {}
}

/// Why this side closes a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum CloseReason {
    /// Done: the node stopped the connection, shut down, or the peer closed it.
    #[default]
    Done,
    /// The peer sent a frame that does not decode.
    MalformedFrame,
}

impl CloseReason {
    /// The WebSocket close code for this reason (RFC 6455): 1000 normal, 1007 invalid
    /// frame payload data.
    pub fn websocket_code(self) -> u16 {
        match self {
            CloseReason::Done => 1000,
            CloseReason::MalformedFrame => 1007,
        }
    }

    /// A short text for the peer (a WebSocket close reason).
    pub fn text(self) -> &'static str {
        match self {
            CloseReason::Done => "closed",
            CloseReason::MalformedFrame => "malformed frame",
        }
    }
}

/// The reading half of a connection: yields whole frames until the connection ends.
#[allow(async_fn_in_trait)] // single-threaded by design
pub trait FrameSource: 'static {
    /// The next frame; `None` once the peer closed; an error when the connection broke.
    async fn next(&mut self) -> Option<Result<Vec<u8>>>;
}

/// How a transport puts a [`TransportMessage`] in a frame and takes it out again.
pub trait FrameCodec: 'static {
    /// The frame for `message`.
    fn encode(&self, message: &TransportMessage) -> Vec<u8>;
    /// The message in `frame`.
    fn decode(&self, frame: &[u8]) -> Result<TransportMessage, DecodeError>;
}

/// One BARE `TransportMessage` per frame (Ockam's WebSocket framing; also the in-memory one).
#[derive(Debug, Clone, Copy, Default)]
pub struct BareFrames;

impl FrameCodec for BareFrames {
    fn encode(&self, message: &TransportMessage) -> Vec<u8> {
        message.encode()
    }

    fn decode(&self, frame: &[u8]) -> Result<TransportMessage, DecodeError> {
        TransportMessage::decode(frame)
    }
}

/// A running connection: its hop, how it ended, and its traffic. Cheap to clone.
#[derive(Clone)]
pub struct ConnectionHandle {
    address: Address,
    peer: Rc<str>,
    ending: Ending,
    traffic: TrafficCounter,
}

impl ConnectionHandle {
    /// The hop to put first in routes over this connection (its sending worker's address).
    pub fn address(&self) -> &Address {
        &self.address
    }

    /// What it connects to: the peer it was dialled to, or a label for an accepted one.
    pub fn peer(&self) -> &str {
        &self.peer
    }

    /// Whether it has ended.
    pub fn is_closed(&self) -> bool {
        self.ending.has_ended()
    }

    /// Completes when it has ended, with why: closed here, by the peer, broken (with the
    /// error), or the node shut down.
    pub async fn closed(&self) -> CloseCause {
        self.ending.ended().await
    }

    /// Why it ended, once it has.
    pub fn close_cause(&self) -> Option<CloseCause> {
        self.ending.cause()
    }

    /// Frames and frame bytes sent and received so far.
    pub fn traffic(&self) -> Traffic {
        self.traffic.get()
    }
}

impl core::fmt::Debug for ConnectionHandle {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ConnectionHandle")
            .field("address", &self.address)
            .field("peer", &self.peer)
            .finish_non_exhaustive()
    }
}

/// Starts the two halves of a connection on `node`, with `address` (fresh, e.g.
/// [`Address::random_local`]) for its sending worker, and returns its handle. `on_closed`
/// runs once when the connection has ended, from either side, before the handle's
/// [`closed`](ConnectionHandle::closed) completes.
///
/// The sending worker's address is random (128 bits) and, like every worker, it takes
/// messages from anyone who names it: that is what lets a node route between connections
/// (browser → node A → node B). Services protect themselves with access control.
pub fn start_connection(
    node: &Node,
    label: &str,
    address: Address,
    sink: impl FrameSink,
    mut source: impl FrameSource,
    codec: impl FrameCodec,
    on_closed: impl FnOnce() + 'static,
) -> Result<ConnectionHandle> {
    let codec = Rc::new(codec);
    let reason = Rc::new(Cell::new(CloseReason::Done));
    let handle = ConnectionHandle {
        address: address.clone(),
        peer: label.into(),
        ending: Ending::default(),
        traffic: TrafficCounter::default(),
    };
    let sender = ConnectionSender {
        sink,
        codec: codec.clone(),
        reason: reason.clone(),
        ending: handle.ending.clone(),
        traffic: handle.traffic.clone(),
    };
    node.start_worker(address.clone(), sender)?;
    node.emit(NodeEvent::ConnectionOpened {
        address: address.clone(),
        peer: label.to_owned(),
    });
    #[cfg(feature = "spans")]
    let span = tracing::debug_span!("connection", node = %node.name(), peer = %label, %address);
    let reader_node = node.clone();
    let reader = handle.clone();
    let task = node.task();
    let reading = async move {
        let _task = task;
        let reader_address = reader.address.clone();
        let mut notices = NoticeBudget::default();
        let cause = loop {
            let frame = match source.next().await {
                None => {
                    debug!("peer closed the connection");
                    break CloseCause::Peer;
                }
                Some(Err(error)) => {
                    debug!(%error, "connection broke");
                    break CloseCause::Failed(error);
                }
                Some(Ok(frame)) => frame,
            };
            reader.traffic.received(frame.len());
            let message = match codec.decode(&frame) {
                Ok(message) => message,
                Err(error) => {
                    reader_node.peer_metrics().malformed_frames.increment();
                    reader_node.log_bad_peer(|suppressed| {
                            warn!(%error, len = frame.len(), suppressed, "malformed frame; closing the connection");
                        });
                    reason.set(CloseReason::MalformedFrame);
                    tracing::trace!(start = ?frame.get(..32), "malformed frame");
                    break CloseCause::Failed(TransportError::MalformedFrame(error).into());
                }
            };
            if message.is_heartbeat() {
                continue;
            }
            let mut local = LocalMessage::from_transport(message);
            if !local.is_notice() {
                local.return_route.push_front(reader_address.clone());
            }
            local.local_info.arrived_via = Some(reader_address.clone());
            if let Err(error) = reader_node.route_or_notify(local, &mut notices).await {
                debug!(%error, "could not route an incoming message");
                if matches!(error, Error::NodeShutDown) {
                    break CloseCause::NodeShutDown;
                }
            }
        };
        // A close this side started (or a failed write) was recorded first and wins.
        reader.ending.expect(cause);
        let cause = if reader_node.is_shut_down() {
            CloseCause::NodeShutDown
        } else {
            reader.ending.expected().unwrap_or(CloseCause::Local)
        };
        let _ = reader_node.stop_worker(&reader_address);
        on_closed();
        reader.ending.end(cause.clone());
        reader_node.emit(NodeEvent::ConnectionClosed {
            address: reader_address,
            cause,
        });
    };
    #[cfg(feature = "spans")]
    let reading = tracing::Instrument::instrument(reading, span);
    node.spawn(reading);
    Ok(handle)
}

/// The worker that writes a connection's outgoing messages.
struct ConnectionSender<S, C> {
    sink: S,
    codec: Rc<C>,
    reason: Rc<Cell<CloseReason>>,
    ending: Ending,
    traffic: TrafficCounter,
}

impl<S: FrameSink, C: FrameCodec> Worker for ConnectionSender<S, C> {
    const ACCEPTS_NOTICES: bool = true;

    async fn initialize(&mut self, _ctx: &mut Context) -> Result<()> {
        self.sink.open().await
    }

    async fn handle_message(&mut self, ctx: &mut Context, mut message: LocalMessage) -> Result<()> {
        message.onward_route.step();
        let message = message.into_transport();
        let len = message.encoded_len();
        if len > MAX_MESSAGE_LEN {
            return Err(Error::MessageTooLarge {
                len,
                max: MAX_MESSAGE_LEN,
            });
        }
        message.check_limits()?;
        let frame = self.codec.encode(&message);
        let len = frame.len();
        if let Err(error) = self.sink.send(frame).await {
            debug!(%error, "write failed; closing the connection");
            self.ending.expect(CloseCause::Failed(error.clone()));
            ctx.stop();
            return Err(error);
        }
        self.traffic.sent(len);
        Ok(())
    }

    async fn shutdown(&mut self, _ctx: &mut Context) {
        // Stopped here (unless the reader or a failed write said otherwise first).
        self.ending.expect(CloseCause::Local);
        self.sink.close(self.reason.get()).await;
    }
}
