//! A `razor node` under attack on each of its listeners (TCP, WebSocket, WebTransport):
//! garbage, truncated, oversized and mutated frames, 10,000 half-open handshakes, a peer that
//! never reads and one that writes a byte at a time, connections over the caps — while a
//! well-behaved client keeps a secure channel over each listener and its echo round trips
//! keep working. What the node held and refused is read from its `--metrics` endpoint.

mod harness;
#[path = "../support/mod.rs"]
mod support;

use harness::*;

use std::time::Duration;

use razor_core::Route;
use razor_core::channel::{SecureChannelOptions, TrustPolicy};
use razor_core::transport::framing::length_prefixed;
use razor_node::run_local;
use tokio::net::TcpStream;

#[test]
fn malformed_truncated_oversized_and_mutated_frames_only_close_their_own_connection() {
    run_local(async {
        let server = Server::start(&[]).await;
        let client = WellBehaved::connect(&server).await;
        let mut noise = Noise(0x9e37_79b9_7f4a_7c15);
        for kind in KINDS {
            // Garbage where a frame should be.
            let mut raw = Raw::connect(&server, kind).await;
            let _ = raw.send_frame(&noise.bytes(300)).await;
            assert!(
                raw.closed_by_server(Duration::from_secs(10)).await,
                "{kind:?}: garbage"
            );

            // A frame cut short, then silence: the connection holds its place until the peer
            // goes; the node is not bothered meanwhile.
            let mut raw = Raw::connect(&server, kind).await;
            let mut truncated = 100u32.to_be_bytes().to_vec();
            truncated.extend_from_slice(&noise.bytes(10));
            let _ = raw.send_raw(&truncated).await;
            drop(raw);

            // A frame announcing more than the 16 MiB limit.
            let mut raw = Raw::connect(&server, kind).await;
            let oversized = match kind {
                Kind::Ws => vec![0u8; 17 * 1024 * 1024],
                Kind::Tcp | Kind::Wt => (17u32 * 1024 * 1024).to_be_bytes().to_vec(),
            };
            let _ = raw.send_raw(&oversized).await;
            assert!(
                raw.closed_by_server(Duration::from_secs(10)).await,
                "{kind:?}: oversized"
            );

            // Genuine echo requests with one byte flipped each: a flip that breaks the frame
            // closes the connection; one that still decodes is routed (or refused) like any
            // other message. Either way the node keeps serving.
            let genuine = encode(kind, &to("echo", b"mutate me".to_vec()));
            for i in 0..genuine.len() {
                let mut raw = Raw::connect(&server, kind).await;
                let mut mutated = genuine.clone();
                mutated[i] ^= 0x5a;
                let _ = raw.send_frame(&mutated).await;
                drop(raw);
            }
            client.check(&format!("{kind:?} frames")).await;
        }
        let metrics = server
            .metrics_until(Duration::from_secs(10), |m| {
                m["razor_connections_open"] == 3
            })
            .await;
        assert!(metrics["razor_malformed_frames_total"] >= 3, "{metrics:?}");
        assert_eq!(
            metrics["razor_connections_open"], 3,
            "only the well-behaved client's connections are left: {metrics:?}"
        );
        client.check("after the frames").await;
        client.finish();
        drop(server.child);
    })
    .unwrap();
}

#[test]
fn ten_thousand_half_open_handshakes_hold_bounded_memory_and_all_expire() {
    run_local(async {
        let server = Server::start(&[]).await;
        let client = WellBehaved::connect(&server).await;
        let before = server.metrics().await;
        let mut noise = Noise(0x2545_f491_4f6c_dd1d);
        // First handshake messages — an ephemeral key each — spread over the three listeners,
        // from connections that then read what comes back (message 2s) and never answer.
        let mut attackers = Vec::new();
        for (i, kind) in KINDS.iter().cycle().take(12).enumerate() {
            let mut raw = Raw::connect(&server, *kind).await;
            let share = FLOOD / 12 + usize::from(i < FLOOD % 12);
            for _ in 0..share {
                let first = encode(*kind, &to("secure", noise.bytes(32)));
                raw.send_frame(&first).await.unwrap();
            }
            attackers.push(raw);
        }
        let drain: Vec<_> = attackers
            .into_iter()
            .map(|mut raw| {
                tokio::task::spawn_local(async move {
                    raw.closed_by_server(Duration::from_secs(60)).await;
                })
            })
            .collect();
        let peak = server
            .metrics_until(Duration::from_secs(30), |m| {
                m["razor_handshakes_in_progress"]
                    + m["razor_handshakes_refused_total"]
                    + m["razor_handshakes_expired_total"]
                    + m["razor_handshakes_failed_total"]
                    >= FLOOD as u64
            })
            .await;
        client.check("during the flood").await;
        let started = FLOOD as u64 - peak["razor_handshakes_refused_total"];
        assert!(
            peak["razor_handshakes_in_progress"] <= MAX_HANDSHAKES,
            "at most the cap in progress: {peak:?}"
        );
        assert!(
            peak["razor_handshakes_refused_total"] >= FLOOD as u64 - 2 * MAX_HANDSHAKES,
            "the rest refused before any work: {peak:?}"
        );
        let grown = peak["razor_process_resident_memory_bytes"]
            .saturating_sub(before["razor_process_resident_memory_bytes"]);
        eprintln!(
            "flood: {started} handshakes started, {} refused; resident memory grew {} KiB",
            peak["razor_handshakes_refused_total"],
            grown / 1024
        );
        assert!(
            grown < 64 * 1024 * 1024,
            "10,000 half-open handshakes grew the node by {} MiB",
            grown >> 20
        );
        // After the timeout every one of them is gone (expired, or failed on a key that is
        // no key) and, once the attackers hang up, so are their workers and connections.
        let after = server
            .metrics_until(Duration::from_millis(HANDSHAKE_TIMEOUT_MS * 4), |m| {
                m["razor_handshakes_in_progress"] == 0
            })
            .await;
        assert_eq!(after["razor_handshakes_in_progress"], 0, "{after:?}");
        assert_eq!(
            after["razor_handshakes_expired_total"] + after["razor_handshakes_failed_total"],
            started,
            "every started handshake ended: {after:?}"
        );
        assert!(after["razor_handshakes_expired_total"] > 0, "{after:?}");
        client.check("after the flood").await;
        for task in drain {
            task.abort();
        }
        let after = server
            .metrics_until(Duration::from_secs(15), |m| {
                m["razor_workers"] == before["razor_workers"]
            })
            .await;
        assert_eq!(after["razor_workers"], before["razor_workers"], "{after:?}");
        assert_eq!(after["razor_connections_open"], 3, "{after:?}");
        client.finish();
        drop(server.child);
    })
    .unwrap();
}

#[test]
fn slow_readers_slow_writers_and_connections_over_the_caps_only_cost_themselves() {
    run_local(async {
        let server = Server::start(&["--max-connections-per-source", "40"]).await;
        let client = WellBehaved::connect(&server).await;
        for kind in KINDS {
            // A peer that asks for echoes and never reads the answers: its connection fills,
            // then echo drops its answers rather than wait for it.
            let mut reader = Raw::connect(&server, kind).await;
            let ask = encode(kind, &to("echo", vec![7u8; 16 * 1024]));
            let flooding = async {
                for _ in 0..4_000 {
                    if reader.send_frame(&ask).await.is_err() {
                        break;
                    }
                }
            };
            let _ = tokio::time::timeout(Duration::from_secs(20), flooding).await;
            client.check(&format!("{kind:?} slow reader")).await;
            drop(reader);

            // A peer that writes one byte at a time (a valid echo request, 20 ms a byte):
            // served like any other, holding up no one.
            let mut writer = Raw::connect(&server, kind).await;
            let ask = encode(kind, &to("echo", b"slowly".to_vec()));
            if kind != Kind::Ws {
                let framed = length_prefixed(&ask);
                for byte in framed {
                    writer.send_raw(&[byte]).await.unwrap();
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                client.check(&format!("{kind:?} slow writer")).await;
            }
            drop(writer);
        }
        let metrics = server
            .metrics_until(Duration::from_secs(15), |m| {
                m["razor_connections_open"] == 3
            })
            .await;
        assert!(metrics["razor_replies_dropped_total"] > 0, "{metrics:?}");
        assert_eq!(metrics["razor_connections_open"], 3, "{metrics:?}");

        // Connections over the per-source cap (40; the client holds 3) are closed at once.
        let mut held = Vec::new();
        for i in 0..45 {
            let kind = KINDS[i % 2]; // TCP and WebSocket: the cap is checked before the upgrade
            match kind {
                Kind::Tcp => held.push(TcpStream::connect(server.tcp).await.unwrap()),
                _ => held.push(TcpStream::connect(server.ws).await.unwrap()),
            }
        }
        let metrics = server
            .metrics_until(Duration::from_secs(10), |m| {
                m[r#"razor_connections_refused_total{cap="source"}"#] >= 8
            })
            .await;
        assert_eq!(
            metrics[r#"razor_connections_refused_total{cap="source"}"#], 8,
            "{metrics:?}"
        );
        assert_eq!(metrics["razor_connections_open"], 40, "{metrics:?}");
        client.check("over the cap").await;
        drop(held);
        let metrics = server
            .metrics_until(Duration::from_secs(15), |m| {
                m["razor_connections_open"] == 3
            })
            .await;
        assert_eq!(
            metrics["razor_connections_open"], 3,
            "places come back: {metrics:?}"
        );
        client.check("after the caps").await;
        client.finish();
        drop(server.child);
    })
    .unwrap();
}

#[test]
fn a_message_rate_paces_a_flooding_connection() {
    run_local(async {
        let server = Server::start(&["--max-messages-per-second", "200"]).await;
        let client = WellBehaved::connect(&server).await;
        let mut raw = Raw::connect(&server, Kind::Tcp).await;
        let ask = encode(Kind::Tcp, &to("echo", b"fast".to_vec()));
        for _ in 0..1_000 {
            raw.send_frame(&ask).await.unwrap();
        }
        let metrics = server
            .metrics_until(Duration::from_secs(10), |m| {
                m["razor_frames_throttled_total"] > 0
            })
            .await;
        assert!(metrics["razor_frames_throttled_total"] > 0, "{metrics:?}");
        client.check("while a connection is paced").await;
        client.finish();
        drop(server.child);
    })
    .unwrap();
}

#[test]
fn a_listener_holds_at_most_its_cap_of_channels_and_takes_new_ones_as_old_ones_close() {
    run_local(async {
        // The well-behaved client holds 3 channels; the cap leaves room for 3 more.
        let server = Server::start(&["--max-channels", "6"]).await;
        let client = WellBehaved::connect(&server).await;
        let identity = client.node.create_identity().await.unwrap();
        let route: Route = format!("tcp#{} => secure", server.tcp).parse().unwrap();
        let options = || {
            SecureChannelOptions::new(TrustPolicy::TrustEveryone)
                .with_timeout(Duration::from_millis(1_500))
        };
        let mut extra = Vec::new();
        for _ in 0..3 {
            let channel = client
                .node
                .create_secure_channel(&identity, route.clone(), options());
            extra.push(channel.await.expect("room for three more"));
        }
        let refused = client
            .node
            .create_secure_channel(&identity, route.clone(), options())
            .await;
        assert_eq!(
            refused.err().map(|e| e.code()),
            Some("TIMEOUT"),
            "a seventh channel's first message is dropped"
        );
        let metrics = server.metrics().await;
        assert_eq!(metrics["razor_channels_refused_total"], 1, "{metrics:?}");
        client.check("at the channel cap").await;
        // One closes (its Close reaches the server), and there is room again.
        extra.pop().unwrap().close();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        let reopened = loop {
            match client
                .node
                .create_secure_channel(&identity, route.clone(), options())
                .await
            {
                Ok(channel) => break channel,
                Err(error) if tokio::time::Instant::now() < deadline => {
                    assert_eq!(error.code(), "TIMEOUT");
                }
                Err(error) => panic!("no room after a close: {error}"),
            }
        };
        assert_eq!(
            reopened
                .request("echo", b"again".to_vec(), PATIENT)
                .await
                .unwrap()
                .payload,
            b"again"
        );
        client.finish();
        drop(server.child);
    })
    .unwrap();
}
