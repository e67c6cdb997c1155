//! The secure channel: Noise `XX` handshake, transport sessions, and the workers that run them.

pub mod handshake;
mod suite;

pub use suite::CipherSuite;
