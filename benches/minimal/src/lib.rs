//! The smallest Razor build that does what js-libp2p's Noise bundle does, so that the two can be
//! weighed side by side (`scripts/bench libp2p`, docs/BENCHMARKS.md): identity keys, an XX
//! handshake in which each side proves its identity (change history and purpose-key
//! attestation, verified against the handshake's static key), and the transport cipher. No
//! actor runtime, transports, routing, credentials, policies or JS API: those are what the npm
//! package adds.
#![forbid(unsafe_code)]

use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};
use std::rc::Rc;

use razor_core::channel::session::{Decryptor, Encryptor};
use razor_core::channel::{CipherSuite, handshake};
use razor_core::identity::verify::{verify_change_history, verify_purpose_key};
use razor_core::identity::{Identity, IdentityAndCredentials, PurposePublicKey, SecureChannelKey};
use razor_core::vault::crypto::{RustCrypto, X25519KeyPair};
use razor_core::vault::{CryptoProvider, SigningKeyKind, SoftwareVault, Vault, X25519PublicKey};
use razor_core::{Error, Result};
use wasm_bindgen::prelude::*;

/// Both ends of a channel after a handshake with identity proof: the initiator's sending half
/// and the responder's receiving half.
#[wasm_bindgen]
pub struct MinimalChannel {
    encryptor: Encryptor,
    decryptor: Decryptor,
    initiator: String,
    responder: String,
}

#[wasm_bindgen]
impl MinimalChannel {
    /// Two fresh identities (Ed25519, software vault) run an XX handshake in `suite` (0: Ockam's
    /// AES-GCM suite, 1: Noise ChaChaPoly) at Unix time `now`; each verifies the other's
    /// identity and that it attests the static key the handshake authenticated.
    pub fn handshake(suite: u8, now: f64) -> core::result::Result<MinimalChannel, JsError> {
        let suite = match suite {
            0 => CipherSuite::OckamAes256Gcm,
            _ => CipherSuite::NoiseChaChaPoly,
        };
        Ok(Self::open(suite, now as u64)?)
    }

    /// Encrypts `plaintext` as the initiator: one transport frame.
    pub fn encrypt(&mut self, plaintext: &[u8]) -> core::result::Result<Vec<u8>, JsError> {
        Ok(self.seal(plaintext)?)
    }

    /// Decrypts a frame as the responder.
    pub fn decrypt(&mut self, frame: Vec<u8>) -> core::result::Result<Vec<u8>, JsError> {
        Ok(self.unseal(frame)?)
    }

    /// The initiator's identifier, as the responder verified it.
    #[wasm_bindgen(getter)]
    pub fn initiator(&self) -> String {
        self.initiator.clone()
    }

    /// The responder's identifier, as the initiator verified it.
    #[wasm_bindgen(getter)]
    pub fn responder(&self) -> String {
        self.responder.clone()
    }
}

impl MinimalChannel {
    /// The handshake of [`MinimalChannel::handshake`], with Razor's typed errors.
    pub fn open(suite: CipherSuite, now: u64) -> Result<Self> {
        run_ready(handshake_both(suite, now))
    }

    /// [`MinimalChannel::encrypt`], with Razor's typed errors.
    pub fn seal(&mut self, plaintext: &[u8]) -> Result<Vec<u8>> {
        self.encryptor.encrypt(plaintext)
    }

    /// [`MinimalChannel::decrypt`], with Razor's typed errors.
    pub fn unseal(&mut self, frame: Vec<u8>) -> Result<Vec<u8>> {
        Ok(self.decryptor.decrypt_frame(frame)?.1.into_vec())
    }
}

/// One side's identity, its attested static key and the vault holding both.
struct Party {
    vault: Rc<dyn Vault>,
    identity: Identity,
    key: SecureChannelKey,
}

impl Party {
    async fn new(now: u64) -> Result<Self> {
        let vault: Rc<dyn Vault> = Rc::new(SoftwareVault::new());
        let identity = Identity::create(vault.clone(), SigningKeyKind::Ed25519, now).await?;
        let key = identity.secure_channel_key(now).await?;
        Ok(Self {
            vault,
            identity,
            key,
        })
    }

    fn payload(&self) -> Vec<u8> {
        IdentityAndCredentials {
            change_history: self.identity.change_history(),
            purpose_key_attestation: self.key.attestation.clone(),
            credentials: Vec::new(),
        }
        .encode()
    }
}

/// The peer's payload: its identity, verified, attesting `remote_static`. Returns its identifier.
fn prove(
    crypto: &dyn CryptoProvider,
    payload: &[u8],
    remote_static: &X25519PublicKey,
    now: u64,
) -> Result<String> {
    let presented = IdentityAndCredentials::decode(payload)?;
    let identity = verify_change_history(crypto, presented.change_history)?;
    let attested = verify_purpose_key(crypto, &identity, &presented.purpose_key_attestation, now)?;
    if attested.public_key != PurposePublicKey::SecureChannelStatic(*remote_static) {
        return Err(Error::IdentityMismatch);
    }
    Ok(identity.identifier().to_string())
}

async fn handshake_both(suite: CipherSuite, now: u64) -> Result<MinimalChannel> {
    let crypto = RustCrypto::provider();
    let (alice, bob) = (Party::new(now).await?, Party::new(now).await?);
    let (e_i, e_r) = (X25519KeyPair::generate()?, X25519KeyPair::generate()?);

    let (i, m1) = handshake::initiate(crypto.clone(), suite, alice.key.public, e_i.public_key());
    let r = handshake::respond(crypto.clone(), suite, bob.key.public).read_message_1(&m1)?;
    let ee = e_r.diffie_hellman(r.remote_ephemeral())?;
    let es = bob.vault.x25519(&bob.key.key, r.remote_ephemeral()).await?;
    let (r, m2) = r.write_message_2(e_r.public_key(), ee, es, &bob.payload())?;

    let i = i.read_message_2(&m2)?;
    let ee = e_i.diffie_hellman(i.remote_ephemeral())?;
    let i = i.mix_ee(ee)?;
    let es = e_i.diffie_hellman(i.remote_static())?;
    let remote_static = *i.remote_static();
    let (i, bob_payload) = i.mix_es(es)?;
    let responder = prove(crypto.as_ref(), &bob_payload, &remote_static, now)?;
    let se = alice
        .vault
        .x25519(&alice.key.key, i.remote_ephemeral())
        .await?;
    let (m3, initiator_keys) = i.write_message_3(se, &alice.payload())?;

    let r = r.read_message_3(&m3)?;
    let se = e_r.diffie_hellman(r.remote_static())?;
    let remote_static = *r.remote_static();
    let (responder_keys, alice_payload) = r.mix_se(se)?;
    let initiator = prove(crypto.as_ref(), &alice_payload, &remote_static, now)?;

    Ok(MinimalChannel {
        encryptor: Encryptor::new(crypto.clone(), suite, &initiator_keys.send_key),
        decryptor: Decryptor::new(crypto, suite, &responder_keys.receive_key),
        initiator,
        responder,
    })
}

/// Runs a future that is ready at once (the software vault does not wait), without an executor.
fn run_ready<T>(future: impl Future<Output = Result<T>>) -> Result<T> {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(result) => result,
        Poll::Pending => Err(Error::Crypto("the software vault unexpectedly waited")),
    }
}
