//! The messages of Ockam's TCP portal protocol (`ockam_transport_tcp` 0.137's
//! `PortalMessage`), the payload of secure channel messages between an inlet and an outlet.
//!
//! One tag byte: Ping `00`, Pong `01`, Disconnect `02`, Payload `03` followed by a BARE `data`
//! (ULEB128 length, bytes). Ockam may append `01` and a little-endian `u16` packet counter to a
//! Payload; it never does today, and Razor reads it without sending it.

use crate::codec::{DecodeError, Reader, write_bytes};
use crate::routing::limits::MAX_MESSAGE_LEN;

/// The most bytes Razor puts in one Payload. Ockam reads and sends at most 128 KiB per
/// message; Razor stays well below the frame limits of every Razor transport.
pub const MAX_PORTAL_CHUNK: usize = 32 * 1024;

/// One portal message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortalMessage<'a> {
    /// The inlet's first message, to the outlet listener, for each new connection.
    Ping,
    /// The outlet's answer, from the connection's own address, once it reached its target.
    Pong,
    /// The connection ended on the sender's side.
    Disconnect,
    /// Stream bytes.
    Payload(&'a [u8]),
}

impl<'a> PortalMessage<'a> {
    /// The message's bytes.
    pub fn encode(&self) -> Vec<u8> {
        match self {
            PortalMessage::Ping => vec![0],
            PortalMessage::Pong => vec![1],
            PortalMessage::Disconnect => vec![2],
            PortalMessage::Payload(bytes) => {
                let mut out = Vec::with_capacity(bytes.len() + 6);
                out.push(3);
                write_bytes(&mut out, bytes);
                out
            }
        }
    }

    /// Reads a message. Bytes after a Ping, Pong or Disconnect, and an optional packet counter
    /// after a Payload, are ignored (as Ockam does).
    pub fn decode(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        let mut reader = Reader::new(bytes);
        match reader.u8()? {
            0 => Ok(PortalMessage::Ping),
            1 => Ok(PortalMessage::Pong),
            2 => Ok(PortalMessage::Disconnect),
            3 => Ok(PortalMessage::Payload(
                reader.bytes("portal payload", MAX_MESSAGE_LEN)?,
            )),
            tag => Err(DecodeError::InvalidTag {
                what: "portal message",
                value: u64::from(tag),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::PortalMessage;

    #[test]
    fn encodes_as_ockam_does() {
        assert_eq!(PortalMessage::Ping.encode(), [0]);
        assert_eq!(PortalMessage::Pong.encode(), [1]);
        assert_eq!(PortalMessage::Disconnect.encode(), [2]);
        assert_eq!(
            PortalMessage::Payload(b"hello").encode(),
            [3, 5, b'h', b'e', b'l', b'l', b'o']
        );
        let big = vec![7u8; 131_072];
        assert_eq!(
            PortalMessage::Payload(&big).encode()[..4],
            [0x03, 0x80, 0x80, 0x08]
        );
    }

    #[test]
    fn decodes_what_ockam_may_send_and_refuses_the_rest() {
        let with_counter = [3, 5, b'h', b'e', b'l', b'l', b'o', 1, 42, 0];
        assert_eq!(
            PortalMessage::decode(&with_counter).unwrap(),
            PortalMessage::Payload(b"hello")
        );
        assert_eq!(
            PortalMessage::decode(&[0, 0xff]).unwrap(),
            PortalMessage::Ping
        );
        assert!(PortalMessage::decode(&[]).is_err());
        assert!(PortalMessage::decode(&[4]).is_err());
        assert!(
            PortalMessage::decode(&[3, 5, b'h']).is_err(),
            "short payload"
        );
        assert!(PortalMessage::decode(&[3, 0xff, 0xff, 0xff, 0xff, 0x7f]).is_err());
    }
}
