//! Heap allocations per message, counted by a global allocator: one request and its answer
//! over an in-memory link, in plain routing and through a secure channel (both suites).
//! Prints `ALLOCATIONS {json}` lines for docs/BENCHMARKS.md, and fails if a path allocates
//! more than its budget (so that a change that adds allocations to the hot path is seen).
#![cfg(not(target_arch = "wasm32"))]

use std::alloc::System;

use razor_core::Route;
use razor_core::channel::{CipherSuite, SecureChannelOptions, TrustPolicy};
use razor_core::services::Echo;
use razor_core::testing::two_nodes;
use razor_node::{TokioRuntime, run_local};
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Allocations (and reallocations) so far, and bytes allocated.
fn counted() -> (usize, usize) {
    let stats = GLOBAL.stats();
    (
        stats.allocations + stats.reallocations,
        stats.bytes_allocated + stats.bytes_reallocated.max(0) as usize,
    )
}

const ROUNDS: usize = 1_000;

/// Allocations and bytes per round trip of `request`, after a warm-up.
async fn per_round<F, Fut>(mut request: F) -> (f64, f64)
where
    F: FnMut() -> Fut,
    Fut: core::future::Future<Output = ()>,
{
    for _ in 0..100 {
        request().await;
    }
    let (a, b) = counted();
    for _ in 0..ROUNDS {
        request().await;
    }
    let (a2, b2) = counted();
    (
        (a2 - a) as f64 / ROUNDS as f64,
        (b2 - b) as f64 / ROUNDS as f64,
    )
}

#[test]
fn allocations_per_message() {
    run_local(async {
        let (a, b, _network) = two_nodes(&TokioRuntime);
        b.start_worker("echo", Echo).unwrap();
        let client = a.client().unwrap();
        let payload = vec![7u8; 64];
        let route: Route = "mem#bob => echo".parse().unwrap();
        let (plain, plain_bytes) = per_round(|| async {
            client.send(route.clone(), payload.clone()).await.unwrap();
            client.receive().await.unwrap();
        })
        .await;
        println!(
            r#"ALLOCATIONS {{"path":"routing, 64 B request + answer","allocations":{plain:.1},"bytes":{plain_bytes:.0}}}"#
        );
        let (a_id, b_id) = (
            a.create_identity().await.unwrap(),
            b.create_identity().await.unwrap(),
        );
        let mut channels = Vec::new();
        for suite in [CipherSuite::OckamAes256Gcm, CipherSuite::NoiseChaChaPoly] {
            b.create_secure_channel_listener(
                &b_id,
                suite.name(),
                SecureChannelOptions::new(TrustPolicy::TrustEveryone).with_suite(suite),
            )
            .unwrap();
            let channel = a
                .create_secure_channel(
                    &a_id,
                    format!("mem#bob => {}", suite.name()).parse::<Route>().unwrap(),
                    SecureChannelOptions::new(TrustPolicy::TrustEveryone).with_suite(suite),
                )
                .await
                .unwrap();
            let route = channel.route("echo");
            let (through, bytes) = per_round(|| async {
                client.send(route.clone(), payload.clone()).await.unwrap();
                client.receive().await.unwrap();
            })
            .await;
            println!(
                r#"ALLOCATIONS {{"path":"channel {}, 64 B request + answer","allocations":{through:.1},"bytes":{bytes:.0}}}"#,
                suite.name()
            );
            channels.push((suite, through));
            channel.close();
        }
        a.shutdown();
        b.shutdown();
        // Budgets: what the path allocates today, with a little room.
        assert!(plain <= BUDGET_ROUTING, "routing: {plain} allocations per round trip");
        for (suite, through) in channels {
            assert!(
                through <= BUDGET_CHANNEL,
                "{}: {through} allocations per round trip",
                suite.name()
            );
        }
    })
    .unwrap();
}

/// Allocations per routed round trip allowed (measured, plus room). Since workers park between
/// messages (issue 22), each worker a message wakes costs 4: its activation task (the boxed
/// future and the runtime's cell), the boxed handler, and the queue slot a parked worker gave
/// back; 3 workers on the way: 30.
const BUDGET_ROUTING: f64 = 32.0;
/// Allocations per round trip through a channel allowed (measured, plus room; 61.5 since
/// workers park).
const BUDGET_CHANNEL: f64 = 64.0;
