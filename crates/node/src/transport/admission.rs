//! Who may connect to a node's listeners, and how fast they may send: caps on open
//! connections, in total and per source address, shared by every listener of a node (TCP,
//! WebSocket, WebTransport), and an optional message rate per connection.
//!
//! A connection takes its place when it is accepted — before a WebSocket upgrade or a
//! WebTransport session is set up, so half-open ones count — and gives it back when it ends.
//! A connection over a cap is closed at once and counted; the log line about it is subject to
//! the node's budget for such lines ([`Node::log_bad_peer`]).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::rc::Rc;
use std::time::Duration;

use razor_core::Node;
use razor_core::runtime::Counter;
use tokio::time::Instant;
use tracing::warn;

/// Default cap on connections open at once to a node's listeners.
pub const DEFAULT_MAX_CONNECTIONS: usize = 4096;
/// Default cap on connections open at once from one source IP address.
pub const DEFAULT_MAX_CONNECTIONS_PER_SOURCE: usize = 64;

/// The caps a node's listeners apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListenerLimits {
    /// Connections open at once, all listeners and sources together.
    pub max_connections: usize,
    /// Connections open at once from one source IP address.
    pub max_connections_per_source: usize,
    /// Frames a connection may send a second (with a burst of as many); past it, its frames
    /// are read no faster, which pushes back on the sender. `None`: no rate cap (mailboxes
    /// still push back on a peer that sends faster than the node handles).
    pub max_messages_per_second: Option<u32>,
}

impl Default for ListenerLimits {
    fn default() -> Self {
        Self {
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_connections_per_source: DEFAULT_MAX_CONNECTIONS_PER_SOURCE,
            max_messages_per_second: None,
        }
    }
}

/// What the listeners let in and kept out.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct AdmissionMetrics {
    /// Accepted connections open now.
    pub connections_open: Counter,
    /// Connections accepted so far.
    pub connections_accepted: Counter,
    /// Connections closed at once because the node had `max_connections` open.
    pub refused_total_cap: Counter,
    /// Connections closed at once because their source had `max_connections_per_source` open.
    pub refused_source_cap: Counter,
    /// Times a connection's frames were held back by its message rate.
    pub throttled: Counter,
    /// Accepts that failed (out of file descriptors, most often); each waited before the next.
    pub accept_errors: Counter,
}

/// A node's admission bookkeeping, shared by its listeners: [`Admission::of`].
#[derive(Debug, Default)]
pub struct Admission {
    limits: Cell<Option<ListenerLimits>>,
    per_source: RefCell<HashMap<IpAddr, usize>>,
    metrics: AdmissionMetrics,
}

impl Admission {
    /// The node's admission (created with [`ListenerLimits::default`] on first use).
    pub fn of(node: &Node) -> Rc<Self> {
        node.extension::<Admission>()
    }

    /// Applies `limits` to connections accepted from now on.
    pub fn set_limits(&self, limits: ListenerLimits) {
        self.limits.set(Some(limits));
    }

    /// The limits in force.
    pub fn limits(&self) -> ListenerLimits {
        self.limits.get().unwrap_or_default()
    }

    /// The counters.
    pub fn metrics(&self) -> &AdmissionMetrics {
        &self.metrics
    }

    /// A place for a connection from `peer`, or `None` (counted and logged) when a cap is
    /// reached: the caller closes the connection.
    pub fn admit(self: &Rc<Self>, node: &Node, peer: SocketAddr, listener: &str) -> Option<Guard> {
        let limits = self.limits();
        let source = peer.ip();
        let open = self.metrics.connections_open.get() as usize;
        let from_source = self.per_source.borrow().get(&source).copied().unwrap_or(0);
        let refused = if open >= limits.max_connections {
            self.metrics.refused_total_cap.increment();
            Some(("connections", limits.max_connections))
        } else if from_source >= limits.max_connections_per_source {
            self.metrics.refused_source_cap.increment();
            Some((
                "connections from this address",
                limits.max_connections_per_source,
            ))
        } else {
            None
        };
        if let Some((what, max)) = refused {
            node.log_bad_peer(|suppressed| {
                warn!(%peer, listener, max, suppressed, "too many {what}; connection refused");
            });
            return None;
        }
        *self.per_source.borrow_mut().entry(source).or_default() += 1;
        self.metrics.connections_open.increment();
        self.metrics.connections_accepted.increment();
        Some(Guard {
            admission: self.clone(),
            source,
            bucket: limits.max_messages_per_second.map(TokenBucket::new),
        })
    }

    fn release(&self, source: IpAddr) {
        self.metrics.connections_open.decrement();
        let mut per_source = self.per_source.borrow_mut();
        if let Some(count) = per_source.get_mut(&source) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                per_source.remove(&source);
            }
        }
    }
}

/// An accepted connection's place, given back when dropped (with the connection's reading
/// half), and its message rate.
#[derive(Debug)]
pub struct Guard {
    admission: Rc<Admission>,
    source: IpAddr,
    bucket: Option<TokenBucket>,
}

impl Guard {
    /// Waits until the connection may hand over another frame.
    pub async fn pace(&mut self) {
        let Some(bucket) = &mut self.bucket else {
            return;
        };
        if let Some(wait) = bucket.take() {
            self.admission.metrics.throttled.increment();
            tokio::time::sleep(wait).await;
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.admission.release(self.source);
    }
}

/// A token bucket: `rate` tokens a second, holding at most `rate`.
#[derive(Debug)]
struct TokenBucket {
    rate: f64,
    tokens: f64,
    refilled: Instant,
}

impl TokenBucket {
    fn new(rate: u32) -> Self {
        let rate = f64::from(rate.max(1));
        Self {
            rate,
            tokens: rate,
            refilled: Instant::now(),
        }
    }

    /// Takes a token: `None` if one was there, or how long until it is (it is taken then).
    fn take(&mut self) -> Option<Duration> {
        let now = Instant::now();
        let elapsed = now.duration_since(self.refilled).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.rate);
        self.refilled = now;
        self.tokens -= 1.0;
        if self.tokens >= 0.0 {
            None
        } else {
            Some(Duration::from_secs_f64(-self.tokens / self.rate))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{TokioRuntime, run_local};
    use razor_core::NodeConfig;

    fn peer(ip: [u8; 4], port: u16) -> SocketAddr {
        SocketAddr::from((ip, port))
    }

    #[test]
    fn caps_apply_in_total_and_per_source_and_places_come_back() {
        run_local(async {
            let node = Node::new(TokioRuntime, NodeConfig::new("caps"));
            let admission = Admission::of(&node);
            admission.set_limits(ListenerLimits {
                max_connections: 3,
                max_connections_per_source: 2,
                max_messages_per_second: None,
            });
            let a1 = admission
                .admit(&node, peer([10, 0, 0, 1], 1), "test")
                .unwrap();
            let _a2 = admission
                .admit(&node, peer([10, 0, 0, 1], 2), "test")
                .unwrap();
            assert!(
                admission
                    .admit(&node, peer([10, 0, 0, 1], 3), "test")
                    .is_none()
            );
            let _b1 = admission
                .admit(&node, peer([10, 0, 0, 2], 1), "test")
                .unwrap();
            assert!(
                admission
                    .admit(&node, peer([10, 0, 0, 3], 1), "test")
                    .is_none()
            );
            let metrics = admission.metrics();
            assert_eq!(metrics.refused_source_cap.get(), 1);
            assert_eq!(metrics.refused_total_cap.get(), 1);
            drop(a1);
            assert_eq!(metrics.connections_open.get(), 2);
            assert!(
                admission
                    .admit(&node, peer([10, 0, 0, 1], 4), "test")
                    .is_some()
            );
            node.shutdown();
        })
        .unwrap();
    }

    #[test]
    fn a_bucket_lends_its_burst_then_paces() {
        let mut bucket = TokenBucket::new(100);
        assert!((0..100).all(|_| bucket.take().is_none()));
        let wait = bucket.take().expect("the burst is spent");
        assert!(wait <= Duration::from_millis(11), "{wait:?}");
    }
}
