//! Portals from JavaScript: one portal connection through a secure channel to an outlet (an
//! Ockam TCP outlet, or a Razor node's), as `read`/`write`/`close` that the TS layer wraps in
//! a WHATWG `ReadableStream`/`WritableStream` pair.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use super::promise::promise;
use async_channel::{Receiver, Sender};
use js_sys::{Promise, Uint8Array};
use razor_core::services::portal::{PortalConnection, PortalEnd, PortalRead, PortalWrite};
use razor_core::{Address, Error, Result, Route};
use wasm_bindgen::prelude::*;

use crate::to_js_error;

/// Chunks waiting each way before `write` (or the peer) waits: backpressure.
const QUEUE: usize = 16;

/// What JS writes, read by the portal (an empty read is the end: `close()` was called).
struct FromJs(Receiver<Vec<u8>>);

impl PortalRead for FromJs {
    async fn read(&mut self) -> Result<Vec<u8>> {
        Ok(self.0.recv().await.unwrap_or_default())
    }
}

/// What the portal received, for JS to read.
struct ToJs(Sender<Vec<u8>>);

impl PortalWrite for ToJs {
    async fn write(&mut self, bytes: &[u8]) -> Result<()> {
        self.0
            .send(bytes.to_vec())
            .await
            .map_err(|_| Error::ChannelClosed)
    }

    async fn close(&mut self) {
        self.0.close();
    }
}

/// One open portal connection.
#[wasm_bindgen]
pub struct Portal {
    uplink: RefCell<Option<Sender<Vec<u8>>>>,
    downlink: Receiver<Vec<u8>>,
    ended: Receiver<()>,
    end: Rc<RefCell<Option<std::result::Result<PortalEnd, Error>>>>,
    peer: String,
}

impl Portal {
    /// Opens a portal connection to the outlet at `outlet` on the peer's node of `channel`.
    pub(crate) async fn open(
        channel: &razor_core::channel::SecureChannel,
        outlet: &str,
        timeout: Duration,
    ) -> Result<Portal> {
        let route = Route::from_hops([channel.address().clone(), Address::from(outlet)]);
        let connection = PortalConnection::connect(channel.node(), route, timeout).await?;
        let peer = connection
            .peer_identifier()
            .map(|id| id.to_string())
            .unwrap_or_default();
        let (uplink, from_js) = async_channel::bounded(QUEUE);
        let (to_js, downlink) = async_channel::bounded(QUEUE);
        let (done, ended) = async_channel::bounded::<()>(1);
        let end = Rc::new(RefCell::new(None));
        let record = end.clone();
        channel.node().spawn(async move {
            let result = connection.run(FromJs(from_js), ToJs(to_js)).await;
            *record.borrow_mut() = Some(result);
            done.close();
        });
        Ok(Portal {
            uplink: RefCell::new(Some(uplink)),
            downlink,
            ended,
            end,
            peer,
        })
    }
}

#[wasm_bindgen]
impl Portal {
    /// The identifier the channel under this portal authenticated.
    #[wasm_bindgen(getter, js_name = peerIdentifier)]
    pub fn peer_identifier(&self) -> String {
        self.peer.clone()
    }

    /// The next bytes from the other side; `undefined` once it disconnected (or after `close`).
    #[wasm_bindgen(unchecked_return_type = "Promise<Uint8Array | undefined>")]
    pub fn read(&self) -> Promise {
        let downlink = self.downlink.clone();
        promise(async move {
            Ok(match downlink.recv().await {
                Ok(bytes) => Uint8Array::from(bytes.as_slice()).into(),
                Err(_) => JsValue::UNDEFINED,
            })
        })
    }

    /// Sends `bytes` to the other side; waits while 16 chunks are queued. Rejects with
    /// `CHANNEL_CLOSED` once the connection ended.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn write(&self, bytes: Vec<u8>) -> Promise {
        let uplink = self.uplink.borrow().clone();
        promise(async move {
            let uplink = uplink.ok_or_else(|| to_js_error(Error::ChannelClosed))?;
            uplink
                .send(bytes)
                .await
                .map_err(|_| to_js_error(Error::ChannelClosed))?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Ends the connection: the other side is told (its TCP connection closes), nothing more
    /// arrives. Resolves once it ended; closing again resolves at once.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn close(&self) -> Promise {
        if let Some(uplink) = self.uplink.borrow_mut().take() {
            uplink.close();
        }
        let ended = self.ended.clone();
        promise(async move {
            let _ = ended.recv().await;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Settles when the connection ended: with `"local"` (closed here), `"remote"` (the other
    /// side disconnected) or `"channel-closed"`; rejects with the error if it failed.
    #[wasm_bindgen(unchecked_return_type = "Promise<\"local\" | \"remote\" | \"channel-closed\">")]
    pub fn closed(&self) -> Promise {
        let ended = self.ended.clone();
        let end = self.end.clone();
        promise(async move {
            let _ = ended.recv().await;
            let end = end.borrow().clone();
            match end {
                Some(Ok(PortalEnd::Local)) | None => Ok("local".into()),
                Some(Ok(PortalEnd::Remote)) => Ok("remote".into()),
                Some(Ok(PortalEnd::ChannelClosed)) => Ok("channel-closed".into()),
                Some(Err(error)) => Err(to_js_error(error)),
            }
        })
    }
}
