//! The Noise XX handshake state machines fed arbitrary messages at each state, both suites: the
//! responder's message 1, the initiator's message 2 (after a real message 1), the responder's
//! message 3 (after real messages 1 and 2). The first byte picks the state and the suite.
//! Nothing panics, and a forged message 2 or 3 never completes the handshake.
#![no_main]
use std::rc::Rc;

use libfuzzer_sys::fuzz_target;
use razor_core::channel::CipherSuite;
use razor_core::channel::handshake::{initiate, respond};
use razor_core::vault::CryptoProvider;
use razor_core::vault::crypto::{RustCrypto, X25519KeyPair};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, message)) = data.split_first() else { return };
    let suite = if selector & 1 == 0 { CipherSuite::OckamAes256Gcm } else { CipherSuite::NoiseChaChaPoly };
    let crypto: Rc<dyn CryptoProvider> = RustCrypto::provider();
    let s_i = X25519KeyPair::from_secret([1; 32]);
    let e_i = X25519KeyPair::from_secret([3; 32]);
    let s_r = X25519KeyPair::from_secret([2; 32]);
    let e_r = X25519KeyPair::from_secret([4; 32]);
    let (initiator, m1) = initiate(crypto.clone(), suite, s_i.public_key(), e_i.public_key());
    let responder = respond(crypto.clone(), suite, s_r.public_key());
    match (selector >> 1) % 3 {
        0 => {
            let _ = responder.read_message_1(message);
        }
        1 => {
            // A forged message 2: the initiator must refuse it (it cannot know the responder's
            // ephemeral secret), unless the fuzzer found a valid XX message 2 from scratch.
            let _ = responder.read_message_1(&m1).expect("real message 1");
            let forged = initiator.read_message_2(message).and_then(|state| {
                let ee = e_i.diffie_hellman(state.remote_ephemeral())?;
                let state = state.mix_ee(ee)?;
                let es = e_i.diffie_hellman(state.remote_static())?;
                state.mix_es(es)
            });
            assert!(forged.is_err(), "a forged message 2 was accepted");
        }
        _ => {
            let responder = responder.read_message_1(&m1).expect("real message 1");
            let ee = e_r.diffie_hellman(responder.remote_ephemeral()).expect("ee");
            let es = s_r.diffie_hellman(responder.remote_ephemeral()).expect("es");
            let (responder, _m2) =
                responder.write_message_2(e_r.public_key(), ee, es, b"").expect("message 2");
            let forged = responder.read_message_3(message).and_then(|state| {
                let se = e_r.diffie_hellman(state.remote_static())?;
                state.mix_se(se)
            });
            assert!(forged.is_err(), "a forged message 3 was accepted");
        }
    }
});
