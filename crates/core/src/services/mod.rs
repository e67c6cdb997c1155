//! Built-in workers.

mod echo;
mod hop;
mod relay;

pub use echo::Echo;
pub use hop::{Hop, HopObserver};
pub use relay::{RELAY_SERVICE_ADDRESS, RelayService, register_relay};
