//! A secure channel session's decryptor (replay window, rekeying, both suites) fed a mix of
//! genuine, replayed, reordered, mutated and arbitrary frames. Invariants: a genuine frame
//! opens at most once; a mutated or arbitrary frame never opens; nothing panics.
#![no_main]
use libfuzzer_sys::fuzz_target;
use razor_core::channel::CipherSuite;
use razor_core::channel::session::{Decryptor, Encryptor};
use razor_core::vault::crypto::RustCrypto;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, ops)) = data.split_first() else { return };
    let suite = if selector & 1 == 0 { CipherSuite::OckamAes256Gcm } else { CipherSuite::NoiseChaChaPoly };
    let key = [7u8; 32];
    let mut encryptor = Encryptor::new(RustCrypto::provider(), suite, &key);
    let mut decryptor = Decryptor::new(RustCrypto::provider(), suite, &key);
    let mut sent: Vec<Vec<u8>> = Vec::new();
    let mut opened: Vec<bool> = Vec::new();
    let mut ops = ops.chunks(3);
    while let Some(op) = ops.next() {
        let arg = op.get(1).copied().unwrap_or(0) as usize;
        match op[0] % 5 {
            // Seal a new message (and hold it back).
            0 | 1 => {
                let plaintext = vec![op[0]; arg % 64];
                let frame = encryptor.encrypt(&plaintext).expect("encrypt");
                sent.push(frame);
                opened.push(false);
            }
            // Deliver a held or already delivered frame: in any order, any number of times.
            2 if !sent.is_empty() => {
                let i = arg % sent.len();
                match decryptor.decrypt(&sent[i]) {
                    Ok(_) => {
                        assert!(!opened[i], "frame {i} opened twice (a replay got through)");
                        opened[i] = true;
                    }
                    Err(_) => {}
                }
            }
            // A genuine frame with one byte changed never opens.
            3 if !sent.is_empty() => {
                let i = arg % sent.len();
                let mut forged = sent[i].clone();
                let at = op.get(2).copied().unwrap_or(0) as usize % forged.len();
                forged[at] ^= 1 << (op[0] % 8);
                assert!(decryptor.decrypt(&forged).is_err(), "a mutated frame opened");
            }
            // Arbitrary bytes never open.
            _ => {
                let garbage: Vec<u8> = ops.next().map(|c| c.to_vec()).unwrap_or_default();
                assert!(decryptor.decrypt(&garbage).is_err(), "arbitrary bytes opened");
            }
        }
    }
});
