//! Criterion benches: Razor's handshake and transport against snow doing the same Noise work.
//! Run with `scripts/bench` (which also runs the wasm numbers); results in docs/BENCHMARKS.md.
#![allow(missing_docs)] // criterion's macros generate undocumented items

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use criterion::{BenchmarkId, Criterion, Throughput};
    use razor_benches::cases::{
        RazorTransport, SIZES, SnowTransport, razor_handshake, snow_handshake, snow_pattern,
    };
    use razor_core::channel::CipherSuite;
    use razor_core::vault::crypto::X25519KeyPair;

    const SUITES: [CipherSuite; 2] = [CipherSuite::OckamAes256Gcm, CipherSuite::NoiseChaChaPoly];

    pub(crate) fn handshake(c: &mut Criterion) {
        let mut group = c.benchmark_group("handshake");
        let (i, r) = (
            X25519KeyPair::from_secret([1; 32]),
            X25519KeyPair::from_secret([2; 32]),
        );
        for suite in SUITES {
            group.bench_function(BenchmarkId::new("razor", suite.name()), |b| {
                b.iter(|| razor_handshake(suite, &i, &r))
            });
            let pattern = snow_pattern(suite);
            group.bench_function(BenchmarkId::new("snow", suite.name()), |b| {
                b.iter(|| snow_handshake(pattern, &[1; 32], &[2; 32]))
            });
        }
        group.finish();
    }

    pub(crate) fn transport(c: &mut Criterion) {
        for size in SIZES {
            let mut group = c.benchmark_group(format!("transport-{size}B"));
            group.throughput(Throughput::Bytes(size as u64));
            let message = vec![7u8; size];
            for suite in SUITES {
                let mut razor = RazorTransport::new(suite);
                group.bench_function(BenchmarkId::new("razor", suite.name()), |b| {
                    b.iter(|| razor.round(&message))
                });
                let mut snow = SnowTransport::new(snow_pattern(suite));
                group.bench_function(BenchmarkId::new("snow", suite.name()), |b| {
                    b.iter(|| snow.round(&message))
                });
            }
            group.finish();
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_group!(benches, native::handshake, native::transport);
#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(benches);

#[cfg(target_arch = "wasm32")]
fn main() {}
