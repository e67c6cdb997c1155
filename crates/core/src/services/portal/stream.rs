//! The local end of a portal connection: a byte stream in two halves, implemented by each
//! driver (a TCP socket natively, WHATWG streams in JavaScript).

use core::future::Future;

use crate::error::Result;

/// The half of the local stream the portal reads from (what goes to the other side).
pub trait PortalRead: 'static {
    /// The next bytes, of any length; empty at the end of the stream.
    fn read(&mut self) -> impl Future<Output = Result<Vec<u8>>>;
}

/// The half of the local stream the portal writes to (what came from the other side).
pub trait PortalWrite: 'static {
    /// Writes all of `bytes`, waiting while the stream cannot take more.
    fn write(&mut self, bytes: &[u8]) -> impl Future<Output = Result<()>>;
    /// Ends the stream (no half-close: the portal protocol has none).
    fn close(&mut self) -> impl Future<Output = ()>;
}
