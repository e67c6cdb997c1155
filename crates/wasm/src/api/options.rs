//! Reading options objects and arguments from JavaScript, with typed errors.

use core::time::Duration;

use js_sys::{Array, Reflect, Uint8Array};
use razor_core::abac::Policy;
use razor_core::channel::{CipherSuite, SecureChannelOptions, TrustPolicy};
use razor_core::identity::model::ChangeHistory;
use razor_core::identity::{Identifier, VerifiedIdentity, verify_change_history};
use razor_core::{Error, Route};
use wasm_bindgen::{JsCast, JsValue};

use crate::to_js_error;

/// An `INVALID_ARGUMENT` error.
pub(crate) fn invalid(message: impl Into<String>) -> JsValue {
    to_js_error(Error::InvalidArgument(message.into()))
}

/// `object[key]`, or `None` when absent, `undefined` or `null`.
pub(crate) fn get(object: &JsValue, key: &str) -> Option<JsValue> {
    if !object.is_object() {
        return None;
    }
    Reflect::get(object, &key.into())
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

pub(crate) fn string(value: &JsValue, what: &str) -> Result<String, JsValue> {
    value
        .as_string()
        .ok_or_else(|| invalid(format!("{what} must be a string")))
}

pub(crate) fn route(text: &str) -> Result<Route, JsValue> {
    text.parse::<Route>().map_err(|e| to_js_error(e.into()))
}

pub(crate) fn timeout(ms: Option<u32>) -> Option<Duration> {
    ms.map(|ms| Duration::from_millis(ms.into()))
}

fn identifier(value: &JsValue) -> Result<Identifier, JsValue> {
    string(value, "identifier")?.parse().map_err(to_js_error)
}

/// A change history given as bytes, verified.
pub(crate) fn verified_history(value: &JsValue) -> Result<VerifiedIdentity, JsValue> {
    let bytes = value
        .dyn_ref::<Uint8Array>()
        .map(Uint8Array::to_vec)
        .ok_or_else(|| invalid("an identity is given as the Uint8Array of its change history"))?;
    let history = ChangeHistory::decode(&bytes).map_err(|e| to_js_error(e.into()))?;
    verify_change_history(history).map_err(to_js_error)
}

fn trust_policy(trust: &JsValue) -> Result<TrustPolicy, JsValue> {
    if trust.as_string().as_deref() == Some("everyone") {
        return Ok(TrustPolicy::TrustEveryone);
    }
    if let Some(id) = get(trust, "identifier") {
        return Ok(TrustPolicy::TrustIdentifier(identifier(&id)?));
    }
    if let Some(ids) = get(trust, "identifiers") {
        let ids = ids
            .dyn_into::<Array>()
            .map_err(|_| invalid("trust.identifiers must be an array"))?;
        return Ok(TrustPolicy::TrustMultiIdentifiers(
            ids.iter()
                .map(|id| identifier(&id))
                .collect::<Result<_, _>>()?,
        ));
    }
    if let Some(issuer) = get(trust, "issuer") {
        return Ok(TrustPolicy::TrustIssuer(verified_history(&issuer)?));
    }
    if let Some(policy) = get(trust, "policy") {
        let policy = Policy::parse(&string(&policy, "trust.policy")?)
            .map_err(|e| invalid(format!("trust.policy: {e}")))?;
        return Ok(TrustPolicy::TrustPolicy(policy));
    }
    Err(invalid(
        "trust must be \"everyone\" or { identifier | identifiers | issuer | policy }",
    ))
}

/// Reads `{ trust, suite?, timeoutMs?, authorities? }`; `trust` is required.
pub(crate) fn channel_options(options: &JsValue) -> Result<SecureChannelOptions, JsValue> {
    let trust = get(options, "trust").ok_or_else(|| {
        invalid("options.trust is required (use { trust: \"everyone\" } to accept any peer)")
    })?;
    let mut result = SecureChannelOptions::new(trust_policy(&trust)?);
    if let Some(suite) = get(options, "suite") {
        let name = string(&suite, "suite")?;
        let suite = CipherSuite::from_name(&name).ok_or_else(|| {
            invalid(format!(
                "unknown suite {name:?} (ockam-aes-gcm or noise-chachapoly)"
            ))
        })?;
        result = result.with_suite(suite);
    }
    if let Some(ms) = get(options, "timeoutMs") {
        let ms = ms
            .as_f64()
            .filter(|ms| *ms > 0.0)
            .ok_or_else(|| invalid("timeoutMs must be a positive number"))?;
        result = result.with_timeout(Duration::from_millis(ms as u64));
    }
    if let Some(authorities) = get(options, "authorities") {
        let authorities = authorities
            .dyn_into::<Array>()
            .map_err(|_| invalid("authorities must be an array"))?;
        for authority in authorities.iter() {
            result = result.with_authority(verified_history(&authority)?);
        }
    }
    Ok(result)
}
