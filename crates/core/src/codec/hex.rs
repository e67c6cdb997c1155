//! Lowercase hexadecimal, for identifiers, key handles, certificate hashes and test vectors.

use super::DecodeError;

/// `bytes` as lowercase hex.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(digit(byte >> 4));
        out.push(digit(byte & 0x0f));
    }
    out
}

/// The lowercase hex digit of the low four bits of `value`.
fn digit(value: u8) -> char {
    let value = value & 0x0f;
    char::from(if value < 10 {
        b'0' + value
    } else {
        b'a' + (value - 10)
    })
}

/// The bytes of a hex string (either case). Odd lengths and non-hex characters are errors.
pub fn decode(text: &str) -> Result<Vec<u8>, DecodeError> {
    let digits = text.as_bytes();
    if !digits.len().is_multiple_of(2) {
        return Err(DecodeError::Malformed("hex string of odd length"));
    }
    digits
        .chunks_exact(2)
        .map(|pair| match pair {
            [high, low] => Ok(nibble(*high)? << 4 | nibble(*low)?),
            _ => Err(DecodeError::Malformed("hex string of odd length")),
        })
        .collect()
}

/// The value of one hex digit. (`u8::from_str_radix` would also take a `+` sign.)
fn nibble(digit: u8) -> Result<u8, DecodeError> {
    match digit {
        b'0'..=b'9' => Ok(digit - b'0'),
        b'a'..=b'f' => Ok(digit - b'a' + 10),
        b'A'..=b'F' => Ok(digit - b'A' + 10),
        _ => Err(DecodeError::Malformed("hex digit")),
    }
}

/// The `N` bytes of a hex string of exactly `2 * N` digits.
pub fn decode_array<const N: usize>(text: &str) -> Result<[u8; N], DecodeError> {
    decode(text)?
        .try_into()
        .map_err(|_| DecodeError::Malformed("hex string of the wrong length"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn edges() {
        assert_eq!(encode(&[0x00, 0xab, 0xff]), "00abff");
        assert_eq!(decode("00ABff").unwrap(), [0x00, 0xab, 0xff]);
        assert!(decode("abc").is_err());
        assert!(decode("zz").is_err());
        assert!(decode("+a").is_err());
        assert!(decode("é1").is_err());
        assert_eq!(decode_array::<2>("0102").unwrap(), [1, 2]);
        assert!(decode_array::<2>("010203").is_err());
    }

    proptest! {
        #[test]
        fn round_trips(bytes: Vec<u8>) {
            prop_assert_eq!(decode(&encode(&bytes))?, bytes);
        }

        #[test]
        fn never_panics(text in "\\PC{0,40}") {
            let _ = decode(&text);
        }
    }
}
