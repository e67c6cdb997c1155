//! The secure channel: a Noise `XX` handshake that authenticates both sides' identities, then
//! an end-to-end encrypted, replay-protected session over any route.
//!
//! ```text
//! let channel = node.create_secure_channel(&identity, route, options).await?;
//! let reply = channel.request("echo", b"hi".to_vec(), None).await?;
//! ```
//! Layers: [`handshake`] and [`session`] are sans-IO state machines; [`message`] is the
//! encrypted plaintext format; the worker drives them over routing.

mod admission;
mod api;
pub mod handshake;
mod listener;
pub mod message;
mod options;
mod peer;
pub mod session;
mod setup;
mod suite;
mod trust;
mod verify;
mod worker;

pub use api::SecureChannel;
pub use listener::SecureChannelListener;
pub use options::{
    ChannelEvent, ChannelObserver, DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_MAX_CHANNELS,
    DEFAULT_MAX_HANDSHAKES, SecureChannelOptions,
};
pub use peer::PeerInfo;
pub use suite::CipherSuite;
pub use trust::TrustPolicy;
