//! Transports carry messages between nodes.
//!
//! A transport owns one [`TransportType`](crate::routing::TransportType). When a route's next hop has that type (say
//! `ws#127.0.0.1:4000`), the node asks the transport to [`resolve`](Transport::resolve) it: the
//! transport connects (or reuses a connection) and returns the local address of that
//! connection's sending worker, which replaces the hop. The sending worker removes itself from
//! the onward route and writes the message as a frame; on the far side the connection's reader
//! decodes the frame, pushes *its* sending worker's address onto the return route, and routes the
//! message on. Answers therefore travel back over the same connection, which is what lets a
//! browser that cannot accept connections be reached at all.
//!
//! [`connection`] holds that machinery once for every transport; drivers only supply a
//! [`FrameSink`](connection::FrameSink) and [`FrameSource`](connection::FrameSource) per socket.
//! Every transport that dials sockets is a [`Dialing`] transport: the platform writes a
//! [`Driver`] (how a hop names a peer, how to open a socket), and the rest — reuse, one dial per
//! peer at a time, retries, pinned certificates, shutdown — is shared.

pub mod connection;
mod dialing;
pub mod framing;
pub mod memory;
mod retry;
mod table;

pub use dialing::{CertificatePins, Dialing, Driver};
pub use retry::{RetryPolicy, connect_with_retry};
pub use table::ConnectionTable;

pub use crate::runtime::Transport;
