//! The JavaScript `Identity` (identifier, change history, credentials, export, rotation), and
//! the node's methods that create, import and export identities.

use super::promise::promise;
use js_sys::{Array, Object, Promise, Uint8Array};
use razor_core::identity::{Attributes, CredentialAndPurposeKey, Identity as CoreIdentity};
use razor_core::vault::SigningKeyKind;
use wasm_bindgen::prelude::*;

use std::rc::Rc;

use razor_core::vault::{SoftwareVault, Vault};

use super::node::Node;
use super::options::{get, string, verified_history};
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
            let now = unix_now();
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
            let now = unix_now();
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

/// The time for validity checks: the wasm runtime's clock (one home for it).
fn unix_now() -> u64 {
    razor_core::runtime::Runtime::unix_time(&crate::WasmRuntime)
}

/// Identities: created in the node's vault, rotated, imported and exported.
#[wasm_bindgen]
impl Node {
    /// Creates an identity (Ed25519) in this node's vault. With `{ name }` on a node created
    /// with `persist`, the identity is saved under that name and the same identity is
    /// returned on later calls, also after a reload.
    #[wasm_bindgen(js_name = createIdentity, unchecked_return_type = "Promise<Identity>")]
    pub fn create_identity(&self, options: JsValue) -> Promise {
        let node = self.node.clone();
        let webcrypto = self.webcrypto.clone();
        promise(async move {
            let name = get(&options, "name")
                .map(|n| string(&n, "name"))
                .transpose()?;
            let persistent = webcrypto.filter(|v| v.is_persistent());
            if let (Some(name), Some(vault)) = (&name, &persistent)
                && let Some(inner) = vault
                    .load_identity(name, node.vault())
                    .await
                    .map_err(to_js_error)?
            {
                let saved_as = Some((vault.clone(), name.clone()));
                return Ok(Identity { inner, saved_as }.into());
            }
            let inner = CoreIdentity::create(node.vault(), SigningKeyKind::Ed25519, unix_now())
                .await
                .map_err(to_js_error)?;
            let saved_as = match (name, persistent) {
                (Some(name), Some(vault)) => {
                    vault
                        .save_identity(&name, &inner)
                        .await
                        .map_err(to_js_error)?;
                    Some((vault, name))
                }
                _ => None,
            };
            Ok(Identity { inner, saved_as }.into())
        })
    }

    /// The identity sealed in `bytes` (from `identity.export` or `createIdentityExport`),
    /// rotated to a fresh key (`"ed25519"` default, or `"p256"`) and sealed again with the
    /// same secret, without passing through this node's vault: how an identity kept in a
    /// store rotates.
    #[wasm_bindgen(js_name = rotateSealed, unchecked_return_type = "Promise<Uint8Array>")]
    pub fn rotate_sealed(
        &self,
        bytes: Vec<u8>,
        protection: JsValue,
        kind: Option<String>,
    ) -> Promise {
        promise(async move {
            let secret = super::options::Secret::read(&protection)?;
            let kind = super::identity::key_kind(kind.as_deref())?;
            let vault: Rc<dyn Vault> = Rc::new(SoftwareVault::new());
            let identity = CoreIdentity::import_export(vault, &bytes, secret.protection())
                .await
                .map_err(to_js_error)?;
            identity
                .rotate(kind, unix_now())
                .await
                .map_err(to_js_error)?;
            let sealed = identity
                .export(secret.protection())
                .await
                .map_err(to_js_error)?;
            Ok(js_sys::Uint8Array::from(sealed.as_slice()).into())
        })
    }

    /// The identity in `bytes` (from `identity.export`), opened with the same `{ key }` or
    /// `{ passphrase }`; its key goes into this node's vault (non-extractable in a WebCrypto
    /// vault). A wrong key or tampered bytes reject with `DECRYPT`.
    #[wasm_bindgen(js_name = importIdentity, unchecked_return_type = "Promise<Identity>")]
    pub fn import_identity(&self, bytes: Vec<u8>, protection: JsValue) -> Promise {
        let node = self.node.clone();
        promise(async move {
            let secret = super::options::Secret::read(&protection)?;
            let inner = CoreIdentity::import_export(node.vault(), &bytes, secret.protection())
                .await
                .map_err(to_js_error)?;
            Ok(Identity {
                inner,
                saved_as: None,
            }
            .into())
        })
    }

    /// A new identity, sealed with `{ key }` or `{ passphrase }` as `identity.export` does,
    /// never held by this node's vault: for keeping identities in a store (import it with
    /// `importIdentity`).
    #[wasm_bindgen(js_name = createIdentityExport, unchecked_return_type = "Promise<Uint8Array>")]
    pub fn create_identity_export(&self, protection: JsValue) -> Promise {
        promise(async move {
            let secret = super::options::Secret::read(&protection)?;
            let vault: Rc<dyn Vault> = Rc::new(SoftwareVault::new());
            let identity = CoreIdentity::create(vault, SigningKeyKind::Ed25519, unix_now())
                .await
                .map_err(to_js_error)?;
            let bytes = identity
                .export(secret.protection())
                .await
                .map_err(to_js_error)?;
            Ok(js_sys::Uint8Array::from(bytes.as_slice()).into())
        })
    }
}
