//! The JavaScript API of identities and secure channels.
//!
//! ```js
//! const identity = await node.createIdentity();
//! node.createSecureChannelListener(identity, "listener", { trust: { identifier: peerId } });
//! const channel = await node.createSecureChannel(identity, "ws#host:4000 => listener",
//!                                                { trust: { identifier: serverId } });
//! const reply = await channel.request("echo", bytes);
//! ```
//! Trust is required: `{ trust: "everyone" }`, `{ trust: { identifier } }`,
//! `{ trust: { identifiers: [...] } }`, `{ trust: { issuer: <authority change history> } }` or
//! `{ trust: { policy: "(= subject.role \"admin\")" } }`. Other options: `suite`
//! (`"ockam-aes-gcm"` default, or `"noise-chachapoly"`), `timeoutMs`, `authorities` (change
//! histories whose credentials to verify).

use core::time::Duration;

use js_sys::{Array, Object, Promise, Reflect, Uint8Array};
use razor_core::abac::Policy;
use razor_core::channel::{
    CipherSuite, SecureChannel as CoreChannel, SecureChannelOptions, TrustPolicy,
};
use razor_core::identity::model::ChangeHistory;
use razor_core::identity::{
    Attributes, CredentialAndPurposeKey, Identifier, Identity as CoreIdentity, VerifiedIdentity,
    verify_change_history,
};
use razor_core::{Error, Route};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::api::{Message, Node};
use crate::to_js_error;

fn invalid(message: impl Into<String>) -> JsValue {
    to_js_error(Error::InvalidArgument(message.into()))
}

fn get(object: &JsValue, key: &str) -> Option<JsValue> {
    if !object.is_object() {
        return None;
    }
    Reflect::get(object, &key.into())
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

fn string(value: &JsValue, what: &str) -> Result<String, JsValue> {
    value
        .as_string()
        .ok_or_else(|| invalid(format!("{what} must be a string")))
}

fn identifier(value: &JsValue) -> Result<Identifier, JsValue> {
    string(value, "identifier")?.parse().map_err(to_js_error)
}

fn verified_history(value: &JsValue) -> Result<VerifiedIdentity, JsValue> {
    let bytes = value
        .dyn_ref::<Uint8Array>()
        .map(Uint8Array::to_vec)
        .ok_or_else(|| invalid("an authority is given as the Uint8Array of its change history"))?;
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

/// Reads `{ trust, suite?, timeoutMs?, authorities? }`.
fn channel_options(options: &JsValue) -> Result<SecureChannelOptions, JsValue> {
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

fn route(text: &str) -> Result<Route, JsValue> {
    text.parse::<Route>().map_err(|e| to_js_error(e.into()))
}

/// An identity whose keys are in this node's vault.
#[wasm_bindgen]
pub struct Identity {
    inner: CoreIdentity,
}

#[wasm_bindgen]
impl Identity {
    /// The identifier, `I` + 64 hex digits.
    #[wasm_bindgen(getter)]
    pub fn identifier(&self) -> String {
        self.inner.identifier().to_string()
    }

    /// The change history (Ockam's binary export format): share it with peers that should
    /// trust this identity as an authority.
    #[wasm_bindgen(js_name = changeHistory)]
    pub fn change_history(&self) -> Vec<u8> {
        self.inner.change_history().encode()
    }

    /// Issues a credential with `attributes` (an object of strings) about the identity whose
    /// change history is `subject`, valid for `ttlSeconds`. Returns the credential bytes.
    #[wasm_bindgen(js_name = issueCredential, unchecked_return_type = "Promise<Uint8Array>")]
    pub fn issue_credential(
        &self,
        subject: Uint8Array,
        attributes: Object,
        ttl_seconds: f64,
    ) -> Promise {
        let issuer = self.inner.clone();
        let subject: JsValue = subject.into();
        let pairs: Vec<(String, String)> = Object::entries(&attributes)
            .iter()
            .filter_map(|entry| {
                let entry = Array::from(&entry);
                Some((entry.get(0).as_string()?, entry.get(1).as_string()?))
            })
            .collect();
        future_to_promise(async move {
            let subject = verified_history(&subject)?;
            let attributes =
                Attributes::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            let now = (js_sys::Date::now() / 1000.0) as u64;
            let ttl = if ttl_seconds.is_finite() && ttl_seconds > 0.0 {
                ttl_seconds as u64
            } else {
                0
            };
            let credential = issuer
                .issue_credential(&subject, attributes, ttl, now)
                .await
                .map_err(to_js_error)?;
            Ok(Uint8Array::from(credential.encode().as_slice()).into())
        })
    }

    /// Presents `credential` (bytes from `issueCredential`) in future handshakes.
    #[wasm_bindgen(js_name = addCredential)]
    pub fn add_credential(&self, credential: &[u8]) -> Result<(), JsValue> {
        let credential =
            CredentialAndPurposeKey::decode(credential).map_err(|e| to_js_error(e.into()))?;
        self.inner.add_credential(credential);
        Ok(())
    }
}

/// An established secure channel.
#[wasm_bindgen]
pub struct SecureChannel {
    inner: CoreChannel,
}

#[wasm_bindgen]
impl SecureChannel {
    /// The local address to route through, e.g. `${channel.address} => echo`.
    #[wasm_bindgen(getter)]
    pub fn address(&self) -> String {
        self.inner.address().to_string()
    }

    /// The authenticated peer's identifier.
    #[wasm_bindgen(getter, js_name = theirIdentifier)]
    pub fn their_identifier(&self) -> String {
        self.inner.their_identifier().to_string()
    }

    /// The peer's verified attributes, as an object of strings.
    #[wasm_bindgen(getter)]
    pub fn attributes(&self) -> Object {
        let object = Object::new();
        for (name, value) in &self.inner.peer().attributes {
            let _ = Reflect::set(&object, &name.into(), &value.into());
        }
        object
    }

    /// Sends `payload` through the channel to `route` on the peer's node and resolves with the
    /// first answer.
    #[wasm_bindgen(unchecked_return_type = "Promise<Message>")]
    pub fn request(&self, route: &str, payload: Vec<u8>, timeout_ms: Option<u32>) -> Promise {
        let channel = self.inner.clone();
        let route = crate::channel_api::route(route);
        future_to_promise(async move {
            let timeout = timeout_ms.map(|ms| Duration::from_millis(ms.into()));
            let reply = channel
                .request(route?, payload, timeout)
                .await
                .map_err(to_js_error)?;
            Ok(Message::from(reply).into())
        })
    }

    /// Sends `payload` through the channel to `route` on the peer's node.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn send(&self, route: &str, payload: Vec<u8>) -> Promise {
        let channel = self.inner.clone();
        let route = crate::channel_api::route(route);
        future_to_promise(async move {
            channel.send(route?, payload).await.map_err(to_js_error)?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Closes the channel on both sides.
    pub fn close(&self) -> Result<(), JsValue> {
        self.inner.close().map_err(to_js_error)
    }
}

#[wasm_bindgen]
impl Node {
    /// Creates an identity (Ed25519) in this node's vault.
    #[wasm_bindgen(js_name = createIdentity, unchecked_return_type = "Promise<Identity>")]
    pub fn create_identity(&self) -> Promise {
        let node = self.core().clone();
        future_to_promise(async move {
            let inner = node.create_identity().await.map_err(to_js_error)?;
            Ok(Identity { inner }.into())
        })
    }

    /// Accepts secure channels for `identity` at `address`; `options` as for
    /// `createSecureChannel` (`trust` is required).
    #[wasm_bindgen(js_name = createSecureChannelListener)]
    pub fn create_secure_channel_listener(
        &self,
        identity: &Identity,
        address: &str,
        options: JsValue,
    ) -> Result<(), JsValue> {
        let options = channel_options(&options)?;
        self.core()
            .create_secure_channel_listener(&identity.inner, address, options)
            .map(drop)
            .map_err(to_js_error)
    }

    /// Opens a secure channel as `identity` to the listener at the end of `route`; resolves
    /// once both sides are authenticated, or rejects with a `RazorError` whose `code` says why
    /// (`TIMEOUT`, `IDENTITY_MISMATCH`, `POLICY_DENIED`, `CREDENTIAL_EXPIRED`, ...).
    #[wasm_bindgen(js_name = createSecureChannel, unchecked_return_type = "Promise<SecureChannel>")]
    pub fn create_secure_channel(
        &self,
        identity: &Identity,
        route: &str,
        options: JsValue,
    ) -> Promise {
        let node = self.core().clone();
        let identity = identity.inner.clone();
        let parsed = crate::channel_api::route(route)
            .and_then(|route| Ok((route, channel_options(&options)?)));
        future_to_promise(async move {
            let (route, options) = parsed?;
            let inner = node
                .create_secure_channel(&identity, route, options)
                .await
                .map_err(to_js_error)?;
            Ok(SecureChannel { inner }.into())
        })
    }
}
