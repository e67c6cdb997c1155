//! Reading options objects and arguments from JavaScript, with typed errors.

use core::time::Duration;

use js_sys::{Array, Reflect, Uint8Array};
use razor_core::abac::Policy;
use razor_core::channel::{ChannelEvent, CipherSuite, SecureChannelOptions, TrustPolicy};
use razor_core::identity::model::ChangeHistory;
use razor_core::identity::{Identifier, Protection, VerifiedIdentity, verify_change_history};
use razor_core::vault::crypto::RustCrypto;
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
    verify_change_history(&RustCrypto, history).map_err(to_js_error)
}

pub(crate) fn trust_policy(trust: &JsValue) -> Result<TrustPolicy, JsValue> {
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

/// Reads `{ trust, suite?, timeoutMs?, maxHandshakes?, maxChannels?, onEvent?, authorities? }`;
/// `trust` is required.
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
    for (name, apply) in [
        (
            "maxHandshakes",
            SecureChannelOptions::with_max_handshakes as fn(_, _) -> _,
        ),
        ("maxChannels", SecureChannelOptions::with_max_channels),
    ] {
        if let Some(max) = get(options, name) {
            let max = max
                .as_f64()
                .filter(|n| *n >= 1.0 && n.fract() == 0.0)
                .ok_or_else(|| invalid(format!("{name} must be a positive whole number")))?;
            result = apply(result, max as usize);
        }
    }
    if let Some(callback) = get(options, "onEvent") {
        let callback: js_sys::Function = callback
            .dyn_into()
            .map_err(|_| invalid("onEvent must be a function"))?;
        result = result.with_observer(move |event| {
            let _ = callback.call1(&JsValue::NULL, &channel_event(event));
        });
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

/// `{ key: Uint8Array(32) }` or `{ passphrase: string }`, read from JS; zeroized on drop.
pub(crate) enum Secret {
    Key(zeroize::Zeroizing<[u8; 32]>),
    Passphrase(zeroize::Zeroizing<String>),
}

impl Secret {
    pub(crate) fn read(options: &JsValue) -> Result<Self, JsValue> {
        if let Some(key) = get(options, "key") {
            let bytes = zeroize::Zeroizing::new(
                key.dyn_ref::<Uint8Array>()
                    .map(Uint8Array::to_vec)
                    .ok_or_else(|| invalid("key must be a Uint8Array of 32 bytes"))?,
            );
            let key: [u8; 32] = bytes
                .as_slice()
                .try_into()
                .map_err(|_| invalid("key must be 32 bytes"))?;
            return Ok(Secret::Key(zeroize::Zeroizing::new(key)));
        }
        if let Some(passphrase) = get(options, "passphrase") {
            let passphrase = zeroize::Zeroizing::new(string(&passphrase, "passphrase")?);
            if passphrase.is_empty() {
                return Err(invalid("passphrase must not be empty"));
            }
            return Ok(Secret::Passphrase(passphrase));
        }
        Err(invalid(
            "give { key: Uint8Array(32) } or { passphrase: string }",
        ))
    }

    pub(crate) fn protection(&self) -> Protection<'_> {
        match self {
            Secret::Key(key) => Protection::Key(key),
            Secret::Passphrase(passphrase) => Protection::Passphrase(passphrase),
        }
    }
}

/// A channel event as a JS object: `{ type: "sent" | "received", number, bytes }`,
/// `{ type: "verified", identifier }` or `{ type: "failed", code }`.
fn channel_event(event: &ChannelEvent) -> JsValue {
    let object = js_sys::Object::new();
    let set = |key: &str, value: JsValue| {
        let _ = Reflect::set(&object, &key.into(), &value);
    };
    match event {
        ChannelEvent::HandshakeSent { number, bytes } => {
            set("type", "sent".into());
            set("number", (*number).into());
            set("bytes", (*bytes as u32).into());
        }
        ChannelEvent::HandshakeReceived { number, bytes } => {
            set("type", "received".into());
            set("number", (*number).into());
            set("bytes", (*bytes as u32).into());
        }
        ChannelEvent::PeerVerified { identifier } => {
            set("type", "verified".into());
            set("identifier", identifier.to_string().into());
        }
        ChannelEvent::Failed { code } => {
            set("type", "failed".into());
            set("code", (*code).into());
        }
        _ => set("type", "other".into()),
    }
    object.into()
}
