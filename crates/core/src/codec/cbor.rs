//! The subset of CBOR (RFC 8949) that Ockam's formats use, read through the bounded
//! [`Reader`] and written in the shortest form, as minicbor writes it.
//!
//! Definite lengths only (minicbor never writes indefinite ones); nesting is bounded by the
//! decoders' own structure plus [`CborReader::skip`]'s depth limit.

use super::{DecodeError, Reader};

const UNSIGNED: u8 = 0;
const BYTES: u8 = 2;
const TEXT: u8 = 3;
const ARRAY: u8 = 4;
const MAP: u8 = 5;
const SIMPLE: u8 = 7;

/// CBOR `false`, `true`, `null`.
const FALSE: u8 = 0xf4;
const TRUE: u8 = 0xf5;
const NULL: u8 = 0xf6;

/// Deepest nesting [`CborReader::skip`] follows.
const MAX_SKIP_DEPTH: usize = 16;

fn write_head(out: &mut Vec<u8>, major: u8, value: u64) {
    let major = major << 5;
    match value {
        0..=23 => out.push(major | value as u8),
        24..=0xff => out.extend_from_slice(&[major | 24, value as u8]),
        0x100..=0xffff => {
            out.push(major | 25);
            out.extend_from_slice(&(value as u16).to_be_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            out.push(major | 26);
            out.extend_from_slice(&(value as u32).to_be_bytes());
        }
        _ => {
            out.push(major | 27);
            out.extend_from_slice(&value.to_be_bytes());
        }
    }
}

/// Appends an unsigned integer.
pub fn write_u64(out: &mut Vec<u8>, value: u64) {
    write_head(out, UNSIGNED, value);
}

/// Appends a byte string.
pub fn write_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    write_head(out, BYTES, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// Appends a text string.
pub fn write_text(out: &mut Vec<u8>, text: &str) {
    write_head(out, TEXT, text.len() as u64);
    out.extend_from_slice(text.as_bytes());
}

/// Appends the header of an array of `len` items.
pub fn write_array(out: &mut Vec<u8>, len: usize) {
    write_head(out, ARRAY, len as u64);
}

/// Appends the header of a map of `len` pairs.
pub fn write_map(out: &mut Vec<u8>, len: usize) {
    write_head(out, MAP, len as u64);
}

/// Appends `null`.
pub fn write_null(out: &mut Vec<u8>) {
    out.push(NULL);
}

/// Appends a boolean.
pub fn write_bool(out: &mut Vec<u8>, value: bool) {
    out.push(if value { TRUE } else { FALSE });
}

/// Appends a minicbor-derived enum variant header: `[index, [fields...]]` opens with
/// `array(2) index array(fields)`; the caller writes the fields.
pub fn write_variant(out: &mut Vec<u8>, index: u64, fields: usize) {
    write_array(out, 2);
    write_u64(out, index);
    write_array(out, fields);
}

/// Reads CBOR items from untrusted bytes.
#[derive(Debug, Clone)]
pub struct CborReader<'a> {
    reader: Reader<'a>,
}

impl<'a> CborReader<'a> {
    /// Reads from the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self {
            reader: Reader::new(bytes),
        }
    }

    fn peek(&self) -> Result<u8, DecodeError> {
        self.reader.clone().u8()
    }

    fn head(&mut self, what: &'static str) -> Result<(u8, u64), DecodeError> {
        let initial = self.reader.u8()?;
        let major = initial >> 5;
        let value = match initial & 0x1f {
            small @ 0..=23 => u64::from(small),
            24 => u64::from(self.reader.u8()?),
            25 => u64::from(u16::from_be_bytes(self.reader.array()?)),
            26 => u64::from(u32::from_be_bytes(self.reader.array()?)),
            27 => self.reader.u64_be()?,
            other => {
                return Err(DecodeError::InvalidTag {
                    what,
                    value: other.into(),
                });
            }
        };
        Ok((major, value))
    }

    fn expect(&mut self, major: u8, what: &'static str) -> Result<u64, DecodeError> {
        let (found, value) = self.head(what)?;
        if found != major {
            return Err(DecodeError::InvalidTag {
                what,
                value: found.into(),
            });
        }
        Ok(value)
    }

    /// The bytes not read yet (e.g. a body after a CBOR header), consuming them.
    pub fn rest(&mut self) -> &'a [u8] {
        self.reader.rest()
    }

    /// Reads an unsigned integer.
    pub fn u64(&mut self, what: &'static str) -> Result<u64, DecodeError> {
        self.expect(UNSIGNED, what)
    }

    /// Reads an unsigned integer that must fit in a `u8`.
    pub fn u8(&mut self, what: &'static str) -> Result<u8, DecodeError> {
        let value = self.u64(what)?;
        u8::try_from(value).map_err(|_| DecodeError::InvalidTag { what, value })
    }

    /// Reads a byte string of at most `max` bytes.
    pub fn bytes(&mut self, what: &'static str, max: usize) -> Result<&'a [u8], DecodeError> {
        let len = self.expect(BYTES, what)?;
        self.take(what, len, max)
    }

    /// Reads a byte string of exactly `N` bytes.
    pub fn byte_array<const N: usize>(
        &mut self,
        what: &'static str,
    ) -> Result<[u8; N], DecodeError> {
        let bytes = self.bytes(what, N)?;
        bytes.try_into().map_err(|_| DecodeError::Malformed(what))
    }

    /// Reads a text string of at most `max` bytes.
    pub fn text(&mut self, what: &'static str, max: usize) -> Result<&'a str, DecodeError> {
        let len = self.expect(TEXT, what)?;
        let bytes = self.take(what, len, max)?;
        core::str::from_utf8(bytes).map_err(|_| DecodeError::InvalidUtf8(what))
    }

    fn take(&mut self, what: &'static str, len: u64, max: usize) -> Result<&'a [u8], DecodeError> {
        let len = DecodeError::check_len(what, len, max)?;
        self.reader.take(len)
    }

    /// Reads an array header; the length must be at most `max`.
    pub fn array(&mut self, what: &'static str, max: usize) -> Result<usize, DecodeError> {
        let len = self.expect(ARRAY, what)?;
        DecodeError::check_len(what, len, max)
    }

    /// Reads an array header whose length must be within `min..=max`.
    pub fn array_between(
        &mut self,
        what: &'static str,
        min: usize,
        max: usize,
    ) -> Result<usize, DecodeError> {
        let len = self.array(what, max)?;
        if len < min {
            return Err(DecodeError::Malformed(what));
        }
        Ok(len)
    }

    /// Reads a map header; the number of pairs must be at most `max`.
    pub fn map(&mut self, what: &'static str, max: usize) -> Result<usize, DecodeError> {
        let len = self.expect(MAP, what)?;
        DecodeError::check_len(what, len, max)
    }

    /// Reads a boolean.
    pub fn bool(&mut self, what: &'static str) -> Result<bool, DecodeError> {
        match self.reader.u8()? {
            FALSE => Ok(false),
            TRUE => Ok(true),
            other => Err(DecodeError::InvalidTag {
                what,
                value: other.into(),
            }),
        }
    }

    /// Consumes a `null` if one is next; returns whether it did.
    pub fn null(&mut self) -> Result<bool, DecodeError> {
        if self.peek()? == NULL {
            self.reader.u8()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    /// Reads a minicbor-derived enum variant header `[index, [fields...]]` and returns
    /// `(index, number of fields)`.
    pub fn variant(
        &mut self,
        what: &'static str,
        max_fields: usize,
    ) -> Result<(u64, usize), DecodeError> {
        if self.array(what, 2)? != 2 {
            return Err(DecodeError::Malformed(what));
        }
        let index = self.u64(what)?;
        let fields = self.array(what, max_fields)?;
        Ok((index, fields))
    }

    /// Skips one item of any supported type (with bounded nesting).
    pub fn skip(&mut self) -> Result<(), DecodeError> {
        self.skip_at(0)
    }

    fn skip_at(&mut self, depth: usize) -> Result<(), DecodeError> {
        if depth > MAX_SKIP_DEPTH {
            return Err(DecodeError::Malformed("CBOR nesting too deep"));
        }
        if self.peek()? >> 5 == SIMPLE {
            return match self.reader.u8()? {
                FALSE | TRUE | NULL => Ok(()),
                other => Err(DecodeError::InvalidTag {
                    what: "CBOR simple value",
                    value: other.into(),
                }),
            };
        }
        let (major, value) = self.head("CBOR item")?;
        match major {
            UNSIGNED | 1 => Ok(()),
            BYTES | TEXT => self.take("CBOR string", value, usize::MAX).map(drop),
            ARRAY | MAP => {
                let items = if major == MAP {
                    value.saturating_mul(2)
                } else {
                    value
                };
                if items > self.reader.remaining() as u64 {
                    return Err(DecodeError::UnexpectedEnd {
                        needed: items as usize,
                        remaining: self.reader.remaining(),
                    });
                }
                for _ in 0..items {
                    self.skip_at(depth + 1)?;
                }
                Ok(())
            }
            other => Err(DecodeError::InvalidTag {
                what: "CBOR major type",
                value: other.into(),
            }),
        }
    }

    /// Skips `count` items (unknown trailing fields of a newer format).
    pub fn skip_items(&mut self, count: usize) -> Result<(), DecodeError> {
        for _ in 0..count {
            self.skip()?;
        }
        Ok(())
    }

    /// Whether all input has been read.
    pub fn finish(&self) -> Result<(), DecodeError> {
        self.reader.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn shortest_heads_like_minicbor() {
        let mut out = Vec::new();
        for value in [
            0u64,
            23,
            24,
            255,
            256,
            65_535,
            65_536,
            u64::from(u32::MAX),
            u64::MAX,
        ] {
            write_u64(&mut out, value);
        }
        assert_eq!(
            out,
            [
                &[
                    0x00, 0x17, 0x18, 0x18, 0x18, 0xff, 0x19, 0x01, 0x00, 0x19, 0xff, 0xff
                ][..],
                &[0x1a, 0x00, 0x01, 0x00, 0x00, 0x1a, 0xff, 0xff, 0xff, 0xff],
                &[0x1b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
            ]
            .concat()
        );
    }

    #[test]
    fn reads_what_it_writes() {
        let mut out = Vec::new();
        write_array(&mut out, 4);
        write_bytes(&mut out, b"ab");
        write_text(&mut out, "hi");
        write_null(&mut out);
        write_variant(&mut out, 1, 1);
        write_bool(&mut out, true);
        let mut r = CborReader::new(&out);
        assert_eq!(r.array("a", 4), Ok(4));
        assert_eq!(r.bytes("b", 10), Ok(&b"ab"[..]));
        assert_eq!(r.text("t", 10), Ok("hi"));
        assert_eq!(r.null(), Ok(true));
        assert_eq!(r.variant("v", 1), Ok((1, 1)));
        assert_eq!(r.bool("b"), Ok(true));
        assert!(r.finish().is_ok());
    }

    #[test]
    fn hostile_lengths_are_refused() {
        // A byte string claiming 2^64-1 bytes, an array claiming a billion items.
        assert!(
            CborReader::new(&[0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
                .bytes("b", 100)
                .is_err()
        );
        assert!(
            CborReader::new(&[0x9a, 0x3b, 0x9a, 0xca, 0x00])
                .skip()
                .is_err()
        );
        let deep = vec![0x81; 100];
        assert!(CborReader::new(&deep).skip().is_err());
        assert!(CborReader::new(&[0x1f]).u64("reserved").is_err());
    }

    proptest! {
        #[test]
        fn skip_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = CborReader::new(&bytes).skip();
        }
    }
}
