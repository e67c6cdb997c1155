//! Noise's CipherState and SymmetricState (sections 5.1 and 5.2 of the Noise specification).

use zeroize::Zeroizing;

use crate::channel::CipherSuite;
use crate::error::{Error, Result};
use crate::vault::crypto::{self, AeadKey, TAG_LEN};

/// The running handshake hash, chaining key and current handshake cipher key.
pub(super) struct SymmetricState {
    suite: CipherSuite,
    h: [u8; 32],
    ck: Zeroizing<[u8; 32]>,
    k: Option<AeadKey>,
    n: u64,
}

impl SymmetricState {
    /// `InitializeSymmetric(protocol_name)` followed by `MixHash(prologue = "")`. Both
    /// protocol names are exactly 32 bytes, so `h = ck = name` before the prologue.
    pub(super) fn new(suite: CipherSuite) -> Self {
        let name = *suite.protocol_name();
        let mut state = Self {
            suite,
            h: name,
            ck: Zeroizing::new(name),
            k: None,
            n: 0,
        };
        state.mix_hash(&[]);
        state
    }

    pub(super) fn mix_hash(&mut self, data: &[u8]) {
        self.h = crypto::sha256_parts(&[&self.h, data]);
    }

    pub(super) fn mix_key(&mut self, input_key_material: &[u8]) {
        let (ck, k) = crypto::hkdf2(&self.ck, input_key_material);
        self.ck = ck;
        self.k = Some(AeadKey::new(self.suite.aead(), &k));
        self.n = 0;
    }

    /// Appends `EncryptAndHash(plaintext)` to `out` (the plaintext itself before any key).
    pub(super) fn encrypt_and_hash(&mut self, plaintext: &[u8], out: &mut Vec<u8>) -> Result<()> {
        let start = out.len();
        out.extend_from_slice(plaintext);
        if let Some(k) = &self.k {
            let mut sealed = out.split_off(start);
            k.seal(&self.suite.nonce(self.n), &self.h, &mut sealed)?;
            out.extend_from_slice(&sealed);
            self.n += 1;
        }
        let written = out.get(start..).unwrap_or_default().to_vec();
        self.mix_hash(&written);
        Ok(())
    }

    /// `DecryptAndHash(ciphertext)`.
    pub(super) fn decrypt_and_hash(&mut self, ciphertext: &[u8]) -> Result<Vec<u8>> {
        let mut plaintext = ciphertext.to_vec();
        if let Some(k) = &self.k {
            k.open(&self.suite.nonce(self.n), &self.h, &mut plaintext)
                .map_err(|_| Error::Handshake("message failed authentication"))?;
            self.n += 1;
        }
        self.mix_hash(ciphertext);
        Ok(plaintext)
    }

    /// Length of `EncryptAndHash` output for `len` plaintext bytes.
    pub(super) fn sealed_len(&self, len: usize) -> usize {
        if self.k.is_some() { len + TAG_LEN } else { len }
    }

    /// `Split()`: the two transport keys, first and second, and the final handshake hash.
    pub(super) fn split(self) -> (Zeroizing<[u8; 32]>, Zeroizing<[u8; 32]>, [u8; 32]) {
        let (first, second) = crypto::hkdf2(&self.ck, &[]);
        (first, second, self.h)
    }

    #[cfg(test)]
    pub(super) fn hash(&self) -> [u8; 32] {
        self.h
    }
}
