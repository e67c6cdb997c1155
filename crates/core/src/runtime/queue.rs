//! A mailbox's queue: bounded like a channel of `capacity` messages (senders wait while it is
//! full; `try_send` says so), but its memory grows with what is queued. A preallocated bounded
//! channel costs `capacity` message slots per mailbox (some 40 KiB at the default 256), idle or
//! not; an idle worker here costs a few words.
//!
//! The queue tells its reader when a message arrives (or it closes): a task waiting in
//! [`QueueReceiver::recv`] (a client) is woken; a parked worker
//! ([`QueueReceiver::park`], see `activation.rs`) is handed the receiver back.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use std::task::{Poll, Waker};

use super::LocalMessage;

/// Why a message could not be queued.
pub(crate) enum Rejected {
    /// The queue holds `capacity` messages.
    Full,
    /// The queue is closed.
    Closed,
}

/// Why nothing was received.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Ended {
    /// The queue is empty (`try_recv` only).
    Empty,
    /// The queue is closed and empty.
    Closed,
}

/// Above this many slots, an emptied queue gives its memory back.
const KEEP_SLOTS: usize = 8;

/// Who is told when a message arrives or the queue closes.
enum Wakeup {
    /// A task waiting in [`QueueReceiver::recv`].
    Task(Waker),
    /// A parked reader, given its receiver back.
    Parked(Box<dyn Parked>),
}

/// A reader that gave its receiver up until there is something to read (a parked worker:
/// `activation.rs`). The queue holds it as it is: parking allocates nothing.
pub(crate) trait Parked {
    /// Called once, when a message arrives or the queue closes.
    fn wake(self: Box<Self>, receiver: QueueReceiver);
}

/// The queue both halves share (a node is single-threaded: no locks).
struct Shared {
    capacity: usize,
    items: RefCell<VecDeque<LocalMessage>>,
    closed: Cell<bool>,
    /// The receiver, waiting for a message.
    receiver: RefCell<Option<Wakeup>>,
    /// Senders waiting for room; all are woken whenever a message leaves or the queue closes.
    room: RefCell<Vec<Waker>>,
}

impl Shared {
    fn close(self: &Rc<Self>) {
        self.closed.set(true);
        self.wake_receiver();
        self.wake_senders();
    }

    // Wakers are taken out before they are woken: no borrow is held while one runs.
    fn wake_receiver(self: &Rc<Self>) {
        let wakeup = self.receiver.borrow_mut().take();
        match wakeup {
            Some(Wakeup::Task(waker)) => waker.wake(),
            Some(Wakeup::Parked(parked)) => parked.wake(QueueReceiver {
                shared: self.clone(),
            }),
            None => {}
        }
    }

    fn is_parked(&self) -> bool {
        matches!(*self.receiver.borrow(), Some(Wakeup::Parked(_)))
    }

    fn wake_senders(&self) {
        let wakers = core::mem::take(&mut *self.room.borrow_mut());
        for waker in wakers {
            waker.wake();
        }
    }

    fn push(self: &Rc<Self>, message: LocalMessage) {
        let mut items = self.items.borrow_mut();
        // One slot, not the four a first push would reserve: most readers take one message at
        // a time (a client keeps that slot while it waits; a parked worker gives it back).
        if items.capacity() == 0 {
            items.reserve_exact(1);
        }
        items.push_back(message);
        drop(items);
        self.wake_receiver();
    }

    fn pop(&self) -> Option<LocalMessage> {
        let mut items = self.items.borrow_mut();
        let message = items.pop_front()?;
        if items.is_empty() && items.capacity() > KEEP_SLOTS {
            items.shrink_to(KEEP_SLOTS);
        }
        drop(items);
        self.wake_senders();
        Some(message)
    }
}

/// A queue of at most `capacity` messages (at least one).
pub(crate) fn queue(capacity: usize) -> (QueueSender, QueueReceiver) {
    let shared = Rc::new(Shared {
        capacity: capacity.max(1),
        items: RefCell::default(),
        closed: Cell::new(false),
        receiver: RefCell::default(),
        room: RefCell::default(),
    });
    (
        QueueSender {
            shared: shared.clone(),
        },
        QueueReceiver { shared },
    )
}

/// The sending half (the mailbox).
pub(crate) struct QueueSender {
    shared: Rc<Shared>,
}

impl QueueSender {
    /// Queues `message`, waiting while the queue is full.
    pub(crate) async fn send(&self, message: LocalMessage) -> Result<(), LocalMessage> {
        let shared = &self.shared;
        let room = core::future::poll_fn(|cx| {
            if shared.closed.get() {
                return Poll::Ready(false);
            }
            if shared.items.borrow().len() < shared.capacity {
                return Poll::Ready(true);
            }
            let mut waiting = shared.room.borrow_mut();
            if !waiting.iter().any(|w| w.will_wake(cx.waker())) {
                waiting.push(cx.waker().clone());
            }
            Poll::Pending
        })
        .await;
        match room {
            true => {
                shared.push(message);
                Ok(())
            }
            false => Err(message),
        }
    }

    /// Queues `message` if there is room now.
    pub(crate) fn try_send(&self, message: LocalMessage) -> Result<(), Rejected> {
        if self.shared.closed.get() {
            return Err(Rejected::Closed);
        }
        if self.shared.items.borrow().len() >= self.shared.capacity {
            return Err(Rejected::Full);
        }
        self.shared.push(message);
        Ok(())
    }

    /// Messages queued.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.shared.items.borrow().len()
    }

    /// Closes the queue: what waits to send fails, the receiver gets what is queued, then ends.
    pub(crate) fn close(&self) {
        self.shared.close();
    }
}

impl Drop for QueueSender {
    fn drop(&mut self) {
        // Nothing more will come: the receiver ends after what is queued.
        self.shared.close();
    }
}

/// The receiving half (the worker or client).
pub(crate) struct QueueReceiver {
    shared: Rc<Shared>,
}

impl QueueReceiver {
    /// The next message; [`Ended::Closed`] once the queue is closed and empty.
    pub(crate) async fn recv(&self) -> Result<LocalMessage, Ended> {
        core::future::poll_fn(|cx| {
            if let Some(message) = self.shared.pop() {
                return Poll::Ready(Ok(message));
            }
            if self.shared.closed.get() {
                return Poll::Ready(Err(Ended::Closed));
            }
            *self.shared.receiver.borrow_mut() = Some(Wakeup::Task(cx.waker().clone()));
            Poll::Pending
        })
        .await
    }

    /// The next message if one is queued.
    pub(crate) fn try_recv(&self) -> Result<LocalMessage, Ended> {
        match self.shared.pop() {
            Some(message) => Ok(message),
            None if self.shared.closed.get() => Err(Ended::Closed),
            None => Err(Ended::Empty),
        }
    }

    /// Gives the receiver up until a message arrives or the queue closes: then `parked` runs,
    /// with the receiver back (at once if either happened already). Until then the queue holds
    /// `parked` and nothing else waits.
    pub(crate) fn park(self, parked: Box<dyn Parked>) {
        if self.shared.closed.get() || !self.shared.items.borrow().is_empty() {
            return parked.wake(self);
        }
        // A parked reader keeps no slot: an idle worker's queue holds nothing.
        self.shared.items.borrow_mut().shrink_to(0);
        *self.shared.receiver.borrow_mut() = Some(Wakeup::Parked(parked));
        // `self` is dropped here without closing the queue (see Drop).
    }
}

impl Drop for QueueReceiver {
    fn drop(&mut self) {
        if self.shared.is_parked() {
            // Given up by `park`: the reader comes back with the next message.
            return;
        }
        // Nobody will make room again: waiting senders must see the queue closed.
        self.shared.close();
        self.shared.items.borrow_mut().clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routing::Route;

    fn message(n: u8) -> LocalMessage {
        LocalMessage::new(Route::new(), Route::new(), vec![n])
    }

    #[test]
    fn bounded_without_preallocating() {
        futures_lite::future::block_on(async {
            let (sender, receiver) = queue(2);
            sender.send(message(1)).await.ok().unwrap();
            sender.try_send(message(2)).ok().unwrap();
            assert!(matches!(sender.try_send(message(3)), Err(Rejected::Full)));
            // A sender waits for room and gets it when a message leaves.
            let waiting = sender.send(message(3));
            let receiving = async {
                assert_eq!(receiver.recv().await.unwrap().payload, [1]);
            };
            let (sent, ()) = futures_lite::future::zip(waiting, receiving).await;
            assert!(sent.is_ok());
            assert_eq!(sender.len(), 2);
            assert_eq!(receiver.try_recv().unwrap().payload, [2]);
            assert_eq!(receiver.try_recv().unwrap().payload, [3]);
            // Closed: sends fail, and so does a sender that was waiting.
            sender.close();
            assert!(matches!(sender.try_send(message(4)), Err(Rejected::Closed)));
            assert!(sender.send(message(5)).await.is_err());
            assert!(receiver.recv().await.is_err());
        });
    }

    /// Keeps the receiver it is handed back.
    struct Waiting(Rc<RefCell<Option<QueueReceiver>>>);

    impl Parked for Waiting {
        fn wake(self: Box<Self>, receiver: QueueReceiver) {
            *self.0.borrow_mut() = Some(receiver);
        }
    }

    #[test]
    fn a_parked_reader_gets_its_receiver_back_from_the_next_message_or_the_close() {
        let woken = Rc::new(RefCell::new(None));
        let (sender, receiver) = queue(4);
        sender.try_send(message(0)).ok().unwrap();
        assert_eq!(receiver.try_recv().unwrap().payload, [0]);
        receiver.park(Box::new(Waiting(woken.clone())));
        // Parked: giving the receiver up did not close the queue, and it keeps no slot.
        assert!(woken.borrow().is_none());
        assert_eq!(sender.shared.items.borrow().capacity(), 0);
        sender.try_send(message(1)).ok().unwrap();
        let receiver = woken.borrow_mut().take().expect("woken by the message");
        assert_eq!(receiver.try_recv().unwrap().payload, [1]);
        // Parked again, then closed: woken with the receiver, which sees the end.
        receiver.park(Box::new(Waiting(woken.clone())));
        sender.close();
        let receiver = woken.borrow_mut().take().expect("woken by the close");
        assert_eq!(receiver.try_recv().err(), Some(Ended::Closed));
        // Parking with a message already queued hands the receiver back at once.
        let (sender, receiver) = queue(4);
        sender.try_send(message(2)).ok().unwrap();
        receiver.park(Box::new(Waiting(woken.clone())));
        let receiver = woken.borrow_mut().take().expect("woken at once");
        assert_eq!(receiver.try_recv().unwrap().payload, [2]);
    }

    #[test]
    fn a_dropped_receiver_releases_waiting_senders() {
        futures_lite::future::block_on(async {
            let (sender, receiver) = queue(1);
            sender.send(message(1)).await.ok().unwrap();
            let waiting = sender.send(message(2));
            let dropping = async move {
                drop(receiver);
            };
            let (sent, ()) = futures_lite::future::zip(waiting, dropping).await;
            assert!(sent.is_err());
        });
    }
}
