//! Bounds-checked decoding and the BARE primitives of Ockam's wire format.
//!
//! Every decoder in Razor reads through one [`Reader`]: a read past the end, an oversized
//! length or trailing garbage is a [`DecodeError`], never a panic, and no decoder allocates
//! more than the input it was given.

mod bare;
pub mod cbor;
mod error;
pub mod hex;
mod reader;

pub use bare::{
    bare_string, encoded_len_of_bytes, encoded_len_of_uleb128, read_bare_string, write_bytes,
    write_uleb128,
};
pub use error::DecodeError;
pub use reader::Reader;
