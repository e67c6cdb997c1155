//! What a node tells its application about the things it runs: connections and secure
//! channels opening and closing, and redials. One observer per node
//! ([`Node::set_observer`](super::Node::set_observer)); the JS layer turns these into DOM-style
//! events.

use core::cell::{Cell, RefCell};
use core::time::Duration;
use std::rc::Rc;

use super::signal::Signal;

use crate::error::Error;
use crate::identity::Identifier;
use crate::routing::Address;

/// Why a connection or a secure channel ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloseCause {
    /// This side closed it (`close()`, `stop_worker`).
    Local,
    /// The peer closed it.
    Peer,
    /// A secure channel's connection closed or broke: the peer is out of reach.
    ConnectionLost,
    /// It failed: a socket that broke, a malformed frame. The error says how.
    Failed(Error),
    /// The node shut down.
    NodeShutDown,
}

impl CloseCause {
    /// A stable lowercase name: `local`, `peer`, `connection-lost`, `failed`, `shutdown`.
    pub fn name(&self) -> &'static str {
        match self {
            CloseCause::Local => "local",
            CloseCause::Peer => "peer",
            CloseCause::ConnectionLost => "connection-lost",
            CloseCause::Failed(_) => "failed",
            CloseCause::NodeShutDown => "shutdown",
        }
    }

    /// The error, for [`CloseCause::Failed`].
    pub fn error(&self) -> Option<&Error> {
        match self {
            CloseCause::Failed(error) => Some(error),
            _ => None,
        }
    }
}

/// Something that happened on a node.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum NodeEvent {
    /// A connection opened (dialled or accepted); `address` is its hop.
    ConnectionOpened {
        /// The connection's hop (its sending worker).
        address: Address,
        /// What it connects to (a URL, `host:port`, or a label for accepted ones).
        peer: String,
    },
    /// A connection ended.
    ConnectionClosed {
        /// The connection's hop.
        address: Address,
        /// Why.
        cause: CloseCause,
    },
    /// A secure channel was established; `address` is the hop to route through.
    ChannelEstablished {
        /// The channel's encryptor address.
        address: Address,
        /// The authenticated peer.
        peer: Identifier,
    },
    /// A secure channel ended.
    ChannelClosed {
        /// The channel's encryptor address.
        address: Address,
        /// The peer it was with.
        peer: Identifier,
        /// Why.
        cause: CloseCause,
    },
    /// A dialled connection dropped and the transport dials its peer again.
    Reconnecting {
        /// What is dialled (a URL or `host:port`).
        peer: String,
        /// Which attempt comes next (1 is the first redial).
        attempt: u32,
        /// How long until it.
        delay: Duration,
    },
}

/// The end of something that runs (a connection, a channel): set once with its cause, awaited
/// by anyone. Cheap to clone.
#[derive(Clone, Default)]
pub struct Ending {
    inner: Rc<EndingInner>,
}

#[derive(Default)]
struct EndingInner {
    /// Boxed once there is a cause to keep: what runs for long (an idle channel, a connection)
    /// has none, and a cause is the size of an error.
    causes: RefCell<Option<Box<Causes>>>,
    /// Fired when the end comes: wakes every waiter.
    ended: Signal,
}

#[derive(Default)]
struct Causes {
    /// Why it ended.
    cause: Option<CloseCause>,
    /// Set by whoever knows the end is coming and why, before the owner ends.
    expected: Option<CloseCause>,
}

impl Ending {
    /// Records why the end is about to come (the first reason given wins), for the owner to
    /// use when it ends.
    pub fn expect(&self, cause: CloseCause) {
        let mut causes = self.inner.causes.borrow_mut();
        let causes = causes.get_or_insert_with(Box::default);
        if causes.expected.is_none() {
            causes.expected = Some(cause);
        }
    }

    /// The cause recorded with [`expect`](Self::expect), if any.
    pub fn expected(&self) -> Option<CloseCause> {
        let causes = self.inner.causes.borrow();
        causes.as_ref().and_then(|causes| causes.expected.clone())
    }

    /// Ends it with `cause` (only the first call counts) and wakes every waiter.
    pub fn end(&self, cause: CloseCause) {
        if self.inner.ended.is_fired() {
            return;
        }
        self.inner
            .causes
            .borrow_mut()
            .get_or_insert_with(Box::default)
            .cause = Some(cause);
        self.inner.ended.fire();
    }

    /// Whether it has ended.
    pub fn has_ended(&self) -> bool {
        self.inner.ended.is_fired()
    }

    /// The cause, once ended.
    pub fn cause(&self) -> Option<CloseCause> {
        let causes = self.inner.causes.borrow();
        causes.as_ref().and_then(|causes| causes.cause.clone())
    }

    /// Waits for the end and returns its cause.
    pub async fn ended(&self) -> CloseCause {
        self.inner.ended.wait().await;
        self.cause().unwrap_or(CloseCause::Local)
    }
}

/// Messages and bytes that went each way through a connection or a channel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Traffic {
    /// Messages sent.
    pub messages_sent: u64,
    /// Bytes sent (frames for a connection, application payloads for a channel).
    pub bytes_sent: u64,
    /// Messages received.
    pub messages_received: u64,
    /// Bytes received.
    pub bytes_received: u64,
}

/// Counters for [`Traffic`], shared between the worker that counts and whoever reads. Cheap
/// to clone.
#[derive(Clone, Default)]
pub struct TrafficCounter(Rc<Cell<Traffic>>);

impl TrafficCounter {
    /// Counts one message of `bytes` sent.
    pub fn sent(&self, bytes: usize) {
        let mut traffic = self.0.get();
        traffic.messages_sent += 1;
        traffic.bytes_sent += bytes as u64;
        self.0.set(traffic);
    }

    /// Counts one message of `bytes` received.
    pub fn received(&self, bytes: usize) {
        let mut traffic = self.0.get();
        traffic.messages_received += 1;
        traffic.bytes_received += bytes as u64;
        self.0.set(traffic);
    }

    /// The counts so far.
    pub fn get(&self) -> Traffic {
        self.0.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ending_keeps_its_first_cause_and_wakes_waiters() {
        let ending = Ending::default();
        let waiter = ending.clone();
        ending.expect(CloseCause::Peer);
        ending.expect(CloseCause::Local);
        assert_eq!(ending.expected(), Some(CloseCause::Peer));
        assert!(!ending.has_ended());
        ending.end(CloseCause::Peer);
        ending.end(CloseCause::NodeShutDown);
        assert_eq!(
            futures_lite::future::block_on(waiter.ended()),
            CloseCause::Peer
        );
    }
}
