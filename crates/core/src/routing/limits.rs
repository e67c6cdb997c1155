//! Hard size limits on everything decoded from the network. One place, one set of numbers.

/// Largest encoded `TransportMessage` accepted or sent (Ockam's TCP frame limit).
pub const MAX_MESSAGE_LEN: usize = 16 * 1024 * 1024;
/// Most addresses in one route.
pub const MAX_ROUTE_LEN: usize = 64;
/// Longest address value in bytes.
pub const MAX_ADDRESS_LEN: usize = 1024;
/// Longest tracing context string in bytes.
pub const MAX_TRACING_LEN: usize = 4096;
