//! Razor's native driver: runs [`razor_core`] nodes on tokio.
//!
//! Nodes are single-threaded: run them inside [`run_local`] (a current-thread runtime with a
//! `LocalSet`), one node set per thread.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod demo;
mod logging;
pub mod metrics;
pub mod portal;
pub mod relay_client;
mod runtime;
pub mod state;
pub mod transport;

pub use logging::init_logging;
pub use runtime::{TokioRuntime, run_local};
