//! What a worker (a [`Context`]) and code outside workers (a [`Client`]) hold to send and
//! receive: an address of their own on the node, and its mailbox.

use core::time::Duration;
use std::rc::Rc;

use super::queue::QueueReceiver;

use super::registry::Mailbox;
use super::{Node, Worker, WorkerOptions, timeout};
use crate::error::{Error, Result};
use crate::routing::{Address, Route};
use crate::runtime::LocalMessage;

/// A worker's handle on its node: its addresses, sending, and starting or stopping workers.
pub struct Context {
    node: Node,
    mailbox: Rc<Mailbox>,
}

impl Context {
    pub(crate) fn new(node: Node, mailbox: Rc<Mailbox>) -> Self {
        Self { node, mailbox }
    }

    /// The worker's primary address (the first one it was started with).
    pub fn address(&self) -> &Address {
        &self.mailbox.primary
    }

    /// All addresses that reach this worker.
    pub fn addresses(&self) -> &[Address] {
        &self.mailbox.addresses
    }

    /// The node this worker runs on.
    pub fn node(&self) -> &Node {
        &self.node
    }

    /// Sends `payload` along `route` with this worker as the return route, waiting while the
    /// next mailbox is full.
    pub async fn send(&self, route: impl Into<Route>, payload: impl Into<Vec<u8>>) -> Result<()> {
        self.node
            .route(message_from(self.address(), route, payload))
            .await
    }

    /// Like [`send`](Self::send), but fails with [`Error::MailboxFull`] instead of waiting.
    pub async fn try_send(
        &self,
        route: impl Into<Route>,
        payload: impl Into<Vec<u8>>,
    ) -> Result<()> {
        self.node
            .try_route(message_from(self.address(), route, payload))
            .await
    }

    /// Routes `message` as it is (routes and local metadata untouched).
    pub async fn forward(&self, message: LocalMessage) -> Result<()> {
        self.node.route(message).await
    }

    /// Starts another worker on this node.
    pub fn start_worker<W: Worker>(
        &self,
        options: impl Into<WorkerOptions>,
        worker: W,
    ) -> Result<()> {
        self.node.start_worker(options, worker)
    }

    /// Sends `notice` along `route`: tells the sender of a message that this worker could not
    /// handle it, and why (see [`Notice`](crate::routing::Notice)). Never waits.
    pub async fn send_notice(&self, route: Route, notice: crate::routing::Notice) -> Result<()> {
        self.node
            .try_route(LocalMessage::notice(route, notice))
            .await
    }

    /// Stops this worker after the current message.
    pub fn stop(&self) {
        let _ = self.node.stop_worker(self.address());
    }
}

/// A mailbox for code outside any worker: send, receive, request/response. Its address is
/// unregistered when it is dropped.
pub struct Client {
    node: Node,
    mailbox: Rc<Mailbox>,
    receiver: QueueReceiver,
}

impl Client {
    pub(crate) fn new(node: Node, mailbox: Rc<Mailbox>, receiver: QueueReceiver) -> Self {
        Self {
            node,
            mailbox,
            receiver,
        }
    }

    /// This client's address: the return route of what it sends.
    pub fn address(&self) -> &Address {
        &self.mailbox.primary
    }

    /// Sends `payload` along `route` with this client as the return route.
    pub async fn send(&self, route: impl Into<Route>, payload: impl Into<Vec<u8>>) -> Result<()> {
        self.node
            .route(message_from(self.address(), route, payload))
            .await
    }

    /// Waits for the next message. A [`Notice`](crate::routing::Notice) (another node could
    /// not deliver something this client sent) is returned as its
    /// [`Error::Remote`](crate::error::Error::Remote).
    pub async fn receive(&self) -> Result<LocalMessage> {
        let message = self
            .receiver
            .recv()
            .await
            .map_err(|_| Error::NodeShutDown)?;
        Self::unless_notice(message)
    }

    /// The next message if one is waiting (a notice as its error, as for
    /// [`receive`](Self::receive)).
    pub fn try_receive(&self) -> Option<Result<LocalMessage>> {
        self.receiver.try_recv().ok().map(Self::unless_notice)
    }

    /// Waits at most `duration` for the next message (a message already waiting is taken
    /// without starting a timer).
    pub async fn receive_timeout(&self, duration: Duration) -> Result<LocalMessage> {
        if let Ok(message) = self.receiver.try_recv() {
            return Self::unless_notice(message);
        }
        timeout(self.node.runtime(), duration, self.receive()).await?
    }

    fn unless_notice(message: LocalMessage) -> Result<LocalMessage> {
        match &message.local_info.notice {
            Some(notice) => Err(Error::from_notice(notice)),
            None => Ok(message),
        }
    }

    /// Sends `payload` along `route` and waits for the first answer, for at most `duration`
    /// (the node's default when `None`).
    pub async fn request(
        &self,
        route: impl Into<Route>,
        payload: impl Into<Vec<u8>>,
        duration: Option<Duration>,
    ) -> Result<LocalMessage> {
        let duration = duration.unwrap_or(self.node.config().request_timeout);
        let send_then_receive = async {
            self.send(route, payload).await?;
            self.receive().await
        };
        timeout(self.node.runtime(), duration, send_then_receive).await?
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.node.stop_worker(self.address());
    }
}

fn message_from(
    from: &Address,
    route: impl Into<Route>,
    payload: impl Into<Vec<u8>>,
) -> LocalMessage {
    LocalMessage::new(route.into(), Route::from(from), payload.into())
}
