//! Native TCP and WebSocket transports: node to node, secure channels over them, and faults.

use std::time::Duration;

use razor_core::channel::{SecureChannelOptions, TrustPolicy};
use razor_core::runtime::timeout;
use razor_core::services::Echo;
use razor_core::testing::wait_until;
use razor_core::{Error, Node, NodeConfig, Route, TransportError};
use razor_node::transport::{TcpTransport, WebSocketTransport, WebTransportTransport};
use razor_node::{TokioRuntime, run_local};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const PATIENT: Option<Duration> = Some(Duration::from_secs(10));

fn node(name: &str) -> Node {
    Node::new(TokioRuntime, NodeConfig::new(name))
}

/// How long a node gets to drop the connections of peers that went away.
const SETTLE: Duration = Duration::from_secs(5);

/// Echo, then a secure channel carrying 1,000 messages, over `scheme#address`.
async fn echo_and_channel(client: &Node, server: &Node, hop: &str) {
    server.start_worker("echo", Echo).unwrap();
    let route: Route = format!("{hop} => echo").parse().unwrap();
    let reply = client
        .request(route, b"plain".to_vec(), PATIENT)
        .await
        .unwrap();
    assert_eq!(reply.payload, b"plain");

    let server_id = server.create_identity().await.unwrap();
    let client_id = client.create_identity().await.unwrap();
    let trust = |id: &razor_core::identity::Identity| {
        SecureChannelOptions::new(TrustPolicy::TrustIdentifier(id.identifier()))
    };
    server
        .create_secure_channel_listener(&server_id, "secure", trust(&client_id))
        .unwrap();
    let route: Route = format!("{hop} => secure").parse().unwrap();
    let channel = client
        .create_secure_channel(&client_id, route, trust(&server_id))
        .await
        .unwrap();
    for i in 0..1_000u32 {
        let payload = vec![(i % 251) as u8; (i as usize * 37) % 4000];
        assert_eq!(
            channel
                .request("echo", payload.clone(), PATIENT)
                .await
                .unwrap()
                .payload,
            payload
        );
    }
}

#[test]
fn tcp_node_to_node() {
    run_local(async {
        let (a, b) = (node("a"), node("b"));
        let tcp_a = TcpTransport::create(&a).unwrap();
        let tcp_b = TcpTransport::create(&b).unwrap();
        let bound = tcp_b.listen("127.0.0.1:0").await.unwrap();
        echo_and_channel(&a, &b, &format!("tcp#{bound}")).await;
        assert_eq!(tcp_a.connection_count(), 1, "one connection, reused");
        assert_eq!(tcp_b.connection_count(), 1);
        a.shutdown();
        b.shutdown();
    })
    .unwrap();
}

#[test]
fn websocket_node_to_node() {
    run_local(async {
        let (a, b) = (node("a"), node("b"));
        let ws_a = WebSocketTransport::create(&a).unwrap();
        let ws_b = WebSocketTransport::create(&b).unwrap();
        let bound = ws_b.listen("127.0.0.1:0").await.unwrap();
        echo_and_channel(&a, &b, &format!("ws#{bound}")).await;
        assert_eq!(ws_a.connection_count(), 1);
        a.shutdown();
        b.shutdown();
    })
    .unwrap();
}

#[test]
fn multi_protocol_route_ws_then_tcp() {
    run_local(async {
        let (client, middle, server) = (node("client"), node("middle"), node("server"));
        WebSocketTransport::create(&client).unwrap();
        let ws_middle = WebSocketTransport::create(&middle).unwrap();
        TcpTransport::create(&middle).unwrap();
        let tcp_server = TcpTransport::create(&server).unwrap();
        let ws = ws_middle.listen("127.0.0.1:0").await.unwrap();
        let tcp = tcp_server.listen("127.0.0.1:0").await.unwrap();
        echo_and_channel(&client, &server, &format!("ws#{ws} => tcp#{tcp}")).await;
        for n in [client, middle, server] {
            n.shutdown();
        }
    })
    .unwrap();
}

#[test]
fn connect_failures_are_typed() {
    run_local(async {
        let a = node("a");
        TcpTransport::create(&a).unwrap();
        WebSocketTransport::create(&a).unwrap();
        // A port nothing listens on (bound, then released).
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        for hop in [format!("tcp#{closed}"), format!("ws#{closed}")] {
            let error = a
                .request(
                    format!("{hop} => echo").parse::<Route>().unwrap(),
                    vec![],
                    PATIENT,
                )
                .await
                .unwrap_err();
            assert!(
                matches!(
                    error,
                    Error::Transport(TransportError::ConnectFailed { .. })
                ),
                "{error:?}"
            );
            assert_eq!(error.code(), "CONNECT_FAILED");
        }
        a.shutdown();
    })
    .unwrap();
}

#[test]
fn listen_failures_are_bind_errors_not_connect_errors() {
    run_local(async {
        let a = node("a");
        let tcp = TcpTransport::create(&a).unwrap();
        let ws = WebSocketTransport::create(&a).unwrap();
        let wt = WebTransportTransport::create(&a).unwrap();
        // A TCP port someone else holds, and text that is no address at all.
        let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let taken = taken.local_addr().unwrap().to_string();
        let failures = [
            tcp.listen(&taken).await.unwrap_err(),
            ws.listen(&taken).await.unwrap_err(),
            wt.listen("not an address").await.err().unwrap(),
        ];
        for error in failures {
            assert!(
                matches!(error, Error::Transport(TransportError::BindFailed { .. })),
                "{error:?}"
            );
            assert_eq!(error.code(), "BIND_FAILED");
            assert!(error.to_string().contains("could not listen on"), "{error}");
        }
        a.shutdown();
    })
    .unwrap();
}

#[test]
fn hostile_tcp_peers_only_lose_their_own_connection() {
    run_local(async {
        let b = node("b");
        let tcp = TcpTransport::create(&b).unwrap();
        b.start_worker("echo", Echo).unwrap();
        let bound = tcp.listen("127.0.0.1:0").await.unwrap();
        let baseline = b.worker_count();

        // Garbage, a wrong version byte, an oversized frame, a malformed frame: each
        // connection is closed by the node.
        let malformed = [&[1u8][..], &5u32.to_be_bytes(), &[0xff; 5]].concat();
        let oversized = [&[1u8][..], &u32::MAX.to_be_bytes()].concat();
        for attack in [
            b"\x00GET / HTTP/1.1\r\n\r\n".to_vec(),
            vec![2u8, 0, 0, 0, 0],
            oversized,
            malformed,
        ] {
            let mut raw = TcpStream::connect(bound).await.unwrap();
            raw.write_all(&attack).await.unwrap();
            let mut buffer = vec![0u8; 64];
            // The node writes its version byte, then closes: read until EOF.
            let mut read = 0;
            loop {
                match tokio::time::timeout(Duration::from_secs(5), raw.read(&mut buffer)).await {
                    Ok(Ok(0)) | Ok(Err(_)) => break,
                    Ok(Ok(n)) => read += n,
                    Err(_) => panic!("node did not close a hostile connection"),
                }
            }
            assert!(read <= 1);
        }

        // 1,000 connections opened and closed: nothing leaks.
        for _ in 0..1_000 {
            let mut raw = TcpStream::connect(bound).await.unwrap();
            raw.write_all(&[1]).await.unwrap();
            drop(raw);
        }
        wait_until(&b, SETTLE, || {
            b.worker_count() == baseline && tcp.connection_count() == 0
        })
        .await;

        // And the node still serves.
        let a = node("a");
        TcpTransport::create(&a).unwrap();
        let reply = a
            .request(
                format!("tcp#{bound} => echo").parse::<Route>().unwrap(),
                b"ok".to_vec(),
                PATIENT,
            )
            .await
            .unwrap();
        assert_eq!(reply.payload, b"ok");
        a.shutdown();
        b.shutdown();
    })
    .unwrap();
}

#[test]
fn a_peer_that_dies_mid_handshake_or_mid_stream_gives_typed_errors() {
    run_local(async {
        let a = node("a");
        let tcp_a = TcpTransport::create(&a).unwrap();
        let identity = a.create_identity().await.unwrap();
        let options = || {
            SecureChannelOptions::new(TrustPolicy::TrustEveryone)
                .with_timeout(Duration::from_millis(500))
        };

        // A server that accepts, reads message 1 and dies.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let bound = listener.local_addr().unwrap();
        tokio::task::spawn_local(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut buffer = vec![0u8; 1024];
            let _ = socket.read(&mut buffer).await;
        });
        let route: Route = format!("tcp#{bound} => secure").parse().unwrap();
        let error = a
            .create_secure_channel(&identity, route, options())
            .await
            .unwrap_err();
        assert_eq!(error, Error::Timeout(Duration::from_millis(500)));
        wait_until(&a, SETTLE, || tcp_a.connection_count() == 0).await;

        // A live channel whose server shuts down mid-stream.
        let b = node("b");
        let tcp_b = TcpTransport::create(&b).unwrap();
        let bound = tcp_b.listen("127.0.0.1:0").await.unwrap();
        let b_id = b.create_identity().await.unwrap();
        b.create_secure_channel_listener(&b_id, "secure", options())
            .unwrap();
        b.start_worker("echo", Echo).unwrap();
        let route: Route = format!("tcp#{bound} => secure").parse().unwrap();
        let channel = a
            .create_secure_channel(&identity, route, options())
            .await
            .unwrap();
        assert_eq!(
            channel
                .request("echo", b"1".to_vec(), PATIENT)
                .await
                .unwrap()
                .payload,
            b"1"
        );
        b.shutdown();
        wait_until(&a, SETTLE, || tcp_a.connection_count() == 0).await;
        // The channel closed with its connection: senders learn it at once.
        wait_until(&a, SETTLE, || !channel.is_open()).await;
        let lost = channel
            .request("echo", b"2".to_vec(), Some(Duration::from_millis(300)))
            .await
            .unwrap_err();
        assert_eq!(lost, Error::ChannelClosed);
        a.shutdown();
    })
    .unwrap();
}

#[test]
fn webtransport_node_to_node_with_certificate_pinning() {
    use razor_node::transport::WebTransportTransport;
    run_local(async {
        let (a, b) = (node("a"), node("b"));
        let wt_a = WebTransportTransport::create(&a).unwrap();
        let wt_b = WebTransportTransport::create(&b).unwrap();
        let listener = wt_b.listen("127.0.0.1:0").await.unwrap();
        let address = listener.address.to_string();

        // Nothing pinned, then the wrong hash: typed errors, no connection.
        let route: Route = format!("wt#{address} => echo").parse().unwrap();
        let unpinned = a.request(route.clone(), vec![], PATIENT).await.unwrap_err();
        assert_eq!(unpinned.code(), "CONNECT_FAILED");
        wt_a.pin_certificate(&address, [7; 32]);
        let wrong = a.request(route, vec![], PATIENT).await.unwrap_err();
        assert_eq!(
            wrong,
            Error::Transport(TransportError::CertificateMismatch),
            "{wrong:?}"
        );
        assert_eq!(wt_a.connection_count(), 0);

        wt_a.pin_certificate(&address, listener.certificate_hash);
        echo_and_channel(&a, &b, &format!("wt#{address}")).await;
        assert_eq!(wt_a.connection_count(), 1);
        a.shutdown();
        b.shutdown();
    })
    .unwrap();
}

#[test]
fn reconnection_is_opt_in_and_backs_off() {
    use razor_core::transport::RetryPolicy;
    run_local(async {
        let (a, b) = (node("a"), node("b"));
        let tcp_a = TcpTransport::create(&a).unwrap();
        let tcp_b = TcpTransport::create(&b).unwrap();
        b.start_worker("echo", Echo).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let route: Route = format!("tcp#127.0.0.1:{port} => echo").parse().unwrap();

        // Nothing listens yet: one attempt, a typed failure.
        assert_eq!(
            a.request(route.clone(), vec![], PATIENT)
                .await
                .unwrap_err()
                .code(),
            "CONNECT_FAILED"
        );

        // With a policy, attempts continue until the server comes up 300 ms later.
        tcp_a.set_retry(Some(RetryPolicy {
            attempts: 20,
            initial_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(100),
        }));
        let late = tcp_b.clone();
        tokio::task::spawn_local(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            late.listen(&format!("127.0.0.1:{port}")).await.unwrap();
        });
        let reply = a
            .request(route, b"retried".to_vec(), PATIENT)
            .await
            .unwrap();
        assert_eq!(reply.payload, b"retried");
        a.shutdown();
        b.shutdown();
    })
    .unwrap();
}

#[test]
fn a_dropped_connection_is_redialled_and_channels_over_it_report_the_loss() {
    use razor_core::runtime::{CloseCause, NodeEvent};
    use razor_core::transport::RetryPolicy;
    run_local(async {
        let a = node("a");
        let ws_a = WebSocketTransport::create(&a).unwrap();
        ws_a.set_retry(Some(RetryPolicy {
            attempts: 40,
            initial_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(100),
        }));
        let events = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let seen = events.clone();
        a.set_observer(move |event| {
            seen.borrow_mut().push(match event {
                NodeEvent::Reconnecting { attempt, .. } => format!("reconnecting {attempt}"),
                NodeEvent::ConnectionOpened { .. } => "opened".into(),
                NodeEvent::ConnectionClosed { cause, .. } => format!("closed {}", cause.name()),
                _ => "other".into(),
            });
        });
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let start_server = || async {
            let b = node("b");
            b.start_worker("echo", Echo).unwrap();
            let id = b.create_identity().await.unwrap();
            b.create_secure_channel_listener(
                &id,
                "secure",
                SecureChannelOptions::new(TrustPolicy::TrustEveryone),
            )
            .unwrap();
            WebSocketTransport::create(&b)
                .unwrap()
                .listen(&format!("127.0.0.1:{port}"))
                .await
                .unwrap();
            b
        };
        let b = start_server().await;
        let identity = a.create_identity().await.unwrap();
        let route = |rest: &str| {
            format!("ws#127.0.0.1:{port} => {rest}")
                .parse::<Route>()
                .unwrap()
        };
        let channel = a
            .create_secure_channel(
                &identity,
                route("secure"),
                SecureChannelOptions::new(TrustPolicy::TrustEveryone),
            )
            .await
            .unwrap();
        channel
            .request("echo", b"one".to_vec(), PATIENT)
            .await
            .unwrap();

        // The server goes away: the channel reports the loss, the transport redials...
        b.shutdown();
        let cause = timeout(a.runtime(), PATIENT.unwrap(), channel.closed())
            .await
            .unwrap();
        assert_eq!(cause, CloseCause::ConnectionLost);
        tokio::time::sleep(Duration::from_millis(200)).await;
        // ...and reaches the server once it is back, on the same port.
        let b = start_server().await;
        wait_until(&a, Duration::from_secs(10), || ws_a.connection_count() == 1).await;
        let reply = a
            .request(route("echo"), b"after the restart".to_vec(), PATIENT)
            .await
            .unwrap();
        assert_eq!(reply.payload, b"after the restart");
        let events = events.borrow();
        assert!(events.iter().any(|e| e == "closed peer"), "{events:?}");
        assert!(events.iter().any(|e| e == "reconnecting 1"), "{events:?}");
        assert_eq!(
            events.iter().filter(|e| *e == "opened").count(),
            2,
            "{events:?}"
        );
        a.shutdown();
        b.shutdown();
    })
    .unwrap();
}

#[test]
fn a_peer_that_never_reads_cannot_grow_memory() {
    run_local(async {
        let a = Node::new(TokioRuntime, NodeConfig::new("a").with_mailbox_capacity(16));
        TcpTransport::create(&a).unwrap();
        // A server that accepts and never reads.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let bound = listener.local_addr().unwrap();
        tokio::task::spawn_local(async move {
            let (_socket, _) = listener.accept().await.unwrap();
            std::future::pending::<()>().await;
        });
        let route: Route = format!("tcp#{bound} => sink").parse().unwrap();
        let message = vec![0u8; 1024 * 1024];
        let mut accepted = 0;
        loop {
            let attempt =
                razor_core::LocalMessage::new(route.clone(), Route::new(), message.clone());
            match a.try_route(attempt).await {
                Ok(()) => accepted += 1,
                Err(Error::MailboxFull(_)) => break,
                Err(other) => panic!("{other:?}"),
            }
            assert!(accepted < 1_000, "a slow peer must push back");
            tokio::task::yield_now().await;
        }
        // What is held: the connection's 16-message mailbox and the socket buffers.
        assert!(
            accepted <= 64,
            "accepted {accepted} MiB before pushing back"
        );
        a.shutdown();
    })
    .unwrap();
}

#[test]
fn hostile_websocket_peers_only_lose_their_own_connection() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    run_local(async {
        let b = node("b");
        let ws = WebSocketTransport::create(&b).unwrap();
        b.start_worker("echo", Echo).unwrap();
        let bound = ws.listen("127.0.0.1:0").await.unwrap();
        let baseline = b.worker_count();
        let url = format!("ws://{bound}/");
        // Text frames, malformed binary frames, garbage instead of an upgrade.
        for attack in [
            Message::Text("hello".into()),
            Message::Binary(vec![9, 9, 9].into()),
        ] {
            let (mut socket, _) = tokio_tungstenite::connect_async(url.as_str())
                .await
                .unwrap();
            socket.send(attack).await.unwrap();
            let closed = tokio::time::timeout(Duration::from_secs(5), async {
                while let Some(Ok(message)) = socket.next().await {
                    if message.is_close() {
                        break;
                    }
                }
            })
            .await;
            assert!(closed.is_ok(), "node closes the connection");
        }
        let mut raw = TcpStream::connect(bound).await.unwrap();
        raw.write_all(b"\x16\x03\x01 definitely not HTTP\r\n\r\n")
            .await
            .unwrap();
        let mut buffer = [0u8; 256];
        let _ = tokio::time::timeout(Duration::from_secs(5), raw.read(&mut buffer))
            .await
            .unwrap();
        wait_until(&b, SETTLE, || {
            b.worker_count() == baseline && ws.connection_count() == 0
        })
        .await;

        let a = node("a");
        WebSocketTransport::create(&a).unwrap();
        let reply = a
            .request(
                format!("ws#{bound} => echo").parse::<Route>().unwrap(),
                b"ok".to_vec(),
                PATIENT,
            )
            .await
            .unwrap();
        assert_eq!(reply.payload, b"ok");
        a.shutdown();
        b.shutdown();
    })
    .unwrap();
}
