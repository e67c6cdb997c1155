//! Framings of `TransportMessage`s on byte streams and message-oriented sockets, sans IO.
//!
//! | transport | framing |
//! |---|---|
//! | TCP (Ockam's) | one version byte (`1`) each way, then `u32` big-endian length + CBOR `[onward, return, payload, tracing?]` |
//! | WebSocket | one binary message = one BARE `TransportMessage` ([`BareFrames`](super::connection::BareFrames)) |
//! | WebTransport (Razor's) | one bidirectional stream; `u32` big-endian length + BARE `TransportMessage` ([`BareFrames`](super::connection::BareFrames)) |
//!
//! Codecs turn messages into frame *bodies*; on streams the driver adds and strips the length
//! prefix ([`length_prefixed`], [`LengthPrefixedDecoder`]).
//!
//! Every length is checked against [`MAX_FRAME_LEN`] before anything is buffered for it.

use super::connection::FrameCodec;
use crate::codec::DecodeError;
use crate::codec::cbor::{self, CborReader};
use crate::error::TransportError;
use crate::routing::TransportMessage;
use crate::routing::cbor::{read_route, write_route};
use crate::routing::limits::{MAX_MESSAGE_LEN, MAX_TRACING_LEN};

/// Largest frame body on any stream transport (Ockam's TCP limit).
pub const MAX_FRAME_LEN: usize = MAX_MESSAGE_LEN;

/// The protocol version byte Ockam's TCP transport sends first on each connection.
pub const TCP_PROTOCOL_VERSION: u8 = 1;

/// Prefixes `body` with its `u32` big-endian length.
pub fn length_prefixed(body: &[u8]) -> Vec<u8> {
    let mut frame = Vec::with_capacity(4 + body.len());
    frame.extend_from_slice(&(body.len() as u32).to_be_bytes());
    frame.extend_from_slice(body);
    frame
}

/// Splits a byte stream into length-prefixed frames, whatever chunks the bytes arrive in.
#[derive(Debug)]
pub struct LengthPrefixedDecoder {
    buffer: Vec<u8>,
    /// Where the bytes not yet taken start: frames are taken by moving it, and the buffer is
    /// compacted only when more arrives (not once per frame, which would move the rest of a
    /// read for each small frame in it).
    start: usize,
    max: usize,
}

impl LengthPrefixedDecoder {
    /// A decoder refusing frames over `max` bytes.
    pub fn new(max: usize) -> Self {
        Self {
            buffer: Vec::new(),
            start: 0,
            max,
        }
    }

    /// Appends bytes read from the stream.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.start > 0 {
            self.buffer.drain(..self.start);
            self.start = 0;
        }
        self.buffer.extend_from_slice(bytes);
    }

    /// The next complete frame body, if one has arrived. A length over the limit is an error
    /// (the connection must be closed: the stream cannot be resynchronised).
    pub fn next_frame(&mut self) -> Result<Option<Vec<u8>>, TransportError> {
        let pending = self.buffer.get(self.start..).unwrap_or_default();
        let Some(header) = pending.get(..4) else {
            return Ok(None);
        };
        let mut len = [0u8; 4];
        len.copy_from_slice(header);
        let len = u32::from_be_bytes(len) as usize;
        if len > self.max {
            return Err(TransportError::FrameTooLarge {
                len: len as u64,
                max: self.max as u64,
            });
        }
        let Some(body) = pending.get(4..4 + len) else {
            return Ok(None);
        };
        let body = body.to_vec();
        self.start += 4 + len;
        if self.start == self.buffer.len() {
            self.buffer.clear();
            self.start = 0;
        }
        Ok(Some(body))
    }

    /// Bytes received but not yet part of a complete frame.
    pub fn buffered(&self) -> usize {
        self.buffer.len() - self.start
    }
}

/// Ockam's TCP frame body: CBOR `TcpTransportMessage`. Razor omits the optional tracing
/// context; it accepts it (Ockam always sends one, `"{}"` by default) and ignores it.
#[derive(Debug, Clone, Copy, Default)]
pub struct OckamTcpFrames;

impl FrameCodec for OckamTcpFrames {
    fn encode(&self, message: &TransportMessage) -> Vec<u8> {
        let mut out = Vec::with_capacity(message.payload.len() + 64);
        cbor::write_array(&mut out, 3);
        write_route(&mut out, &message.onward_route);
        write_route(&mut out, &message.return_route);
        cbor::write_bytes(&mut out, &message.payload);
        out
    }

    fn decode(&self, frame: &[u8]) -> Result<TransportMessage, DecodeError> {
        let mut r = CborReader::new(frame);
        let len = r.array_between("TCP message", 3, 8)?;
        let onward_route = read_route(&mut r)?;
        let return_route = read_route(&mut r)?;
        let payload = r.bytes("payload", MAX_MESSAGE_LEN)?.to_vec();
        let tracing_context = if len >= 4 && !r.null()? {
            Some(r.text("tracing context", MAX_TRACING_LEN)?.to_owned())
        } else {
            None
        };
        r.skip_items(len.saturating_sub(4))?;
        r.finish()?;
        Ok(TransportMessage {
            onward_route,
            return_route,
            payload,
            tracing_context,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    use crate::testing::unhex;

    #[test]
    fn decodes_a_frame_ockam_sent() {
        // Message 1 of a secure channel as an Ockam 0.150 initiator sent it
        // (docs/ockam/secure-channel.md §2.2), with a shortened payload.
        let body = unhex("84 81 82 00 46 736563757265 81 82 00 41 64 42 0102 62 7b7d");
        let message = OckamTcpFrames.decode(&body).unwrap();
        assert_eq!(message.onward_route, "secure".parse().unwrap());
        assert_eq!(message.return_route, "d".parse().unwrap());
        assert_eq!(message.payload, [1, 2]);
        assert_eq!(message.tracing_context.as_deref(), Some("{}"));
        // Razor writes array(3) (no tracing), which Ockam accepts.
        let ours = OckamTcpFrames.encode(&TransportMessage {
            tracing_context: None,
            ..message.clone()
        });
        assert_eq!(
            ours,
            unhex("83 81 82 00 46 736563757265 81 82 00 41 64 42 0102")
        );
        assert_eq!(OckamTcpFrames.decode(&ours).unwrap().payload, [1, 2]);
        // A heartbeat: empty routes and payload.
        assert!(
            OckamTcpFrames
                .decode(&unhex("83 80 80 40"))
                .unwrap()
                .onward_route
                .is_empty()
        );
    }

    #[test]
    fn frames_survive_any_chunking_and_oversize_is_refused() {
        let frames: Vec<Vec<u8>> = vec![vec![], vec![1; 10], vec![2; 1000]];
        let stream: Vec<u8> = frames.iter().flat_map(|f| length_prefixed(f)).collect();
        for chunk in [1, 3, 7, 1024] {
            let mut decoder = LengthPrefixedDecoder::new(2000);
            let mut out = Vec::new();
            for piece in stream.chunks(chunk) {
                decoder.push(piece);
                while let Some(frame) = decoder.next_frame().unwrap() {
                    out.push(frame);
                }
            }
            assert_eq!(out, frames);
            assert_eq!(decoder.buffered(), 0);
        }
        let mut decoder = LengthPrefixedDecoder::new(100);
        decoder.push(&[0xff, 0xff, 0xff, 0xff]);
        assert_eq!(
            decoder.next_frame(),
            Err(TransportError::FrameTooLarge {
                len: 0xffff_ffff,
                max: 100
            })
        );
    }

    proptest! {
        #[test]
        fn tcp_frames_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = OckamTcpFrames.decode(&bytes);
        }

        #[test]
        fn decoder_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let mut decoder = LengthPrefixedDecoder::new(64);
            decoder.push(&bytes);
            while let Ok(Some(_)) = decoder.next_frame() {}
        }

        #[test]
        fn tcp_round_trip(message in crate::testing::fuzz::arb_message()) {
            let message = TransportMessage { tracing_context: None, ..message };
            prop_assert_eq!(OckamTcpFrames.decode(&OckamTcpFrames.encode(&message))?, message);
        }
    }
}
