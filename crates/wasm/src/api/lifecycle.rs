//! How ends, traffic, node events and aborts cross to JavaScript.

use core::future::Future;

use js_sys::{Object, Reflect};
use razor_core::runtime::{CloseCause, NodeEvent, Traffic};
use razor_core::{Error, Result};
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use crate::to_js_error;
use crate::transport::describe;

pub(crate) fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (key, value) in fields {
        let _ = Reflect::set(&object, &(*key).into(), value);
    }
    object.into()
}

/// `{ reason: "local" | "peer" | "connection-lost" | "failed" | "shutdown", error? }`, the
/// error a `RazorError` for `failed`.
pub(crate) fn close_info(cause: &CloseCause) -> JsValue {
    let mut fields = vec![("reason", cause.name().into())];
    if let Some(error) = cause.error() {
        fields.push(("error", to_js_error(error.clone())));
    }
    object(&fields)
}

/// `{ messagesSent, bytesSent, messagesReceived, bytesReceived }`.
pub(crate) fn traffic(traffic: Traffic) -> JsValue {
    object(&[
        ("messagesSent", (traffic.messages_sent as f64).into()),
        ("bytesSent", (traffic.bytes_sent as f64).into()),
        (
            "messagesReceived",
            (traffic.messages_received as f64).into(),
        ),
        ("bytesReceived", (traffic.bytes_received as f64).into()),
    ])
}

/// A node event as a JS object with a `type`: `connectionopen` (`address`, `peer`),
/// `connectionclose` (`address`, `reason`, `error?`), `channelopen` (`address`, `peer`),
/// `channelclose` (`address`, `peer`, `reason`, `error?`), `reconnecting` (`peer`,
/// `attempt`, `delayMs`).
pub(crate) fn node_event(event: &NodeEvent) -> JsValue {
    let with_cause = |mut fields: Vec<(&'static str, JsValue)>, cause: &CloseCause| {
        fields.push(("reason", cause.name().into()));
        if let Some(error) = cause.error() {
            fields.push(("error", to_js_error(error.clone())));
        }
        object(&fields)
    };
    match event {
        NodeEvent::ConnectionOpened { address, peer } => object(&[
            ("type", "connectionopen".into()),
            ("address", address.to_string().into()),
            ("peer", peer.as_str().into()),
        ]),
        NodeEvent::ConnectionClosed { address, cause } => with_cause(
            vec![
                ("type", "connectionclose".into()),
                ("address", address.to_string().into()),
            ],
            cause,
        ),
        NodeEvent::ChannelEstablished { address, peer } => object(&[
            ("type", "channelopen".into()),
            ("address", address.to_string().into()),
            ("peer", peer.to_string().into()),
        ]),
        NodeEvent::ChannelClosed {
            address,
            peer,
            cause,
        } => with_cause(
            vec![
                ("type", "channelclose".into()),
                ("address", address.to_string().into()),
                ("peer", peer.to_string().into()),
            ],
            cause,
        ),
        NodeEvent::Reconnecting {
            peer,
            attempt,
            delay,
        } => object(&[
            ("type", "reconnecting".into()),
            ("peer", peer.as_str().into()),
            ("attempt", (*attempt).into()),
            ("delayMs", (delay.as_millis() as f64).into()),
        ]),
        _ => object(&[("type", "other".into())]),
    }
}

fn aborted(signal: &AbortSignal) -> Error {
    Error::Aborted(describe(&signal.reason()))
}

/// Runs `work` until it completes or `signal` aborts (then `work` is dropped, which cancels
/// it, and the result is `ABORTED`). Without a signal, just `work`.
pub(crate) async fn abortable<T>(
    signal: Option<AbortSignal>,
    work: impl Future<Output = Result<T>>,
) -> Result<T> {
    let Some(signal) = signal else {
        return work.await;
    };
    if signal.aborted() {
        return Err(aborted(&signal));
    }
    let (fired, abort) = async_channel::bounded::<()>(1);
    let on_abort = Closure::<dyn FnMut()>::new(move || {
        let _ = fired.try_send(());
    });
    let listening = signal
        .add_event_listener_with_callback("abort", on_abort.as_ref().unchecked_ref())
        .is_ok();
    let outcome = futures_lite::future::or(work, async {
        if !listening {
            return core::future::pending().await;
        }
        let _ = abort.recv().await;
        Err(aborted(&signal))
    })
    .await;
    let _ = signal.remove_event_listener_with_callback("abort", on_abort.as_ref().unchecked_ref());
    outcome
}

/// An optional `AbortSignal` argument from JS (`undefined`, `null` or a signal).
pub(crate) fn signal(value: &JsValue) -> core::result::Result<Option<AbortSignal>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value
        .dyn_ref::<AbortSignal>()
        .cloned()
        .map(Some)
        .ok_or_else(|| {
            to_js_error(Error::InvalidArgument(
                "signal must be an AbortSignal".into(),
            ))
        })
}
