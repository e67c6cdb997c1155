//! Just above the codecs: the few things every other module uses — a boxed future that need not be
//! `Send`, and unguessable random names.

use core::future::Future;
use core::pin::Pin;

/// A pinned, boxed future that need not be `Send`.
pub type LocalBoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// `len` random bytes from the platform's CSPRNG, as lowercase hex.
pub(crate) fn random_hex(len: usize) -> String {
    let mut bytes = vec![0u8; len];
    if getrandom::fill(&mut bytes).is_err() {
        // The platform CSPRNG is unavailable (it never is on supported targets). Addresses
        // are unguessable as defence in depth only, so fall back to a unique counter.
        static COUNTER: core::sync::atomic::AtomicU64 = core::sync::atomic::AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, core::sync::atomic::Ordering::Relaxed);
        tracing::error!("getrandom failed; using a counter for a local address");
        bytes = n.to_be_bytes().to_vec();
    }
    crate::codec::hex::encode(&bytes)
}
