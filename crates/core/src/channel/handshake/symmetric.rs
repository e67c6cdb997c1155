//! Noise's CipherState and SymmetricState (sections 5.1 and 5.2 of the Noise specification).

use std::rc::Rc;

use zeroize::Zeroizing;

use crate::channel::CipherSuite;
use crate::error::{Error, Result};
use crate::vault::provider::{Aead, CryptoProvider, TAG_LEN};

/// The running handshake hash, chaining key and current handshake cipher key.
pub(super) struct SymmetricState {
    crypto: Rc<dyn CryptoProvider>,
    suite: CipherSuite,
    h: [u8; 32],
    ck: Zeroizing<[u8; 32]>,
    k: Option<Box<dyn Aead>>,
    n: u64,
}

/// A 32-byte secret, zeroized when dropped.
type Secret = Zeroizing<[u8; 32]>;

/// Noise's `HKDF(chaining_key, input_key_material, 2)`: HKDF-SHA256 with the chaining key as
/// salt, empty info, two 32-byte outputs.
fn hkdf2(
    crypto: &dyn CryptoProvider,
    chaining_key: &[u8; 32],
    ikm: &[u8],
) -> Result<(Secret, Secret)> {
    let mut okm = Zeroizing::new([0u8; 64]);
    crypto.hkdf_sha256(chaining_key, ikm, &[], okm.as_mut_slice())?;
    let (mut first, mut second) = (Zeroizing::new([0u8; 32]), Zeroizing::new([0u8; 32]));
    let (a, b) = okm.split_at(32);
    first.copy_from_slice(a);
    second.copy_from_slice(b);
    Ok((first, second))
}

impl SymmetricState {
    /// `InitializeSymmetric(protocol_name)` followed by `MixHash(prologue = "")`. Both
    /// protocol names are exactly 32 bytes, so `h = ck = name` before the prologue.
    pub(super) fn new(crypto: Rc<dyn CryptoProvider>, suite: CipherSuite) -> Self {
        let name = *suite.protocol_name();
        let mut state = Self {
            crypto,
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
        self.h = self.crypto.sha256(&[&self.h, data]);
    }

    pub(super) fn mix_key(&mut self, input_key_material: &[u8]) -> Result<()> {
        let (ck, k) = hkdf2(self.crypto.as_ref(), &self.ck, input_key_material)?;
        self.ck = ck;
        self.k = Some(self.crypto.aead(self.suite.aead(), &k));
        self.n = 0;
        Ok(())
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
    pub(super) fn split(self) -> Result<(Secret, Secret, [u8; 32])> {
        let (first, second) = hkdf2(self.crypto.as_ref(), &self.ck, &[])?;
        Ok((first, second, self.h))
    }

    #[cfg(test)]
    pub(super) fn hash(&self) -> [u8; 32] {
        self.h
    }
}
