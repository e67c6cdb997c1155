//! Razor's logs in JavaScript: each event becomes a record — `{ level, target, message,
//! fields }` — given to a function of the application's, or to the console method of its
//! level (`console.debug`, `info`, `warn`, `error`).

use core::fmt::Write as _;
use core::sync::atomic::{AtomicU64, Ordering};

use js_sys::{Function, Object, Reflect};
use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::span::{Attributes, Id, Record as SpanRecord};
use tracing::subscriber::Interest;
use tracing::{Event, Level, Metadata, Subscriber};
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::wasm_bindgen;

/// Sends Razor's logs to `logger(record)` — or, without one, to the console method of each
/// record's level — filtered by targets like `RUST_LOG` without regexes (e.g. `"info"`,
/// `"razor_core=debug,info"`). A record is `{ level: "error" | "warn" | "info" | "debug" |
/// "trace", target, message, fields }`. Off until called; later calls have no effect (one
/// logger per JS realm).
#[wasm_bindgen(js_name = initLogging)]
pub fn init_logging(filter: Option<String>, logger: Option<Function>) {
    let filter = Filter::parse(filter.as_deref().unwrap_or("info")).unwrap_or_else(|| {
        web_sys::console::warn_1(&"razor: invalid log filter, using \"info\"".into());
        Filter::default()
    });
    if tracing::subscriber::set_global_default(JsLogger { filter }).is_ok() {
        LOGGER.with(|slot| *slot.borrow_mut() = logger);
    }
}

thread_local! {
    /// The application's logger (this realm's only thread holds JS functions).
    static LOGGER: core::cell::RefCell<Option<Function>> = const { core::cell::RefCell::new(None) };
}

/// Which events pass: the level of the longest target prefix that names the event's target
/// (`razor_core=debug` covers `razor_core::channel::worker`), else the default level.
#[derive(Debug, Clone, PartialEq)]
struct Filter {
    default: LevelFilter,
    targets: Vec<(String, LevelFilter)>,
}

impl Default for Filter {
    fn default() -> Self {
        Self {
            default: LevelFilter::INFO,
            targets: Vec::new(),
        }
    }
}

impl Filter {
    /// `level`, `target=level` and `target` (all levels) directives, comma-separated; `None`
    /// if one does not parse. Without a bare level, targets not named log nothing.
    fn parse(text: &str) -> Option<Self> {
        let mut filter = Filter {
            default: LevelFilter::OFF,
            targets: Vec::new(),
        };
        for directive in text.split(',').map(str::trim).filter(|d| !d.is_empty()) {
            match directive.split_once('=') {
                Some((target, level)) => filter
                    .targets
                    .push((target.to_owned(), level.trim().parse().ok()?)),
                None => match directive.parse() {
                    Ok(level) => filter.default = level,
                    // A bare target: everything from it.
                    Err(_) if is_target(directive) => filter
                        .targets
                        .push((directive.to_owned(), LevelFilter::TRACE)),
                    Err(_) => return None,
                },
            }
        }
        Some(filter)
    }

    fn level_for(&self, target: &str) -> LevelFilter {
        self.targets
            .iter()
            .filter(|(prefix, _)| {
                target
                    .strip_prefix(prefix.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with("::"))
            })
            .max_by_key(|(prefix, _)| prefix.len())
            .map_or(self.default, |(_, level)| *level)
    }

    fn max_level(&self) -> LevelFilter {
        self.targets
            .iter()
            .map(|(_, level)| *level)
            .fold(self.default, core::cmp::max)
    }
}

fn is_target(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// The subscriber: events become records (the logger it calls lives in [`LOGGER`]); spans
/// are not kept (the wasm build makes none of its own).
struct JsLogger {
    filter: Filter,
}

/// Span ids handed out (spans of dependencies, if any, are accepted and forgotten).
static NEXT_SPAN: AtomicU64 = AtomicU64::new(1);

impl Subscriber for JsLogger {
    fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
        if self.enabled(metadata) {
            Interest::always()
        } else {
            Interest::never()
        }
    }

    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        *metadata.level() <= self.filter.level_for(metadata.target())
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(self.filter.max_level())
    }

    fn new_span(&self, _span: &Attributes<'_>) -> Id {
        Id::from_u64(NEXT_SPAN.fetch_add(1, Ordering::Relaxed).max(1))
    }

    fn record(&self, _span: &Id, _values: &SpanRecord<'_>) {}

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn enter(&self, _span: &Id) {}

    fn exit(&self, _span: &Id) {}

    fn event(&self, event: &Event<'_>) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse_like_rust_log_without_regexes() {
        let filter = Filter::parse("razor_core=debug, razor_core::channel=trace,warn").unwrap();
        assert_eq!(filter.default, LevelFilter::WARN);
        assert_eq!(filter.level_for("razor_core::runtime"), LevelFilter::DEBUG);
        assert_eq!(
            filter.level_for("razor_core::channel::worker"),
            LevelFilter::TRACE
        );
        assert_eq!(
            filter.level_for("razor_core_other"),
            LevelFilter::WARN,
            "whole segments only"
        );
        assert_eq!(filter.level_for("razor_wasm"), LevelFilter::WARN);
        assert_eq!(filter.max_level(), LevelFilter::TRACE);
        assert_eq!(Filter::parse("info"), Some(Filter::default()));
        assert_eq!(
            Filter::parse("razor_wasm")
                .unwrap()
                .level_for("razor_wasm::api"),
            LevelFilter::TRACE
        );
        assert_eq!(Filter::parse("off").unwrap().max_level(), LevelFilter::OFF);
        assert_eq!(
            Filter::parse("razor_core=debug")
                .unwrap()
                .level_for("razor_wasm"),
            LevelFilter::OFF
        );
        assert_eq!(Filter::parse("razor_core=loud"), None);
        assert_eq!(Filter::parse("not a filter!"), None);
    }
}
