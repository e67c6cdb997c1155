use core::time::Duration;

use razor_core::runtime::{LocalBoxFuture, Runtime};

/// The wasm [`Runtime`]: tasks run as microtasks on the JS event loop
/// (`wasm_bindgen_futures::spawn_local`), timers are `setTimeout` (gloo-timers), which exist
/// in browsers, workers, Deno and Node alike.
#[derive(Debug, Clone, Copy, Default)]
pub struct WasmRuntime;

impl Runtime for WasmRuntime {
    fn spawn(&self, future: LocalBoxFuture<'static, ()>) {
        wasm_bindgen_futures::spawn_local(future);
    }

    fn sleep(&self, duration: Duration) -> LocalBoxFuture<'static, ()> {
        let millis = u32::try_from(duration.as_millis()).unwrap_or(u32::MAX);
        Box::pin(gloo_timers::future::TimeoutFuture::new(millis))
    }

    fn unix_time(&self) -> u64 {
        (js_sys::Date::now() / 1000.0) as u64
    }
}
