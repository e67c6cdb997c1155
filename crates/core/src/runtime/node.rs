//! The [`Node`]: a handle on one single-threaded runtime — its registry of mailboxes, its
//! transports by type, the router (`route`, `try_route`, `request`), workers started and
//! stopped, node-wide extensions, events and shutdown.

use core::any::{Any, TypeId};
use core::time::Duration;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use tracing::{debug, trace};

use super::Transport;
use super::registry::{Mailbox, MailboxKind, Registry};
use super::{Client, CloseCause, Ending, LocalBoxFuture, NodeEvent, Runtime};
use crate::error::{Error, Result};
use crate::routing::NoticeBudget;
use crate::routing::{Address, Route, TransportType};
use crate::runtime::LocalMessage;
use crate::vault::crypto::RustCrypto;
use crate::vault::{CryptoProvider, SoftwareVault, Vault};

/// Settings for a [`Node`].
#[derive(Clone)]
#[non_exhaustive]
pub struct NodeConfig {
    /// A name for logs and demos.
    pub name: String,
    /// Messages a worker's mailbox holds before senders wait (default 256).
    pub mailbox_capacity: usize,
    /// How long [`Node::request`] waits for an answer by default (default 30 s).
    pub request_timeout: Duration,
    /// The algorithms the node's protocols run on (default [`RustCrypto`]).
    pub crypto: Rc<dyn CryptoProvider>,
}

impl core::fmt::Debug for NodeConfig {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("NodeConfig")
            .field("name", &self.name)
            .field("mailbox_capacity", &self.mailbox_capacity)
            .field("request_timeout", &self.request_timeout)
            .field("crypto", &self.crypto.name())
            .finish()
    }
}

impl NodeConfig {
    /// Defaults, with the given name.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            mailbox_capacity: 256,
            request_timeout: Duration::from_secs(30),
            crypto: RustCrypto::provider(),
        }
    }

    /// Runs the node's protocols on `crypto`.
    pub fn with_crypto(mut self, crypto: Rc<dyn CryptoProvider>) -> Self {
        self.crypto = crypto;
        self
    }

    /// Sets the default mailbox capacity.
    pub fn with_mailbox_capacity(mut self, capacity: usize) -> Self {
        self.mailbox_capacity = capacity;
        self
    }

    /// Sets the default request timeout.
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }
}

impl Default for NodeConfig {
    fn default() -> Self {
        Self::new("node")
    }
}

/// A Razor node: workers, the router between them, and the transports to other nodes.
///
/// Cheap to clone (a reference-counted handle); not `Send`. Call [`Node::shutdown`] when done:
/// it stops every worker, which also releases the node.
///
/// Secure channels are opened from a node too — `node.create_secure_channel(...)` and
/// `node.create_secure_channel_listener(...)` — but those methods live with the channels, in
/// [`channel::api`](crate::channel), an `impl Node` block of the channel layer: the runtime
/// below never names a channel.
#[derive(Clone)]
pub struct Node {
    inner: Rc<NodeInner>,
}

struct NodeInner {
    config: NodeConfig,
    runtime: Box<dyn Runtime>,
    vault: Rc<dyn Vault>,
    registry: Registry,
    transports: RefCell<HashMap<TransportType, Rc<dyn Transport>>>,
    /// Remote hops already resolved, with the connection each resolved to: a message to a
    /// known hop skips the transport (checked against the registry, so a closed connection
    /// is resolved again).
    resolved: RefCell<HashMap<Address, Address>>,
    extensions: RefCell<HashMap<TypeId, Rc<dyn Any>>>,
    fallback: RefCell<Option<AddressFallback>>,
    observer: RefCell<Option<Observer>>,
    shut_down: Cell<bool>,
    /// Tasks that belong to the node (workers, connection readers) still running.
    live_tasks: Cell<usize>,
    /// Ends once the node has shut down and its last task has finished.
    drained: Ending,
}

/// Remote hops the node remembers the connection of (forgotten all at once when full).
const MAX_RESOLVED_HOPS: usize = 1024;

type Observer = Rc<dyn Fn(&NodeEvent)>;

type AddressFallback = Rc<dyn Fn(&Address) -> Option<Route>>;

impl Node {
    /// A node driven by `runtime`, with a [`SoftwareVault`] for its keys.
    pub fn new(runtime: impl Runtime, config: NodeConfig) -> Self {
        Self::with_vault(runtime, config, Rc::new(SoftwareVault::new()))
    }

    /// A node driven by `runtime` whose identities keep their keys in `vault`.
    pub fn with_vault(runtime: impl Runtime, config: NodeConfig, vault: Rc<dyn Vault>) -> Self {
        Self {
            inner: Rc::new(NodeInner {
                config,
                runtime: Box::new(runtime),
                vault,
                registry: Registry::default(),
                transports: RefCell::default(),
                resolved: RefCell::default(),
                extensions: RefCell::default(),
                fallback: RefCell::default(),
                observer: RefCell::default(),
                shut_down: Cell::new(false),
                live_tasks: Cell::new(0),
                drained: Ending::default(),
            }),
        }
    }

    /// The node's name.
    pub fn name(&self) -> &str {
        &self.inner.config.name
    }

    /// The node's settings.
    pub fn config(&self) -> &NodeConfig {
        &self.inner.config
    }

    /// The driver's runtime.
    pub fn runtime(&self) -> &dyn Runtime {
        self.inner.runtime.as_ref()
    }

    /// The crypto provider the node's protocols run on.
    pub fn crypto(&self) -> Rc<dyn CryptoProvider> {
        self.inner.config.crypto.clone()
    }

    /// The vault that holds this node's identity keys.
    pub fn vault(&self) -> Rc<dyn Vault> {
        self.inner.vault.clone()
    }

    /// Wall-clock Unix time in seconds, from the driver.
    pub fn unix_time(&self) -> u64 {
        self.inner.runtime.unix_time()
    }

    /// Node-wide state of type `T`, created with `T::default()` on first use. Lets layers
    /// above the runtime (secure channels, ...) keep per-node state without the runtime
    /// knowing about them.
    pub fn extension<T: Default + 'static>(&self) -> Rc<T> {
        let mut extensions = self.inner.extensions.borrow_mut();
        let entry = extensions
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Rc::new(T::default()) as Rc<dyn Any>)
            .clone();
        drop(extensions);
        entry
            .downcast::<T>()
            .unwrap_or_else(|_| Rc::new(T::default()))
    }

    /// Spawns a task on the node's thread.
    pub fn spawn(&self, future: impl core::future::Future<Output = ()> + 'static) {
        self.inner.runtime.spawn(Box::pin(future));
    }

    /// A future that completes after `duration`.
    pub fn sleep(&self, duration: Duration) -> LocalBoxFuture<'static, ()> {
        self.inner.runtime.sleep(duration)
    }

    /// Puts `mailbox` in the registry at all of its addresses (`start_worker` is in
    /// `activation.rs`, with how workers run).
    pub(crate) fn register(&self, mailbox: Rc<Mailbox>) -> Result<()> {
        self.inner.registry.insert(mailbox)
    }

    /// This node, held weakly.
    pub(crate) fn downgrade(&self) -> WeakNode {
        WeakNode(Rc::downgrade(&self.inner))
    }

    /// Marks a task as the node's until the guard is dropped: [`closed`](Self::closed) waits
    /// for it after a shutdown. Workers are counted already; a transport counts its
    /// connection readers.
    pub fn task(&self) -> TaskGuard {
        self.inner.live_tasks.set(self.inner.live_tasks.get() + 1);
        TaskGuard {
            node: Rc::downgrade(&self.inner),
        }
    }

    /// Completes once the node has shut down and every worker and connection has finished
    /// ending (their shutdown run, their close reported).
    pub async fn closed(&self) {
        self.inner.drained.ended().await;
    }

    /// Stops the worker (or client) reachable at `address`: it takes no further messages and
    /// its [`Worker::shutdown`](super::Worker::shutdown) runs.
    pub fn stop_worker(&self, address: &Address) -> Result<()> {
        self.inner.registry.remove(address)
    }

    /// Runs `callback` once when the worker (or client) at `address` stops, for whatever
    /// reason; fails with [`Error::UnknownAddress`] if nothing runs there now.
    pub fn on_worker_stopped(
        &self,
        address: &Address,
        callback: impl FnOnce() + 'static,
    ) -> Result<StopWatch> {
        let mailbox = self.inner.registry.get(address)?;
        let id = mailbox.on_stop(Box::new(callback));
        Ok(StopWatch {
            mailbox: Rc::downgrade(&mailbox),
            id,
        })
    }

    /// Completes when the worker (or client) at `address` stops, for whatever reason; at once
    /// if nothing runs there now. The one way to wait for a worker to stop (the native relay
    /// client and the JS API use it).
    pub fn stopped(&self, address: &Address) -> impl core::future::Future<Output = ()> + use<> {
        let stopped = Rc::new(super::signal::Signal::default());
        let fire = stopped.clone();
        // Taken back if this future is dropped first (a caller that gave up waiting).
        let watching = self
            .on_worker_stopped(address, move || fire.fire())
            .map(StopWatch::cancel_on_drop);
        async move {
            if let Ok(_watch) = watching {
                stopped.wait().await;
            }
        }
    }

    /// Calls `observer` with every [`NodeEvent`] (connections and channels opening and
    /// closing, redials), replacing any earlier observer.
    pub fn set_observer(&self, observer: impl Fn(&NodeEvent) + 'static) {
        *self.inner.observer.borrow_mut() = Some(Rc::new(observer));
    }

    /// Tells the observer about `event`.
    pub fn emit(&self, event: NodeEvent) {
        let observer = self.inner.observer.borrow().clone();
        if let Some(observer) = observer {
            observer(&event);
        }
    }

    /// Whether something is registered at `address`.
    pub fn has_address(&self, address: &Address) -> bool {
        self.inner.registry.get(address).is_ok()
    }

    /// Number of running workers (clients not included).
    pub fn worker_count(&self) -> usize {
        self.inner.registry.count(MailboxKind::Worker)
    }

    /// Number of open [`Client`]s.
    pub fn client_count(&self) -> usize {
        self.inner.registry.count(MailboxKind::Client)
    }

    /// A new [`Client`] with a fresh address and its own mailbox, for sending and receiving
    /// from outside a worker.
    pub fn client(&self) -> Result<Client> {
        self.check_running()?;
        let (mailbox, receiver) = Mailbox::new(
            MailboxKind::Client,
            vec![Address::random_local()],
            self.inner.config.mailbox_capacity,
            Rc::new(super::AllowAll),
            true,
        )?;
        self.inner.registry.insert(mailbox.clone())?;
        Ok(Client::new(self.clone(), mailbox, receiver))
    }

    /// Sends `payload` along `route` and waits for one answer, for at most `timeout` (the
    /// node's default when `None`).
    pub async fn request(
        &self,
        route: impl Into<Route>,
        payload: impl Into<Vec<u8>>,
        timeout: Option<Duration>,
    ) -> Result<LocalMessage> {
        let client = self.client()?;
        client.request(route, payload, timeout).await
    }

    /// Registers the transport that handles addresses of its transport type.
    pub fn register_transport(&self, transport: Rc<dyn Transport>) -> Result<()> {
        let kind = transport.transport_type();
        if kind.is_local() {
            return Err(Error::InvalidArgument(
                "transport type 0 is reserved for local workers".into(),
            ));
        }
        let mut transports = self.inner.transports.borrow_mut();
        if transports.contains_key(&kind) {
            return Err(Error::InvalidArgument(format!(
                "a transport for type {kind} is already registered"
            )));
        }
        transports.insert(kind, transport);
        Ok(())
    }

    /// The transport registered for `kind`.
    pub fn transport(&self, kind: TransportType) -> Result<Rc<dyn Transport>> {
        self.inner
            .transports
            .borrow()
            .get(&kind)
            .cloned()
            .ok_or(Error::NoTransport(kind))
    }

    /// Delivers `message` to its next hop, waiting while the recipient's mailbox is full. A
    /// first hop on another transport is resolved (connecting if needed) by that transport.
    pub async fn route(&self, mut message: LocalMessage) -> Result<()> {
        let mailbox = self.next_mailbox(&mut message).await?;
        mailbox.deliver(message).await.map_err(|(error, _)| error)
    }

    /// Like [`route`](Self::route), for a message from elsewhere (a connection, a secure
    /// channel): if it cannot be delivered, its sender is sent a [`Notice`](crate::routing::Notice) with the error
    /// along the message's return route, as long as `budget` allows. Returns the error.
    pub async fn route_or_notify(
        &self,
        mut message: LocalMessage,
        budget: &mut NoticeBudget,
    ) -> Result<()> {
        let (error, message) = match self.next_mailbox(&mut message).await {
            Err(error) => (error, message),
            Ok(mailbox) => match mailbox.deliver(message).await {
                Ok(()) => return Ok(()),
                Err(failed) => failed,
            },
        };
        if let Some(notice) = message.notice_back(error.to_notice())
            && budget.spend(self.unix_time())
        {
            trace!(code = error.code(), to = %notice.onward_route, "notice");
            if let Err(error) = self.try_route(notice).await {
                debug!(%error, "could not send a notice");
            }
        }
        Err(error)
    }

    /// Routes messages for local addresses that have no worker here through `fallback`: when
    /// it returns a route for such an address, that route is put in front of it (say, a hop
    /// to the node that has it); an empty route means it started a worker at that address
    /// itself, and the address is looked up again. The edge uses this to spread relays over
    /// many nodes, and to re-create its links between them on demand.
    pub fn set_address_fallback(&self, fallback: impl Fn(&Address) -> Option<Route> + 'static) {
        *self.inner.fallback.borrow_mut() = Some(Rc::new(fallback));
    }

    /// Like [`route`](Self::route), but fails with [`Error::MailboxFull`] instead of waiting.
    pub async fn try_route(&self, mut message: LocalMessage) -> Result<()> {
        let mailbox = self.next_mailbox(&mut message).await?;
        mailbox.try_deliver(message)
    }

    /// Stops every worker and client and drops the transports. Later calls fail with
    /// [`Error::NodeShutDown`].
    pub fn shutdown(&self) {
        if self.inner.shut_down.replace(true) {
            return;
        }
        debug!(node = %self.name(), "shutting down");
        // The fallback may hold the node (or JS that does): let both go.
        self.inner.fallback.borrow_mut().take();
        self.inner.registry.clear();
        self.inner.resolved.borrow_mut().clear();
        let transports: Vec<_> = self.inner.transports.borrow_mut().drain().collect();
        for (_, transport) in transports {
            transport.shutdown();
        }
        if self.inner.live_tasks.get() == 0 {
            self.inner.drained.end(CloseCause::NodeShutDown);
        }
    }

    /// Forgets the observer (it may hold the node, or JS that does). Called by drivers once
    /// everything a shutdown ends has ended.
    pub fn clear_observer(&self) {
        self.inner.observer.borrow_mut().take();
    }

    /// Whether [`shutdown`](Self::shutdown) was called.
    pub fn is_shut_down(&self) -> bool {
        self.inner.shut_down.get()
    }

    pub(crate) fn check_running(&self) -> Result<()> {
        if self.is_shut_down() {
            Err(Error::NodeShutDown)
        } else {
            Ok(())
        }
    }

    /// The connection a remote `hop` goes through (its sending worker's address and mailbox):
    /// the one resolved before while it runs, else whatever the hop's transport resolves it to.
    async fn connection_to(&self, hop: &Address) -> Result<(Address, Rc<Mailbox>)> {
        let known = self.inner.resolved.borrow().get(hop).cloned();
        if let Some(connection) = known {
            if let Ok(mailbox) = self.inner.registry.get(&connection) {
                return Ok((connection, mailbox));
            }
            self.inner.resolved.borrow_mut().remove(hop);
        }
        let transport = self.transport(hop.transport())?;
        let connection = transport.resolve(hop).await?;
        let mailbox = self.inner.registry.get(&connection)?;
        let mut resolved = self.inner.resolved.borrow_mut();
        if resolved.len() >= MAX_RESOLVED_HOPS {
            resolved.clear();
        }
        resolved.insert(hop.clone(), connection.clone());
        Ok((connection, mailbox))
    }

    async fn next_mailbox(&self, message: &mut LocalMessage) -> Result<Rc<Mailbox>> {
        self.check_running()?;
        trace!(
            node = %self.name(),
            onward = %message.onward_route,
            back = %message.return_route,
            len = message.payload.len(),
            "route"
        );
        let mut fallback_used = false;
        loop {
            let next = message.onward_route.next().ok_or(Error::EmptyRoute)?;
            if !next.is_local() {
                let (connection, mailbox) = self.connection_to(next).await?;
                message.onward_route.step();
                message.onward_route.push_front(connection);
                return Ok(mailbox);
            }
            match self.inner.registry.get(next) {
                Err(Error::UnknownAddress(address)) if !fallback_used => {
                    let fallback = self.inner.fallback.borrow().clone();
                    match fallback.and_then(|f| f(&address)) {
                        // The fallback started a worker there itself: look again.
                        Some(route) if route.is_empty() => fallback_used = true,
                        Some(route) => {
                            message.onward_route.prepend(&route);
                            fallback_used = true;
                        }
                        None => return Err(Error::UnknownAddress(address)),
                    }
                }
                other => return other,
            }
        }
    }
}

/// A callback waiting for a worker to stop ([`Node::on_worker_stopped`]). Dropping it leaves
/// the callback in place; [`cancel`](Self::cancel) takes it back.
pub struct StopWatch {
    mailbox: std::rc::Weak<Mailbox>,
    id: u64,
}

impl core::fmt::Debug for StopWatch {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("StopWatch").field("id", &self.id).finish()
    }
}

impl StopWatch {
    /// Takes the callback back (nothing happens if it ran already).
    pub fn cancel(self) {
        if let Some(mailbox) = self.mailbox.upgrade() {
            mailbox.forget_on_stop(self.id);
        }
    }

    /// A guard that takes the callback back when dropped.
    pub fn cancel_on_drop(self) -> impl Drop {
        struct Guard(Option<StopWatch>);
        impl Drop for Guard {
            fn drop(&mut self) {
                if let Some(watch) = self.0.take() {
                    watch.cancel();
                }
            }
        }
        Guard(Some(self))
    }
}

/// A [`Node`] held without keeping it alive (what a parked worker holds).
pub(crate) struct WeakNode(std::rc::Weak<NodeInner>);

impl WeakNode {
    /// The node, unless it is gone.
    pub(crate) fn upgrade(&self) -> Option<Node> {
        self.0.upgrade().map(|inner| Node { inner })
    }
}

/// Counts one of the node's tasks while it lives (see [`Node::task`]).
pub struct TaskGuard {
    node: std::rc::Weak<NodeInner>,
}

impl Drop for TaskGuard {
    fn drop(&mut self) {
        let Some(node) = self.node.upgrade() else {
            return;
        };
        let left = node.live_tasks.get().saturating_sub(1);
        node.live_tasks.set(left);
        if left == 0 && node.shut_down.get() {
            node.drained.end(CloseCause::NodeShutDown);
        }
    }
}

impl core::fmt::Debug for Node {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Node")
            .field("name", &self.name())
            .field("workers", &self.worker_count())
            .finish_non_exhaustive()
    }
}
