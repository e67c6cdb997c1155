//! [`TransportMessage`]: Ockam's wire form of a routed message (BARE: version, onward route,
//! return route, payload, tracing context), bounded when decoded.

use super::limits::{MAX_ADDRESS_LEN, MAX_MESSAGE_LEN, MAX_ROUTE_LEN, MAX_TRACING_LEN};
use super::{Address, Notice, Route, TransportType};
use crate::codec::{
    DecodeError, Reader, encoded_len_of_bytes, encoded_len_of_uleb128, write_bytes, write_uleb128,
};

/// A message as it crosses a transport: Ockam's `TransportMessage` in its BARE encoding.
///
/// ```text
/// version u8 (2) | onward Route | return Route | payload (ULEB128 length + bytes)
///                | tracing flag u8 (0 | 1) [+ ULEB128 length + UTF-8 string]
/// Route   = ULEB128 count, then per Address: type u8 | ULEB128 length | bytes
/// ```
/// Version 1 has no tracing field; it is accepted on decode and never produced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransportMessage {
    /// Where the message is going.
    pub onward_route: Route,
    /// How to answer it.
    pub return_route: Route,
    /// Application bytes.
    pub payload: Vec<u8>,
    /// An optional OpenTelemetry context (Ockam fills it in when tracing is on).
    pub tracing_context: Option<String>,
}

impl TransportMessage {
    /// The version Razor writes.
    pub const VERSION: u8 = 2;
    /// The older version accepted on decode.
    pub const VERSION_1: u8 = 1;

    /// A message without tracing context.
    pub fn new(onward_route: Route, return_route: Route, payload: Vec<u8>) -> Self {
        Self {
            onward_route,
            return_route,
            payload,
            tracing_context: None,
        }
    }

    /// The number of bytes [`encode`](Self::encode) produces.
    pub fn encoded_len(&self) -> usize {
        let tracing = self
            .tracing_context
            .as_ref()
            .map_or(0, |t| encoded_len_of_bytes(t.len()));
        1 + route_len(&self.onward_route)
            + route_len(&self.return_route)
            + encoded_len_of_bytes(self.payload.len())
            + 1
            + tracing
    }

    /// Encodes the message (version 2).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len());
        self.encode_into(&mut out);
        out
    }

    /// Appends the encoding (version 2) to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.push(Self::VERSION);
        write_route(out, &self.onward_route);
        write_route(out, &self.return_route);
        write_bytes(out, &self.payload);
        match &self.tracing_context {
            None => out.push(0),
            Some(context) => {
                out.push(1);
                write_bytes(out, context.as_bytes());
            }
        }
    }

    /// Whether the message is small enough to send: within [`MAX_MESSAGE_LEN`] and with
    /// routes and addresses within their limits, so that a peer will accept it.
    pub fn check_limits(&self) -> Result<(), DecodeError> {
        let len = self.encoded_len();
        if len > MAX_MESSAGE_LEN {
            return Err(too_large("message", len, MAX_MESSAGE_LEN));
        }
        for route in [&self.onward_route, &self.return_route] {
            if route.len() > MAX_ROUTE_LEN {
                return Err(too_large("route", route.len(), MAX_ROUTE_LEN));
            }
            if let Some(long) = route.iter().find(|a| a.value().len() > MAX_ADDRESS_LEN) {
                return Err(too_large("address", long.value().len(), MAX_ADDRESS_LEN));
            }
        }
        if let Some(context) = &self.tracing_context
            && context.len() > MAX_TRACING_LEN
        {
            return Err(too_large("tracing context", context.len(), MAX_TRACING_LEN));
        }
        Ok(())
    }

    /// Decodes a version 1 or 2 message. Hostile input gives an error, never a panic; nothing
    /// larger than the input is allocated; trailing bytes are rejected.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        if bytes.len() > MAX_MESSAGE_LEN {
            return Err(too_large("message", bytes.len(), MAX_MESSAGE_LEN));
        }
        let mut reader = Reader::new(bytes);
        let version = reader.u8()?;
        if version != Self::VERSION && version != Self::VERSION_1 {
            return Err(DecodeError::UnsupportedVersion(version));
        }
        let onward_route = read_route(&mut reader)?;
        let return_route = read_route(&mut reader)?;
        let payload = reader.bytes("payload", MAX_MESSAGE_LEN)?.to_vec();
        // Version 2 always has the tracing field. Version 1 has none — but ockam_core 0.125's
        // `LocalMessage::into_transport_message` (what its WebSocket transport sends) writes
        // version 1 *with* the version 2 field, and Ockam's decoder reads it whatever the
        // version byte says; so for version 1 the field is optional.
        let tracing_context = if version == Self::VERSION || !reader.is_empty() {
            match reader.u8()? {
                0 => None,
                1 => Some(reader.str("tracing context", MAX_TRACING_LEN)?.to_owned()),
                flag => {
                    return Err(DecodeError::InvalidTag {
                        what: "tracing flag",
                        value: flag.into(),
                    });
                }
            }
        } else {
            None
        };
        reader.finish()?;
        Ok(Self {
            onward_route,
            return_route,
            payload,
            tracing_context,
        })
    }

    /// Whether this is an Ockam heartbeat: nothing to deliver (empty onward route) and not a
    /// [`Notice`].
    pub fn is_heartbeat(&self) -> bool {
        self.onward_route.is_empty() && Notice::decode(&self.payload).is_none()
    }
}

fn too_large(what: &'static str, len: usize, max: usize) -> DecodeError {
    DecodeError::TooLarge {
        what,
        len: len as u64,
        max: max as u64,
    }
}

fn route_len(route: &Route) -> usize {
    encoded_len_of_uleb128(route.len() as u64)
        + route
            .iter()
            .map(|a| 1 + encoded_len_of_bytes(a.value().len()))
            .sum::<usize>()
}

fn write_route(out: &mut Vec<u8>, route: &Route) {
    write_uleb128(out, route.len() as u64);
    for address in route.iter() {
        out.push(address.transport().value());
        write_bytes(out, address.value());
    }
}

fn read_route(reader: &mut Reader<'_>) -> Result<Route, DecodeError> {
    let count = reader.length("route", MAX_ROUTE_LEN)?;
    let mut route = Route::new();
    for _ in 0..count {
        let transport = TransportType::new(reader.u8()?);
        let value = reader.bytes("address", MAX_ADDRESS_LEN)?;
        route.push_back(Address::new(transport, value));
    }
    Ok(route)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::fuzz::arb_message;
    use proptest::prelude::*;

    fn sample() -> TransportMessage {
        TransportMessage::new(
            "1#127.0.0.1:4000 => hop => echo".parse().unwrap(),
            "app".parse().unwrap(),
            b"hello".to_vec(),
        )
    }

    #[test]
    fn round_trips_and_predicts_its_length() {
        let mut message = sample();
        for tracing in [None, Some("00-abc-01".to_owned())] {
            message.tracing_context = tracing;
            let bytes = message.encode();
            assert_eq!(bytes.len(), message.encoded_len());
            assert_eq!(TransportMessage::decode(&bytes).unwrap(), message);
        }
    }

    #[test]
    fn rejects_unknown_versions_flags_and_trailing_bytes() {
        let mut bytes = sample().encode();
        bytes[0] = 3;
        assert_eq!(
            TransportMessage::decode(&bytes),
            Err(DecodeError::UnsupportedVersion(3))
        );
        let mut bytes = sample().encode();
        *bytes.last_mut().unwrap() = 2;
        assert!(matches!(
            TransportMessage::decode(&bytes),
            Err(DecodeError::InvalidTag {
                what: "tracing flag",
                value: 2
            })
        ));
        let mut bytes = sample().encode();
        bytes.push(0);
        assert_eq!(
            TransportMessage::decode(&bytes),
            Err(DecodeError::TrailingBytes(1))
        );
        assert!(matches!(
            TransportMessage::decode(&[]),
            Err(DecodeError::UnexpectedEnd { .. })
        ));
    }

    #[test]
    fn accepts_ockams_version_1_frames_with_a_tracing_field() {
        // What ockam_core 0.125's WebSocket path sends: version 1, then the version 2 tracing
        // field (`Some("{}")`), captured from RemoteRelay::create's registration.
        let mut frame = vec![1, 1, 0, 18];
        frame.extend_from_slice(b"forwarding_service");
        frame.extend_from_slice(&[1, 0, 32]);
        frame.extend_from_slice(b"f538aaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        frame.extend_from_slice(&[9, 8]);
        frame.extend_from_slice(b"register");
        frame.extend_from_slice(&[1, 2, b'{', b'}']);
        let message = TransportMessage::decode(&frame).unwrap();
        assert_eq!(message.onward_route.to_string(), "0#forwarding_service");
        assert_eq!(message.payload, b"\x08register");
        assert_eq!(message.tracing_context.as_deref(), Some("{}"));
        // Version 1 without the field, and with a bare zero flag, decode too.
        let bare = &frame[..frame.len() - 4];
        assert_eq!(
            TransportMessage::decode(bare).unwrap().tracing_context,
            None
        );
        let mut zero = bare.to_vec();
        zero.push(0);
        assert_eq!(
            TransportMessage::decode(&zero).unwrap().payload,
            b"\x08register"
        );
        zero.push(0);
        assert_eq!(
            TransportMessage::decode(&zero),
            Err(DecodeError::TrailingBytes(1))
        );
    }

    #[test]
    fn rejects_routes_over_the_hop_limit() {
        let mut bytes = vec![2];
        write_uleb128(&mut bytes, (MAX_ROUTE_LEN + 1) as u64);
        assert!(matches!(
            TransportMessage::decode(&bytes),
            Err(DecodeError::TooLarge { what: "route", .. })
        ));
    }

    #[test]
    fn check_limits_refuses_what_a_peer_would_refuse() {
        let mut message = sample();
        assert!(message.check_limits().is_ok());
        message.payload = vec![0; MAX_MESSAGE_LEN];
        assert!(matches!(
            message.check_limits(),
            Err(DecodeError::TooLarge {
                what: "message",
                ..
            })
        ));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        #[test]
        fn encode_then_decode_is_identity(message in arb_message()) {
            let bytes = message.encode();
            prop_assert_eq!(bytes.len(), message.encoded_len());
            prop_assert_eq!(TransportMessage::decode(&bytes)?, message);
        }

        #[test]
        fn anything_that_decodes_re_encodes_to_the_same_bytes(
            bytes in proptest::collection::vec(any::<u8>(), 0..200)
        ) {
            if let Ok(message) = TransportMessage::decode(&bytes)
                && bytes.first() == Some(&TransportMessage::VERSION)
            {
                prop_assert_eq!(message.encode(), bytes);
            }
        }

    }

    #[test]
    fn ten_thousand_random_and_ten_thousand_mutated_inputs_never_panic() {
        crate::testing::fuzz::transport_message_decoder_never_panics(10_000);
    }
}
