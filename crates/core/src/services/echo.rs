use tracing::debug;

use crate::error::{Error, Result};
use crate::runtime::LocalMessage;
use crate::runtime::{Context, Worker};

/// Answers every message with its own payload, along its return route.
///
/// One echo serves everyone, so it never waits for room: when the asker's connection is not
/// taking more (a peer that sends and does not read), the answer is dropped and counted
/// ([`PeerMetrics::replies_dropped`](crate::runtime::PeerMetrics)) instead of holding up
/// the answers to everybody else.
#[derive(Debug, Clone, Copy, Default)]
pub struct Echo;

impl Worker for Echo {
    async fn handle_message(&mut self, ctx: &mut Context, message: LocalMessage) -> Result<()> {
        match ctx.try_send(message.return_route, message.payload).await {
            Err(Error::MailboxFull(address)) => {
                ctx.node().peer_metrics().replies_dropped.increment();
                debug!(%address, "echo: the asker is not reading; answer dropped");
                Ok(())
            }
            other => other,
        }
    }
}
