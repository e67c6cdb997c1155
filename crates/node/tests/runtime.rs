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
fn connection_table_follows_connection_lifetimes() {
    run_local(testing::connection_table_follows_connection_lifetimes(
        TokioRuntime,
    ))
    .unwrap();
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

mod channels {
    use razor_core::channel::CipherSuite;
    use razor_core::testing::{channels, handshake_failures};
    use razor_node::{TokioRuntime, run_local};

    #[test]
    fn thousand_messages_each_way_ockam_suite() {
        run_local(channels::thousand_messages_each_way(
            TokioRuntime,
            CipherSuite::OckamAes256Gcm,
        ))
        .unwrap();
    }

    #[test]
    fn thousand_messages_each_way_noise_suite() {
        run_local(channels::thousand_messages_each_way(
            TokioRuntime,
            CipherSuite::NoiseChaChaPoly,
        ))
        .unwrap();
    }

    #[test]
    fn the_wrong_peer_is_an_identity_mismatch() {
        run_local(handshake_failures::the_wrong_peer_is_an_identity_mismatch(
            TokioRuntime,
        ))
        .unwrap();
    }

    #[test]
    fn a_peer_that_never_answers_is_a_timeout() {
        run_local(handshake_failures::a_peer_that_never_answers_is_a_timeout(
            TokioRuntime,
        ))
        .unwrap();
    }

    #[test]
    fn a_half_open_handshake_is_torn_down() {
        run_local(handshake_failures::a_half_open_handshake_is_torn_down(
            TokioRuntime,
        ))
        .unwrap();
    }

    #[test]
    fn a_message_2_that_is_not_one_is_refused() {
        run_local(handshake_failures::a_message_2_that_is_not_one_is_refused(
            TokioRuntime,
        ))
        .unwrap();
    }

    #[test]
    fn a_forged_initiator_key_is_refused_at_message_3() {
        run_local(handshake_failures::a_forged_initiator_key_is_refused_at_message_3(TokioRuntime))
            .unwrap();
    }

    #[test]
    fn a_forged_responder_key_is_refused() {
        run_local(handshake_failures::a_forged_responder_key_is_refused(
            TokioRuntime,
        ))
        .unwrap();
    }

    #[test]
    fn credentials_and_policies() {
        run_local(channels::credentials_and_policies(TokioRuntime)).unwrap();
    }

    #[test]
    fn rotated_identity_still_connects() {
        run_local(channels::rotated_identity_still_connects(TokioRuntime)).unwrap();
    }

    #[test]
    fn more_busy_channels_than_kept_schedules() {
        run_local(channels::more_busy_channels_than_kept_schedules(
            TokioRuntime,
        ))
        .unwrap();
    }

    #[test]
    fn forged_rotation_is_refused_and_not_remembered() {
        run_local(channels::forged_rotation_is_refused_and_not_remembered(
            TokioRuntime,
        ))
        .unwrap();
    }

    #[test]
    fn nested_channels() {
        run_local(channels::nested_channels(
            TokioRuntime,
            CipherSuite::NoiseChaChaPoly,
        ))
        .unwrap();
        run_local(channels::nested_channels(
            TokioRuntime,
            CipherSuite::OckamAes256Gcm,
        ))
        .unwrap();
    }
}

#[test]
fn tampered_and_replayed_frames_are_dropped() {
    run_local(
        razor_core::testing::channels::tampered_and_replayed_frames_are_dropped(TokioRuntime),
    )
    .unwrap();
}

mod edge {
    use razor_core::testing::edge;
    use razor_node::{TokioRuntime, run_local};

    #[test]
    fn notices_tell_senders_why() {
        run_local(edge::notices_tell_senders_why(TokioRuntime)).unwrap();
    }

    #[test]
    fn owned_relay_names() {
        run_local(edge::owned_relay_names(TokioRuntime)).unwrap();
    }

    #[test]
    fn route_fallback_sends_unknown_addresses_on() {
        run_local(edge::route_fallback_sends_unknown_addresses_on(
            TokioRuntime,
        ))
        .unwrap();
    }

    #[test]
    fn handshake_events_and_transport_loss() {
        run_local(edge::handshake_events_and_transport_loss(TokioRuntime)).unwrap();
    }
}

#[test]
fn concurrent_dials_share_one_connection() {
    run_local(testing::concurrent_dials_share_one_connection(TokioRuntime)).unwrap();
}

mod lifecycle {
    use razor_core::testing::lifecycle;
    use razor_node::{TokioRuntime, run_local};

    #[test]
    fn channels_and_listeners_end_with_their_cause() {
        run_local(lifecycle::channels_and_listeners_end_with_their_cause(
            TokioRuntime,
        ))
        .unwrap();
    }

    #[test]
    fn connections_end_with_their_cause() {
        run_local(lifecycle::connections_end_with_their_cause(TokioRuntime)).unwrap();
    }
}

#[test]
fn a_cancelled_stop_watch_does_not_run_and_leaves_nothing_behind() {
    use std::cell::Cell;
    use std::rc::Rc;
    razor_node::run_local(async {
        let node = razor_core::Node::new(
            razor_node::TokioRuntime,
            razor_core::NodeConfig::new("watches"),
        );
        node.start_worker("watched", razor_core::services::Echo)
            .unwrap();
        let address = razor_core::Address::from("watched");
        let (kept, cancelled) = (Rc::new(Cell::new(0)), Rc::new(Cell::new(0)));
        let ran = kept.clone();
        let _kept = node
            .on_worker_stopped(&address, move || ran.set(ran.get() + 1))
            .unwrap();
        // A thousand short-lived watchers that give up: none of them runs.
        for _ in 0..1_000 {
            let ran = cancelled.clone();
            node.on_worker_stopped(&address, move || ran.set(ran.get() + 1))
                .unwrap()
                .cancel();
        }
        // An abandoned `stopped()` wait takes its callback back too.
        drop(node.stopped(&address));
        node.stop_worker(&address).unwrap();
        node.stopped(&address).await;
        assert_eq!(kept.get(), 1);
        assert_eq!(cancelled.get(), 0);
        node.shutdown();
    })
    .unwrap();
}
