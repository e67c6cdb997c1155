//! A listener's admission counts: the handshakes it has in progress and the channels it holds,
//! each a place taken when a first message is admitted and given back when dropped.

use core::cell::Cell;
use std::rc::Rc;

use crate::runtime::PeerMetrics;

/// One place in a listener's count (of channels held, or of handshakes in progress), given
/// back when dropped.
pub(crate) struct Slot(Rc<Cell<usize>>);

impl Slot {
    pub(super) fn take(count: &Rc<Cell<usize>>) -> Self {
        count.set(count.get() + 1);
        Self(count.clone())
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.set(self.0.get().saturating_sub(1));
    }
}

/// One channel a listener holds, for as long as the channel's worker lives.
pub(crate) type ChannelSlot = Slot;

/// One handshake in progress, counted by its listener and the node's gauge until dropped.
pub(crate) struct HandshakeSlot {
    _slot: Slot,
    metrics: Rc<PeerMetrics>,
}

impl HandshakeSlot {
    pub(super) fn take(in_progress: &Rc<Cell<usize>>, metrics: Rc<PeerMetrics>) -> Self {
        metrics.handshakes_in_progress.increment();
        Self {
            _slot: Slot::take(in_progress),
            metrics,
        }
    }
}

impl Drop for HandshakeSlot {
    fn drop(&mut self) {
        self.metrics.handshakes_in_progress.decrement();
    }
}
