//! Just above the codecs: the few things every other module uses — a boxed future that need not be
//! `Send`, and unguessable random names.

use core::future::Future;
use core::pin::Pin;

/// A pinned, boxed future that need not be `Send`.
pub type LocalBoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// Random bytes for names, drawn from the platform's CSPRNG a block at a time: a channel names
/// two workers, and in wasm each draw is a call out to `crypto.getRandomValues`. Names only:
/// keys and nonces draw their own bytes.
struct NamePool {
    bytes: [u8; 256],
    used: usize,
}

std::thread_local! {
    static NAME_POOL: core::cell::RefCell<NamePool> =
        const { core::cell::RefCell::new(NamePool { bytes: [0; 256], used: 256 }) };
}

/// Fills `out` from the name pool, refilling it from the CSPRNG when it runs low.
fn fill_name_bytes(out: &mut [u8]) -> Result<(), getrandom::Error> {
    if out.len() > 64 {
        return getrandom::fill(out);
    }
    NAME_POOL.with(|pool| {
        let mut pool = pool.borrow_mut();
        if pool.used + out.len() > pool.bytes.len() {
            getrandom::fill(&mut pool.bytes)?;
            pool.used = 0;
        }
        let start = pool.used;
        let Some(taken) = pool.bytes.get_mut(start..start + out.len()) else {
            return getrandom::fill(out);
        };
        out.copy_from_slice(taken);
        // Handed out once: the bytes are wiped from the pool as they leave it.
        taken.fill(0);
        pool.used += out.len();
        Ok(())
    })
}

/// `len` random bytes from the platform's CSPRNG, as lowercase hex.
pub(crate) fn random_hex(len: usize) -> String {
    let mut bytes = vec![0u8; len];
    if fill_name_bytes(&mut bytes).is_err() {
        // The platform CSPRNG is unavailable (it never is on supported targets). Addresses
        // are unguessable as defence in depth only, so fall back to a unique counter.
        static COUNTER: core::sync::atomic::AtomicU64 = core::sync::atomic::AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, core::sync::atomic::Ordering::Relaxed);
        tracing::error!("getrandom failed; using a counter for a local address");
        bytes = n.to_be_bytes().to_vec();
    }
    crate::codec::hex::encode(&bytes)
}

/// A random `u32` from the name pool: for jitter, not for secrets.
pub(crate) fn random_u32() -> u32 {
    let mut bytes = [0u8; 4];
    if fill_name_bytes(&mut bytes).is_err() {
        // No CSPRNG (never on supported targets): jitter degrades to none.
        return 0;
    }
    u32::from_le_bytes(bytes)
}
