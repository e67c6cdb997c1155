//! The shared core scenarios, run natively on tokio.

use razor_core::testing;
use razor_node::{TokioRuntime, run_local};

#[test]
fn three_hop_round_trip_over_memory_transport() {
    let hops = run_local(testing::three_hop_round_trip(TokioRuntime)).unwrap();
    assert_eq!(hops.len(), 4);
}

#[test]
fn mailbox_limits_and_typed_errors() {
    run_local(testing::mailbox_limits_and_typed_errors(TokioRuntime)).unwrap();
}

#[test]
fn access_control_refuses_remote_messages() {
    run_local(testing::access_control_refuses_remote_messages(
        TokioRuntime,
    ))
    .unwrap();
}

#[test]
fn lossy_link_loses_but_never_corrupts() {
    let first = run_local(testing::lossy_link_loses_but_never_corrupts(TokioRuntime)).unwrap();
    let second = run_local(testing::lossy_link_loses_but_never_corrupts(TokioRuntime)).unwrap();
    assert_eq!(first, second, "the same seed must lose the same messages");
}

#[test]
fn relay_alias_reaches_the_registered_peer() {
    run_local(testing::relay_alias_reaches_the_registered_peer(
        TokioRuntime,
    ))
    .unwrap();
}

#[test]
fn demo_prints_hops_and_echoes() {
    let text = run_local(razor_node::demo::run_demo()).unwrap().unwrap();
    assert_eq!(text, "hello");
}
