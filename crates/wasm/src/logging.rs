//! Razor's logs in JavaScript: each event becomes a record — `{ level, target, message,
//! fields }` — given to a function of the application's, or to the console method of its
//! level (`console.debug`, `info`, `warn`, `error`).

use core::fmt::Write as _;

use js_sys::{Function, Object, Reflect};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::wasm_bindgen;

/// Sends Razor's logs to `logger(record)` — or, without one, to the console method of each
/// record's level — filtered by targets like `RUST_LOG` without regexes (e.g. `"info"`,
/// `"razor_core=debug,info"`). A record is `{ level: "error" | "warn" | "info" | "debug" |
/// "trace", target, message, fields }`. Off until called; later calls have no effect (one
/// logger per JS realm).
#[wasm_bindgen(js_name = initLogging)]
pub fn init_logging(filter: Option<String>, logger: Option<Function>) {
    let targets: Targets = filter
        .as_deref()
        .unwrap_or("info")
        .parse()
        .unwrap_or_else(|_| {
            web_sys::console::warn_1(&"razor: invalid log filter, using \"info\"".into());
            Targets::new().with_default(Level::INFO)
        });
    let installed = tracing_subscriber::registry()
        .with(JsLogger)
        .with(targets)
        .try_init()
        .is_ok();
    if installed {
        LOGGER.with(|slot| *slot.borrow_mut() = logger);
    }
}

thread_local! {
    /// The application's logger (this realm's only thread holds JS functions).
    static LOGGER: core::cell::RefCell<Option<Function>> = const { core::cell::RefCell::new(None) };
}

/// The layer that turns events into records (the logger it calls lives in [`LOGGER`]).
struct JsLogger;

impl<S: Subscriber> Layer<S> for JsLogger {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut record = Record::default();
        event.record(&mut record);
        let metadata = event.metadata();
        let level = match *metadata.level() {
            Level::ERROR => "error",
            Level::WARN => "warn",
            Level::INFO => "info",
            Level::DEBUG => "debug",
            Level::TRACE => "trace",
        };
        let logger = LOGGER.with(|slot| slot.borrow().clone());
        match &logger {
            Some(logger) => {
                let object = Object::new();
                let set = |key: &str, value: JsValue| {
                    let _ = Reflect::set(&object, &key.into(), &value);
                };
                set("level", level.into());
                set("target", metadata.target().into());
                set("message", record.message.as_str().into());
                set("fields", record.fields.into());
                let _ = logger.call1(&JsValue::NULL, &object);
            }
            None => {
                let mut line = format!("razor {level} {}: {}", metadata.target(), record.message);
                for (name, value) in &record.pairs {
                    let _ = write!(line, " {name}={value}");
                }
                let line = JsValue::from(line);
                match *metadata.level() {
                    Level::ERROR => web_sys::console::error_1(&line),
                    Level::WARN => web_sys::console::warn_1(&line),
                    Level::INFO => web_sys::console::info_1(&line),
                    _ => web_sys::console::debug_1(&line),
                }
            }
        }
    }
}

/// An event's message and fields.
struct Record {
    message: String,
    fields: Object,
    pairs: Vec<(&'static str, String)>,
}

impl Default for Record {
    fn default() -> Self {
        Self {
            message: String::new(),
            fields: Object::new(),
            pairs: Vec::new(),
        }
    }
}

impl Record {
    fn field(&mut self, field: &Field, value: JsValue, text: String) {
        if field.name() == "message" {
            self.message = text;
        } else {
            let _ = Reflect::set(&self.fields, &field.name().into(), &value);
            self.pairs.push((field.name(), text));
        }
    }
}

impl Visit for Record {
    fn record_debug(&mut self, field: &Field, value: &dyn core::fmt::Debug) {
        let text = format!("{value:?}");
        self.field(field, text.as_str().into(), text);
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.field(field, value.into(), value.to_owned());
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.field(field, (value as f64).into(), value.to_string());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.field(field, (value as f64).into(), value.to_string());
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.field(field, value.into(), value.to_string());
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        // JavaScript formats the number: Rust's float formatting stays out of the wasm.
        let text = js_sys::Number::from(value)
            .to_string_with_radix(10)
            .map(String::from)
            .unwrap_or_default();
        self.field(field, value.into(), text);
    }
}
