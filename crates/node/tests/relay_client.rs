//! The relay client of `razor node --relay` (core's `RelayClient`, over the native WebSocket
//! transport): registers, is reached through its alias, registers again after the relay service's
//! node restarts, reports each loss, and stops for good when closed.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use razor_core::services::{Echo, RELAY_SERVICE_ADDRESS, RelayClient, RelayService};
use razor_core::testing::wait_until;
use razor_core::{Node, NodeConfig, Route};
use razor_node::relay_client;
use razor_node::transport::WebSocketTransport;
use razor_node::{TokioRuntime, run_local};

const PATIENT: Option<Duration> = Some(Duration::from_secs(5));

fn node(name: &str) -> Node {
    Node::new(TokioRuntime, NodeConfig::new(name))
}

/// A relay service's node listening for WebSocket on `port`.
async fn relay_service(port: u16) -> Node {
    let service = node("service");
    service
        .start_worker(RELAY_SERVICE_ADDRESS, RelayService::new())
        .unwrap();
    WebSocketTransport::create(&service)
        .unwrap()
        .listen(&format!("127.0.0.1:{port}"))
        .await
        .unwrap();
    service
}

#[test]
fn a_kept_relay_registers_again_after_the_service_restarts_and_stops_when_closed() {
    run_local(async {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let service = relay_service(port).await;

        let peer = node("peer");
        peer.start_worker("echo", Echo).unwrap();
        let ws = WebSocketTransport::create(&peer).unwrap();
        let mut client = RelayClient::new();
        client.name = Some("kept".into());
        client.initial_backoff = Duration::from_millis(20);
        client.max_backoff = Duration::from_millis(200);
        let aliases = Rc::new(RefCell::new(Vec::<String>::new()));
        let seen = aliases.clone();
        let url = format!("ws://127.0.0.1:{port}/");
        let kept = relay_client::keep_registered(client, &peer, &ws, &url, move |alias| {
            seen.borrow_mut().push(alias.to_owned())
        });

        let visitor = node("visitor");
        let visitor_ws = WebSocketTransport::create(&visitor).unwrap();
        let via_alias: Route = format!("ws#127.0.0.1:{port}/ => kept => echo")
            .parse()
            .unwrap();
        wait_until(&peer, Duration::from_secs(5), || {
            aliases.borrow().len() == 1
        })
        .await;
        assert_eq!(aliases.borrow().as_slice(), ["kept"]);
        assert_eq!(kept.current().unwrap().0, "kept");
        let reply = visitor
            .request(via_alias.clone(), b"first".to_vec(), PATIENT)
            .await
            .unwrap();
        assert_eq!(reply.payload, b"first");

        // The service's node restarts: the relay is lost, then registered again by itself.
        service.shutdown();
        wait_until(&peer, Duration::from_secs(5), || kept.current().is_none()).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let service = relay_service(port).await;
        wait_until(&peer, Duration::from_secs(10), || {
            aliases.borrow().len() == 2
        })
        .await;
        wait_until(&visitor, Duration::from_secs(5), || {
            visitor_ws.connection_count() == 0
        })
        .await;
        let reply = visitor
            .request(via_alias.clone(), b"again".to_vec(), PATIENT)
            .await
            .unwrap();
        assert_eq!(reply.payload, b"again");

        // Closed: the relay goes with its connection and is not registered again.
        kept.close();
        assert!(kept.current().is_none());
        wait_until(&peer, Duration::from_secs(5), || ws.connection_count() == 0).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(aliases.borrow().len(), 2, "registered again after close");
        let gone = visitor
            .request(via_alias, b"closed".to_vec(), PATIENT)
            .await
            .unwrap_err();
        assert_eq!(gone.code(), "UNKNOWN_ADDRESS", "{gone:?}");
        for node in [service, peer, visitor] {
            node.shutdown();
        }
    })
    .unwrap();
}
