//! The Noise `XX` handshake as a sans-IO state machine: bytes in, bytes out, no async, no IO.
//!
//! ```text
//!  -> e
//!  <- e, ee, s, es
//!  -> s, se
//! ```
//! Each state is a type, consumed by its transition, so steps cannot be taken out of order and
//! a failed step leaves nothing to misuse. Every primitive comes from the node's
//! [`CryptoProvider`], ephemeral keys included (tests give it scripted randomness to reproduce
//! vectors); the one Diffie-Hellman with each side's *static* key is done by the caller through
//! its vault (where the static key may be non-extractable) and handed in as a
//! [`SharedSecret`]: the responder's `es` before message 2, the initiator's `se` before
//! message 3.
//!
//! Payloads (the identity, purpose key attestation and credentials) are opaque here; the
//! caller verifies the peer's payload before sending message 3 (initiator) or accepting the
//! channel (responder).

mod symmetric;

use std::rc::Rc;

use zeroize::Zeroizing;

use self::symmetric::SymmetricState;
use super::CipherSuite;
use crate::error::{Error, Result};
use crate::vault::provider::{CryptoProvider, TAG_LEN, random};
use crate::vault::{SharedSecret, X25519PublicKey};

/// This side's ephemeral X25519 key for one handshake (zeroized when dropped).
struct Ephemeral {
    secret: Zeroizing<[u8; 32]>,
    public: X25519PublicKey,
}

impl Ephemeral {
    fn generate(crypto: &dyn CryptoProvider) -> Result<Self> {
        let secret = random::<32>(crypto)?;
        let public = crypto.x25519_public(&secret);
        Ok(Self { secret, public })
    }

    fn diffie_hellman(
        &self,
        crypto: &dyn CryptoProvider,
        peer: &X25519PublicKey,
    ) -> Result<SharedSecret> {
        crypto.x25519(&self.secret, peer)
    }
}

/// Largest handshake message accepted or produced (Ockam's limit).
pub const MAX_HANDSHAKE_MESSAGE_LEN: usize = 65_535;
const DH_LEN: usize = 32;

/// What the handshake produced: the peer's static key, its payload, and the transport keys.
pub struct HandshakeResult {
    /// The peer's static X25519 key, authenticated by the handshake.
    pub remote_static: X25519PublicKey,
    /// Key for messages this side sends.
    pub send_key: Zeroizing<[u8; 32]>,
    /// Key for messages this side receives.
    pub receive_key: Zeroizing<[u8; 32]>,
    /// The final handshake hash (identical on both sides).
    pub handshake_hash: [u8; 32],
}

impl core::fmt::Debug for HandshakeResult {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("HandshakeResult")
            .field("remote_static", &self.remote_static)
            .finish_non_exhaustive()
    }
}

fn check_len(message: &[u8], min: usize) -> Result<()> {
    if message.len() > MAX_HANDSHAKE_MESSAGE_LEN {
        return Err(Error::Handshake("handshake message too long"));
    }
    if message.len() < min {
        return Err(Error::Handshake("handshake message too short"));
    }
    Ok(())
}

fn public_key(bytes: &[u8]) -> Result<X25519PublicKey> {
    let bytes: [u8; DH_LEN] = bytes
        .try_into()
        .map_err(|_| Error::Handshake("bad public key length"))?;
    Ok(X25519PublicKey(bytes))
}

fn split_at(message: &[u8], at: usize) -> Result<(&[u8], &[u8])> {
    message
        .split_at_checked(at)
        .ok_or(Error::Handshake("handshake message too short"))
}

fn finish(
    state: SymmetricState,
    suite: CipherSuite,
    initiator: bool,
    remote_static: X25519PublicKey,
) -> Result<HandshakeResult> {
    let (first, second, handshake_hash) = state.split()?;
    let initiator_key_is_second = suite.initiator_sends_with_second_key();
    let (initiator_send, responder_send) = if initiator_key_is_second {
        (second, first)
    } else {
        (first, second)
    };
    let (send_key, receive_key) = if initiator {
        (initiator_send, responder_send)
    } else {
        (responder_send, initiator_send)
    };
    Ok(HandshakeResult {
        remote_static,
        send_key,
        receive_key,
        handshake_hash,
    })
}

/// Starts a handshake as initiator on `crypto`: returns message 1 and the state waiting for
/// message 2. `local_static` is this side's static public key (its secret stays in the
/// vault).
pub fn initiate(
    crypto: Rc<dyn CryptoProvider>,
    suite: CipherSuite,
    local_static: X25519PublicKey,
) -> Result<(InitiatorAwaitingMessage2, Vec<u8>)> {
    let ephemeral = Ephemeral::generate(crypto.as_ref())?;
    let mut state = SymmetricState::new(crypto, suite);
    let e = ephemeral.public;
    state.mix_hash(&e.0);
    state.mix_hash(&[]); // the empty payload of message 1
    let message = e.0.to_vec();
    Ok((
        InitiatorAwaitingMessage2 {
            suite,
            state,
            local_static,
            ephemeral,
        },
        message,
    ))
}

/// Initiator, message 1 sent.
pub struct InitiatorAwaitingMessage2 {
    suite: CipherSuite,
    state: SymmetricState,
    local_static: X25519PublicKey,
    ephemeral: Ephemeral,
}

impl InitiatorAwaitingMessage2 {
    /// Reads message 2 (`e, ee, s, es` + payload) and returns the responder's payload (to be
    /// verified by the caller) and the state that writes message 3.
    pub fn read_message_2(
        mut self,
        message: &[u8],
    ) -> Result<(InitiatorAwaitingStaticDh, Vec<u8>)> {
        check_len(message, DH_LEN + DH_LEN + TAG_LEN + TAG_LEN)?;
        let (re, rest) = split_at(message, DH_LEN)?;
        let re = public_key(re)?;
        self.state.mix_hash(&re.0);
        let ee = self
            .ephemeral
            .diffie_hellman(self.state.crypto().as_ref(), &re)?;
        self.state.mix_key(ee.expose())?;
        let (encrypted_static, encrypted_payload) = split_at(rest, DH_LEN + TAG_LEN)?;
        let rs = public_key(&self.state.decrypt_and_hash(encrypted_static)?)?;
        let es = self
            .ephemeral
            .diffie_hellman(self.state.crypto().as_ref(), &rs)?;
        self.state.mix_key(es.expose())?;
        let payload = self.state.decrypt_and_hash(encrypted_payload)?;
        let next = InitiatorAwaitingStaticDh {
            suite: self.suite,
            state: self.state,
            local_static: self.local_static,
            remote_ephemeral: re,
            remote_static: rs,
        };
        Ok((next, payload))
    }
}

/// Initiator, message 2 read: needs `DH(local static, remote ephemeral)` to write message 3.
pub struct InitiatorAwaitingStaticDh {
    suite: CipherSuite,
    state: SymmetricState,
    local_static: X25519PublicKey,
    remote_ephemeral: X25519PublicKey,
    remote_static: X25519PublicKey,
}

impl InitiatorAwaitingStaticDh {
    /// The responder's static key, authenticated by message 2.
    pub fn remote_static(&self) -> &X25519PublicKey {
        &self.remote_static
    }

    /// The key to run the static Diffie-Hellman with: `se = DH(s, re)`.
    pub fn remote_ephemeral(&self) -> &X25519PublicKey {
        &self.remote_ephemeral
    }

    /// Writes message 3 (`s, se` + `payload`) given `se`, and completes the handshake.
    pub fn write_message_3(
        mut self,
        se: SharedSecret,
        payload: &[u8],
    ) -> Result<(Vec<u8>, HandshakeResult)> {
        let mut message = Vec::with_capacity(DH_LEN + TAG_LEN + payload.len() + TAG_LEN);
        self.state
            .encrypt_and_hash(&self.local_static.0, &mut message)?;
        self.state.mix_key(se.expose())?;
        self.state.encrypt_and_hash(payload, &mut message)?;
        check_len(&message, 0)?;
        Ok((
            message,
            finish(self.state, self.suite, true, self.remote_static)?,
        ))
    }
}

/// Starts a handshake as responder on `crypto`, waiting for message 1.
pub fn respond(
    crypto: Rc<dyn CryptoProvider>,
    suite: CipherSuite,
    local_static: X25519PublicKey,
) -> Result<ResponderAwaitingMessage1> {
    let ephemeral = Ephemeral::generate(crypto.as_ref())?;
    Ok(ResponderAwaitingMessage1 {
        suite,
        state: SymmetricState::new(crypto, suite),
        local_static,
        ephemeral,
    })
}

/// Responder, waiting for message 1.
pub struct ResponderAwaitingMessage1 {
    suite: CipherSuite,
    state: SymmetricState,
    local_static: X25519PublicKey,
    ephemeral: Ephemeral,
}

impl ResponderAwaitingMessage1 {
    /// Reads message 1 (`e` + a payload, which Ockam leaves empty and which is ignored).
    pub fn read_message_1(mut self, message: &[u8]) -> Result<ResponderAwaitingStaticDh> {
        check_len(message, DH_LEN)?;
        let (re, payload) = split_at(message, DH_LEN)?;
        let re = public_key(re)?;
        self.state.mix_hash(&re.0);
        self.state.mix_hash(payload);
        Ok(ResponderAwaitingStaticDh {
            suite: self.suite,
            state: self.state,
            local_static: self.local_static,
            ephemeral: self.ephemeral,
            remote_ephemeral: re,
        })
    }
}

/// Responder, message 1 read: needs `DH(local static, remote ephemeral)` to write message 2.
pub struct ResponderAwaitingStaticDh {
    suite: CipherSuite,
    state: SymmetricState,
    local_static: X25519PublicKey,
    ephemeral: Ephemeral,
    remote_ephemeral: X25519PublicKey,
}

impl ResponderAwaitingStaticDh {
    /// The key to run the static Diffie-Hellman with: `es = DH(s, re)`.
    pub fn remote_ephemeral(&self) -> &X25519PublicKey {
        &self.remote_ephemeral
    }

    /// Writes message 2 (`e, ee, s, es` + `payload`) given `es`.
    pub fn write_message_2(
        mut self,
        es: SharedSecret,
        payload: &[u8],
    ) -> Result<(ResponderAwaitingMessage3, Vec<u8>)> {
        let e = self.ephemeral.public;
        let mut message = Vec::with_capacity(DH_LEN * 2 + TAG_LEN * 2 + payload.len());
        message.extend_from_slice(&e.0);
        self.state.mix_hash(&e.0);
        let ee = self
            .ephemeral
            .diffie_hellman(self.state.crypto().as_ref(), &self.remote_ephemeral)?;
        self.state.mix_key(ee.expose())?;
        self.state
            .encrypt_and_hash(&self.local_static.0, &mut message)?;
        self.state.mix_key(es.expose())?;
        self.state.encrypt_and_hash(payload, &mut message)?;
        check_len(&message, 0)?;
        let next = ResponderAwaitingMessage3 {
            suite: self.suite,
            state: self.state,
            ephemeral: self.ephemeral,
        };
        Ok((next, message))
    }
}

/// Responder, message 2 sent.
pub struct ResponderAwaitingMessage3 {
    suite: CipherSuite,
    state: SymmetricState,
    ephemeral: Ephemeral,
}

impl ResponderAwaitingMessage3 {
    /// Reads message 3 (`s, se` + payload) and completes the handshake. The caller must
    /// verify the returned payload before trusting the channel.
    pub fn read_message_3(mut self, message: &[u8]) -> Result<(HandshakeResult, Vec<u8>)> {
        let encrypted_static_len = self.state.sealed_len(DH_LEN);
        check_len(message, encrypted_static_len + TAG_LEN)?;
        let (encrypted_static, encrypted_payload) = split_at(message, encrypted_static_len)?;
        let rs = public_key(&self.state.decrypt_and_hash(encrypted_static)?)?;
        let se = self
            .ephemeral
            .diffie_hellman(self.state.crypto().as_ref(), &rs)?;
        self.state.mix_key(se.expose())?;
        let payload = self.state.decrypt_and_hash(encrypted_payload)?;
        Ok((finish(self.state, self.suite, false, rs)?, payload))
    }
}

#[cfg(test)]
mod tests;
