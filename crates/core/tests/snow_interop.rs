//! Razor's `Noise_XX_25519_ChaChaPoly_SHA256` handshake and transport sessions against `snow`,
//! the reference Rust Noise implementation, in both roles: proof that the transcript and the
//! keys are standard Noise.

#![cfg(not(target_arch = "wasm32"))]
use razor_core::channel::CipherSuite;
use razor_core::channel::handshake;
use razor_core::channel::session::{Decryptor, Encryptor, REKEY_INTERVAL};
use razor_core::vault::crypto::{RustCrypto, X25519KeyPair};

const PATTERN: &str = "Noise_XX_25519_ChaChaPoly_SHA256";
const SUITE: CipherSuite = CipherSuite::NoiseChaChaPoly;

fn snow_builder(secret: &[u8; 32]) -> snow::Builder<'_> {
    snow::Builder::new(PATTERN.parse().unwrap())
        .local_private_key(secret)
        .unwrap()
}

/// Exchanges `count` messages each way between Razor's sessions and snow's stateless transport
/// (explicit nonces, rekeying at the same points as Razor).
fn exchange(
    mut razor_out: Encryptor,
    mut razor_in: Decryptor,
    mut snow: snow::StatelessTransportState,
    count: u64,
) {
    let mut buffer = vec![0u8; 70_000];
    for n in 0..count {
        let payload = format!("razor to snow #{n} {}", "x".repeat((n % 7 * 300) as usize));
        let frame = razor_out.encrypt(payload.as_bytes()).unwrap();
        assert_eq!(frame[..8], n.to_be_bytes(), "explicit big-endian nonce");
        if n > 0 && n % REKEY_INTERVAL == 0 {
            snow.rekey_incoming();
        }
        let len = snow.read_message(n, &frame[8..], &mut buffer).unwrap();
        assert_eq!(&buffer[..len], payload.as_bytes());

        let reply = format!("snow to razor #{n}");
        if n > 0 && n % REKEY_INTERVAL == 0 {
            snow.rekey_outgoing();
        }
        let len = snow
            .write_message(n, reply.as_bytes(), &mut buffer)
            .unwrap();
        let frame = [&n.to_be_bytes()[..], &buffer[..len]].concat();
        let (nonce, plaintext) = razor_in.decrypt(&frame).unwrap();
        assert_eq!((nonce, plaintext.as_slice()), (n, reply.as_bytes()));
    }
}

#[test]
fn razor_initiator_with_snow_responder() {
    let razor_static = X25519KeyPair::generate().unwrap();
    let snow_secret = [9u8; 32];
    let mut snow = snow_builder(&snow_secret).build_responder().unwrap();
    let mut buffer = vec![0u8; 65_535];

    let ephemeral = X25519KeyPair::generate().unwrap();
    let (razor, m1) = handshake::initiate(
        RustCrypto::provider(),
        SUITE,
        razor_static.public_key(),
        ephemeral.public_key(),
    );
    snow.read_message(&m1, &mut buffer).unwrap();
    let len = snow
        .write_message(b"responder payload", &mut buffer)
        .unwrap();
    let razor = razor.read_message_2(&buffer[..len]).unwrap();
    let ee = ephemeral.diffie_hellman(razor.remote_ephemeral()).unwrap();
    let razor = razor.mix_ee(ee).unwrap();
    let es = ephemeral.diffie_hellman(razor.remote_static()).unwrap();
    let (razor, payload) = razor.mix_es(es).unwrap();
    assert_eq!(payload, b"responder payload");
    assert_eq!(
        razor.remote_static(),
        &X25519KeyPair::from_secret(snow_secret).public_key()
    );
    let se = razor_static
        .diffie_hellman(razor.remote_ephemeral())
        .unwrap();
    let (m3, keys) = razor.write_message_3(se, b"initiator payload").unwrap();
    let len = snow.read_message(&m3, &mut buffer).unwrap();
    assert_eq!(&buffer[..len], b"initiator payload");
    assert_eq!(snow.get_handshake_hash(), keys.handshake_hash);

    let snow = snow.into_stateless_transport_mode().unwrap();
    exchange(
        Encryptor::new(RustCrypto::provider(), SUITE, &keys.send_key),
        Decryptor::new(RustCrypto::provider(), SUITE, &keys.receive_key),
        snow,
        100,
    );
}

#[test]
fn snow_initiator_with_razor_responder() {
    let razor_static = X25519KeyPair::generate().unwrap();
    let snow_secret = [11u8; 32];
    let mut snow = snow_builder(&snow_secret).build_initiator().unwrap();
    let mut buffer = vec![0u8; 65_535];

    let len = snow.write_message(&[], &mut buffer).unwrap();
    let razor = handshake::respond(RustCrypto::provider(), SUITE, razor_static.public_key())
        .read_message_1(&buffer[..len])
        .unwrap();
    let ephemeral = X25519KeyPair::generate().unwrap();
    let ee = ephemeral.diffie_hellman(razor.remote_ephemeral()).unwrap();
    let es = razor_static
        .diffie_hellman(razor.remote_ephemeral())
        .unwrap();
    let (razor, m2) = razor
        .write_message_2(ephemeral.public_key(), ee, es, b"responder payload")
        .unwrap();
    let len = snow.read_message(&m2, &mut buffer).unwrap();
    assert_eq!(&buffer[..len], b"responder payload");
    let len = snow
        .write_message(b"initiator payload", &mut buffer)
        .unwrap();
    let razor = razor.read_message_3(&buffer[..len]).unwrap();
    let se = ephemeral.diffie_hellman(razor.remote_static()).unwrap();
    let (keys, payload) = razor.mix_se(se).unwrap();
    assert_eq!(payload, b"initiator payload");
    assert_eq!(
        keys.remote_static,
        X25519KeyPair::from_secret(snow_secret).public_key()
    );
    assert_eq!(snow.get_handshake_hash(), keys.handshake_hash);

    let snow = snow.into_stateless_transport_mode().unwrap();
    exchange(
        Encryptor::new(RustCrypto::provider(), SUITE, &keys.send_key),
        Decryptor::new(RustCrypto::provider(), SUITE, &keys.receive_key),
        snow,
        100,
    );
}
