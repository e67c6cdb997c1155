//! One unit of work per case: a full XX handshake (both sides), or one message encrypted and
//! decrypted.

use razor_core::channel::session::{Decryptor, Encryptor};
use razor_core::channel::{CipherSuite, handshake};
use razor_core::vault::crypto::{RustCrypto, X25519KeyPair};

/// Message sizes the transport cases use.
pub const SIZES: [usize; 2] = [64, 16 * 1024];

/// A full XX handshake with Razor's state machines; the static Diffie-Hellman is done in
/// software, as with the software vault.
pub fn razor_handshake(
    suite: CipherSuite,
    initiator: &X25519KeyPair,
    responder: &X25519KeyPair,
) -> [u8; 32] {
    let crypto = RustCrypto::provider;
    let (e_i, e_r) = (
        X25519KeyPair::generate().unwrap(),
        X25519KeyPair::generate().unwrap(),
    );
    let (i, m1) = handshake::initiate(crypto(), suite, initiator.public_key(), e_i.public_key());
    let r = handshake::respond(crypto(), suite, responder.public_key())
        .read_message_1(&m1)
        .unwrap();
    let ee = e_r.diffie_hellman(r.remote_ephemeral()).unwrap();
    let es = responder.diffie_hellman(r.remote_ephemeral()).unwrap();
    let (r, m2) = r.write_message_2(e_r.public_key(), ee, es, b"").unwrap();
    let i = i.read_message_2(&m2).unwrap();
    let ee = e_i.diffie_hellman(i.remote_ephemeral()).unwrap();
    let i = i.mix_ee(ee).unwrap();
    let es = e_i.diffie_hellman(i.remote_static()).unwrap();
    let (i, _) = i.mix_es(es).unwrap();
    let se = initiator.diffie_hellman(i.remote_ephemeral()).unwrap();
    let (m3, keys) = i.write_message_3(se, b"").unwrap();
    let r = r.read_message_3(&m3).unwrap();
    let se = e_r.diffie_hellman(r.remote_static()).unwrap();
    let (_, _) = r.mix_se(se).unwrap();
    keys.handshake_hash
}

/// The same handshake with snow.
pub fn snow_handshake(pattern: &str, initiator: &[u8; 32], responder: &[u8; 32]) -> Vec<u8> {
    let (i, _) = snow_xx(pattern, initiator, responder);
    i.get_handshake_hash().to_vec()
}

/// Both sides of a completed snow XX handshake: (initiator, responder).
fn snow_xx(
    pattern: &str,
    initiator: &[u8; 32],
    responder: &[u8; 32],
) -> (snow::HandshakeState, snow::HandshakeState) {
    let params: snow::params::NoiseParams = pattern.parse().unwrap();
    let mut i = snow::Builder::new(params.clone())
        .local_private_key(initiator)
        .unwrap()
        .build_initiator()
        .unwrap();
    let mut r = snow::Builder::new(params)
        .local_private_key(responder)
        .unwrap()
        .build_responder()
        .unwrap();
    let (mut a, mut b) = ([0u8; 256], [0u8; 256]);
    let n = i.write_message(&[], &mut a).unwrap();
    r.read_message(&a[..n], &mut b).unwrap();
    let n = r.write_message(&[], &mut a).unwrap();
    i.read_message(&a[..n], &mut b).unwrap();
    let n = i.write_message(&[], &mut a).unwrap();
    r.read_message(&a[..n], &mut b).unwrap();
    (i, r)
}

/// Razor's transport: one message encrypted by one side and decrypted by the other.
pub struct RazorTransport {
    encryptor: Encryptor,
    decryptor: Decryptor,
}

impl RazorTransport {
    /// A pair of sessions sharing a key.
    pub fn new(suite: CipherSuite) -> Self {
        let key = [42u8; 32];
        Self {
            encryptor: Encryptor::new(RustCrypto::provider(), suite, &key),
            decryptor: Decryptor::new(RustCrypto::provider(), suite, &key),
        }
    }

    /// Encrypts and decrypts `message`; returns the plaintext length.
    pub fn round(&mut self, message: &[u8]) -> usize {
        let frame = self.encryptor.encrypt(message).unwrap();
        self.decryptor.decrypt_frame(frame).unwrap().1.len()
    }
}

/// snow's stateless transport doing the same (explicit nonces, as Razor's frames carry).
pub struct SnowTransport {
    sender: snow::StatelessTransportState,
    receiver: snow::StatelessTransportState,
    nonce: u64,
    buffer: Vec<u8>,
    plain: Vec<u8>,
}

impl SnowTransport {
    /// A connected pair after a real handshake.
    pub fn new(pattern: &str) -> Self {
        let (i, r) = snow_xx(pattern, &[1; 32], &[2; 32]);
        Self {
            sender: i.into_stateless_transport_mode().unwrap(),
            receiver: r.into_stateless_transport_mode().unwrap(),
            nonce: 0,
            buffer: vec![0; 70_000],
            plain: vec![0; 70_000],
        }
    }

    /// Encrypts and decrypts `message` (allocating the frame, as Razor does).
    pub fn round(&mut self, message: &[u8]) -> usize {
        let n = self
            .sender
            .write_message(self.nonce, message, &mut self.buffer)
            .unwrap();
        let frame = self.buffer[..n].to_vec();
        let len = self
            .receiver
            .read_message(self.nonce, &frame, &mut self.plain)
            .unwrap();
        self.nonce += 1;
        len
    }
}

/// The Noise pattern snow runs for comparison with each Razor suite. Ockam's suite is the same
/// computation as Noise's AESGCM one apart from the protocol name and the split order.
pub fn snow_pattern(suite: CipherSuite) -> &'static str {
    match suite {
        CipherSuite::OckamAes256Gcm => "Noise_XX_25519_AESGCM_SHA256",
        CipherSuite::NoiseChaChaPoly => "Noise_XX_25519_ChaChaPoly_SHA256",
    }
}
