use core::future::Future;
use core::time::Duration;

use razor_core::runtime::{LocalBoxFuture, Runtime};

/// The tokio [`Runtime`]: tasks go to the current `LocalSet`, timers to tokio's clock.
///
/// Must be used inside a `LocalSet` (see [`run_local`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioRuntime;

impl Runtime for TokioRuntime {
    fn spawn(&self, future: LocalBoxFuture<'static, ()>) {
        tokio::task::spawn_local(future);
    }

    fn sleep(&self, duration: Duration) -> LocalBoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }

    fn unix_time(&self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs())
    }
}

/// Runs `future` to completion on a new current-thread tokio runtime inside a `LocalSet`, so
/// that nodes created within can spawn their workers.
pub fn run_local<F: Future>(future: F) -> std::io::Result<F::Output> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    Ok(tokio::task::LocalSet::new().block_on(&runtime, future))
}
