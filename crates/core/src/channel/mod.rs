//! The secure channel: Noise `XX` handshake, transport sessions, and the workers that run them.

pub mod handshake;
pub mod session;
mod suite;

pub use suite::CipherSuite;
