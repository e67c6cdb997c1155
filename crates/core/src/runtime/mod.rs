//! The single-threaded actor runtime: a [`Node`] routes [`LocalMessage`]s
//! to [`Worker`]s by address through bounded mailboxes.
//!
//! Workers are `!Send` futures on one thread: the JavaScript event loop on wasm, a tokio
//! `LocalSet` natively. The driver supplies a [`Runtime`] (spawn and sleep); the node itself
//! never blocks and never polls: an idle node is a set of futures waiting on empty mailboxes.
//!
//! # Mailboxes and backpressure
//! Every worker has a bounded mailbox ([`NodeConfig::mailbox_capacity`] or
//! [`WorkerOptions::with_mailbox_capacity`]). [`Node::route`] and the `send` methods *wait* for room
//! when a mailbox is full, which pushes back on whoever produces messages (a socket reader stops
//! reading). [`Node::try_route`] and `try_send` do not wait: they fail with
//! [`Error::MailboxFull`]. A worker that waits on its own full
//! mailbox, or two workers that wait on each other's, deadlock; use `try_send` in such loops.

mod access;
mod activation;
mod backoff;
mod context;
mod events;
mod message;
mod metrics;
mod node;
mod queue;
mod registry;
mod signal;
mod transport_port;
mod worker;

use core::future::Future;
use core::time::Duration;

pub use access::{AllowAll, IncomingAccessControl, LocalOnly};
pub use backoff::Backoff;
pub use context::{Client, Context};
pub use events::{CloseCause, Ending, NodeEvent, Traffic, TrafficCounter};
pub use message::{LocalInfo, LocalMessage, SecureChannelOrigin};
pub use metrics::{BAD_PEER_LOG_LINES_PER_SECOND, BadPeerLog, Counter, PeerMetrics};
pub use node::{Node, NodeConfig, StopWatch, TaskGuard};
pub use transport_port::Transport;
pub use worker::{Worker, WorkerOptions};

use crate::error::{Error, Result};

pub use crate::base::LocalBoxFuture;

/// What a driver provides to run a [`Node`]: a way to spawn `!Send` tasks on the current
/// thread and a timer. Razor ships one for tokio (`razor-node`) and one for wasm
/// (`razor-wasm`).
pub trait Runtime: 'static {
    /// Runs `future` to completion concurrently with the caller, on this thread.
    fn spawn(&self, future: LocalBoxFuture<'static, ()>);
    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> LocalBoxFuture<'static, ()>;
    /// Wall-clock time in seconds since the Unix epoch (for credential and key validity).
    fn unix_time(&self) -> u64;
}

/// Runs `future` until it completes or `duration` passes, whichever is first.
pub async fn timeout<T>(
    runtime: &dyn Runtime,
    duration: Duration,
    future: impl Future<Output = T>,
) -> Result<T> {
    let sleep = runtime.sleep(duration);
    futures_lite::future::or(async { Ok(future.await) }, async {
        sleep.await;
        Err(Error::Timeout(duration))
    })
    .await
}
