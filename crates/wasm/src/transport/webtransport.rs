//! WebTransport client on the browser's `WebTransport`, with hand-written bindings (web-sys
//! gates them behind an unstable cfg). One bidirectional stream per session, `u32` big-endian
//! length + BARE `TransportMessage` frames. Servers with self-signed certificates are reached
//! by pinning the certificate's SHA-256 (`serverCertificateHashes`).

use std::rc::Rc;

use js_sys::{Array, Object, Promise, Reflect, Uint8Array};
use razor_core::transport::connection::{BareFrames, CloseReason, FrameSink, FrameSource};
use razor_core::transport::framing::{LengthPrefixedDecoder, MAX_FRAME_LEN, length_prefixed};
use razor_core::transport::{CertificatePins, Dialing, Driver};
use razor_core::{Address, Error, Result, TransportError, TransportType};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{ReadableStreamDefaultReader, WritableStreamDefaultWriter};

use super::{connect_failed, describe, url};

#[wasm_bindgen]
extern "C" {
    /// The browser's `WebTransport` session.
    type JsWebTransport;

    #[wasm_bindgen(constructor, js_class = "WebTransport", catch)]
    fn new(url: &str, options: &JsValue) -> std::result::Result<JsWebTransport, JsValue>;

    #[wasm_bindgen(method, getter)]
    fn ready(this: &JsWebTransport) -> Promise;

    #[wasm_bindgen(method, js_name = createBidirectionalStream)]
    fn create_bidirectional_stream(this: &JsWebTransport) -> Promise;

    #[wasm_bindgen(method)]
    fn close(this: &JsWebTransport);
}

/// The WebTransport transport of a JS node: `wt#host:port` hops to servers whose certificate
/// hash was [pinned](Dialing::pin_certificate) (or with a publicly trusted certificate).
pub type WebTransportTransport = Dialing<WebTransportDriver>;

/// The browser's `WebTransport`; a peer is an `https://` URL.
pub struct WebTransportDriver;

impl Driver for WebTransportDriver {
    const TRANSPORT_TYPE: TransportType = TransportType::WT;
    type Sink = WtSink;
    type Source = WtSource;
    type Codec = BareFrames;

    fn codec(&self) -> BareFrames {
        BareFrames
    }

    fn peer(&self, address: &Address) -> Result<String> {
        url(address, "https")
    }

    /// Opens a session to `url` and a bidirectional stream on it.
    async fn dial(&self, url: &str, pins: &CertificatePins) -> Result<(WtSink, WtSource)> {
        if Reflect::get(&js_sys::global(), &"WebTransport".into())
            .map_or(true, |v| v.is_undefined())
        {
            return Err(connect_failed(
                url,
                "WebTransport is not available in this runtime",
            ));
        }
        let (options, pinned) = options(url, pins);
        let session =
            JsWebTransport::new(url, &options).map_err(|e| connect_failed(url, describe(&e)))?;
        let session = Rc::new(Session(session));
        JsFuture::from(session.0.ready())
            .await
            .map_err(|e| handshake_failed(url, &e, pinned))?;
        let stream = JsFuture::from(session.0.create_bidirectional_stream())
            .await
            .map_err(|e| connect_failed(url, describe(&e)))?;
        let readable = Reflect::get(&stream, &"readable".into())
            .map_err(|e| connect_failed(url, describe(&e)))?;
        let writable = Reflect::get(&stream, &"writable".into())
            .map_err(|e| connect_failed(url, describe(&e)))?;
        let reader: ReadableStreamDefaultReader = readable
            .unchecked_into::<web_sys::ReadableStream>()
            .get_reader()
            .unchecked_into();
        let writer = writable
            .unchecked_into::<web_sys::WritableStream>()
            .get_writer()
            .map_err(|e| connect_failed(url, describe(&e)))?;
        let sink = WtSink {
            writer,
            session: session.clone(),
        };
        let source = WtSource {
            reader,
            decoder: LengthPrefixedDecoder::new(MAX_FRAME_LEN),
            _session: session,
        };
        Ok((sink, source))
    }
}

/// The `WebTransport` options for `url` (the pinned certificate hash of its host, if any) and
/// whether a hash was pinned.
fn options(url: &str, pins: &CertificatePins) -> (JsValue, bool) {
    let options = Object::new();
    let host = url
        .split("://")
        .nth(1)
        .unwrap_or_default()
        .trim_end_matches('/');
    let host = host.split('/').next().unwrap_or_default();
    let pinned = pins.get(host);
    if let Some(hash) = pinned {
        let entry = Object::new();
        let _ = Reflect::set(&entry, &"algorithm".into(), &"sha-256".into());
        let _ = Reflect::set(&entry, &"value".into(), &Uint8Array::from(&hash[..]));
        let _ = Reflect::set(
            &options,
            &"serverCertificateHashes".into(),
            &Array::of1(&entry),
        );
    }
    (options.into(), pinned.is_some())
}

/// The error for a session whose `ready` promise rejected. Browsers fail a certificate that
/// does not match the pinned hash like any other opening handshake (a `WebTransportError`
/// from the session, by design: a page must not learn why), so this is always
/// `CONNECT_FAILED`; when a hash was pinned for the server the reason says it may not match.
fn handshake_failed(url: &str, error: &JsValue, pinned: bool) -> Error {
    let reason = describe(error);
    if pinned {
        connect_failed(
            url,
            format!("{reason} (or the certificate does not match the pinned hash)"),
        )
    } else {
        connect_failed(url, reason)
    }
}

/// Closes the session when the last half of the connection is dropped.
struct Session(JsWebTransport);

impl Drop for Session {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// The writing half of a WebTransport connection.
pub struct WtSink {
    writer: WritableStreamDefaultWriter,
    session: Rc<Session>,
}

impl FrameSink for WtSink {
    async fn send(&mut self, frame: Vec<u8>) -> Result<()> {
        let closed = |_| Error::from(TransportError::ConnectionClosed);
        // `ready` resolves when the stream wants more: backpressure from the network.
        JsFuture::from(self.writer.ready()).await.map_err(closed)?;
        let chunk = Uint8Array::from(length_prefixed(&frame).as_slice());
        JsFuture::from(self.writer.write_with_chunk(&chunk))
            .await
            .map_err(closed)?;
        Ok(())
    }

    async fn close(&mut self, _reason: CloseReason) {
        let _ = JsFuture::from(self.writer.close()).await;
        self.session.0.close();
    }
}

/// The reading half of a WebTransport connection.
pub struct WtSource {
    reader: ReadableStreamDefaultReader,
    decoder: LengthPrefixedDecoder,
    _session: Rc<Session>,
}

impl FrameSource for WtSource {
    async fn next(&mut self) -> Option<Result<Vec<u8>>> {
        loop {
            match self.decoder.next_frame() {
                Ok(Some(frame)) => return Some(Ok(frame)),
                Ok(None) => {}
                Err(error) => return Some(Err(error.into())),
            }
            let chunk = JsFuture::from(self.reader.read()).await.ok()?;
            if Reflect::get(&chunk, &"done".into())
                .ok()?
                .as_bool()
                .unwrap_or(true)
            {
                return None;
            }
            let value = Reflect::get(&chunk, &"value".into()).ok()?;
            self.decoder.push(&Uint8Array::new(&value).to_vec());
        }
    }
}
