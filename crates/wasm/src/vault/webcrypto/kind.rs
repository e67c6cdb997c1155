//! The kinds of keys the WebCrypto vault keeps, their WebCrypto algorithm objects, and the
//! PKCS#8 wrappers identity keys are imported through.

use js_sys::{Array, Object, Reflect};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Ed25519,
    EcdsaP256,
    X25519,
}

impl Kind {
    pub(super) fn name(self) -> &'static str {
        match self {
            Kind::Ed25519 => "ed25519",
            Kind::EcdsaP256 => "p256",
            Kind::X25519 => "x25519",
        }
    }

    pub(super) fn from_name(name: &str) -> Option<Self> {
        [Kind::Ed25519, Kind::EcdsaP256, Kind::X25519]
            .into_iter()
            .find(|k| k.name() == name)
    }

    /// The algorithm object for `generateKey` (and `importKey` of public keys).
    pub(super) fn algorithm(self) -> Object {
        let algorithm = Object::new();
        let set = |k: &str, v: &str| {
            let _ = Reflect::set(&algorithm, &k.into(), &v.into());
        };
        match self {
            Kind::Ed25519 => set("name", "Ed25519"),
            Kind::EcdsaP256 => {
                set("name", "ECDSA");
                set("namedCurve", "P-256");
            }
            Kind::X25519 => set("name", "X25519"),
        }
        algorithm
    }

    pub(super) fn usages(self) -> Array {
        match self {
            Kind::X25519 => Array::of1(&"deriveBits".into()),
            _ => Array::of2(&"sign".into(), &"verify".into()),
        }
    }
}

/// PKCS#8 `PrivateKeyInfo` for an Ed25519 seed (RFC 8410): this prefix, then the 32 bytes.
pub(super) const PKCS8_ED25519_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

/// PKCS#8 `PrivateKeyInfo` for a P-256 scalar (RFC 5915 `ECPrivateKey` without the optional
/// public key): this prefix, then the 32 bytes.
pub(super) const PKCS8_P256_PREFIX: [u8; 35] = [
    0x30, 0x41, 0x02, 0x01, 0x00, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
    0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x04, 0x27, 0x30, 0x25, 0x02, 0x01,
    0x01, 0x04, 0x20,
];
