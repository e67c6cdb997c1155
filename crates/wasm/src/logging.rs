use std::io::{self, Write};

use tracing_subscriber::EnvFilter;
use wasm_bindgen::prelude::wasm_bindgen;

/// Sends Razor's logs to the JS console, filtered like `RUST_LOG` (e.g. `"info"`,
/// `"razor_core=debug"`). Off until called; calling it again has no effect.
#[wasm_bindgen(js_name = initLogging)]
pub fn init_logging(filter: Option<String>) {
    let filter = EnvFilter::try_new(filter.as_deref().unwrap_or("info"))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(ConsoleWriter::default)
        .without_time()
        .with_ansi(false)
        .try_init();
}

/// Buffers one formatted event and logs it with `console.log` when dropped.
#[derive(Default)]
struct ConsoleWriter {
    line: Vec<u8>,
}

impl Write for ConsoleWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.line.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for ConsoleWriter {
    fn drop(&mut self) {
        let text = String::from_utf8_lossy(&self.line);
        web_sys::console::log_1(&text.trim_end().into());
    }
}
