use super::promise::promise;
use js_sys::{Array, Object, Promise, Uint8Array};
use razor_core::identity::{Attributes, CredentialAndPurposeKey, Identity as CoreIdentity};
use razor_core::vault::SigningKeyKind;
use wasm_bindgen::prelude::*;

use super::options::verified_history;
use crate::to_js_error;
use crate::vault::WebCryptoVault;

/// A signing key kind named in JS: `"ed25519"` (the default) or `"p256"`.
pub(crate) fn key_kind(name: Option<&str>) -> Result<SigningKeyKind, JsValue> {
    match name {
        None | Some("ed25519") => Ok(SigningKeyKind::Ed25519),
        Some("p256") => Ok(SigningKeyKind::EcdsaP256),
        Some(other) => Err(super::options::invalid(format!(
            "unknown key kind {other:?} (ed25519 or p256)"
        ))),
    }
}

/// An identity whose keys are in its node's vault; saved again after a rotation when it was
/// created with a name on a persistent node.
#[wasm_bindgen]
pub struct Identity {
    pub(crate) inner: CoreIdentity,
    pub(crate) saved_as: Option<(WebCryptoVault, String)>,
}

#[wasm_bindgen]
impl Identity {
    /// The identifier, `I` + 64 hex digits (stable across rotations).
    #[wasm_bindgen(getter)]
    pub fn identifier(&self) -> String {
        self.inner.identifier().to_string()
    }

    /// The change history (Ockam's binary format): share it with peers that should trust this
    /// identity as an authority, or issue credentials about it.
    #[wasm_bindgen(js_name = changeHistory)]
    pub fn change_history(&self) -> Vec<u8> {
        self.inner.change_history().encode()
    }

    /// The identity and its current key, sealed with `{ key }` (32 random bytes you keep) or
    /// `{ passphrase }`: bytes to keep where the identity must survive (a Worker secret, a
    /// file), for `node.importIdentity`. Fails for keys a WebCrypto vault keeps
    /// non-extractable.
    #[wasm_bindgen(js_name = export, unchecked_return_type = "Promise<Uint8Array>")]
    pub fn export(&self, protection: JsValue) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let secret = super::options::Secret::read(&protection)?;
            let bytes = inner
                .export(secret.protection())
                .await
                .map_err(to_js_error)?;
            Ok(Uint8Array::from(bytes.as_slice()).into())
        })
    }

    /// Rotates to a fresh key (`"ed25519"`, the default, or `"p256"`); the identifier stays.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn rotate(&self, kind: Option<String>) -> Promise {
        let inner = self.inner.clone();
        let saved_as = self.saved_as.clone();
        promise(async move {
            let kind = key_kind(kind.as_deref())?;
            let now = (js_sys::Date::now() / 1000.0) as u64;
            inner.rotate(kind, now).await.map_err(to_js_error)?;
            if let Some((vault, name)) = saved_as {
                vault
                    .save_identity(&name, &inner)
                    .await
                    .map_err(to_js_error)?;
            }
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Issues a credential with `attributes` (an object of strings) about the identity whose
    /// change history is `subject`, valid for `ttlSeconds`. Returns the credential's bytes.
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
        promise(async move {
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
