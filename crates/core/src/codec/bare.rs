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
