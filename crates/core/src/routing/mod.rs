//! Addresses, routes and Ockam's wire message, with their encodings. (A message inside a node,
//! with its local metadata, is the runtime's [`LocalMessage`](crate::runtime::LocalMessage).)
//!
//! Razor's routing is Ockam Routing: a message carries an *onward route* (where it is going)
//! and a *return route* (how to answer). Each hop removes itself from the front of the onward
//! route and pushes its own address onto the front of the return route, so whoever receives a
//! message can answer it without knowing the path.

mod address;
pub mod cbor;
pub mod limits;
mod notice;
mod route;
mod transport_message;
mod transport_type;

pub use address::{Address, AddressParseError};
pub use notice::{MAX_CODE_LEN, MAX_DETAIL_LEN, NOTICE_MAGIC, Notice, NoticeBudget};
pub use route::Route;
pub use transport_message::TransportMessage;
pub use transport_type::TransportType;
