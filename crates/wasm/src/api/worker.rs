//! Workers written in JavaScript.

use js_sys::{Function, Promise, Uint8Array};
use razor_core::routing::NoticeBudget;
use razor_core::runtime::{Context, Worker};
use razor_core::{Error, LocalMessage, Result};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::Message;

/// Calls a JS function with each message; a `Uint8Array` it returns (or resolves to) is sent
/// back along the message's return route. When the handler throws or rejects, the error is
/// logged here and the sender is answered with a `WORKER_FAILED` notice (without the error's
/// text, which stays on this node); the worker goes on.
pub(crate) struct JsWorker {
    pub(crate) handler: Function,
    pub(crate) notices: NoticeBudget,
}

impl JsWorker {
    pub(crate) fn new(handler: Function) -> Self {
        Self {
            handler,
            notices: NoticeBudget::default(),
        }
    }
}

impl Worker for JsWorker {
    async fn handle_message(&mut self, ctx: &mut Context, message: LocalMessage) -> Result<()> {
        let return_route = message.return_route.clone();
        let failed = message.notice_back(Error::WorkerFailed(ctx.address().clone()).to_notice());
        let result = match self
            .handler
            .call1(&JsValue::NULL, &Message::from(message).into())
        {
            Ok(value) if value.is_instance_of::<Promise>() => {
                JsFuture::from(value.unchecked_into::<Promise>()).await
            }
            other => other,
        };
        match result {
            Ok(reply) if reply.is_instance_of::<Uint8Array>() => {
                ctx.send(return_route, reply.unchecked_into::<Uint8Array>().to_vec())
                    .await
            }
            Ok(_) => Ok(()),
            Err(error) => {
                web_sys::console::error_2(&"razor: a worker's handler threw".into(), &error);
                if let Some(notice) = failed
                    && self.notices.spend(ctx.node().unix_time())
                {
                    let _ = ctx.node().try_route(notice).await;
                }
                Ok(())
            }
        }
    }
}
