//! The relay service's name policy, written in JavaScript (`startRelayService` options).

use js_sys::{Function, Promise, Reflect};
use razor_core::identity::Identifier;
use razor_core::runtime::LocalBoxFuture;
use razor_core::services::RelayNames;
use razor_core::{Error, Result};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::transport::describe;

/// [`RelayNames`] backed by a JS object `{ check(name), random(), claim(name, identifier) }`:
/// `check` throws to refuse a name, `random` returns a fresh name, `claim` resolves to
/// whether `identifier` now owns `name`.
pub(crate) struct JsRelayNames {
    this: JsValue,
    check: Function,
    random: Function,
    claim: Function,
}

impl JsRelayNames {
    pub(crate) fn new(names: JsValue) -> Result<Self> {
        let method = |name: &str| {
            Reflect::get(&names, &name.into())
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok())
                .ok_or_else(|| {
                    Error::InvalidArgument(format!("relay names need a {name}() method"))
                })
        };
        Ok(Self {
            check: method("check")?,
            random: method("random")?,
            claim: method("claim")?,
            this: names,
        })
    }
}

impl RelayNames for JsRelayNames {
    fn check(&self, name: &str) -> Result<()> {
        self.check
            .call1(&self.this, &name.into())
            .map(drop)
            .map_err(|error| Error::InvalidArgument(describe(&error)))
    }

    fn random(&self) -> String {
        self.random
            .call0(&self.this)
            .ok()
            .and_then(|name| name.as_string())
            .unwrap_or_else(razor_core::services::random_name)
    }

    fn claim<'a>(
        &'a self,
        name: &'a str,
        owner: &'a Identifier,
    ) -> LocalBoxFuture<'a, Result<bool>> {
        Box::pin(async move {
            let failed = |error: JsValue| {
                Error::InvalidArgument(format!("relay name claim failed: {}", describe(&error)))
            };
            let mut answer = self
                .claim
                .call2(&self.this, &name.into(), &owner.to_string().into())
                .map_err(failed)?;
            if answer.is_instance_of::<Promise>() {
                answer = JsFuture::from(answer.unchecked_into::<Promise>())
                    .await
                    .map_err(failed)?;
            }
            Ok(answer.as_bool().unwrap_or(false))
        })
    }
}
