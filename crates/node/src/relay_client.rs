//! How the native node reaches a relay service for [`razor_core::services::RelayClient`]: a
//! `ws://` URL (a Razor edge, `ws://host/<name>` for a chosen name, or a Razor node's WebSocket
//! listener) or `tcp://host:port` (an Ockam node, or a Razor node's TCP listener). The
//! registering, watching and backing off are core's.

use std::rc::Rc;

use razor_core::services::{Connect, KeptRelay, RelayClient, RelayClientEvent};
use razor_core::{Address, Node, TransportType};
use tracing::{info, warn};

use crate::transport::WebSocketTransport;

/// Connecting to the relay service's node at `url` over the node's WebSocket transport `ws`
/// or its TCP transport.
pub fn connect_to(node: &Node, ws: &WebSocketTransport, url: &str) -> Connect {
    let (node, ws, url) = (node.clone(), ws.clone(), url.to_owned());
    Rc::new(move || {
        let (node, ws, url) = (node.clone(), ws.clone(), url.clone());
        Box::pin(async move {
            match url.strip_prefix("tcp://") {
                // An Ockam node's relay service, over Ockam's TCP transport.
                Some(address) => {
                    let address = Address::new(TransportType::TCP, address);
                    node.transport(TransportType::TCP)?.resolve(&address).await
                }
                None => ws.connect(&url).await,
            }
        })
    })
}

/// Keeps `client`'s relay registered on the service at `url` until the node shuts down,
/// logging each registration and loss; `on_registered` gets each alias granted.
pub fn keep_registered(
    client: RelayClient,
    node: &Node,
    ws: &WebSocketTransport,
    url: &str,
    on_registered: impl Fn(&str) + 'static,
) -> KeptRelay {
    let shown = url.to_owned();
    client.keep_registered(
        node,
        connect_to(node, ws, url),
        None,
        move |event| match event {
            RelayClientEvent::Registered { alias, .. } => {
                info!(%alias, url = %shown, "relay registered");
                on_registered(alias);
            }
            RelayClientEvent::Lost { error: None } => {
                warn!(url = %shown, "relay connection lost; registering again");
            }
            RelayClientEvent::Lost { error: Some(error) } => {
                warn!(%error, url = %shown, "relay registration failed; retrying");
            }
        },
    )
}
