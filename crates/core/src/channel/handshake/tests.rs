use super::*;
use crate::vault::crypto::{RustCrypto, X25519KeyPair};

use crate::testing::unhex;

fn key(text: &str) -> X25519KeyPair {
    X25519KeyPair::from_secret(unhex(text).try_into().unwrap())
}

fn crypto() -> Rc<dyn CryptoProvider> {
    RustCrypto::provider()
}

fn generate() -> X25519KeyPair {
    X25519KeyPair::generate().unwrap()
}

/// The initiator's side of message 2: `ee`, then `es`.
fn initiator_reads_2(
    state: InitiatorAwaitingMessage2,
    e: &X25519KeyPair,
    m2: &[u8],
) -> Result<(InitiatorNeedsSe, Vec<u8>)> {
    let state = state.read_message_2(m2)?;
    let ee = e.diffie_hellman(state.remote_ephemeral())?;
    let state = state.mix_ee(ee)?;
    let es = e.diffie_hellman(state.remote_static())?;
    state.mix_es(es)
}

/// The responder's side of message 1 and 2.
fn responder_writes_2(
    s: &X25519KeyPair,
    e: &X25519KeyPair,
    suite: CipherSuite,
    m1: &[u8],
    payload: &[u8],
) -> Result<(ResponderAwaitingMessage3, Vec<u8>)> {
    let state = respond(crypto(), suite, s.public_key()).read_message_1(m1)?;
    let ee = e.diffie_hellman(state.remote_ephemeral())?;
    let es = s.diffie_hellman(state.remote_ephemeral())?;
    state.write_message_2(e.public_key(), ee, es, payload)
}

/// The responder's side of message 3.
fn responder_reads_3(
    state: ResponderAwaitingMessage3,
    e: &X25519KeyPair,
    m3: &[u8],
) -> Result<(HandshakeResult, Vec<u8>)> {
    let state = state.read_message_3(m3)?;
    let se = e.diffie_hellman(state.remote_static())?;
    state.mix_se(se)
}

/// Runs a whole handshake in memory with fixed keys and payloads.
fn run(
    suite: CipherSuite,
    payloads: [&[u8]; 2],
) -> (Vec<u8>, Vec<u8>, Vec<u8>, HandshakeResult, HandshakeResult) {
    let s_i = key("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    let e_i = key("202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f");
    let s_r = key("0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20");
    let e_r = key("4142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f60");

    let (initiator, m1) = initiate(crypto(), suite, s_i.public_key(), e_i.public_key());
    let (responder, m2) = responder_writes_2(&s_r, &e_r, suite, &m1, payloads[0]).unwrap();
    let (initiator, p2) = initiator_reads_2(initiator, &e_i, &m2).unwrap();
    assert_eq!(p2, payloads[0]);
    assert_eq!(initiator.remote_static(), &s_r.public_key());
    let se = s_i.diffie_hellman(initiator.remote_ephemeral()).unwrap();
    let (m3, initiator_result) = initiator.write_message_3(se, payloads[1]).unwrap();
    let (responder_result, p3) = responder_reads_3(responder, &e_r, &m3).unwrap();
    assert_eq!(p3, payloads[1]);
    assert_eq!(responder_result.remote_static, s_i.public_key());
    (m1, m2, m3, initiator_result, responder_result)
}

#[test]
fn ockam_suite_reproduces_ockams_handshake_bytes_and_keys() {
    // Vectors computed from Ockam 0.150's handshake (see docs/OCKAM-COMPAT.md, "handshake").
    let (m1, m2, m3, initiator, responder) = run(CipherSuite::OckamAes256Gcm, [b"", b""]);
    assert_eq!(
        m1,
        unhex("358072d6365880d1aeea329adf9121383851ed21a28e3b75e965d0d2cd166254")
    );
    assert_eq!(
        m2,
        unhex(
            "64b101b1d0be5a8704bd078f9895001fc03e8e9f9522f188dd128d9846d48466
             6496c3648a1e088504a02025498d1045ae1e30f803f5bda8daac842e4291fe003ec09712baa61f30e8b9b83d55f64560
             69d3db88b1ce720567a55b9b64d5a214"
        )
    );
    assert_eq!(
        m3,
        unhex(
            "8f021075c218d4ca06d334b5af04de7ce3d19e12adb47dbf749f595010f6fd3751be433a8bbf114b3047c45111a76121
             15ef8ed8bb09bc750e3be514a6855430"
        )
    );
    let k1 = unhex("4349aa5f460aca550b37ce55d3f7ad8f2d4747084b6c62e15c523568ebafe860");
    let k2 = unhex("831124fa3e1606b97f5cda4d81c3aa04c7c0151666f05f49a09cd0faf63a05d8");
    // Ockam's split is swapped: the initiator sends with the second key.
    assert_eq!(initiator.send_key.as_slice(), k2.as_slice());
    assert_eq!(initiator.receive_key.as_slice(), k1.as_slice());
    assert_eq!(responder.send_key.as_slice(), k1.as_slice());
    assert_eq!(responder.receive_key.as_slice(), k2.as_slice());
    let h = unhex("5ac0747f8682be66af8e7072d69af81b8eb441bf6542a3c2b42cd91c051eb229");
    assert_eq!(initiator.handshake_hash.as_slice(), h.as_slice());
    assert_eq!(responder.handshake_hash, initiator.handshake_hash);
}

#[test]
fn initial_hash_is_sha256_of_the_protocol_name() {
    let state = SymmetricState::new(crypto(), CipherSuite::OckamAes256Gcm);
    assert_eq!(
        state.hash().to_vec(),
        unhex("c6096331ab8d033b2ab45efed418e9511b63d51e0b5a9a584086ea8b5905e752")
    );
}

#[test]
fn noise_suite_completes_with_payloads_and_standard_split() {
    let (_, _, _, initiator, responder) = run(
        CipherSuite::NoiseChaChaPoly,
        [b"responder id", b"initiator id"],
    );
    assert_eq!(
        initiator.send_key.as_slice(),
        responder.receive_key.as_slice()
    );
    assert_eq!(
        initiator.receive_key.as_slice(),
        responder.send_key.as_slice()
    );
    assert_ne!(
        initiator.send_key.as_slice(),
        initiator.receive_key.as_slice()
    );
}

#[test]
fn any_flipped_bit_in_messages_2_or_3_fails_the_handshake() {
    for suite in [CipherSuite::OckamAes256Gcm, CipherSuite::NoiseChaChaPoly] {
        let (s_r, e_r, s_i, e_i) = (generate(), generate(), generate(), generate());
        let (initiator_start, m1) = initiate(crypto(), suite, s_i.public_key(), e_i.public_key());
        let (responder, m2) = responder_writes_2(&s_r, &e_r, suite, &m1, b"payload").unwrap();
        // Flipping any byte after the (unauthenticated) ephemeral key breaks authentication.
        for at in [32, 40, 79, 80, m2.len() - 1] {
            let mut bad = m2.clone();
            bad[at] ^= 1;
            let (fresh, _) = initiate(crypto(), suite, s_i.public_key(), e_i.public_key());
            assert!(initiator_reads_2(fresh, &e_i, &bad).is_err());
        }
        let (initiator, _) = initiator_reads_2(initiator_start, &e_i, &m2).unwrap();
        let se = s_i.diffie_hellman(initiator.remote_ephemeral()).unwrap();
        let (m3, _) = initiator.write_message_3(se, b"payload").unwrap();
        // The static key's ciphertext and the payload's are both authenticated.
        for at in [10, m3.len() - 1] {
            let mut bad = m3.clone();
            bad[at] ^= 0x80;
            let (fresh, _) = responder_writes_2(&s_r, &e_r, suite, &m1, b"payload").unwrap();
            assert!(matches!(
                responder_reads_3(fresh, &e_r, &bad),
                Err(Error::Handshake(_))
            ));
        }
        assert!(responder_reads_3(responder, &e_r, &m3).is_ok());
    }
}

#[test]
fn short_long_and_low_order_messages_are_errors() {
    let (s, e) = (generate(), generate());
    let suite = CipherSuite::OckamAes256Gcm;
    let responder = || respond(crypto(), suite, s.public_key());
    assert!(responder().read_message_1(&[0; 31]).is_err());
    assert!(
        responder()
            .read_message_1(&vec![0; MAX_HANDSHAKE_MESSAGE_LEN + 1])
            .is_err()
    );
    let initiator = || initiate(crypto(), suite, s.public_key(), e.public_key()).0;
    assert!(initiator().read_message_2(&[0; 95]).is_err());
    // An all-zero (low-order) ephemeral key would make ee known to everyone: the
    // Diffie-Hellman refuses it.
    assert!(matches!(
        initiator_reads_2(initiator(), &e, &[0; 200]),
        Err(Error::Crypto(_))
    ));
}
