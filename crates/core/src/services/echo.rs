use crate::error::Result;
use crate::runtime::LocalMessage;
use crate::runtime::{Context, Worker};

/// Answers every message with its own payload, along its return route.
#[derive(Debug, Clone, Copy, Default)]
pub struct Echo;

impl Worker for Echo {
    async fn handle_message(&mut self, ctx: &mut Context, message: LocalMessage) -> Result<()> {
        ctx.send(message.return_route, message.payload).await
    }
}
