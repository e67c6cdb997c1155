//! Keeping a relay registered on a relay service (a Razor edge, another `razor node`, an Ockam
//! node): connect over WebSocket or TCP, register — through a secure channel to the service's node
//! when a name is chosen, which a Razor edge requires for chosen names — and, after the
//! connection drops, do it again with backoff.

use core::time::Duration;

use razor_core::channel::{SecureChannelOptions, TrustPolicy};
use razor_core::identity::Identity;
use razor_core::services::{RELAY_SERVICE_ADDRESS, register_relay};
use razor_core::{Address, Node, Result, Route, TransportType};
use tracing::{info, warn};

use crate::transport::WebSocketTransport;

/// Where and how to register.
#[derive(Clone)]
pub struct RelayClient {
    /// The relay service's node, as a `ws://` URL (on the edge: `ws://host/<name>` for a chosen
    /// name) or `tcp://host:port` (an Ockam node, or a Razor node's TCP listener).
    pub url: String,
    /// The name to ask for; `None` for a random one the service picks.
    pub name: Option<String>,
    /// Register through a secure channel as this identity (chosen names need it on the edge),
    /// accepting the service's node per this policy.
    pub through_channel: Option<(Identity, TrustPolicy)>,
    /// The service node's secure channel listener (default `secure`).
    pub listener: String,
    /// How long each step may take.
    pub timeout: Duration,
}

impl RelayClient {
    /// A client for the service at `url`, asking for a random name, without a channel.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            name: None,
            through_channel: None,
            listener: "secure".into(),
            timeout: Duration::from_secs(10),
        }
    }

    /// Connects and registers once; returns the alias granted and the connection it lives on.
    pub async fn register(
        &self,
        node: &Node,
        ws: &WebSocketTransport,
    ) -> Result<(String, Address)> {
        let hop = match self.url.strip_prefix("tcp://") {
            // An Ockam node's relay service, over Ockam's TCP transport.
            Some(address) => {
                let address = Address::new(TransportType::TCP, address);
                node.transport(TransportType::TCP)?
                    .resolve(&address)
                    .await?
            }
            None => ws.connect(&self.url).await?,
        };
        let name = self.name.as_deref().unwrap_or("register");
        let alias = match &self.through_channel {
            None => {
                let route = Route::from_hops([hop.clone(), Address::from(RELAY_SERVICE_ADDRESS)]);
                register_relay(node, route, name, Some(self.timeout)).await?
            }
            Some((identity, trust)) => {
                let route = Route::from_hops([hop.clone(), Address::from(self.listener.as_str())]);
                let options = SecureChannelOptions::new(trust.clone()).with_timeout(self.timeout);
                let channel = node.create_secure_channel(identity, route, options).await?;
                let registered = register_relay(
                    node,
                    channel.route(Address::from(RELAY_SERVICE_ADDRESS)),
                    name,
                    Some(self.timeout),
                )
                .await;
                // The relay forwards over the connection, not through the channel.
                channel.close();
                registered?
            }
        };
        Ok((alias, hop))
    }

    /// Registers, then keeps the relay registered until the node shuts down: when the
    /// connection drops, registers again (backoff from 250 ms to 5 s). `on_registered` gets
    /// each alias granted.
    pub fn keep_registered(
        self,
        node: &Node,
        ws: &WebSocketTransport,
        on_registered: impl Fn(&str) + 'static,
    ) {
        let (node, ws) = (node.clone(), ws.clone());
        node.clone().spawn(async move {
            let mut delay = Duration::from_millis(250);
            while !node.is_shut_down() {
                match self.register(&node, &ws).await {
                    Ok((alias, hop)) => {
                        info!(%alias, url = %self.url, "relay registered");
                        on_registered(&alias);
                        delay = Duration::from_millis(250);
                        node.stopped(&hop).await;
                        warn!(url = %self.url, "relay connection lost; registering again");
                    }
                    Err(error) => {
                        warn!(%error, url = %self.url, "relay registration failed; retrying");
                        node.sleep(delay).await;
                        delay = (delay * 2).min(Duration::from_secs(5));
                    }
                }
            }
        });
    }
}
