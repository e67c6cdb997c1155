//! Ockam's relay ("forwarding") service: a peer that cannot accept connections registers an
//! alias on a node it can reach; messages sent to the alias are forwarded back to the peer
//! along the route its registration came by.
//!
//! Wire protocol (as Ockam 0.150): the peer sends a BARE string (`"register"` for a random
//! name, or the name it wants) to [`RELAY_SERVICE_ADDRESS`] (or [`STATIC_RELAY_SERVICE_ADDRESS`]).
//! The service starts a relay worker at the alias (the service's prefix and the name), which
//! answers the registration with the alias as a BARE string and from then
//! on replaces itself in the onward route of every message by the route back to the peer
//! (the registration's return route without its last hop). A relay lives as long as the
//! connection its registration arrived on.
//!
//! Who gets which name is the service's [`NamePolicy`]: [`NamePolicy::Open`] grants what is
//! asked (Ockam's behaviour, for private deployments); [`NamePolicy::Owned`] (the edge's)
//! grants a chosen name only to a registration that came through a secure channel, and only
//! to the identity that first claimed it; everyone else gets a random name. Refusals are
//! answered with a [`Notice`] (`NAME_TAKEN`, `INVALID_ARGUMENT`, `LIMIT_EXCEEDED`), which
//! Razor clients report as typed errors and Ockam clients ignore (they time out).

use core::cell::{Cell, RefCell};
use core::time::Duration;
use std::collections::HashMap;
use std::rc::Rc;

use tracing::{debug, info};

use crate::codec::Reader;
use crate::error::{Error, Result};
use crate::identity::Identifier;
use crate::routing::limits::MAX_ADDRESS_LEN;
use crate::routing::{Address, Route};
use crate::runtime::{Context, LocalBoxFuture, StopWatch, Worker, WorkerOptions};
use crate::runtime::{LocalMessage, Node};

/// The address Ockam nodes use for the relay service (`RemoteRelay::create` registers here).
pub const RELAY_SERVICE_ADDRESS: &str = "forwarding_service";
/// The second address of Ockam's relay service (`RemoteRelay::create_static` registers here).
pub const STATIC_RELAY_SERVICE_ADDRESS: &str = "static_forwarding_service";
/// The prefix Ockam's relay service puts in front of every alias (`forward_to_bob`).
pub const OCKAM_RELAY_PREFIX: &str = "forward_to_";
/// Relays one connection may hold by default.
pub const DEFAULT_RELAYS_PER_CONNECTION: usize = 16;

/// Names for an [`NamePolicy::Owned`] relay service: which are valid, random ones, and who
/// owns which (kept where the deployment keeps state: memory, a Durable Object's storage).
pub trait RelayNames: 'static {
    /// Whether a client may ask for `name` here; the error says why not.
    fn check(&self, name: &str) -> Result<()>;
    /// A fresh, unguessable name.
    fn random(&self) -> String;
    /// Records that `owner` holds `name` unless another identity already does; `Ok(false)`
    /// when it does.
    fn claim<'a>(
        &'a self,
        name: &'a str,
        owner: &'a Identifier,
    ) -> LocalBoxFuture<'a, Result<bool>>;
}

/// [`RelayNames`] kept in memory: names of 1 to 64 characters from `a`–`z`, `0`–`9`, `-`,
/// `_` and `.`; random names of 32 hex digits.
#[derive(Debug, Default)]
pub struct MemoryRelayNames {
    owners: RefCell<HashMap<String, Identifier>>,
}

impl RelayNames for MemoryRelayNames {
    fn check(&self, name: &str) -> Result<()> {
        check_name(name, 64)
    }

    fn random(&self) -> String {
        random_name()
    }

    fn claim<'a>(
        &'a self,
        name: &'a str,
        owner: &'a Identifier,
    ) -> LocalBoxFuture<'a, Result<bool>> {
        Box::pin(async move {
            let mut owners = self.owners.borrow_mut();
            let holder = owners.entry(name.to_owned()).or_insert(*owner);
            Ok(holder == owner)
        })
    }
}

/// Whether `name` is 1 to `max` characters of `a`–`z`, `0`–`9`, `-`, `_` and `.`, starting
/// with a letter or digit.
pub fn check_name(name: &str, max: usize) -> Result<()> {
    let valid = !name.is_empty()
        && name.len() <= max
        && name
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b));
    if valid {
        Ok(())
    } else {
        Err(Error::InvalidArgument(format!(
            "relay names are 1 to {max} of a-z, 0-9, '-', '_' and '.', starting with a letter or digit"
        )))
    }
}

/// 32 random hex digits.
pub fn random_name() -> String {
    Address::random_local()
        .value_str()
        .unwrap_or_default()
        .to_owned()
}

/// Who may register which alias.
#[derive(Clone)]
pub enum NamePolicy {
    /// Whatever the client asks for (`"register"`: a random name); a new registration of a
    /// name replaces the old one. Ockam's behaviour: for deployments where every client is
    /// trusted.
    Open,
    /// Chosen names only through a secure channel, owned by the first identity that claims
    /// them; random names for everyone else.
    Owned(Rc<dyn RelayNames>),
}

/// A relay registered, or gone (for a deployment that keeps relays across restarts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelayEvent {
    /// A relay now forwards `alias` along `route_back`, over the local connection
    /// `connection` (if it came over one).
    Registered {
        /// The alias (with the service's prefix).
        alias: Address,
        /// Where its messages go.
        route_back: Route,
        /// The connection it depends on.
        connection: Option<Address>,
    },
    /// The relay at `alias` stopped (its connection closed, or it was replaced).
    Removed {
        /// The alias.
        alias: Address,
    },
}

type Observer = Rc<dyn Fn(&RelayEvent)>;

/// Running relays: alias → (the connection they depend on, generation).
type RunningRelays = HashMap<Address, (Option<Address>, u64)>;

/// The relay service worker. Start it at [`RELAY_SERVICE_ADDRESS`].
#[derive(Clone)]
pub struct RelayService {
    prefix: String,
    policy: NamePolicy,
    per_connection: usize,
    observer: Option<Observer>,
    relays: Rc<RefCell<RunningRelays>>,
    /// Each running relay's watch on its connection, by generation: taken back when the relay
    /// stops first (re-registrations over one connection must not pile up callbacks on it).
    watches: Rc<RefCell<HashMap<u64, StopWatch>>>,
    generation: Rc<Cell<u64>>,
}

impl Default for RelayService {
    fn default() -> Self {
        Self::new()
    }
}

impl RelayService {
    /// A service with the [`NamePolicy::Open`] policy, whose aliases are exactly the
    /// requested names.
    pub fn new() -> Self {
        Self {
            prefix: String::new(),
            policy: NamePolicy::Open,
            per_connection: DEFAULT_RELAYS_PER_CONNECTION,
            observer: None,
            relays: Rc::default(),
            watches: Rc::default(),
            generation: Rc::default(),
        }
    }

    /// Where Ockam's clients look for the service: [`RELAY_SERVICE_ADDRESS`] and
    /// [`STATIC_RELAY_SERVICE_ADDRESS`].
    pub fn ockam_addresses() -> WorkerOptions {
        WorkerOptions::new(RELAY_SERVICE_ADDRESS).with_alias(STATIC_RELAY_SERVICE_ADDRESS)
    }

    /// Puts `prefix` in front of every alias (Ockam uses [`OCKAM_RELAY_PREFIX`]).
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Decides names with `policy`.
    pub fn with_policy(mut self, policy: NamePolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Lets one connection hold at most `limit` relays (default
    /// [`DEFAULT_RELAYS_PER_CONNECTION`]).
    pub fn with_relays_per_connection(mut self, limit: usize) -> Self {
        self.per_connection = limit;
        self
    }

    /// Calls `observer` when a relay registers or goes.
    pub fn with_observer(mut self, observer: impl Fn(&RelayEvent) + 'static) -> Self {
        self.observer = Some(Rc::new(observer));
        self
    }

    /// Number of relays running.
    pub fn relay_count(&self) -> usize {
        self.relays.borrow().len()
    }

    /// Starts a relay at `alias` forwarding along `route_back` without answering anyone:
    /// for a deployment that restarts its node and restores the relays it had (with the
    /// same connection addresses).
    pub fn restore(&self, node: &Node, alias: Address, route_back: Route) -> Result<()> {
        self.start_relay(node, alias, route_back, None)
    }

    fn start_relay(
        &self,
        node: &Node,
        alias: Address,
        route_back: Route,
        answer: Option<(Route, String)>,
    ) -> Result<()> {
        if node.stop_worker(&alias).is_ok() {
            info!(%alias, "replaced an existing relay");
        }
        let connection = route_back.next().filter(|a| a.is_local()).cloned();
        let generation = self.next_generation();
        let relay = Relay {
            route_back,
            answer,
            service: self.clone(),
            generation,
        };
        node.start_worker(alias.clone(), relay)?;
        self.relays
            .borrow_mut()
            .insert(alias.clone(), (connection.clone(), generation));
        // A relay lives as long as the connection it forwards over.
        if let Some(connection) = &connection {
            let (watcher, relay) = (node.clone(), alias.clone());
            let watching = node.on_worker_stopped(connection, move || {
                let _ = watcher.stop_worker(&relay);
            });
            match watching {
                Ok(watch) => {
                    self.watches.borrow_mut().insert(generation, watch);
                }
                Err(_) => {
                    let _ = node.stop_worker(&alias);
                    return Err(Error::UnknownAddress(connection.clone()));
                }
            }
        }
        Ok(())
    }

    fn next_generation(&self) -> u64 {
        let next = self.generation.get() + 1;
        self.generation.set(next);
        next
    }

    /// Forgets the relay at `alias` if it is still the one of `generation` (a replaced relay
    /// stops after its successor started).
    fn removed(&self, alias: &Address, generation: u64) {
        let watch = self.watches.borrow_mut().remove(&generation);
        if let Some(watch) = watch {
            watch.cancel();
        }
        let mut relays = self.relays.borrow_mut();
        if relays.get(alias).map(|(_, g)| *g) != Some(generation) {
            return;
        }
        relays.remove(alias);
        drop(relays);
        if let Some(observer) = &self.observer {
            observer(&RelayEvent::Removed {
                alias: alias.clone(),
            });
        }
    }

    /// The name to grant for `requested`, per the policy.
    async fn grant(&self, requested: &str, message: &LocalMessage) -> Result<String> {
        let NamePolicy::Owned(names) = &self.policy else {
            return Ok(if requested == "register" {
                random_name()
            } else {
                requested.to_owned()
            });
        };
        let peer = message.local_info.secure_channel.as_ref();
        match peer {
            Some(peer) if requested != "register" => {
                names.check(requested)?;
                if names.claim(requested, &peer.identifier).await? {
                    Ok(requested.to_owned())
                } else {
                    Err(Error::NameTaken(requested.to_owned()))
                }
            }
            // Without an authenticated identity there is nobody to own a name.
            _ => Ok(names.random()),
        }
    }

    async fn register(&self, ctx: &Context, message: &LocalMessage) -> Result<()> {
        let requested = decode_bare_string(&message.payload)?;
        let route_back = route_back(message);
        let connection = route_back
            .next()
            .filter(|a| a.is_local() && ctx.node().has_address(a))
            .cloned();
        if let Some(connection) = &connection {
            let held = self
                .relays
                .borrow()
                .values()
                .filter(|(c, _)| c.as_ref() == Some(connection))
                .count();
            if held >= self.per_connection {
                return Err(Error::LimitExceeded("relays per connection"));
            }
        }
        let name = self.grant(requested, message).await?;
        let alias = Address::local(format!("{}{name}", self.prefix));
        if alias.value().len() > MAX_ADDRESS_LEN || name.is_empty() {
            return Err(Error::InvalidArgument(
                "relay name too long or empty".into(),
            ));
        }
        info!(%alias, to = %route_back, "relay registered");
        if let Some(observer) = &self.observer {
            observer(&RelayEvent::Registered {
                alias: alias.clone(),
                route_back: route_back.clone(),
                connection,
            });
        }
        // Ockam's service answers with the whole alias (`forward_to_bob`); its client checks
        // that the answer ends with the name it asked for.
        let answer = alias.value_str().unwrap_or_default().to_owned();
        self.start_relay(
            ctx.node(),
            alias,
            route_back,
            Some((message.return_route.clone(), answer)),
        )
    }
}

/// Where a relay registered by `message` forwards: the registration's return route without
/// its last hop (the registrar). A registration that came through a secure channel to this
/// node is forwarded over the transport route the channel runs on, not through the channel:
/// the relay needs no channel keys, and it outlives the channel.
fn route_back(message: &LocalMessage) -> Route {
    let mut inner = message.return_route.clone();
    inner.pop_back();
    match &message.local_info.secure_channel {
        None => inner,
        Some(peer) => {
            inner.step(); // this node's end of the channel
            let mut route = peer.node_route.clone();
            route.append(&inner);
            route
        }
    }
}

impl Worker for RelayService {
    async fn handle_message(&mut self, ctx: &mut Context, message: LocalMessage) -> Result<()> {
        let outcome = self.register(ctx, &message).await;
        if let Err(error) = &outcome {
            debug!(%error, "relay registration refused");
            let _ = ctx
                .send_notice(message.return_route.clone(), error.to_notice())
                .await;
        }
        outcome
    }
}

/// One alias: forwards everything sent to it back to the registered peer.
struct Relay {
    route_back: Route,
    /// Where to send the registration's answer, and the alias granted.
    answer: Option<(Route, String)>,
    service: RelayService,
    generation: u64,
}

impl Worker for Relay {
    async fn initialize(&mut self, ctx: &mut Context) -> Result<()> {
        if let Some((to, name)) = self.answer.take() {
            ctx.send(to, encode_bare_string(&name)).await?;
        }
        Ok(())
    }

    async fn handle_message(&mut self, ctx: &mut Context, mut message: LocalMessage) -> Result<()> {
        message.onward_route.step();
        message.onward_route.prepend(&self.route_back);
        ctx.forward(message).await
    }

    async fn shutdown(&mut self, ctx: &mut Context) {
        self.service.removed(ctx.address(), self.generation);
    }
}

/// Registers a relay named `name` (or a random one for `"register"`) through `route` (the
/// route to a node's relay service) and returns the alias that was created.
pub async fn register_relay(
    node: &Node,
    route: impl Into<Route>,
    name: &str,
    timeout: Option<Duration>,
) -> Result<String> {
    let answer = node
        .request(route, encode_bare_string(name), timeout)
        .await?;
    Ok(decode_bare_string(&answer.payload)?.to_owned())
}

fn encode_bare_string(text: &str) -> Vec<u8> {
    crate::codec::bare_string(text)
}

fn decode_bare_string(bytes: &[u8]) -> Result<&str> {
    let mut reader = Reader::new(bytes);
    let text = reader.str("string", MAX_ADDRESS_LEN)?;
    reader.finish()?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn bare_strings_match_ockam() {
        assert_eq!(encode_bare_string("register"), b"\x08register");
        assert!(decode_bare_string(b"\x09register").is_err());
        assert!(decode_bare_string(b"\x02\xff\xfe").is_err());
    }

    #[test]
    fn names_are_checked() {
        assert!(check_name("bob", 64).is_ok());
        assert!(check_name("bob.laptop-2", 64).is_ok());
        for bad in ["", "Bob", ".bob", "bob/x", "bob ", &"a".repeat(65)] {
            assert!(check_name(bad, 64).is_err(), "{bad:?}");
        }
        assert_eq!(random_name().len(), 32);
        assert!(check_name(&random_name(), 64).is_ok());
    }

    proptest! {
        #[test]
        fn bare_strings_round_trip_and_never_panic(text in "\\PC{0,100}", junk: Vec<u8>) {
            let encoded = encode_bare_string(&text);
            prop_assert_eq!(decode_bare_string(&encoded)?, text.as_str());
            let _ = decode_bare_string(&junk);
            let _ = check_name(&text, 64);
        }
    }
}
