//! Secrets stay secret: the types that hold key material wipe it when dropped (zeroize), and no
//! `Debug` output of a key, a vault's identity or a shared secret shows it.

use std::rc::Rc;

use razor_core::codec::hex;
use razor_core::identity::{Identity, Protection};
use razor_core::vault::crypto::{AeadKey, X25519KeyPair};
use razor_core::vault::{AeadAlgorithm, SharedSecret, SigningKeyKind, SoftwareVault, Vault};
use zeroize::ZeroizeOnDrop;

fn zeroized_on_drop<T: ZeroizeOnDrop>() {}

#[test]
fn key_material_is_zeroized_on_drop() {
    // Compile-time: Razor's types that hold key material wipe it in `Drop` (the vault's own
    // `Secret` is checked by a unit test beside it).
    zeroized_on_drop::<SharedSecret>();
    zeroized_on_drop::<X25519KeyPair>();
    zeroized_on_drop::<AeadKey>();
}

#[test]
fn debug_output_never_shows_secrets() {
    futures_lite::future::block_on(async {
        let vault = Rc::new(SoftwareVault::new());
        let shared: Rc<dyn Vault> = vault.clone();
        let identity = Identity::create(shared, SigningKeyKind::Ed25519, 1_700_000_000)
            .await
            .unwrap();
        let secrets: Vec<String> = vault
            .export_secrets()
            .iter()
            .map(|(_, secret)| hex::encode(secret.as_slice()))
            .collect();
        assert!(!secrets.is_empty());

        let pair = X25519KeyPair::from_secret([0x42; 32]);
        let other = X25519KeyPair::from_secret([0x43; 32]);
        let shared_secret = pair.diffie_hellman(&other.public_key()).unwrap();
        let aead = AeadKey::new(AeadAlgorithm::Aes256Gcm, &[0x44; 32]);
        let passphrase = Protection::Passphrase("correct horse battery staple");
        let shown = format!(
            "{identity:?} {:?} {pair:?} {shared_secret:?} {aead:?} {passphrase:?}",
            identity.key()
        );
        for secret in &secrets {
            assert!(
                !shown.contains(secret.as_str()),
                "a signing secret in Debug output: {shown}"
            );
        }
        for needle in ["4242424242", "4444444444", "correct horse"] {
            assert!(!shown.contains(needle), "{needle} in Debug output: {shown}");
        }
        // The shared secret's bytes, in hex or as a Rust array, are not shown either.
        let mut exposed = String::new();
        for byte in [0x42u8; 4] {
            exposed.push_str(&format!("{byte}, "));
        }
        assert!(!shown.contains(&exposed));
    });
}
