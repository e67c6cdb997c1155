//! Benchmark cases shared by the native criterion benches (`benches/channel.rs`) and the wasm
//! runner (`scripts/bench`, in Node): each case is a closure doing one unit of work, for Razor
//! and for `snow` doing the same Noise work.
#![forbid(unsafe_code)]

pub mod cases;
#[cfg(target_arch = "wasm32")]
pub mod wasm;
