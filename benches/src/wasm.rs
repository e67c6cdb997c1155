//! The wasm bench runner: `runChannelBenches()` times each case with `performance.now()` and
//! returns JSON rows `{group, name, ns_per_iter, mb_per_s}`.

use std::hint::black_box;

use js_sys::Reflect;
use razor_core::channel::CipherSuite;
use razor_core::vault::crypto::X25519KeyPair;
use wasm_bindgen::prelude::*;

use crate::cases::{
    RazorTransport, SIZES, SnowTransport, razor_handshake, snow_handshake, snow_pattern,
};

/// `performance.now()` in milliseconds (`Date.now()` where there is no `performance`).
pub fn now_ms() -> f64 {
    let performance =
        Reflect::get(&js_sys::global(), &"performance".into()).unwrap_or(JsValue::UNDEFINED);
    Reflect::get(&performance, &"now".into())
        .ok()
        .and_then(|now| now.dyn_into::<js_sys::Function>().ok())
        .and_then(|now| now.call0(&performance).ok())
        .and_then(|t| t.as_f64())
        .unwrap_or_else(js_sys::Date::now)
}

/// Runs `work` for about `budget_ms` after a warm-up; returns nanoseconds per iteration.
fn time(budget_ms: f64, mut work: impl FnMut()) -> f64 {
    let warm_until = now_ms() + budget_ms / 5.0;
    while now_ms() < warm_until {
        work();
    }
    let start = now_ms();
    let mut iterations = 0u64;
    while now_ms() - start < budget_ms {
        for _ in 0..16 {
            work();
        }
        iterations += 16;
    }
    (now_ms() - start) * 1e6 / iterations as f64
}

/// Runs every case and returns the rows as a JSON string.
#[wasm_bindgen(js_name = runChannelBenches)]
pub fn run_channel_benches(budget_ms: f64) -> String {
    let mut rows = Vec::new();
    let mut row = |group: String, name: String, ns: f64, bytes: usize| {
        let mb_per_s = if bytes > 0 {
            bytes as f64 / ns * 1e3
        } else {
            0.0
        };
        rows.push(serde_json::json!({ "group": group, "name": name, "ns_per_iter": ns, "mb_per_s": mb_per_s }));
    };
    let (i, r) = (
        X25519KeyPair::from_secret([1; 32]),
        X25519KeyPair::from_secret([2; 32]),
    );
    for suite in [CipherSuite::OckamAes256Gcm, CipherSuite::NoiseChaChaPoly] {
        let pattern = snow_pattern(suite);
        row(
            "handshake".into(),
            format!("razor/{}", suite.name()),
            time(budget_ms, || {
                black_box(razor_handshake(suite, &i, &r));
            }),
            0,
        );
        row(
            "handshake".into(),
            format!("snow/{}", suite.name()),
            time(budget_ms, || {
                black_box(snow_handshake(pattern, &[1; 32], &[2; 32]));
            }),
            0,
        );
        for size in SIZES {
            let message = vec![7u8; size];
            let mut razor = RazorTransport::new(suite);
            let ns = time(budget_ms, || {
                black_box(razor.round(&message));
            });
            row(
                format!("transport-{size}B"),
                format!("razor/{}", suite.name()),
                ns,
                size,
            );
            let mut snow = SnowTransport::new(pattern);
            let ns = time(budget_ms, || {
                black_box(snow.round(&message));
            });
            row(
                format!("transport-{size}B"),
                format!("snow/{}", suite.name()),
                ns,
                size,
            );
        }
    }
    serde_json::Value::Array(rows).to_string()
}
