//! Razor's core: everything that is the same in a browser tab, an edge worker and a native node.
//!
//! The core does no IO and reads no clock. Drivers (`razor-wasm`, `razor-node`) provide a
//! [`Runtime`] that spawns tasks and sleeps, and transports that move frames;
//! the core supplies:
//!
//! - [`codec`]: bounds-checked decoding, the BARE and CBOR primitives of Ockam's formats;
//! - [`base`]: what every module uses (a boxed local future, random names);
//! - [`routing`]: addresses, routes, local messages and Ockam's wire `TransportMessage` codec;
//! - [`error`]: one error type with a stable code and kind per cause;
//! - [`vault`]: keys behind traits split by purpose, and the crypto provider;
//! - [`identity`]: identities (change histories), purpose keys and credentials;
//! - [`runtime`]: a single-threaded actor runtime (nodes, workers parked between messages,
//!   bounded mailboxes, router);
//! - [`transport`]: the transport model, the connection machinery shared by all transports, and
//!   an in-memory transport for tests and demos;
//! - [`abac`]: attribute-based access control with Ockam's policy language;
//! - [`channel`]: the secure channel (handshake and session) and its one-call API;
//! - [`services`]: built-in workers (echo, hop, relays, credential issuing and retrieval).
//!
//! Layers point down in that order (`tests/layers.rs` checks it).
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

pub mod abac;
pub mod base;
pub mod channel;
pub mod codec;
pub mod error;
pub mod identity;
pub mod routing;
pub mod runtime;
pub mod services;
#[cfg(any(test, feature = "testing"))]
#[doc(hidden)]
pub mod testing;
pub mod transport;
pub mod vault;

pub use error::{Error, ErrorKind, RemoteError, Result, TransportError};
pub use routing::{Address, Route, TransportMessage, TransportType};
pub use runtime::{
    Client, Context, LocalInfo, LocalMessage, Node, NodeConfig, Runtime, Worker, WorkerOptions,
};
