//! Razor for JavaScript: the [`razor_core`] node on the JS event loop, exposed with
//! wasm-bindgen. Works in browsers, Cloudflare Workers, Deno and Node.
//!
//! This crate is glue only: the executor ([`WasmRuntime`]), logging to the console, and the JS
//! API in [`api`]. Protocol logic lives in `razor-core`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod api;
mod error;
mod logging;
mod runtime;
pub mod transport;
pub mod vault;

pub use error::{error_codes, to_js_error};
pub use logging::init_logging;
pub use runtime::WasmRuntime;
