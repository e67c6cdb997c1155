use std::rc::Rc;

use super::{AllowAll, Context, IncomingAccessControl};
use crate::error::Result;
use crate::routing::Address;
use crate::runtime::LocalMessage;

/// An actor: owns its state, handles one message at a time from its mailbox.
///
/// Workers run on one thread and need not be `Send`. An error returned from
/// [`handle_message`](Worker::handle_message) is logged and the worker goes on with the next
/// message; to stop, call [`Context::stop`].
#[allow(async_fn_in_trait)] // Workers are deliberately not `Send`: one thread, no locks.
pub trait Worker: 'static {
    /// Whether [`Notice`](crate::routing::Notice)s addressed to this worker reach it. Only
    /// workers that pass messages on (hops, connections, secure channels) need them; for the
    /// rest a notice is dropped before their mailbox.
    const ACCEPTS_NOTICES: bool = false;

    /// Runs once, before the first message.
    async fn initialize(&mut self, _ctx: &mut Context) -> Result<()> {
        Ok(())
    }

    /// Handles one message addressed to this worker.
    async fn handle_message(&mut self, ctx: &mut Context, message: LocalMessage) -> Result<()>;

    /// Runs once after the worker was stopped (by itself, the node, or shutdown).
    async fn shutdown(&mut self, _ctx: &mut Context) {}
}

/// How to start a worker: its addresses, mailbox size and access control.
#[derive(Clone)]
pub struct WorkerOptions {
    pub(crate) addresses: Vec<Address>,
    pub(crate) mailbox_capacity: Option<usize>,
    pub(crate) access: Rc<dyn IncomingAccessControl>,
}

impl WorkerOptions {
    /// A worker reachable at `address`, with the node's default mailbox size, allowing all.
    pub fn new(address: impl Into<Address>) -> Self {
        Self {
            addresses: vec![address.into()],
            mailbox_capacity: None,
            access: Rc::new(AllowAll),
        }
    }

    /// Makes the worker reachable at `address` too.
    pub fn with_alias(mut self, address: impl Into<Address>) -> Self {
        self.addresses.push(address.into());
        self
    }

    /// A mailbox of `capacity` messages instead of the node's default.
    pub fn with_mailbox_capacity(mut self, capacity: usize) -> Self {
        self.mailbox_capacity = Some(capacity);
        self
    }

    /// Guards the worker with `access`.
    pub fn with_access_control(mut self, access: impl IncomingAccessControl) -> Self {
        self.access = Rc::new(access);
        self
    }
}

impl<A: Into<Address>> From<A> for WorkerOptions {
    fn from(address: A) -> Self {
        Self::new(address)
    }
}
