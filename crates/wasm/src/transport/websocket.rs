//! WebSocket client on the platform's `WebSocket` (browsers, Deno, Cloudflare Workers): one
//! binary message per BARE `TransportMessage`.
//!
//! The WebSocket API cannot push back on incoming data, so incoming frames queue in a bounded
//! inbox; a peer that outruns the node by [`INBOX_FRAMES`] frames has its connection closed.
//! Outgoing frames wait while the socket's `bufferedAmount` is over [`HIGH_WATER_MARK`].

use std::rc::Rc;

use async_channel::Receiver;
use js_sys::{ArrayBuffer, Uint8Array};
use razor_core::transport::connection::{BareFrames, CloseReason, FrameSink, FrameSource};
use razor_core::transport::{CertificatePins, Dialing, Driver};
use razor_core::{Address, Result, TransportError, TransportType};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{BinaryType, CloseEvent, Event, MessageEvent, WebSocket};

use super::{connect_failed, describe, url};

/// Frames received but not yet routed before the connection is closed as overrun.
pub const INBOX_FRAMES: usize = 1024;
/// Bytes queued in the socket before senders wait.
pub const HIGH_WATER_MARK: u32 = 4 * 1024 * 1024;

/// The WebSocket transport of a JS node: `ws#host:port` or `ws#wss://host/path` hops.
pub type WebSocketTransport = Dialing<WebSocketDriver>;

/// The platform's `WebSocket`; a peer is a `ws://` or `wss://` URL.
pub struct WebSocketDriver;

impl Driver for WebSocketDriver {
    const TRANSPORT_TYPE: TransportType = TransportType::WS;
    type Sink = WsSink;
    type Source = WsSource;
    type Codec = BareFrames;

    fn codec(&self) -> BareFrames {
        BareFrames
    }

    fn peer(&self, address: &Address) -> Result<String> {
        url(address, "ws")
    }

    async fn dial(&self, url: &str, _pins: &CertificatePins) -> Result<(WsSink, WsSource)> {
        let socket = Socket::open(url).await?;
        let sink = WsSink {
            socket: socket.clone(),
        };
        let source = WsSource {
            inbox: socket.inbox.clone(),
            _socket: socket,
        };
        Ok((sink, source))
    }
}

type Inbound = std::result::Result<Vec<u8>, TransportError>;

/// A `WebSocket` and the handlers this module registered on it; dropping the last handle
/// detaches the handlers and closes the socket.
#[derive(Clone)]
struct Socket {
    inner: Rc<SocketInner>,
    inbox: Receiver<Inbound>,
}

struct SocketInner {
    ws: WebSocket,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
    _on_error: Closure<dyn FnMut(Event)>,
}

impl Drop for SocketInner {
    fn drop(&mut self) {
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        self.ws.set_onerror(None);
        self.ws.set_onopen(None);
        let _ = self.ws.close_with_code(1000);
    }
}

impl Socket {
    async fn open(url: &str) -> Result<Self> {
        let ws = WebSocket::new(url).map_err(|e| connect_failed(url, describe(&e)))?;
        ws.set_binary_type(BinaryType::Arraybuffer);
        let (sender, inbox) = async_channel::bounded::<Inbound>(INBOX_FRAMES);
        let (opened_tx, opened) = async_channel::bounded::<std::result::Result<(), String>>(1);

        let on_message = {
            let sender = sender.clone();
            let ws = ws.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                let frame = match event.data().dyn_into::<ArrayBuffer>() {
                    Ok(buffer) => Ok(Uint8Array::new(&buffer).to_vec()),
                    Err(_) => Err(TransportError::Other("text WebSocket message".into())),
                };
                if sender.try_send(frame).is_err() {
                    // The node is not keeping up: fail this connection rather than buffer
                    // without bound.
                    let _ = sender.try_send(Err(TransportError::Other("inbox overrun".into())));
                    sender.close();
                    let _ = ws.close_with_code_and_reason(1008, "overrun");
                }
            })
        };
        let on_close = {
            let sender = sender.clone();
            let opened_tx = opened_tx.clone();
            Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| {
                let _ = opened_tx.try_send(Err(format!("closed with code {}", event.code())));
                sender.close();
            })
        };
        let on_error = {
            let opened_tx = opened_tx.clone();
            Closure::<dyn FnMut(Event)>::new(move |_event: Event| {
                let _ = opened_tx.try_send(Err("connection error".into()));
            })
        };
        let on_open = Closure::once(move |_event: Event| {
            let _ = opened_tx.try_send(Ok(()));
        });
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        ws.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        let socket = Socket {
            inner: Rc::new(SocketInner {
                ws,
                _on_message: on_message,
                _on_close: on_close,
                _on_error: on_error,
            }),
            inbox,
        };
        let outcome = opened.recv().await.unwrap_or_else(|_| Err("closed".into()));
        socket.inner.ws.set_onopen(None);
        drop(on_open);
        outcome.map_err(|reason| connect_failed(url, reason))?;
        Ok(socket)
    }
}

/// Waits until `ws` has sent enough of what it buffered to be under [`HIGH_WATER_MARK`] (or
/// closed). The WebSocket API has no event for that, so this sleeps for as long as the excess
/// should take to drain at the rate seen since the last look (backing off while nothing
/// drains): a fast socket is looked at again soon, a slow one rarely.
async fn drained(ws: &WebSocket) {
    let mut last = (js_sys::Date::now(), ws.buffered_amount());
    let mut delay_ms = 1.0_f64;
    while last.1 > HIGH_WATER_MARK && ws.ready_state() == WebSocket::OPEN {
        gloo_timers::future::sleep(core::time::Duration::from_micros(
            (delay_ms * 1000.0) as u64,
        ))
        .await;
        let now = (js_sys::Date::now(), ws.buffered_amount());
        let drained = f64::from(last.1.saturating_sub(now.1));
        let elapsed = (now.0 - last.0).max(0.1);
        delay_ms = if drained > 0.0 {
            let excess = f64::from(now.1.saturating_sub(HIGH_WATER_MARK));
            (excess / (drained / elapsed)).clamp(0.5, 250.0)
        } else {
            (delay_ms * 2.0).min(250.0)
        };
        last = now;
    }
}

/// The writing half of a WebSocket connection.
pub struct WsSink {
    socket: Socket,
}

impl FrameSink for WsSink {
    async fn send(&mut self, frame: Vec<u8>) -> Result<()> {
        let ws = &self.socket.inner.ws;
        if ws.buffered_amount() > HIGH_WATER_MARK {
            drained(ws).await;
        }
        if ws.ready_state() != WebSocket::OPEN {
            return Err(TransportError::ConnectionClosed.into());
        }
        // Always a JS-owned copy: some runtimes (workerd) read the bytes after `send` returns,
        // when a view into wasm memory may already point at something else, and none promises
        // otherwise. One copy of a frame is small beside sealing it (BENCHMARKS.md).
        ws.send_with_array_buffer_view(&Uint8Array::from(frame.as_slice()))
            .map_err(|e| TransportError::Other(describe(&e)).into())
    }

    async fn close(&mut self, reason: CloseReason) {
        let _ = self
            .socket
            .inner
            .ws
            .close_with_code_and_reason(reason.websocket_code(), reason.text());
    }
}

/// The reading half of a WebSocket connection.
pub struct WsSource {
    inbox: Receiver<Inbound>,
    _socket: Socket,
}

impl FrameSource for WsSource {
    async fn next(&mut self) -> Option<Result<Vec<u8>>> {
        match self.inbox.recv().await.ok()? {
            Ok(frame) => Some(Ok(frame)),
            Err(error) => Some(Err(error.into())),
        }
    }
}
