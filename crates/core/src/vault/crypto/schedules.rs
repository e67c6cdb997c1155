//! Expanded AES-256-GCM key schedules, kept only for the keys used last on this thread.
//!
//! An expanded key (the `aes` crate's round keys with GHASH's) is 1,104 bytes natively and 992
//! in wasm, where the key is 32: kept per key, the four of an idle Ockam-suite channel (both
//! ends) were a third of its memory. Expanding for every message instead costs ~50 ns natively
//! but ~1.4 µs in wasm (software AES), ~10% of a small message's path. So each key keeps its 32
//! bytes and an id, and this thread keeps the schedules of the [`CAPACITY`] keys it used last:
//! busy channels find theirs, an idle channel costs its raw keys. A schedule is wiped (the
//! `aes` crate zeroizes on drop) when it is evicted or its key is dropped on this thread (a node
//! and its keys live on one thread; a schedule another thread kept goes when that thread evicts
//! it).

use core::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

use aes_gcm::Aes256Gcm;
use aes_gcm::aead::KeyInit;

/// How many expanded schedules a thread keeps (~17 KiB natively).
pub(super) const CAPACITY: usize = 16;

/// A process-unique id for a new key (keys may be made on one thread and used on another).
pub(super) fn new_key_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

struct Slot {
    key_id: u64,
    last_used: u64,
    schedule: Box<Aes256Gcm>,
}

#[derive(Default)]
struct Schedules {
    slots: Vec<Slot>,
    clock: u64,
}

impl Schedules {
    /// The schedule of `key_id`, expanded from `key` into the least recently used slot if it is
    /// not kept.
    fn get(&mut self, key_id: u64, key: &[u8; 32]) -> Option<&Aes256Gcm> {
        self.clock += 1;
        // One scan when the schedule is kept, as it is for every message of a busy channel.
        let index = match self.slots.iter().position(|slot| slot.key_id == key_id) {
            Some(index) => index,
            None if self.slots.len() < CAPACITY => {
                self.slots.push(Slot {
                    key_id,
                    last_used: 0,
                    schedule: Box::new(Aes256Gcm::new(key.into())),
                });
                self.slots.len() - 1
            }
            None => {
                let (index, evicted) = self
                    .slots
                    .iter_mut()
                    .enumerate()
                    .min_by_key(|(_, slot)| slot.last_used)?;
                evicted.key_id = key_id;
                // Dropping the evicted schedule wipes it.
                *evicted.schedule = Aes256Gcm::new(key.into());
                index
            }
        };
        let slot = self.slots.get_mut(index)?;
        slot.last_used = self.clock;
        Some(&slot.schedule)
    }
}

thread_local! {
    static SCHEDULES: RefCell<Schedules> = RefCell::new(Schedules::default());
}

/// Runs `f` with the expanded schedule of `key` (whose id is `key_id`).
pub(super) fn with_schedule<R>(key_id: u64, key: &[u8; 32], f: impl FnOnce(&Aes256Gcm) -> R) -> R {
    // The schedules are out of reach only while this thread is torn down (`f` only encrypts or
    // decrypts, it never comes back here); then expand on the stack. Nothing runs on this
    // thread between the check and the use.
    let reachable = SCHEDULES
        .try_with(|schedules| schedules.try_borrow_mut().is_ok())
        .unwrap_or(false);
    if !reachable {
        return f(&Aes256Gcm::new(key.into()));
    }
    SCHEDULES.with(|schedules| match schedules.borrow_mut().get(key_id, key) {
        Some(schedule) => f(schedule),
        None => f(&Aes256Gcm::new(key.into())),
    })
}

/// Wipes the schedule of `key_id` if this thread keeps it (its key is being dropped).
pub(super) fn forget(key_id: u64) {
    let _ = SCHEDULES.try_with(|schedules| {
        if let Ok(mut schedules) = schedules.try_borrow_mut() {
            schedules.slots.retain(|slot| slot.key_id != key_id);
        }
    });
}

#[cfg(test)]
mod tests {
    use aes_gcm::aead::AeadInOut;

    use super::*;

    fn seal_with(cipher: &Aes256Gcm) -> Vec<u8> {
        let mut buffer = b"a message".to_vec();
        let tag = cipher
            .encrypt_inout_detached(&[0; 12].into(), b"ad", buffer.as_mut_slice().into())
            .unwrap();
        buffer.extend_from_slice(&tag);
        buffer
    }

    /// Seals through the cache, and checks against a schedule expanded just for this.
    fn seal(key_id: u64, key: &[u8; 32]) -> Vec<u8> {
        let sealed = with_schedule(key_id, key, seal_with);
        assert_eq!(
            sealed,
            seal_with(&Aes256Gcm::new(key.into())),
            "key {key_id}"
        );
        sealed
    }

    fn kept() -> Vec<u64> {
        SCHEDULES.with(|s| s.borrow().slots.iter().map(|slot| slot.key_id).collect())
    }

    #[test]
    fn evicted_keys_are_expanded_again_and_seal_the_same() {
        let keys: Vec<(u64, [u8; 32])> = (0..CAPACITY as u8 + 4)
            .map(|i| (new_key_id(), [i; 32]))
            .collect();
        let first: Vec<Vec<u8>> = keys.iter().map(|(id, key)| seal(*id, key)).collect();
        assert_eq!(
            kept().len(),
            CAPACITY,
            "a thread keeps at most CAPACITY schedules"
        );
        // The first keys were evicted by the last ones; sealing again re-expands them.
        let again: Vec<Vec<u8>> = keys.iter().map(|(id, key)| seal(*id, key)).collect();
        assert_eq!(first, again);
        assert_ne!(first[0], first[1], "each key seals with its own schedule");
        for (id, _) in &keys {
            forget(*id);
        }
        assert!(kept().is_empty());
    }

    #[test]
    fn the_least_recently_used_schedule_is_evicted_and_a_forgotten_one_is_gone() {
        let keys: Vec<(u64, [u8; 32])> = (0..CAPACITY as u8)
            .map(|i| (new_key_id(), [i; 32]))
            .collect();
        for (id, key) in &keys {
            seal(*id, key);
        }
        // Use the oldest again: the second oldest is now the one to go.
        seal(keys[0].0, &keys[0].1);
        let newcomer = (new_key_id(), [0xee; 32]);
        seal(newcomer.0, &newcomer.1);
        let now = kept();
        assert!(now.contains(&keys[0].0) && now.contains(&newcomer.0));
        assert!(!now.contains(&keys[1].0));

        forget(newcomer.0);
        assert!(!kept().contains(&newcomer.0));
        for (id, _) in &keys {
            forget(*id);
        }
    }
}
