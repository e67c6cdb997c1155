//! The Noise `XX` handshake as a sans-IO state machine: bytes in, bytes out, no async, no IO.
//!
//! ```text
//!  -> e
//!  <- e, ee, s, es
//!  -> s, se
//! ```
//! Each state is a type, consumed by its transition, so steps cannot be taken out of order and
//! a failed step leaves nothing to misuse. Hashing and the handshake's AEAD come from the
//! node's [`CryptoProvider`]; no Diffie-Hellman happens in here. The caller holds both of its
//! keys — the static one in its vault, the ephemeral one from
//! [`CryptoProvider::ephemeral_key`] (both possibly non-extractable WebCrypto keys) — and
//! hands each result in when a state asks for it, so that it can run them natively and
//! side by side:
//!
//! - responder: its ephemeral key and `es` together, then `ee`, before message 2;
//! - initiator: `ee` after message 2's first key (with `se`, which needs the same key, beside
//!   it), then `es` once the responder's static key is decrypted;
//! - responder: `se` once the initiator's static key in message 3 is decrypted.
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
use crate::vault::provider::{CryptoProvider, TAG_LEN};
use crate::vault::{SharedSecret, X25519PublicKey};

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
/// message 2. `local_static` is this side's static public key, `local_ephemeral` the public
/// half of its ephemeral key for this handshake (both secrets stay with the caller).
pub fn initiate(
    crypto: Rc<dyn CryptoProvider>,
    suite: CipherSuite,
    local_static: X25519PublicKey,
    local_ephemeral: X25519PublicKey,
) -> (InitiatorAwaitingMessage2, Vec<u8>) {
    let mut state = SymmetricState::new(crypto, suite);
    state.mix_hash(&local_ephemeral.0);
    state.mix_hash(&[]); // the empty payload of message 1
    let message = local_ephemeral.0.to_vec();
    (
        InitiatorAwaitingMessage2 {
            suite,
            state,
            local_static,
        },
        message,
    )
}

/// Initiator, message 1 sent.
pub struct InitiatorAwaitingMessage2 {
    suite: CipherSuite,
    state: SymmetricState,
    local_static: X25519PublicKey,
}

impl InitiatorAwaitingMessage2 {
    /// Reads the responder's ephemeral key from message 2 (`e, ee, s, es` + payload); the
    /// rest is read once `ee` is known.
    pub fn read_message_2(mut self, message: &[u8]) -> Result<InitiatorNeedsEe> {
        check_len(message, DH_LEN + DH_LEN + TAG_LEN + TAG_LEN)?;
        let (re, rest) = split_at(message, DH_LEN)?;
        let re = public_key(re)?;
        self.state.mix_hash(&re.0);
        Ok(InitiatorNeedsEe {
            suite: self.suite,
            state: self.state,
            local_static: self.local_static,
            remote_ephemeral: re,
            rest: rest.to_vec(),
        })
    }
}

/// Initiator, reading message 2: needs `ee = DH(e, re)` to decrypt the responder's static key.
/// (`se = DH(s, re)`, needed for message 3, can be computed beside it.)
pub struct InitiatorNeedsEe {
    suite: CipherSuite,
    state: SymmetricState,
    local_static: X25519PublicKey,
    remote_ephemeral: X25519PublicKey,
    rest: Vec<u8>,
}

impl InitiatorNeedsEe {
    /// The responder's ephemeral key (unauthenticated until the handshake completes).
    pub fn remote_ephemeral(&self) -> &X25519PublicKey {
        &self.remote_ephemeral
    }

    /// Mixes in `ee` and decrypts the responder's static key.
    pub fn mix_ee(mut self, ee: SharedSecret) -> Result<InitiatorNeedsEs> {
        self.state.mix_key(ee.expose())?;
        let (encrypted_static, encrypted_payload) = split_at(&self.rest, DH_LEN + TAG_LEN)?;
        let rs = public_key(&self.state.decrypt_and_hash(encrypted_static)?)?;
        let encrypted_payload = encrypted_payload.to_vec();
        Ok(InitiatorNeedsEs {
            suite: self.suite,
            state: self.state,
            local_static: self.local_static,
            remote_ephemeral: self.remote_ephemeral,
            remote_static: rs,
            encrypted_payload,
        })
    }
}

/// Initiator, reading message 2: needs `es = DH(e, rs)` to decrypt the responder's payload.
pub struct InitiatorNeedsEs {
    suite: CipherSuite,
    state: SymmetricState,
    local_static: X25519PublicKey,
    remote_ephemeral: X25519PublicKey,
    remote_static: X25519PublicKey,
    encrypted_payload: Vec<u8>,
}

impl InitiatorNeedsEs {
    /// The responder's static key (authenticated once its payload decrypts).
    pub fn remote_static(&self) -> &X25519PublicKey {
        &self.remote_static
    }

    /// Mixes in `es` and returns the responder's payload (to be verified by the caller) and
    /// the state that writes message 3.
    pub fn mix_es(mut self, es: SharedSecret) -> Result<(InitiatorNeedsSe, Vec<u8>)> {
        self.state.mix_key(es.expose())?;
        let payload = self.state.decrypt_and_hash(&self.encrypted_payload)?;
        let next = InitiatorNeedsSe {
            suite: self.suite,
            state: self.state,
            local_static: self.local_static,
            remote_ephemeral: self.remote_ephemeral,
            remote_static: self.remote_static,
        };
        Ok((next, payload))
    }
}

/// Initiator, message 2 read: needs `se = DH(s, re)` to write message 3.
pub struct InitiatorNeedsSe {
    suite: CipherSuite,
    state: SymmetricState,
    local_static: X25519PublicKey,
    remote_ephemeral: X25519PublicKey,
    remote_static: X25519PublicKey,
}

impl InitiatorNeedsSe {
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

/// Starts a handshake as responder on `crypto`, waiting for message 1, with this side's
/// static public key. (Its ephemeral key comes with message 2.)
pub fn respond(
    crypto: Rc<dyn CryptoProvider>,
    suite: CipherSuite,
    local_static: X25519PublicKey,
) -> ResponderAwaitingMessage1 {
    ResponderAwaitingMessage1 {
        suite,
        state: SymmetricState::new(crypto, suite),
        local_static,
    }
}

/// Responder, waiting for message 1.
pub struct ResponderAwaitingMessage1 {
    suite: CipherSuite,
    state: SymmetricState,
    local_static: X25519PublicKey,
}

impl ResponderAwaitingMessage1 {
    /// Reads message 1 (`e` + a payload, which Ockam leaves empty and which is ignored).
    pub fn read_message_1(mut self, message: &[u8]) -> Result<ResponderNeedsDh> {
        check_len(message, DH_LEN)?;
        let (re, payload) = split_at(message, DH_LEN)?;
        let re = public_key(re)?;
        self.state.mix_hash(&re.0);
        self.state.mix_hash(payload);
        Ok(ResponderNeedsDh {
            suite: self.suite,
            state: self.state,
            local_static: self.local_static,
            remote_ephemeral: re,
        })
    }
}

/// Responder, message 1 read: needs its ephemeral key `e`, `ee = DH(e, re)` and
/// `es = DH(s, re)` to write message 2.
pub struct ResponderNeedsDh {
    suite: CipherSuite,
    state: SymmetricState,
    local_static: X25519PublicKey,
    remote_ephemeral: X25519PublicKey,
}

impl ResponderNeedsDh {
    /// The key both Diffie-Hellmans run with: the initiator's ephemeral key `re`.
    pub fn remote_ephemeral(&self) -> &X25519PublicKey {
        &self.remote_ephemeral
    }

    /// Writes message 2 (`e, ee, s, es` + `payload`) given the public key of `e`, `ee` and
    /// `es`.
    pub fn write_message_2(
        mut self,
        local_ephemeral: X25519PublicKey,
        ee: SharedSecret,
        es: SharedSecret,
        payload: &[u8],
    ) -> Result<(ResponderAwaitingMessage3, Vec<u8>)> {
        let e = local_ephemeral;
        let mut message = Vec::with_capacity(DH_LEN * 2 + TAG_LEN * 2 + payload.len());
        message.extend_from_slice(&e.0);
        self.state.mix_hash(&e.0);
        self.state.mix_key(ee.expose())?;
        self.state
            .encrypt_and_hash(&self.local_static.0, &mut message)?;
        self.state.mix_key(es.expose())?;
        self.state.encrypt_and_hash(payload, &mut message)?;
        check_len(&message, 0)?;
        let next = ResponderAwaitingMessage3 {
            suite: self.suite,
            state: self.state,
        };
        Ok((next, message))
    }
}

/// Responder, message 2 sent.
pub struct ResponderAwaitingMessage3 {
    suite: CipherSuite,
    state: SymmetricState,
}

impl ResponderAwaitingMessage3 {
    /// Reads the initiator's static key from message 3 (`s, se` + payload); the rest is read
    /// once `se` is known.
    pub fn read_message_3(mut self, message: &[u8]) -> Result<ResponderNeedsSe> {
        let encrypted_static_len = self.state.sealed_len(DH_LEN);
        check_len(message, encrypted_static_len + TAG_LEN)?;
        let (encrypted_static, encrypted_payload) = split_at(message, encrypted_static_len)?;
        let rs = public_key(&self.state.decrypt_and_hash(encrypted_static)?)?;
        Ok(ResponderNeedsSe {
            suite: self.suite,
            state: self.state,
            remote_static: rs,
            encrypted_payload: encrypted_payload.to_vec(),
        })
    }
}

/// Responder, reading message 3: needs `se = DH(e, rs)` to decrypt the initiator's payload.
pub struct ResponderNeedsSe {
    suite: CipherSuite,
    state: SymmetricState,
    remote_static: X25519PublicKey,
    encrypted_payload: Vec<u8>,
}

impl ResponderNeedsSe {
    /// The initiator's static key (authenticated once its payload decrypts).
    pub fn remote_static(&self) -> &X25519PublicKey {
        &self.remote_static
    }

    /// Mixes in `se` and completes the handshake. The caller must verify the returned
    /// payload before trusting the channel.
    pub fn mix_se(mut self, se: SharedSecret) -> Result<(HandshakeResult, Vec<u8>)> {
        self.state.mix_key(se.expose())?;
        let payload = self.state.decrypt_and_hash(&self.encrypted_payload)?;
        Ok((
            finish(self.state, self.suite, false, self.remote_static)?,
            payload,
        ))
    }
}

#[cfg(test)]
mod tests;
