//! Built-in workers.

pub mod credential_retrieval;
mod echo;
mod hop;
pub mod portal;
mod relay;
mod relay_client;

pub use echo::Echo;
pub use hop::{Hop, HopObserver};
pub use relay::{
    DEFAULT_RELAYS_PER_CONNECTION, MemoryRelayNames, NamePolicy, OCKAM_RELAY_PREFIX,
    RELAY_SERVICE_ADDRESS, RelayEvent, RelayNames, RelayService, STATIC_RELAY_SERVICE_ADDRESS,
    check_name, random_name, register_relay,
};
pub use relay_client::{Connect, KeptRelay, RelayClient, RelayClientEvent};
