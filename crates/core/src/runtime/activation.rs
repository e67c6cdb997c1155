//! How a message reaches a worker. A worker is not a task: while its mailbox is empty it is
//! *parked*, plain data (the worker, boxed, and the few handles it needs) held by its mailbox's
//! queue. The message that arrives (or the mailbox closing) *activates* it: one task is
//! spawned, which handles what is queued, one message at a time, and parks the worker again
//! when the queue is empty, or runs its shutdown once it was stopped. See
//! `docs/ARCHITECTURE.md`, "What a worker is".
//!
//! One loop drives every kind of worker: a worker is a `Box<dyn Activity>`, so this module
//! is compiled once, and each kind of worker adds only its own handlers.

use std::rc::{Rc, Weak};

use tracing::{debug, trace, warn};

use super::node::WeakNode;
use super::queue::{Ended, Parked, QueueReceiver};
use super::registry::{Mailbox, MailboxKind};
use super::{Context, LocalBoxFuture, LocalMessage, Node, TaskGuard, Worker, WorkerOptions};
use crate::error::{Error, Result};

/// A worker and what it needs between two activations, in one allocation for its life. It
/// holds its node and its mailbox weakly: while parked it is held by its mailbox's queue, and
/// strong handles would make a cycle that outlives a dropped node. A node or mailbox that is
/// gone when it wakes drops it.
struct Activation<W> {
    node: WeakNode,
    mailbox: Weak<Mailbox>,
    /// Counts the worker as one of the node's tasks until its shutdown has run.
    _task: TaskGuard,
    worker: W,
}

/// A worker as the runtime drives it (an [`Activation`] of any kind of worker): each step a
/// boxed future, so that the loop below is not generic and a worker's futures exist only
/// while they run; parked as it is ([`Parked`]).
trait Activity: Parked {
    /// [`Worker::initialize`].
    fn initialize<'a>(&'a mut self, ctx: &'a mut Context) -> LocalBoxFuture<'a, Result<()>>;

    /// [`Worker::handle_message`], or [`Error::WorkerStopped`] as soon as `mailbox` stops: a
    /// worker stopped while it handles a message does not finish it, so a handler that never
    /// returns cannot keep a stopped worker (or a shut-down node) alive.
    fn handle_or_halt<'a>(
        &'a mut self,
        ctx: &'a mut Context,
        mailbox: &'a Mailbox,
        message: LocalMessage,
    ) -> LocalBoxFuture<'a, Result<()>>;

    /// [`Worker::shutdown`].
    fn shutdown<'a>(&'a mut self, ctx: &'a mut Context) -> LocalBoxFuture<'a, ()>;
}

impl<W: Worker> Activity for Activation<W> {
    fn initialize<'a>(&'a mut self, ctx: &'a mut Context) -> LocalBoxFuture<'a, Result<()>> {
        Box::pin(self.worker.initialize(ctx))
    }

    fn handle_or_halt<'a>(
        &'a mut self,
        ctx: &'a mut Context,
        mailbox: &'a Mailbox,
        message: LocalMessage,
    ) -> LocalBoxFuture<'a, Result<()>> {
        Box::pin(futures_lite::future::or(
            self.worker.handle_message(ctx, message),
            async move {
                mailbox.halted().await;
                Err(Error::WorkerStopped(mailbox.primary.clone()))
            },
        ))
    }

    fn shutdown<'a>(&'a mut self, ctx: &'a mut Context) -> LocalBoxFuture<'a, ()> {
        Box::pin(self.worker.shutdown(ctx))
    }
}

impl<W: Worker> Parked for Activation<W> {
    /// Spawns the worker's next activation (its queue calls this, with its receiver, when a
    /// message arrives or the queue closes).
    fn wake(self: Box<Self>, receiver: QueueReceiver) {
        let (Some(node), Some(mailbox)) = (self.node.upgrade(), self.mailbox.upgrade()) else {
            return;
        };
        spawn(&node, mailbox, receiver, self, false);
    }
}

impl Node {
    /// Starts `worker` at the address(es) in `options` (an address converts into options):
    /// its first activation initializes it, then handles what is queued.
    pub fn start_worker<W: Worker>(
        &self,
        options: impl Into<WorkerOptions>,
        worker: W,
    ) -> Result<()> {
        self.check_running()?;
        let options = options.into();
        let capacity = options
            .mailbox_capacity
            .unwrap_or(self.config().mailbox_capacity);
        let (mailbox, receiver) = Mailbox::new(
            MailboxKind::Worker,
            options.addresses,
            capacity,
            options.access,
            W::ACCEPTS_NOTICES,
        )?;
        self.register(mailbox.clone())?;
        let activation = Box::new(Activation {
            node: self.downgrade(),
            mailbox: Rc::downgrade(&mailbox),
            _task: self.task(),
            worker,
        });
        spawn(self, mailbox, receiver, activation, true);
        Ok(())
    }
}

/// Spawns an activation; with the `spans` feature, in a span that names the worker.
fn spawn(
    node: &Node,
    mailbox: Rc<Mailbox>,
    receiver: QueueReceiver,
    worker: Box<dyn Activity>,
    first: bool,
) {
    #[cfg(feature = "spans")]
    let span = tracing::debug_span!("worker", node = %node.name(), address = %mailbox.primary);
    let ctx = Context::new(node.clone(), mailbox.clone());
    let run = activation(worker, ctx, mailbox, receiver, first);
    #[cfg(feature = "spans")]
    let run = tracing::Instrument::instrument(run, span);
    node.spawn(run);
}

/// One activation: initialize (the first time), then one message at a time until the queue is
/// empty (park) or the mailbox stopped (shut down). The task holds no message across an await
/// (each is handed to its boxed handler at once), and no handler's future beyond its box; it
/// lives only while the worker has something to do.
async fn activation(
    mut worker: Box<dyn Activity>,
    mut ctx: Context,
    mailbox: Rc<Mailbox>,
    receiver: QueueReceiver,
    first: bool,
) {
    if first && let Err(error) = worker.initialize(&mut ctx).await {
        warn!(address = %mailbox.primary, %error, "worker failed to initialize; stopping it");
        let _ = ctx.node().stop_worker(&mailbox.primary);
        return;
    }
    loop {
        let handling = match receiver.try_recv() {
            Ok(message) if !mailbox.is_stopped() => {
                trace!(address = %mailbox.primary, onward = %message.onward_route, back = %message.return_route, "handle");
                worker.handle_or_halt(&mut ctx, &mailbox, message)
            }
            Err(Ended::Empty) if !mailbox.is_stopped() => {
                // The queue keeps the worker until the next message; the task ends here.
                receiver.park(worker);
                return;
            }
            _ => break,
        };
        if let Err(error) = handling.await {
            debug!(address = %mailbox.primary, %error, "worker could not handle a message");
        }
        if mailbox.is_stopped() {
            break;
        }
    }
    worker.shutdown(&mut ctx).await;
    trace!(address = %mailbox.primary, "worker stopped");
}
