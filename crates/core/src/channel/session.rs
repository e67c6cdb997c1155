//! The transport phase of a secure channel: per-direction AEAD with an explicit nonce, rekey
//! every [`REKEY_INTERVAL`] messages, and a replay window of ±[`REPLAY_WINDOW`] nonces on
//! receipt (Ockam's rules, used by both suites).
//!
//! Frame: `nonce (u64, big-endian) || AEAD(key_epoch(nonce), nonce, ad = "", plaintext)`.

use std::rc::Rc;

use zeroize::Zeroizing;

use super::CipherSuite;
use crate::error::{Error, Result};
use crate::vault::provider::{Aead, BulkCipher, BulkKey, CryptoProvider, TAG_LEN};

/// Messages per key: the key changes before messages 32, 64, ...
pub const REKEY_INTERVAL: u64 = 32;
/// How far behind the highest accepted nonce a message may be, and how far ahead.
pub const REPLAY_WINDOW: u64 = 32;
const NONCE_LEN: usize = 8;

/// The key of one epoch (32 messages): the provider's cipher and, when the provider has a
/// bulk cipher, the raw key to import into it (once, on the first message that wants it).
struct EpochKey {
    aead: Box<dyn Aead>,
    raw: Option<Zeroizing<[u8; 32]>>,
    bulk: Option<Rc<dyn BulkKey>>,
}

impl EpochKey {
    fn new(crypto: &dyn CryptoProvider, suite: CipherSuite, key: &[u8; 32]) -> Self {
        Self {
            aead: crypto.aead(suite.aead(), key),
            raw: crypto.bulk_cipher().map(|_| Zeroizing::new(*key)),
            bulk: None,
        }
    }

    /// Noise `REKEY(k)`: the first 32 bytes of encrypting 32 zero bytes with nonce `2^64 - 1`.
    fn rekey(&self, crypto: &dyn CryptoProvider, suite: CipherSuite) -> Result<Self> {
        let mut block = Zeroizing::new(vec![0u8; 32]);
        self.aead.seal(&suite.nonce(u64::MAX), &[], &mut block)?;
        let next: Zeroizing<[u8; 32]> = Zeroizing::new(
            block
                .get(..32)
                .and_then(|b| b.try_into().ok())
                .ok_or(Error::Crypto("rekey output too short"))?,
        );
        Ok(Self::new(crypto, suite, &next))
    }

    /// This epoch's key in `cipher`, imported on first use.
    async fn bulk(
        &mut self,
        cipher: &dyn BulkCipher,
        suite: CipherSuite,
    ) -> Result<Rc<dyn BulkKey>> {
        if let Some(key) = &self.bulk {
            return Ok(key.clone());
        }
        let raw = self
            .raw
            .as_ref()
            .ok_or(Error::Crypto("no raw key kept for the bulk cipher"))?;
        let key = cipher.import(suite.aead(), raw).await?;
        self.bulk = Some(key.clone());
        Ok(key)
    }
}

/// The sending half: numbers, rekeys and encrypts outgoing messages.
pub struct Encryptor {
    crypto: Rc<dyn CryptoProvider>,
    suite: CipherSuite,
    key: EpochKey,
    next_nonce: u64,
}

impl Encryptor {
    /// An encryptor starting at nonce 0 with `key`, on `crypto`.
    pub fn new(crypto: Rc<dyn CryptoProvider>, suite: CipherSuite, key: &[u8; 32]) -> Self {
        Self {
            key: EpochKey::new(crypto.as_ref(), suite, key),
            crypto,
            suite,
            next_nonce: 0,
        }
    }

    /// Encrypts `plaintext` into a frame with the provider's cipher.
    pub fn encrypt(&mut self, plaintext: &[u8]) -> Result<Vec<u8>> {
        let mut frame = Vec::with_capacity(NONCE_LEN + plaintext.len() + TAG_LEN);
        frame.extend_from_slice(&[0; NONCE_LEN]);
        frame.extend_from_slice(plaintext);
        self.encrypt_in_place(&mut frame)?;
        Ok(frame)
    }

    /// Encrypts the plaintext that `write` appends to a buffer into a frame, in that buffer:
    /// the buffer starts with room for the nonce and has `capacity` more bytes reserved for the
    /// plaintext and the tag, so with the provider's own cipher a message is encoded and sealed
    /// without being copied. The provider's bulk cipher (WebCrypto's AES-GCM, for messages it
    /// takes) is handed the plaintext split off the buffer and returns the sealed bytes in a
    /// buffer of its own, which are copied in after the nonce: two copies, on a path where
    /// WebCrypto copies its input anyway. Same keys, nonces and rekeying as
    /// [`encrypt`](Self::encrypt) either way.
    pub async fn seal_with(
        &mut self,
        capacity: usize,
        write: impl FnOnce(&mut Vec<u8>),
    ) -> Result<Vec<u8>> {
        let mut frame = Vec::with_capacity(NONCE_LEN + capacity + TAG_LEN);
        frame.extend_from_slice(&[0; NONCE_LEN]);
        write(&mut frame);
        let plaintext_len = frame.len().checked_sub(NONCE_LEN).ok_or(Error::Crypto(
            "the plaintext writer removed the nonce's room",
        ))?;
        let crypto = self.crypto.clone();
        let Some(cipher) = crypto
            .bulk_cipher()
            .filter(|c| c.handles(self.suite.aead(), plaintext_len))
        else {
            self.encrypt_in_place(&mut frame)?;
            return Ok(frame);
        };
        let nonce = self.advance()?;
        let key = self.key.bulk(cipher, self.suite).await?;
        let plaintext = frame.split_off(NONCE_LEN);
        let sealed = key.seal(self.suite.nonce(nonce), plaintext).await?;
        frame.copy_from_slice(&nonce.to_be_bytes());
        frame.extend_from_slice(&sealed);
        Ok(frame)
    }

    /// Seals `frame[NONCE_LEN..]` in place: writes the nonce in front, appends the tag.
    fn encrypt_in_place(&mut self, frame: &mut Vec<u8>) -> Result<()> {
        let nonce = self.advance()?;
        let (head, body) = frame
            .split_at_mut_checked(NONCE_LEN)
            .ok_or(Error::Crypto("a frame without room for its nonce"))?;
        head.copy_from_slice(&nonce.to_be_bytes());
        let tag = self
            .key
            .aead
            .seal_detached(&self.suite.nonce(nonce), &[], body)?;
        frame.extend_from_slice(&tag);
        Ok(())
    }

    /// Takes the next nonce, rekeying first when an interval is complete.
    fn advance(&mut self) -> Result<u64> {
        let nonce = self.next_nonce;
        if nonce == u64::MAX {
            return Err(Error::Crypto("nonces exhausted; open a new channel"));
        }
        if nonce > 0 && nonce.is_multiple_of(REKEY_INTERVAL) {
            self.key = self.key.rekey(self.crypto.as_ref(), self.suite)?;
        }
        self.next_nonce += 1;
        Ok(nonce)
    }
}

/// Which nonces have been seen: the highest, and a bitmap of the 32 before it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct ReplayWindow {
    highest: u64,
    /// Bit `i` set: nonce `highest - i` was accepted.
    seen: u64,
}

impl ReplayWindow {
    /// The window after accepting `nonce`, or why it cannot be accepted. `self` is unchanged.
    fn accept(self, nonce: u64) -> Result<Self> {
        if nonce > self.highest {
            let shift = nonce - self.highest;
            if shift > REPLAY_WINDOW {
                return Err(Error::OutsideReplayWindow);
            }
            Ok(Self {
                highest: nonce,
                seen: (self.seen << shift) | 1,
            })
        } else {
            let behind = self.highest - nonce;
            if behind > REPLAY_WINDOW {
                return Err(Error::OutsideReplayWindow);
            }
            let bit = 1u64 << behind;
            if self.seen & bit != 0 {
                return Err(Error::Replay);
            }
            Ok(Self {
                highest: self.highest,
                seen: self.seen | bit,
            })
        }
    }
}

/// The receiving half: checks the replay window, picks the key epoch, decrypts.
pub struct Decryptor {
    crypto: Rc<dyn CryptoProvider>,
    suite: CipherSuite,
    current: EpochKey,
    previous: Option<EpochKey>,
    rekeys: u64,
    window: ReplayWindow,
}

impl Decryptor {
    /// A decryptor expecting nonces from 0 under `key`, on `crypto`.
    pub fn new(crypto: Rc<dyn CryptoProvider>, suite: CipherSuite, key: &[u8; 32]) -> Self {
        Self {
            current: EpochKey::new(crypto.as_ref(), suite, key),
            crypto,
            suite,
            previous: None,
            rekeys: 0,
            window: ReplayWindow::default(),
        }
    }

    /// Decrypts a frame with the provider's cipher and returns its nonce and plaintext. On any
    /// error nothing changes: a forged or replayed frame cannot disturb the channel.
    pub fn decrypt(&mut self, frame: &[u8]) -> Result<(u64, Vec<u8>)> {
        let (nonce, plaintext) = self.decrypt_frame(frame.to_vec())?;
        Ok((nonce, plaintext.into_vec()))
    }

    /// [`decrypt`](Self::decrypt) on a frame this decryptor may take over: the plaintext is
    /// decrypted where it lies in the frame (with the provider's bulk cipher when it handles a
    /// message of this size).
    pub async fn open(&mut self, frame: Vec<u8>) -> Result<(u64, Plaintext)> {
        let body_len = frame.len().saturating_sub(NONCE_LEN + TAG_LEN);
        let crypto = self.crypto.clone();
        let Some(cipher) = crypto
            .bulk_cipher()
            .filter(|c| c.handles(self.suite.aead(), body_len))
        else {
            return self.decrypt_frame(frame);
        };
        let mut opening = self.begin(&frame)?;
        let suite = self.suite;
        let key = opening.key(self).bulk(cipher, suite).await?;
        let plaintext = key
            .open(
                suite.nonce(opening.nonce),
                frame.get(NONCE_LEN..).ok_or(Error::Decrypt)?.to_vec(),
            )
            .await?;
        // The current epoch may have imported its bulk key meanwhile: keep it.
        let nonce = self.finish(opening);
        Ok((nonce, Plaintext::whole(plaintext)))
    }

    /// [`decrypt`](Self::decrypt) in place, on a frame this decryptor takes over: no copy.
    pub fn decrypt_frame(&mut self, mut frame: Vec<u8>) -> Result<(u64, Plaintext)> {
        let mut opening = self.begin(&frame)?;
        let body_end = frame
            .len()
            .checked_sub(TAG_LEN)
            .filter(|end| *end >= NONCE_LEN)
            .ok_or(Error::Decrypt)?;
        let (body, tag) = frame.split_at_mut(body_end);
        let tag: &[u8; TAG_LEN] = (&*tag).try_into().map_err(|_| Error::Decrypt)?;
        let nonce = opening.nonce;
        let aead_nonce = self.suite.nonce(nonce);
        opening.key(self).aead.open_detached(
            &aead_nonce,
            &[],
            body.get_mut(NONCE_LEN..).ok_or(Error::Decrypt)?,
            tag,
        )?;
        let nonce = self.finish(opening);
        frame.truncate(body_end);
        Ok((nonce, Plaintext::after_nonce(frame)))
    }

    /// Checks a frame's nonce against the replay window and picks its key, changing nothing.
    /// The frame is at least a nonce and a tag long if this succeeds.
    fn begin(&self, frame: &[u8]) -> Result<Opening> {
        let (nonce, body) = frame.split_at_checked(NONCE_LEN).ok_or(Error::Decrypt)?;
        if body.len() < TAG_LEN {
            return Err(Error::Decrypt);
        }
        let nonce = u64::from_be_bytes(nonce.try_into().map_err(|_| Error::Decrypt)?);
        let window = self.window.accept(nonce)?;
        let epoch_start = self.rekeys.saturating_mul(REKEY_INTERVAL);
        let epoch = if nonce >= epoch_start {
            match nonce - epoch_start {
                ahead if ahead < REKEY_INTERVAL => Epoch::Current,
                ahead if ahead < 2 * REKEY_INTERVAL => {
                    Epoch::Next(self.current.rekey(self.crypto.as_ref(), self.suite)?)
                }
                _ => return Err(Error::OutsideReplayWindow),
            }
        } else if epoch_start - nonce <= REKEY_INTERVAL && self.previous.is_some() {
            Epoch::Previous
        } else {
            return Err(Error::OutsideReplayWindow);
        };
        Ok(Opening {
            nonce,
            window,
            epoch,
        })
    }

    /// Commits an opening whose frame authenticated: the window moves, a new epoch starts.
    fn finish(&mut self, opening: Opening) -> u64 {
        self.window = opening.window;
        if let Epoch::Next(next) = opening.epoch {
            self.previous = Some(core::mem::replace(&mut self.current, next));
            self.rekeys += 1;
        }
        opening.nonce
    }
}

/// A decrypted message: the plaintext, usually still where it was decrypted in its frame.
pub struct Plaintext {
    buffer: Vec<u8>,
    start: usize,
}

impl Plaintext {
    fn whole(buffer: Vec<u8>) -> Self {
        Self { buffer, start: 0 }
    }

    /// The plaintext in a buffer of its own.
    pub fn into_vec(mut self) -> Vec<u8> {
        self.buffer.drain(..self.start);
        self.buffer
    }

    /// A decrypted frame, tag removed: the plaintext follows the nonce.
    fn after_nonce(frame: Vec<u8>) -> Self {
        Self {
            buffer: frame,
            start: NONCE_LEN,
        }
    }
}

impl core::ops::Deref for Plaintext {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.buffer.get(self.start..).unwrap_or_default()
    }
}

/// Which key a received frame is under.
enum Epoch {
    Previous,
    Current,
    Next(EpochKey),
}

/// A frame that passed the replay checks and awaits authentication.
struct Opening {
    nonce: u64,
    window: ReplayWindow,
    epoch: Epoch,
}

impl Opening {
    /// The key to open this frame with: the next epoch's (owned by the opening until it is
    /// committed), or the decryptor's current or previous one.
    fn key<'a>(&'a mut self, decryptor: &'a mut Decryptor) -> &'a mut EpochKey {
        match &mut self.epoch {
            Epoch::Next(key) => key,
            Epoch::Current => &mut decryptor.current,
            // `begin` only picks Previous when there is one.
            Epoch::Previous => match &mut decryptor.previous {
                Some(previous) => previous,
                None => &mut decryptor.current,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::testing::unhex;

    fn crypto() -> Rc<dyn CryptoProvider> {
        crate::vault::crypto::RustCrypto::provider()
    }

    fn pair(suite: CipherSuite) -> (Encryptor, Decryptor) {
        let key = [7u8; 32];
        (
            Encryptor::new(crypto(), suite, &key),
            Decryptor::new(crypto(), suite, &key),
        )
    }

    #[test]
    fn matches_ockam_transport_vectors() {
        let k2: [u8; 32] =
            unhex("831124fa3e1606b97f5cda4d81c3aa04c7c0151666f05f49a09cd0faf63a05d8")
                .try_into()
                .unwrap();
        let plaintext = unhex("8282008183818200466563686f657281820043617070460568656c6c6f40");
        let mut encryptor = Encryptor::new(crypto(), CipherSuite::OckamAes256Gcm, &k2);
        assert_eq!(
            encryptor.encrypt(&plaintext).unwrap(),
            unhex(
                "0000000000000000730a7fb64a78d67042e6e239c46e13d84c96427982db85ec07d457a5b1d4afde4fa7ba4591a44c71d4e937effff5"
            )
        );
        // REKEY(k2) is Ockam's next key: a message under it decrypts with that key.
        let suite = CipherSuite::OckamAes256Gcm;
        let rekeyed = EpochKey::new(crypto().as_ref(), suite, &k2)
            .rekey(crypto().as_ref(), suite)
            .unwrap();
        let expected: [u8; 32] =
            unhex("4699ba00b29842a236c781ce67c044de2bc43eaaaf35f6bfa4353581ada3d044")
                .try_into()
                .unwrap();
        let mut probe = b"probe".to_vec();
        rekeyed.aead.seal(&suite.nonce(5), &[], &mut probe).unwrap();
        crypto()
            .aead(suite.aead(), &expected)
            .open(&suite.nonce(5), &[], &mut probe)
            .unwrap();
        assert_eq!(probe, b"probe");
        for _ in 1..32 {
            encryptor.encrypt(b"x").unwrap();
        }
        assert_eq!(
            encryptor.encrypt(&unhex("8282028040")).unwrap(),
            unhex("00000000000000202dcf70b199aa5df8145dadbf7287dc84ace9b38d33")
        );
    }

    #[test]
    fn in_order_and_reordered_within_the_window_across_rekeys() {
        for suite in [CipherSuite::OckamAes256Gcm, CipherSuite::NoiseChaChaPoly] {
            let (mut encryptor, mut decryptor) = pair(suite);
            let frames: Vec<_> = (0..200u32)
                .map(|i| encryptor.encrypt(&i.to_be_bytes()).unwrap())
                .collect();
            // Deliver in pairs swapped: 1,0,3,2,... crossing every rekey boundary.
            for chunk in frames.chunks(2) {
                for frame in chunk.iter().rev() {
                    let (nonce, plaintext) = decryptor.decrypt(frame).unwrap();
                    assert_eq!(plaintext, (nonce as u32).to_be_bytes());
                }
            }
        }
    }

    #[test]
    fn replays_and_far_nonces_are_refused_without_changing_state() {
        let (mut encryptor, mut decryptor) = pair(CipherSuite::OckamAes256Gcm);
        let frames: Vec<_> = (0..100).map(|_| encryptor.encrypt(b"m").unwrap()).collect();
        decryptor.decrypt(&frames[0]).unwrap();
        assert_eq!(decryptor.decrypt(&frames[0]), Err(Error::Replay));
        // 40 ahead of the highest accepted nonce: outside the window.
        assert_eq!(
            decryptor.decrypt(&frames[40]),
            Err(Error::OutsideReplayWindow)
        );
        for frame in &frames[1..=60] {
            decryptor.decrypt(frame).unwrap();
        }
        assert_eq!(
            decryptor.decrypt(&frames[20]),
            Err(Error::OutsideReplayWindow)
        );
        assert_eq!(decryptor.decrypt(&frames[59]), Err(Error::Replay));
        decryptor.decrypt(&frames[61]).unwrap();
    }

    #[test]
    fn tampered_frames_fail_and_leave_the_window_alone() {
        let (mut encryptor, mut decryptor) = pair(CipherSuite::NoiseChaChaPoly);
        let frame = encryptor.encrypt(b"hello").unwrap();
        for at in 0..frame.len() {
            let mut bad = frame.clone();
            bad[at] ^= 0x01;
            assert!(decryptor.decrypt(&bad).is_err(), "flipped byte {at}");
        }
        assert!(decryptor.decrypt(&frame[..20]).is_err());
        assert_eq!(decryptor.decrypt(&frame).unwrap().1, b"hello");
    }
}
