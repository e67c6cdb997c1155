//! Opt-in reconnection with exponential backoff for the transports that dial.

use core::future::Future;
use core::time::Duration;

use crate::error::{Error, Result, TransportError};
use crate::runtime::{Backoff, Node};

/// How a transport retries a failed connection attempt: up to `attempts` tries in all, waiting
/// about `initial_delay`, then twice as long each time, at most `max_delay`, each wait jittered
/// ([`Backoff`]). Transports make one attempt unless given a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all (1 = no retry).
    pub attempts: u32,
    /// Wait before the second attempt.
    pub initial_delay: Duration,
    /// Longest wait between attempts.
    pub max_delay: Duration,
}

impl RetryPolicy {
    /// `attempts` tries, starting at 100 ms between them, at most 5 s.
    pub fn new(attempts: u32) -> Self {
        Self {
            attempts,
            initial_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(5),
        }
    }
}

/// Runs `connect` until it succeeds, fails with something other than a connection failure, or
/// the policy's attempts are used up (no policy: once).
pub async fn connect_with_retry<T, F, Fut>(
    node: &Node,
    policy: Option<RetryPolicy>,
    mut connect: F,
) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let policy = policy.unwrap_or(RetryPolicy {
        attempts: 1,
        initial_delay: Duration::ZERO,
        max_delay: Duration::ZERO,
    });
    let mut backoff = Backoff::new(policy.initial_delay, policy.max_delay);
    let mut attempt = 1;
    loop {
        match connect().await {
            Err(Error::Transport(TransportError::ConnectFailed { .. }))
                if attempt < policy.attempts =>
            {
                node.sleep(backoff.next_delay()).await;
                attempt += 1;
            }
            outcome => return outcome,
        }
    }
}
