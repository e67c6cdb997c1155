//! Keeping a relay registered on a relay service (a Razor edge, another node, an Ockam node):
//! connect, register — through a secure channel to the service's node when a name is chosen,
//! which a Razor edge requires for chosen names — and, after the connection drops, do it again
//! with jittered backoff, so that the peers of a relay service that restarted come back spread
//! out rather than all at once.
//!
//! The client does not know how to connect: the driver hands it a [`Connect`] (the native node
//! dials WebSocket or TCP, the wasm node WebSocket or WebTransport). Everything else — the
//! registration, the watching, the backoff — is written once, here.

use core::cell::{Cell, RefCell};
use core::time::Duration;
use std::rc::Rc;

use crate::base::LocalBoxFuture;
use crate::channel::{SecureChannelOptions, TrustPolicy};
use crate::error::{Error, Result};
use crate::identity::Identity;
use crate::routing::{Address, Route};
use crate::runtime::{Backoff, Node};

use super::{RELAY_SERVICE_ADDRESS, register_relay};

/// How to reach the relay service's node: resolves to the hop of a connection to it.
pub type Connect = Rc<dyn Fn() -> LocalBoxFuture<'static, Result<Address>>>;

/// What to register and how.
#[derive(Clone)]
pub struct RelayClient {
    /// The name to ask for; `None` for a random one the service picks.
    pub name: Option<String>,
    /// Register through a secure channel as this identity (chosen names need it on the edge),
    /// accepting the service's node per this policy.
    pub through_channel: Option<(Identity, TrustPolicy)>,
    /// The service node's secure channel listener (default `secure`).
    pub listener: String,
    /// How long each step (connect, channel, registration) may take.
    pub timeout: Duration,
    /// The first wait after a failed or lost registration (default 250 ms), doubling, jittered.
    pub initial_backoff: Duration,
    /// The longest wait between attempts (default 5 s).
    pub max_backoff: Duration,
    /// Register again after the connection drops (default true); `false` reports the loss and
    /// stops.
    pub reconnect: bool,
}

/// What a kept relay reports.
#[derive(Debug)]
pub enum RelayClientEvent {
    /// Registered (or registered again) as `alias` over the connection `hop`.
    Registered {
        /// The alias granted: others route to `<their hop to the service> => alias`.
        alias: String,
        /// This node's connection to the service's node.
        hop: Address,
    },
    /// The relay is not registered now: its connection dropped (`error: None`) or an attempt
    /// to register again failed (`error: Some`). Another attempt follows after a backoff.
    Lost {
        /// Why the last attempt failed, if one did.
        error: Option<Error>,
    },
}

impl RelayClient {
    /// A client asking for a random name, without a channel, 10 s per step.
    pub fn new() -> Self {
        Self {
            name: None,
            through_channel: None,
            listener: "secure".into(),
            timeout: Duration::from_secs(10),
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(5),
            reconnect: true,
        }
    }

    /// Registers once over the connection `hop`; resolves to the alias granted.
    pub async fn register(&self, node: &Node, hop: &Address) -> Result<String> {
        let name = self.name.as_deref().unwrap_or("register");
        let Some((identity, trust)) = &self.through_channel else {
            let route = Route::from_hops([hop.clone(), Address::from(RELAY_SERVICE_ADDRESS)]);
            return register_relay(node, route, name, Some(self.timeout)).await;
        };
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
        // The relay forwards over the connection, not through the channel: the channel can go.
        channel.close();
        registered
    }

    /// Connects with `connect` and registers once; resolves to the alias and the connection.
    pub async fn connect_and_register(
        &self,
        node: &Node,
        connect: &Connect,
    ) -> Result<(String, Address)> {
        let hop = crate::runtime::timeout(node.runtime(), self.timeout, connect()).await??;
        let alias = self.register(node, &hop).await?;
        Ok((alias, hop))
    }

    /// Keeps the relay registered until [`KeptRelay::close`] or the node shuts down (or, without
    /// [`RelayClient::reconnect`], until the connection drops): after
    /// `registered` (the first registration, when the caller made it), or at once without one,
    /// it waits for the connection to drop, then connects and registers again, waiting a
    /// jittered backoff after each failure. `on_event` hears every registration and loss.
    pub fn keep_registered(
        self,
        node: &Node,
        connect: Connect,
        registered: Option<(String, Address)>,
        on_event: impl Fn(&RelayClientEvent) + 'static,
    ) -> KeptRelay {
        let kept = KeptRelay {
            node: node.clone(),
            closed: Rc::new(Cell::new(false)),
            current: Rc::new(RefCell::new(registered.clone())),
        };
        let (node, closed, current) = (node.clone(), kept.closed.clone(), kept.current.clone());
        let ended = move || closed.get() || node.is_shut_down();
        let node = kept.node.clone();
        node.clone().spawn(async move {
            let mut backoff = Backoff::new(self.initial_backoff, self.max_backoff);
            let mut registered = registered;
            while !ended() {
                let Some((_, hop)) = registered.take() else {
                    match self.connect_and_register(&node, &connect).await {
                        Ok((alias, hop)) if !ended() => {
                            backoff.reset();
                            *current.borrow_mut() = Some((alias.clone(), hop.clone()));
                            on_event(&RelayClientEvent::Registered {
                                alias: alias.clone(),
                                hop: hop.clone(),
                            });
                            registered = Some((alias, hop));
                        }
                        Ok((_, hop)) => {
                            // Closed while registering: the new connection goes too.
                            let _ = node.stop_worker(&hop);
                        }
                        Err(error) if !ended() => {
                            on_event(&RelayClientEvent::Lost { error: Some(error) });
                            node.sleep(backoff.next_delay()).await;
                        }
                        Err(_) => {}
                    }
                    continue;
                };
                node.stopped(&hop).await;
                current.borrow_mut().take();
                if ended() {
                    break;
                }
                on_event(&RelayClientEvent::Lost { error: None });
                if !self.reconnect {
                    break;
                }
                // Spread out: every peer of a service that restarted lost it at the same instant.
                node.sleep(backoff.next_delay()).await;
            }
        });
        kept
    }
}

impl Default for RelayClient {
    fn default() -> Self {
        Self::new()
    }
}

/// A relay kept registered by [`RelayClient::keep_registered`].
pub struct KeptRelay {
    node: Node,
    closed: Rc<Cell<bool>>,
    current: Rc<RefCell<Option<(String, Address)>>>,
}

impl KeptRelay {
    /// The alias and connection of the registration in force, if the relay is registered now.
    pub fn current(&self) -> Option<(String, Address)> {
        self.current.borrow().clone()
    }

    /// Stops re-registering and closes the connection (the relay goes with it).
    pub fn close(&self) {
        self.closed.set(true);
        if let Some((_, hop)) = self.current.borrow_mut().take() {
            let _ = self.node.stop_worker(&hop);
        }
    }
}
