//! Jittered exponential backoff: how long to wait before the next attempt of something that
//! failed for a reason that may pass (a connection refused, a listener that is busy, a relay
//! service that went away).
//!
//! Each wait is drawn uniformly from the upper half of the current step (`step/2 ..= step`),
//! and the step doubles up to a ceiling. The jitter is what keeps a crowd that failed at the
//! same instant (every peer of an edge object that restarted) from coming back at the same
//! instant too; the lower bound of half a step keeps the attempts of one client spaced.

use core::time::Duration;

/// A sequence of waits: `step/2 ..= step`, the step doubling from `initial` up to `max`.
#[derive(Debug, Clone)]
pub struct Backoff {
    initial: Duration,
    max: Duration,
    step: Duration,
}

impl Backoff {
    /// Waits starting around `initial`, at most `max` (a `max` below `initial` is raised to it).
    pub fn new(initial: Duration, max: Duration) -> Self {
        let max = max.max(initial);
        Self {
            initial,
            max,
            step: initial,
        }
    }

    /// The wait before the next attempt; each call doubles the step (up to the ceiling).
    pub fn next_delay(&mut self) -> Duration {
        let delay = jittered(self.step, crate::base::random_u32());
        self.step = (self.step * 2).min(self.max);
        delay
    }

    /// Back to the first step, after a success.
    pub fn reset(&mut self) {
        self.step = self.initial;
    }
}

/// A point of `step/2 ..= step` chosen by `random` (uniform over `u32`).
fn jittered(step: Duration, random: u32) -> Duration {
    let half = step / 2;
    // In microseconds: integer arithmetic keeps float conversions (and their panics) out of
    // the wasm.
    let span = u64::try_from((step - half).as_micros()).unwrap_or(u64::MAX);
    let offset = (u128::from(span) * u128::from(random) / u128::from(u32::MAX)) as u64;
    half + Duration::from_micros(offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn waits_stay_in_the_upper_half_of_a_doubling_step() {
        let mut backoff = Backoff::new(100 * MS, 1_000 * MS);
        let steps = [100, 200, 400, 800, 1_000, 1_000];
        for step in steps {
            let delay = backoff.next_delay();
            assert!(
                delay >= step * MS / 2 && delay <= step * MS,
                "{delay:?} for step {step}"
            );
        }
        backoff.reset();
        assert!(backoff.next_delay() <= 100 * MS);
    }

    #[test]
    fn the_jitter_spans_the_half_step() {
        assert_eq!(jittered(100 * MS, 0), 50 * MS);
        assert_eq!(jittered(100 * MS, u32::MAX), 100 * MS);
        assert_eq!(jittered(Duration::ZERO, u32::MAX), Duration::ZERO);
    }

    #[test]
    fn a_crowd_spreads_out() {
        // 1,000 clients that failed together do not retry together.
        let mut delays: Vec<Duration> = (0..1_000)
            .map(|_| Backoff::new(1_000 * MS, 1_000 * MS).next_delay())
            .collect();
        delays.sort();
        delays.dedup();
        assert!(delays.len() > 900, "only {} distinct waits", delays.len());
    }
}
