use crate::vault::crypto::AeadAlgorithm;

/// The cipher suites a secure channel can use. Both are Noise `XX` over X25519 and SHA-256 with
/// the same payloads, framing, rekeying and replay window; they differ in the AEAD and in a
/// few conventions Ockam chose.
///
/// | | `OckamAes256Gcm` | `NoiseChaChaPoly` |
/// |---|---|---|
/// | protocol name | `OCKAM_XX_25519_AES256_GCM_SHA256` | `Noise_XX_25519_ChaChaPoly_SHA256` |
/// | AEAD | AES-256-GCM | ChaCha20-Poly1305 |
/// | nonce | 4 zero bytes, counter big-endian | 4 zero bytes, counter little-endian |
/// | split | initiator sends with the *second* key | standard: initiator sends with the first |
///
/// `OckamAes256Gcm` is byte-compatible with Ockam 0.150 nodes. `NoiseChaChaPoly` is standard
/// Noise (checked against `snow`) and faster where there is no AES hardware, as in wasm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CipherSuite {
    /// Ockam's suite (the default: every Ockam node speaks it).
    #[default]
    OckamAes256Gcm,
    /// The standard Noise suite with ChaCha20-Poly1305.
    NoiseChaChaPoly,
}

impl CipherSuite {
    /// The Noise protocol name (exactly 32 bytes for both suites).
    pub fn protocol_name(self) -> &'static [u8; 32] {
        match self {
            Self::OckamAes256Gcm => b"OCKAM_XX_25519_AES256_GCM_SHA256",
            Self::NoiseChaChaPoly => b"Noise_XX_25519_ChaChaPoly_SHA256",
        }
    }

    /// The AEAD cipher.
    pub fn aead(self) -> AeadAlgorithm {
        match self {
            Self::OckamAes256Gcm => AeadAlgorithm::Aes256Gcm,
            Self::NoiseChaChaPoly => AeadAlgorithm::ChaCha20Poly1305,
        }
    }

    /// The 12-byte AEAD nonce for counter `n`, as Noise defines it for this cipher.
    pub fn nonce(self, n: u64) -> [u8; 12] {
        let mut nonce = [0u8; 12];
        let counter = match self {
            Self::OckamAes256Gcm => n.to_be_bytes(),
            Self::NoiseChaChaPoly => n.to_le_bytes(),
        };
        nonce[4..].copy_from_slice(&counter);
        nonce
    }

    /// Whether the initiator sends with the second split key (Ockam) rather than the first.
    pub(crate) fn initiator_sends_with_second_key(self) -> bool {
        matches!(self, Self::OckamAes256Gcm)
    }

    /// A short name for logs and the JS API: `"ockam-aes-gcm"` or `"noise-chachapoly"`.
    pub fn name(self) -> &'static str {
        match self {
            Self::OckamAes256Gcm => "ockam-aes-gcm",
            Self::NoiseChaChaPoly => "noise-chachapoly",
        }
    }

    /// The suite named `name` (see [`name`](Self::name)).
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::OckamAes256Gcm, Self::NoiseChaChaPoly]
            .into_iter()
            .find(|s| s.name() == name)
    }
}
