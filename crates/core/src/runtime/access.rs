use crate::error::Error;
use crate::routing::Address;
use crate::runtime::LocalMessage;

/// Decides whether a message may be delivered to a worker. Checked by the router before the
/// message enters the worker's mailbox; a refusal is [`Error::AccessDenied`](crate::error::Error).
pub trait IncomingAccessControl: 'static {
    /// Whether `message` may reach the worker.
    fn is_authorized(&self, message: &LocalMessage) -> bool;

    /// The error a local sender gets when a message to `address` is refused.
    fn denial(&self, address: &Address) -> Error {
        Error::AccessDenied(address.clone())
    }
}

/// Lets every message through. The default for workers started without options.
#[derive(Debug, Clone, Copy, Default)]
pub struct AllowAll;

impl IncomingAccessControl for AllowAll {
    fn is_authorized(&self, _message: &LocalMessage) -> bool {
        true
    }
}

/// Lets through only messages that started on this node (none that arrived over a transport).
#[derive(Debug, Clone, Copy, Default)]
pub struct LocalOnly;

impl IncomingAccessControl for LocalOnly {
    fn is_authorized(&self, message: &LocalMessage) -> bool {
        message.local_info.arrived_via.is_none()
    }
}

impl<F: Fn(&LocalMessage) -> bool + 'static> IncomingAccessControl for F {
    fn is_authorized(&self, message: &LocalMessage) -> bool {
        self(message)
    }
}
