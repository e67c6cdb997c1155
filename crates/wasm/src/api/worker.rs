//! Workers written in JavaScript, and the node's methods that start and stop workers and the
//! built-in services (echo, hop).

use js_sys::{Function, Object, Promise, Reflect, Uint8Array};
use razor_core::abac::Policy;
use razor_core::routing::NoticeBudget;
use razor_core::runtime::{Context, Worker};
use razor_core::services::{Echo, Hop};
use razor_core::{Address, Error, LocalMessage, Result, WorkerOptions};
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::Message;
use super::node::Node;
use super::options::{get, invalid, string};
use crate::to_js_error;

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

/// Workers: the built-in services and workers written in JavaScript.
#[wasm_bindgen]
impl Node {
    /// Starts an echo worker at `address`: it answers every message with its payload.
    #[wasm_bindgen(js_name = startEcho)]
    pub fn start_echo(&self, address: &str) -> Result<(), JsValue> {
        self.node.start_worker(address, Echo).map_err(to_js_error)
    }

    /// Starts a routing hop at `address`. `onHop`, if given, is called with
    /// `{ node, onward, returnRoute }` for each message it passes on.
    #[wasm_bindgen(js_name = startHop)]
    pub fn start_hop(&self, address: &str, on_hop: Option<Function>) -> Result<(), JsValue> {
        let hop = match on_hop {
            None => Hop::new(),
            Some(callback) => Hop::observed(move |node, message: &LocalMessage| {
                let event = Object::new();
                let _ = Reflect::set(&event, &"node".into(), &node.into());
                let _ = Reflect::set(
                    &event,
                    &"onward".into(),
                    &message.onward_route.to_string().into(),
                );
                let _ = Reflect::set(
                    &event,
                    &"returnRoute".into(),
                    &message.return_route.to_string().into(),
                );
                let _ = callback.call1(&JsValue::NULL, &event);
            }),
        };
        self.node.start_worker(address, hop).map_err(to_js_error)
    }

    /// Starts a worker at `address` that calls `handler(message)` for each message; a
    /// `Uint8Array` it returns (or resolves to) is sent back as the answer. Options: `policy`,
    /// an ABAC expression (e.g. `(= subject.role "admin")`) a message's secure channel peer
    /// must satisfy — messages that did not come through a secure channel are refused too,
    /// and their senders told `POLICY_DENIED`.
    #[wasm_bindgen(js_name = startWorker)]
    pub fn start_worker(
        &self,
        address: &str,
        handler: Function,
        options: JsValue,
    ) -> Result<(), JsValue> {
        let mut worker_options = WorkerOptions::new(address);
        if let Some(policy) = get(&options, "policy") {
            let policy = Policy::parse(&string(&policy, "policy")?)
                .map_err(|e| invalid(format!("policy: {e}")))?;
            worker_options = worker_options.with_access_control(policy);
        }
        self.node
            .start_worker(worker_options, JsWorker::new(handler))
            .map_err(to_js_error)
    }

    /// Stops the worker at `address`.
    #[wasm_bindgen(js_name = stopWorker)]
    pub fn stop_worker(&self, address: &str) -> Result<(), JsValue> {
        let address: Address = address.parse().map_err(|e| to_js_error(Error::from(e)))?;
        self.node.stop_worker(&address).map_err(to_js_error)
    }
}
