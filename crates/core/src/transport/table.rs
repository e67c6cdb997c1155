//! The bookkeeping every dialling transport needs: open connections by the peer they were
//! dialled to (for reuse), all open connections (for counting and shutdown), listeners to stop
//! on shutdown, and the retry policy for new connections.

use core::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use async_channel::Sender;

use super::connection::{ConnectionHandle, FrameCodec, FrameSink, FrameSource, start_connection};
use super::{RetryPolicy, connect_with_retry};
use crate::error::{Result, TransportError};
use crate::routing::Address;
use crate::runtime::{LocalBoxFuture, Node};

/// A transport's open connections and listeners. Cheap to clone.
#[derive(Clone, Default)]
pub struct ConnectionTable {
    inner: Rc<Inner>,
}

#[derive(Default)]
struct Inner {
    dialled: RefCell<HashMap<String, Address>>,
    /// Dials in flight, with whoever waits for them.
    dialling: RefCell<HashMap<String, Vec<Sender<Result<Address>>>>>,
    all: RefCell<Vec<ConnectionHandle>>,
    listeners: RefCell<Vec<Box<dyn FnOnce()>>>,
    retry: Cell<Option<RetryPolicy>>,
}

impl ConnectionTable {
    /// The sending worker of an open connection dialled to `peer`.
    pub fn dialled(&self, peer: &str) -> Option<Address> {
        self.inner.dialled.borrow().get(peer).cloned()
    }

    /// Retries failed connection attempts per `policy` (`None`: one attempt).
    pub fn set_retry(&self, policy: Option<RetryPolicy>) {
        self.inner.retry.set(policy);
    }

    /// The retry policy, if any.
    pub fn retry(&self) -> Option<RetryPolicy> {
        self.inner.retry.get()
    }

    /// The connection dialled to `peer`, or a new one made by `connect` (retried per
    /// `retry`). Concurrent callers for one peer share one dial. Not generic (each dial is a
    /// boxed future): every transport shares this code.
    pub async fn get_or_connect<'c>(
        &self,
        node: &Node,
        peer: &str,
        retry: Option<RetryPolicy>,
        connect: &mut dyn FnMut() -> LocalBoxFuture<'c, Result<Address>>,
    ) -> Result<Address> {
        if let Some(existing) = self.dialled(peer) {
            return Ok(existing);
        }
        let waiting = {
            let mut dialling = self.inner.dialling.borrow_mut();
            match dialling.get_mut(peer) {
                Some(waiters) => {
                    let (sender, receiver) = async_channel::bounded(1);
                    waiters.push(sender);
                    Some(receiver)
                }
                None => {
                    dialling.insert(peer.to_owned(), Vec::new());
                    None
                }
            }
        };
        if let Some(receiver) = waiting {
            return receiver
                .recv()
                .await
                .unwrap_or(Err(TransportError::ConnectionClosed.into()));
        }
        let mut dial = InFlight {
            table: self,
            peer,
            outcome: None,
        };
        let outcome = connect_with_retry(node, retry, connect).await;
        dial.outcome = Some(outcome.clone());
        outcome
    }

    /// Starts a connection on a new socket (dialled to `peer`, or accepted when `None`) with
    /// [`start_connection`], keeps it until it closes, and returns its sending worker's
    /// address. `label` names the far end in logs.
    pub fn start(
        &self,
        node: &Node,
        label: &str,
        peer: Option<String>,
        sink: impl FrameSink,
        source: impl FrameSource,
        codec: impl FrameCodec,
    ) -> Result<ConnectionHandle> {
        let address = Address::random_local();
        self.start_at(node, address, label, peer, sink, source, codec)
    }

    /// Like [`start`](Self::start), with the sending worker at `address` instead of a fresh
    /// one: for a driver that restarts its node and must keep the addresses peers know.
    #[allow(clippy::too_many_arguments)]
    pub fn start_at(
        &self,
        node: &Node,
        address: Address,
        label: &str,
        peer: Option<String>,
        sink: impl FrameSink,
        source: impl FrameSource,
        codec: impl FrameCodec,
    ) -> Result<ConnectionHandle> {
        if node.has_address(&address) {
            return Err(crate::error::Error::AddressInUse(address));
        }
        let inner = Rc::downgrade(&self.inner);
        let closed = Closed {
            inner,
            peer: peer.clone(),
            address: address.clone(),
        };
        let handle = start_connection(
            node,
            label,
            address.clone(),
            sink,
            source,
            codec,
            move || closed.forget(),
        )?;
        if let Some(peer) = peer {
            self.inner.dialled.borrow_mut().insert(peer, address);
        }
        self.inner.all.borrow_mut().push(handle.clone());
        Ok(handle)
    }

    /// The open connection whose hop is `address`.
    pub fn get(&self, address: &Address) -> Option<ConnectionHandle> {
        self.inner
            .all
            .borrow()
            .iter()
            .find(|c| c.address() == address)
            .cloned()
    }

    /// Keeps `stop`, which stops a listener, to run on [`close_all`](Self::close_all).
    pub fn add_listener(&self, stop: impl FnOnce() + 'static) {
        self.inner.listeners.borrow_mut().push(Box::new(stop));
    }

    /// Number of open connections.
    pub fn count(&self) -> usize {
        self.inner.all.borrow().len()
    }

    /// Stops the listeners and closes every connection.
    pub fn close_all(&self, node: &Node) {
        let listeners: Vec<_> = self.inner.listeners.borrow_mut().drain(..).collect();
        for stop in listeners {
            stop();
        }
        let all: Vec<ConnectionHandle> = self.inner.all.borrow_mut().drain(..).collect();
        self.inner.dialled.borrow_mut().clear();
        for connection in all {
            let _ = node.stop_worker(connection.address());
        }
    }
}

/// A dial in flight: when it ends — or is dropped half-way (its caller timed out) — whoever
/// waits for it gets its outcome.
struct InFlight<'a> {
    table: &'a ConnectionTable,
    peer: &'a str,
    outcome: Option<Result<Address>>,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        let waiters = self
            .table
            .inner
            .dialling
            .borrow_mut()
            .remove(self.peer)
            .unwrap_or_default();
        let outcome = self.outcome.take().unwrap_or_else(|| {
            Err(TransportError::ConnectFailed {
                address: self.peer.to_owned(),
                reason: "the dial was abandoned".into(),
            }
            .into())
        });
        for waiter in waiters {
            let _ = waiter.try_send(outcome.clone());
        }
    }
}

/// Forgets one connection once it has closed (or failed to start).
#[derive(Clone)]
struct Closed {
    inner: Weak<Inner>,
    peer: Option<String>,
    address: Address,
}

impl Closed {
    fn forget(&self) {
        let Some(inner) = self.inner.upgrade() else {
            return;
        };
        if let Some(peer) = &self.peer {
            let mut dialled = inner.dialled.borrow_mut();
            if dialled.get(peer) == Some(&self.address) {
                dialled.remove(peer);
            }
        }
        inner
            .all
            .borrow_mut()
            .retain(|c| c.address() != &self.address);
    }
}
