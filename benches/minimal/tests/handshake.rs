//! The size probe does what it claims: a handshake with identity proof both ways, then frames
//! that decrypt, and a tampered frame that does not.
#![cfg(not(target_arch = "wasm32"))]

use razor_core::Error;
use razor_core::channel::CipherSuite;
use razor_minimal::MinimalChannel;

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn handshake_with_identity_proof_then_frames_in_both_suites() {
    for suite in [CipherSuite::OckamAes256Gcm, CipherSuite::NoiseChaChaPoly] {
        let mut channel = MinimalChannel::open(suite, now()).unwrap();
        assert_ne!(channel.initiator(), channel.responder());
        assert!(
            channel.initiator().starts_with('I'),
            "{}",
            channel.initiator()
        );
        let frame = channel.seal(b"hello").unwrap();
        assert_eq!(channel.unseal(frame).unwrap(), b"hello");
        let mut tampered = channel.seal(b"hello").unwrap();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert!(matches!(channel.unseal(tampered), Err(Error::Decrypt)));
    }
}
