//! What peers did to a node, counted — handshakes refused, expired and failed, malformed
//! frames, replies dropped for peers that do not read — and a budget that keeps log lines
//! about misbehaving peers from flooding a console or a disk.

use core::cell::Cell;
use std::rc::Rc;

use super::Node;

/// A counter (or, for `handshakes_in_progress`, a gauge) on the node's thread.
#[derive(Debug, Default)]
pub struct Counter(Cell<u64>);

impl Counter {
    /// Adds one.
    pub fn increment(&self) {
        self.0.set(self.0.get().saturating_add(1));
    }

    /// Takes one away (for gauges).
    pub fn decrement(&self) {
        self.0.set(self.0.get().saturating_sub(1));
    }

    /// The current value.
    pub fn get(&self) -> u64 {
        self.0.get()
    }
}

/// Counters of what peers did to a node ([`Node::peer_metrics`]). Transports and drivers
/// keep their own (connections refused, throttled) beside these.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct PeerMetrics {
    /// Frames that did not decode; each closed its connection.
    pub malformed_frames: Counter,
    /// Responder handshakes started by a first message and not finished yet.
    pub handshakes_in_progress: Counter,
    /// First handshake messages dropped because their listener had as many handshakes in
    /// progress as it allows.
    pub handshakes_refused: Counter,
    /// First handshake messages dropped because their listener held as many channels as it
    /// allows.
    pub channels_refused: Counter,
    /// Responder handshakes torn down because they did not finish in time.
    pub handshakes_expired: Counter,
    /// Responder handshakes that failed (a forged or malformed message, an untrusted peer).
    pub handshakes_failed: Counter,
    /// Replies a service dropped because the asker's connection was not taking any more
    /// (a peer that does not read must not hold up a service others use).
    pub replies_dropped: Counter,
}

/// Log lines about misbehaving peers allowed per second, node-wide; the rest are counted and
/// reported with the next line let through.
pub const BAD_PEER_LOG_LINES_PER_SECOND: u32 = 10;

/// How many log lines about misbehaving peers went out this second, and how many were held
/// back since the last one that went out.
#[derive(Debug, Default)]
pub struct BadPeerLog {
    second: Cell<u64>,
    lines: Cell<u32>,
    suppressed: Cell<u64>,
}

impl BadPeerLog {
    /// Whether a line may go out at `now` (Unix seconds): `Some(n)` with the number of lines
    /// held back before it, or `None` (counted) when this second's budget is spent.
    pub fn admit(&self, now: u64) -> Option<u64> {
        if self.second.get() != now {
            self.second.set(now);
            self.lines.set(0);
        }
        if self.lines.get() >= BAD_PEER_LOG_LINES_PER_SECOND {
            self.suppressed.set(self.suppressed.get().saturating_add(1));
            return None;
        }
        self.lines.set(self.lines.get() + 1);
        Some(self.suppressed.replace(0))
    }
}

impl Node {
    /// The counters of what peers did to this node.
    pub fn peer_metrics(&self) -> Rc<PeerMetrics> {
        self.extension::<PeerMetrics>()
    }

    /// Calls `log` — which writes one line about a misbehaving peer — unless this second's
    /// budget of such lines ([`BAD_PEER_LOG_LINES_PER_SECOND`]) is spent; `log` gets how many
    /// lines were held back before this one.
    pub fn log_bad_peer(&self, log: impl FnOnce(u64)) {
        if let Some(suppressed) = self.extension::<BadPeerLog>().admit(self.unix_time()) {
            log(suppressed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lets_through_its_budget_and_the_next_line_reports_the_rest() {
        let log = BadPeerLog::default();
        let let_through = (0..1_000).filter(|_| log.admit(7).is_some()).count();
        assert_eq!(let_through, BAD_PEER_LOG_LINES_PER_SECOND as usize);
        assert_eq!(log.admit(8), Some(1_000 - let_through as u64));
        assert_eq!(log.admit(8), Some(0));
    }

    #[test]
    fn gauges_do_not_wrap() {
        let gauge = Counter::default();
        gauge.decrement();
        assert_eq!(gauge.get(), 0);
        gauge.increment();
        assert_eq!(gauge.get(), 1);
    }
}
