use super::DecodeError;

/// A cursor over untrusted bytes: every read is bounds-checked and returns a [`DecodeError`]
/// instead of panicking.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// Starts reading at the beginning of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// Bytes not yet read.
    pub fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    /// Whether everything has been read.
    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// Reads one byte.
    pub fn u8(&mut self) -> Result<u8, DecodeError> {
        let [byte] = self.array::<1>()?;
        Ok(byte)
    }

    /// Reads a big-endian `u32`.
    pub fn u32_be(&mut self) -> Result<u32, DecodeError> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    /// Reads a big-endian `u64`.
    pub fn u64_be(&mut self) -> Result<u64, DecodeError> {
        Ok(u64::from_be_bytes(self.array()?))
    }

    /// Reads exactly `N` bytes.
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let bytes = self.take(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    /// Reads exactly `len` bytes, borrowed from the input.
    pub fn take(&mut self, len: usize) -> Result<&'a [u8], DecodeError> {
        let remaining = self.remaining();
        if len > remaining {
            return Err(DecodeError::UnexpectedEnd {
                needed: len,
                remaining,
            });
        }
        let start = self.pos;
        self.pos += len;
        self.buf
            .get(start..self.pos)
            .ok_or(DecodeError::UnexpectedEnd {
                needed: len,
                remaining,
            })
    }

    /// Reads everything that is left.
    pub fn rest(&mut self) -> &'a [u8] {
        let rest = self.buf.get(self.pos..).unwrap_or_default();
        self.pos = self.buf.len();
        rest
    }

    /// Reads a minimal ULEB128 integer of at most 64 bits (Ockam's `bare` variable-length
    /// integer). Over-long encodings are rejected so that every value has one encoding.
    pub fn uleb128(&mut self) -> Result<u64, DecodeError> {
        let mut value: u64 = 0;
        for index in 0..10u32 {
            let byte = self.u8()?;
            let bits = u64::from(byte & 0x7f);
            if index == 9 && byte > 1 {
                return Err(DecodeError::BadVarint);
            }
            value |= bits << (7 * index);
            if byte & 0x80 == 0 {
                if byte == 0 && index > 0 {
                    return Err(DecodeError::BadVarint);
                }
                return Ok(value);
            }
        }
        Err(DecodeError::BadVarint)
    }

    /// Reads a ULEB128 length or count no larger than `max`.
    pub fn length(&mut self, what: &'static str, max: usize) -> Result<usize, DecodeError> {
        let len = self.uleb128()?;
        DecodeError::check_len(what, len, max)
    }

    /// Reads a ULEB128-length-prefixed byte string of at most `max` bytes.
    pub fn bytes(&mut self, what: &'static str, max: usize) -> Result<&'a [u8], DecodeError> {
        let len = self.length(what, max)?;
        self.take(len)
    }

    /// Reads a ULEB128-length-prefixed UTF-8 string of at most `max` bytes.
    pub fn str(&mut self, what: &'static str, max: usize) -> Result<&'a str, DecodeError> {
        let bytes = self.bytes(what, max)?;
        core::str::from_utf8(bytes).map_err(|_| DecodeError::InvalidUtf8(what))
    }

    /// Succeeds only if all input has been read.
    pub fn finish(&self) -> Result<(), DecodeError> {
        match self.remaining() {
            0 => Ok(()),
            n => Err(DecodeError::TrailingBytes(n)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::write_uleb128;
    use proptest::prelude::*;

    #[test]
    fn reads_are_bounds_checked() {
        let mut r = Reader::new(&[1, 2, 3]);
        assert_eq!(r.u8(), Ok(1));
        assert_eq!(
            r.u32_be(),
            Err(DecodeError::UnexpectedEnd {
                needed: 4,
                remaining: 2
            })
        );
        assert_eq!(r.take(2), Ok(&[2u8, 3][..]));
        assert_eq!(
            r.u8(),
            Err(DecodeError::UnexpectedEnd {
                needed: 1,
                remaining: 0
            })
        );
        assert!(r.finish().is_ok());
    }

    #[test]
    fn uleb128_edges() {
        let max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        assert_eq!(Reader::new(&max).uleb128(), Ok(u64::MAX));
        let overflow = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02];
        assert_eq!(
            Reader::new(&overflow).uleb128(),
            Err(DecodeError::BadVarint)
        );
        let too_long = [0x80; 11];
        assert_eq!(
            Reader::new(&too_long).uleb128(),
            Err(DecodeError::BadVarint)
        );
        assert_eq!(
            Reader::new(&[0x80, 0x00]).uleb128(),
            Err(DecodeError::BadVarint)
        );
        assert_eq!(Reader::new(&[0x00]).uleb128(), Ok(0));
        assert_eq!(Reader::new(&[0x80, 0x01]).uleb128(), Ok(128));
    }

    #[test]
    fn hostile_length_is_refused_before_allocation() {
        let mut buf = Vec::new();
        write_uleb128(&mut buf, u64::MAX);
        assert!(matches!(
            Reader::new(&buf).bytes("payload", 1024),
            Err(DecodeError::TooLarge { .. })
        ));
        let mut buf = Vec::new();
        write_uleb128(&mut buf, 100);
        assert!(matches!(
            Reader::new(&buf).bytes("payload", 1024),
            Err(DecodeError::UnexpectedEnd {
                needed: 100,
                remaining: 0
            })
        ));
    }

    proptest! {
        #[test]
        fn uleb128_round_trips(value: u64) {
            let mut buf = Vec::new();
            write_uleb128(&mut buf, value);
            prop_assert_eq!(buf.len(), crate::codec::encoded_len_of_uleb128(value));
            let mut reader = Reader::new(&buf);
            prop_assert_eq!(reader.uleb128(), Ok(value));
            prop_assert!(reader.finish().is_ok());
        }

        #[test]
        fn uleb128_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..16)) {
            let _ = Reader::new(&bytes).uleb128();
        }
    }
}
