//! The outlet: a worker (at `"outlet"` by Ockam's convention) that, for each Ping that came
//! through a secure channel, dials its target and carries that connection.

use core::future::Future;
use std::rc::Rc;

use tracing::{debug, warn};

use super::connection::PortalConnection;
use super::message::PortalMessage;
use super::stream::{PortalRead, PortalWrite};
use crate::error::Result;
use crate::runtime::{Context, LocalMessage, Worker};

/// The address Ockam's outlets conventionally have.
pub const DEFAULT_OUTLET_ADDRESS: &str = "outlet";

/// What an outlet connects each portal connection to (natively: a TCP address).
pub trait OutletTarget: 'static {
    /// The stream's reading half.
    type Read: PortalRead;
    /// The stream's writing half.
    type Write: PortalWrite;
    /// Opens a new stream to the target.
    fn connect(&self) -> impl Future<Output = Result<(Self::Read, Self::Write)>>;
}

/// The outlet worker. Pings that did not come through a secure channel are dropped: a portal
/// to a private service is only reachable by authenticated peers (the channel listener's
/// trust policy decides which).
pub struct Outlet<T: OutletTarget> {
    target: Rc<T>,
}

impl<T: OutletTarget> Outlet<T> {
    /// An outlet to `target`.
    pub fn new(target: T) -> Self {
        Self {
            target: Rc::new(target),
        }
    }
}

impl<T: OutletTarget> Worker for Outlet<T> {
    async fn handle_message(&mut self, ctx: &mut Context, message: LocalMessage) -> Result<()> {
        match PortalMessage::decode(&message.payload) {
            Ok(PortalMessage::Ping) => {}
            _ => {
                debug!("the outlet takes only Pings; dropped a message");
                return Ok(());
            }
        }
        let Some(origin) = message.local_info.secure_channel.as_ref() else {
            warn!("dropped a portal Ping that did not come through a secure channel");
            return Ok(());
        };
        debug!(peer = %origin.identifier, "portal connection requested");
        let node = ctx.node().clone();
        let target = self.target.clone();
        let task = node.task();
        node.clone().spawn(async move {
            let _task = task;
            // Like Ockam's outlet: no Pong (so no connection) unless the target answered.
            let (reader, writer) = match target.connect().await {
                Ok(stream) => stream,
                Err(error) => {
                    warn!(%error, code = error.code(), "the outlet could not reach its target");
                    return;
                }
            };
            let connection = match PortalConnection::accept(&node, message).await {
                Ok(connection) => connection,
                Err(error) => {
                    debug!(%error, "could not answer a portal Ping");
                    return;
                }
            };
            match connection.run(reader, writer).await {
                Ok(end) => debug!(?end, "portal connection ended"),
                Err(error) => debug!(%error, "portal connection failed"),
            }
        });
        Ok(())
    }
}
