use thiserror::Error;

/// Why bytes could not be decoded. Decoding errors never carry the offending bytes.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The input ended before `needed` more bytes could be read.
    #[error("unexpected end of input: needed {needed} more bytes, {remaining} left")]
    UnexpectedEnd {
        /// Bytes the reader wanted.
        needed: usize,
        /// Bytes that were left.
        remaining: usize,
    },
    /// A ULEB128 integer was longer than 10 bytes, overflowed 64 bits, or was not minimal.
    #[error("malformed variable-length integer")]
    BadVarint,
    /// A length or count exceeded its limit.
    #[error("{what} too large: {len} > {max}")]
    TooLarge {
        /// What was being decoded.
        what: &'static str,
        /// The length that was read.
        len: u64,
        /// The limit for it.
        max: u64,
    },
    /// The message names a protocol version this decoder does not know.
    #[error("unsupported version {0}")]
    UnsupportedVersion(u8),
    /// A field that must be UTF-8 was not.
    #[error("{0} is not valid UTF-8")]
    InvalidUtf8(&'static str),
    /// A flag or tag byte had a value outside its range.
    #[error("invalid {what} value {value}")]
    InvalidTag {
        /// What was being decoded.
        what: &'static str,
        /// The value found.
        value: u64,
    },
    /// Bytes were left after a complete value.
    #[error("{0} trailing bytes after the message")]
    TrailingBytes(usize),
    /// Structurally valid input that breaks a rule of the format.
    #[error("malformed {0}")]
    Malformed(&'static str),
}

impl DecodeError {
    /// `len` as a `usize` if it is at most `max`, else [`TooLarge`](Self::TooLarge).
    pub(crate) fn check_len(what: &'static str, len: u64, max: usize) -> Result<usize, Self> {
        let too_large = || Self::TooLarge {
            what,
            len,
            max: max as u64,
        };
        if len > max as u64 {
            return Err(too_large());
        }
        usize::try_from(len).map_err(|_| too_large())
    }
}
