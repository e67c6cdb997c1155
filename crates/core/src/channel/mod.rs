//! The secure channel: Noise `XX` handshake, transport sessions, and the workers that run them.

pub mod handshake;
mod peer;
pub mod session;
mod suite;

pub use peer::PeerInfo;
pub use suite::CipherSuite;
