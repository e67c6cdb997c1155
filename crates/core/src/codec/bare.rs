//! Writers for the BARE primitives Ockam uses on the wire (readers are on [`super::Reader`]).

/// Appends `value` as a ULEB128 variable-length integer.
pub fn write_uleb128(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// The number of bytes [`write_uleb128`] writes for `value`.
pub fn encoded_len_of_uleb128(value: u64) -> usize {
    let bits = 64 - value.leading_zeros() as usize;
    bits.div_ceil(7).max(1)
}

/// Appends `bytes` with a ULEB128 length prefix (BARE `data`).
pub fn write_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    write_uleb128(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// The number of bytes [`write_bytes`] writes for a byte string of length `len`.
pub fn encoded_len_of_bytes(len: usize) -> usize {
    encoded_len_of_uleb128(len as u64) + len
}

/// A BARE string on its own (ULEB128 length, UTF-8): how Ockam encodes a `String` message.
pub fn bare_string(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 2);
    write_bytes(&mut out, text.as_bytes());
    out
}

/// The BARE string that is the whole of `bytes` (an Ockam `String` message).
pub fn read_bare_string(bytes: &[u8]) -> Result<&str, super::DecodeError> {
    let mut reader = super::Reader::new(bytes);
    let text = reader.str("string", bytes.len())?;
    reader.finish()?;
    Ok(text)
}
