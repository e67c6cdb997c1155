//! A one-shot signal for one thread: fired once, awaited by any number of tasks. What
//! `Ending` and a mailbox's halt wait on; a few words until someone waits (an async channel
//! used as a signal costs ~700 bytes each, idle or not, and a channel has four of them).

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

/// Fired at most once; [`wait`](Self::wait) completes once it has been.
#[derive(Default)]
pub(crate) struct Signal {
    fired: Cell<bool>,
    /// The tasks waiting, by the id of their [`Wait`] (taken back when a wait is dropped).
    waiting: RefCell<BTreeMap<u64, Waker>>,
    next_id: Cell<u64>,
}

impl Signal {
    /// Fires the signal (later calls do nothing) and wakes every waiting task.
    pub(crate) fn fire(&self) {
        if self.fired.replace(true) {
            return;
        }
        // Taken out first: no borrow is held while a waker runs.
        let waiting = core::mem::take(&mut *self.waiting.borrow_mut());
        for waker in waiting.into_values() {
            waker.wake();
        }
    }

    /// Whether it has fired.
    pub(crate) fn is_fired(&self) -> bool {
        self.fired.get()
    }

    /// Completes once the signal has fired.
    pub(crate) fn wait(&self) -> Wait<'_> {
        Wait {
            signal: self,
            id: None,
        }
    }
}

/// A wait for a [`Signal`]; forgets its waker when dropped.
pub(crate) struct Wait<'a> {
    signal: &'a Signal,
    id: Option<u64>,
}

impl Future for Wait<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.signal.fired.get() {
            return Poll::Ready(());
        }
        let id = match self.id {
            Some(id) => id,
            None => {
                let id = self.signal.next_id.get();
                self.signal.next_id.set(id.wrapping_add(1));
                self.id = Some(id);
                id
            }
        };
        let mut waiting = self.signal.waiting.borrow_mut();
        match waiting.get_mut(&id) {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            Some(waker) => waker.clone_from(cx.waker()),
            None => {
                waiting.insert(id, cx.waker().clone());
            }
        }
        Poll::Pending
    }
}

impl Drop for Wait<'_> {
    fn drop(&mut self) {
        if let Some(id) = self.id {
            self.signal.waiting.borrow_mut().remove(&id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_lite::future::{block_on, poll_once};

    #[test]
    fn waits_complete_once_fired_and_dropped_waits_leave_nothing() {
        let signal = Signal::default();
        assert!(block_on(poll_once(signal.wait())).is_none());
        assert!(
            signal.waiting.borrow().is_empty(),
            "a dropped wait took its waker back"
        );
        let mut pending = Box::pin(signal.wait());
        assert!(block_on(poll_once(&mut pending)).is_none());
        assert!(block_on(poll_once(&mut pending)).is_none());
        assert_eq!(
            signal.waiting.borrow().len(),
            1,
            "one waker per wait, however often polled"
        );
        signal.fire();
        signal.fire();
        assert!(signal.is_fired());
        assert!(block_on(poll_once(&mut pending)).is_some());
        assert!(block_on(poll_once(signal.wait())).is_some());
    }
}
