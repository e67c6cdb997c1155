//! The table from local addresses to mailboxes.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use super::signal::Signal;

use super::IncomingAccessControl;
use super::queue::{QueueReceiver, QueueSender, Rejected, queue};
use crate::error::{Error, Result};
use crate::routing::Address;
use crate::runtime::LocalMessage;

/// Who reads a mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MailboxKind {
    /// A [`Worker`](super::Worker)'s task.
    Worker,
    /// A [`Client`](super::Client) held by application code.
    Client,
}

/// One mailbox: the sending half of a bounded channel, the addresses that lead to it, and the
/// access control that guards it.
pub(crate) struct Mailbox {
    pub(crate) kind: MailboxKind,
    pub(crate) primary: Address,
    /// Exactly as long as it needs to be: a mailbox lives as long as its worker.
    pub(crate) addresses: Box<[Address]>,
    sender: QueueSender,
    access: Rc<dyn IncomingAccessControl>,
    accepts_notices: bool,
    stopped: Cell<bool>,
    /// Callbacks to run when the mailbox stops, by the id that can take each back (ids grow:
    /// they run in the order they were added).
    on_stop: RefCell<BTreeMap<u64, StopCallback>>,
    next_watch: Cell<u64>,
    /// Fired when the mailbox stops: wakes whoever waits in [`halted`](Self::halted).
    halt: Signal,
}

/// Runs once when a mailbox stops.
type StopCallback = Box<dyn FnOnce()>;

/// A message that could not be delivered, and why.
pub(crate) type Undelivered = (Error, LocalMessage);

impl Mailbox {
    /// A mailbox of `capacity` messages and the receiving half for its owner.
    pub(crate) fn new(
        kind: MailboxKind,
        addresses: Vec<Address>,
        capacity: usize,
        access: Rc<dyn IncomingAccessControl>,
        accepts_notices: bool,
    ) -> Result<(Rc<Self>, QueueReceiver)> {
        let primary = addresses
            .first()
            .cloned()
            .ok_or_else(|| Error::InvalidArgument("a worker needs an address".into()))?;
        if let Some(remote) = addresses.iter().find(|a| !a.is_local()) {
            return Err(Error::InvalidArgument(format!(
                "worker addresses must be local, got {remote}"
            )));
        }
        let (sender, receiver) = queue(capacity);
        let mailbox = Rc::new(Self {
            halt: Signal::default(),
            kind,
            primary,
            addresses: addresses.into_boxed_slice(),
            sender,
            access,
            accepts_notices,
            stopped: Cell::new(false),
            on_stop: RefCell::default(),
            next_watch: Cell::new(0),
        });
        Ok((mailbox, receiver))
    }

    fn check_access(&self, message: &LocalMessage) -> Result<()> {
        if self.access.is_authorized(message) {
            Ok(())
        } else {
            Err(self.access.denial(&self.primary))
        }
    }

    /// A notice for a worker that does not take notices: dropped, quietly.
    fn drops(&self, message: &LocalMessage) -> bool {
        let drop = message.is_notice() && !self.accepts_notices;
        if drop {
            tracing::trace!(to = %self.primary, "dropped a notice");
        }
        drop
    }

    /// Delivers `message`, waiting while the mailbox is full. On failure the message comes
    /// back with the error.
    pub(crate) async fn deliver(&self, message: LocalMessage) -> Result<(), Undelivered> {
        if self.drops(&message) {
            return Ok(());
        }
        if let Err(error) = self.check_access(&message) {
            return Err((error, message));
        }
        self.sender
            .send(message)
            .await
            .map_err(|rejected| (Error::WorkerStopped(self.primary.clone()), rejected))
    }

    /// Delivers `message` if there is room now.
    pub(crate) fn try_deliver(&self, message: LocalMessage) -> Result<()> {
        if self.drops(&message) {
            return Ok(());
        }
        self.check_access(&message)?;
        self.sender
            .try_send(message)
            .map_err(|rejected| match rejected {
                Rejected::Full => Error::MailboxFull(self.primary.clone()),
                Rejected::Closed => Error::WorkerStopped(self.primary.clone()),
            })
    }

    /// Whether the owner was asked to stop.
    pub(crate) fn is_stopped(&self) -> bool {
        self.stopped.get()
    }

    /// Marks the mailbox stopped and closes it: pending and future sends fail. Runs the
    /// callbacks added with [`on_stop`](Self::on_stop).
    pub(crate) fn stop(&self) {
        if self.stopped.replace(true) {
            return;
        }
        self.sender.close();
        self.halt.fire();
        let callbacks = core::mem::take(&mut *self.on_stop.borrow_mut());
        for callback in callbacks.into_values() {
            callback();
        }
    }

    /// Completes once the mailbox has stopped.
    pub(crate) async fn halted(&self) {
        self.halt.wait().await;
    }

    /// Runs `callback` once when the mailbox stops, unless [`forget_on_stop`](Self::forget_on_stop)
    /// takes it back first with the returned id.
    pub(crate) fn on_stop(&self, callback: Box<dyn FnOnce()>) -> u64 {
        let id = self.next_watch.get();
        self.next_watch.set(id + 1);
        self.on_stop.borrow_mut().insert(id, callback);
        id
    }

    /// Drops the callback `id` without running it (a watcher that no longer cares: without
    /// this, a long-lived worker would collect one callback per short-lived watcher).
    pub(crate) fn forget_on_stop(&self, id: u64) {
        let forgotten = self.on_stop.borrow_mut().remove(&id);
        drop(forgotten); // outside the borrow: dropping a callback may drop what watches
    }
}

/// Local address → mailbox. Several addresses can lead to one mailbox.
#[derive(Default)]
pub(crate) struct Registry {
    mailboxes: RefCell<HashMap<Address, Rc<Mailbox>>>,
}

impl Registry {
    /// Registers all of `mailbox`'s addresses, or none if any is taken.
    pub(crate) fn insert(&self, mailbox: Rc<Mailbox>) -> Result<()> {
        let mut map = self.mailboxes.borrow_mut();
        if let Some(taken) = mailbox.addresses.iter().find(|a| map.contains_key(*a)) {
            return Err(Error::AddressInUse(taken.clone()));
        }
        for address in &mailbox.addresses {
            map.insert(address.clone(), mailbox.clone());
        }
        Ok(())
    }

    /// The mailbox at `address`.
    pub(crate) fn get(&self, address: &Address) -> Result<Rc<Mailbox>> {
        self.mailboxes
            .borrow()
            .get(address)
            .cloned()
            .ok_or_else(|| Error::UnknownAddress(address.clone()))
    }

    /// Unregisters and stops the mailbox that `address` leads to.
    pub(crate) fn remove(&self, address: &Address) -> Result<()> {
        let mailbox = self.get(address)?;
        let mut map = self.mailboxes.borrow_mut();
        for address in &mailbox.addresses {
            map.remove(address);
        }
        drop(map);
        mailbox.stop();
        Ok(())
    }

    /// Unregisters and stops every mailbox.
    pub(crate) fn clear(&self) {
        let mailboxes: Vec<_> = self
            .mailboxes
            .borrow_mut()
            .drain()
            .map(|(_, m)| m)
            .collect();
        for mailbox in mailboxes {
            mailbox.stop();
        }
    }

    /// Number of distinct mailboxes of `kind`.
    pub(crate) fn count(&self, kind: MailboxKind) -> usize {
        let map = self.mailboxes.borrow();
        map.iter()
            .filter(|(address, m)| m.kind == kind && **address == m.primary)
            .count()
    }
}
