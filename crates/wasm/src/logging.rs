use std::io::{self, Write};

use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use wasm_bindgen::prelude::wasm_bindgen;

/// Sends Razor's logs to the JS console, filtered by targets like `RUST_LOG` without regexes
/// (e.g. `"info"`, `"razor_core=debug,info"`). Off until called; calling it again has no effect.
#[wasm_bindgen(js_name = initLogging)]
pub fn init_logging(filter: Option<String>) {
    let targets: Targets = filter
        .as_deref()
        .unwrap_or("info")
        .parse()
        .unwrap_or_else(|_| {
            web_sys::console::warn_1(&"razor: invalid log filter, using \"info\"".into());
            Targets::new().with_default(tracing::Level::INFO)
        });
    let format = tracing_subscriber::fmt::layer()
        .with_writer(ConsoleWriter::default)
        .without_time()
        .with_ansi(false);
    let _ = tracing_subscriber::registry()
        .with(format)
        .with(targets)
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
