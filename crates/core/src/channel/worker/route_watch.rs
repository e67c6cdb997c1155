//! A channel watches the hops of its route that run on this node (its connection, usually):
//! when one stops, the peer is out of reach and the channel closes at once.

use tracing::{debug, info};

use super::ChannelWorker;
use crate::routing::{Address, Route};
use crate::runtime::{CloseCause, Context, StopWatch};

impl ChannelWorker {
    /// Closes the channel when a hop of `route` that runs on this node stops — the
    /// connection `via` which the peer's messages arrive, or a hop before it: the peer is out
    /// of reach, and senders should learn it now rather than from a timeout. Hops after that
    /// connection are the peer's; without a connection (a peer on this node) only the first
    /// hop is watched.
    pub(super) fn watch_route(&self, ctx: &Context, route: &Route, via: Option<&Address>) {
        let own = [&self.addresses.decryptor, &self.addresses.encryptor];
        let mut hops = Vec::new();
        for hop in route.iter() {
            if hop.is_local() && !own.contains(&hop) && ctx.node().has_address(hop) {
                hops.push(hop.clone());
            }
            if via.is_none_or(|connection| connection == hop) {
                break;
            }
        }
        if *self.watched.borrow() == hops {
            return;
        }
        // Hops no longer on the route are no longer watched.
        let unwatched: Vec<StopWatch> = {
            let mut watches = self.watches.borrow_mut();
            let (kept, gone): (Vec<_>, Vec<_>) =
                watches.drain(..).partition(|(hop, _)| hops.contains(hop));
            *watches = kept;
            gone.into_iter().map(|(_, watch)| watch).collect()
        };
        unwatched.into_iter().for_each(StopWatch::cancel);
        for hop in &hops {
            if self.watched.borrow().contains(hop) {
                continue;
            }
            let (node, decryptor, watched, ending) = (
                ctx.node().clone(),
                self.addresses.decryptor.clone(),
                self.watched.clone(),
                self.life.ending.clone(),
            );
            let stopped = hop.clone();
            let watching = ctx.node().on_worker_stopped(hop, move || {
                if watched.borrow().contains(&stopped) {
                    info!(hop = %stopped, "a hop of the channel's route stopped; closing the channel");
                    ending.expect(CloseCause::ConnectionLost);
                    let _ = node.stop_worker(&decryptor);
                }
            });
            match watching {
                Ok(watch) => self.watches.borrow_mut().push((hop.clone(), watch)),
                Err(_) => debug!(%hop, "a hop of the channel's route is not a worker here"),
            }
        }
        *self.watched.borrow_mut() = hops;
    }
}
