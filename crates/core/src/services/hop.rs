use std::rc::Rc;

use crate::error::Result;
use crate::runtime::LocalMessage;
use crate::runtime::{Context, Worker};

/// Called with the node name and the message as it leaves a [`Hop`].
pub type HopObserver = Rc<dyn Fn(&str, &LocalMessage)>;

/// A routing hop: removes itself from the onward route, adds itself to the return route and
/// passes the message on, optionally telling an observer (demos print each hop this way).
#[derive(Default, Clone)]
pub struct Hop {
    observer: Option<HopObserver>,
}

impl Hop {
    /// A silent hop.
    pub fn new() -> Self {
        Self::default()
    }

    /// A hop that reports each message it passes on.
    pub fn observed(observer: impl Fn(&str, &LocalMessage) + 'static) -> Self {
        Self {
            observer: Some(Rc::new(observer)),
        }
    }
}

impl Worker for Hop {
    const ACCEPTS_NOTICES: bool = true;

    async fn handle_message(&mut self, ctx: &mut Context, mut message: LocalMessage) -> Result<()> {
        if message.is_notice() {
            message.onward_route.step();
            return ctx.node().try_route(message).await;
        }
        message.step_forward();
        if let Some(observer) = &self.observer {
            observer(ctx.node().name(), &message);
        }
        ctx.forward(message).await
    }
}
