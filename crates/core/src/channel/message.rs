//! What travels inside an established channel: `SecureChannelPaddedMessage`, CBOR.
//!
//! ```text
//! Padded  = [message, padding (bytes)]
//! message = [0, [[onward route, return route, payload (bytes)]]]   Payload
//!         | [1, [[change history, [credential...]]]]                RefreshCredentials
//!         | [2, []]                                                 Close
//! ```

use crate::codec::DecodeError;
use crate::codec::cbor::{self, CborReader};
use crate::identity::CredentialAndPurposeKey;
use crate::identity::model::ChangeHistory;
use crate::routing::Route;
use crate::routing::cbor::{read_route, write_route};
use crate::routing::limits::MAX_MESSAGE_LEN;

/// Longest padding accepted (Razor and Ockam send none).
const MAX_PADDING: usize = 64 * 1024;

/// A decrypted channel message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelMessage {
    /// Application data with its routes on the far side.
    Payload {
        /// Where it goes after the channel on the receiving node.
        onward_route: Route,
        /// The sender's return route (the receiver puts its channel in front).
        return_route: Route,
        /// The application bytes.
        payload: Vec<u8>,
    },
    /// The sender presents an updated history and credentials.
    RefreshCredentials {
        /// The sender's current change history.
        change_history: ChangeHistory,
        /// Its credentials.
        credentials: Vec<CredentialAndPurposeKey>,
    },
    /// The sender closed the channel.
    Close,
}

impl ChannelMessage {
    /// The padded CBOR plaintext (empty padding).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.size_hint());
        self.encode_into(&mut out);
        out
    }

    /// Appends the padded CBOR plaintext (empty padding) to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        cbor::write_array(out, 2);
        match self {
            ChannelMessage::Payload {
                onward_route,
                return_route,
                payload,
            } => {
                cbor::write_variant(out, 0, 1);
                cbor::write_array(out, 3);
                write_route(out, onward_route);
                write_route(out, return_route);
                cbor::write_bytes(out, payload);
            }
            ChannelMessage::RefreshCredentials {
                change_history,
                credentials,
            } => {
                cbor::write_variant(out, 1, 1);
                cbor::write_array(out, 2);
                change_history.encode_into(out);
                CredentialAndPurposeKey::write_list(out, credentials);
            }
            ChannelMessage::Close => cbor::write_variant(out, 2, 0),
        }
        cbor::write_bytes(out, &[]);
    }

    /// About how many bytes the encoding takes (exact enough to size a buffer once for a
    /// payload message: the payload plus its routes plus a little).
    pub fn size_hint(&self) -> usize {
        let route = |r: &Route| r.iter().map(|a| a.value().len() + 6).sum::<usize>();
        match self {
            ChannelMessage::Payload {
                onward_route,
                return_route,
                payload,
            } => 24 + route(onward_route) + route(return_route) + payload.len(),
            _ => 64,
        }
    }

    /// Decodes a padded plaintext.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = CborReader::new(bytes);
        if r.array("padded message", 2)? != 2 {
            return Err(DecodeError::Malformed("padded message"));
        }
        let (index, fields) = r.variant("channel message", 1)?;
        let message = match (index, fields) {
            (0, 1) => {
                if r.array("payload message", 3)? != 3 {
                    return Err(DecodeError::Malformed("payload message"));
                }
                let onward_route = read_route(&mut r)?;
                let return_route = read_route(&mut r)?;
                let payload = r.bytes("payload", MAX_MESSAGE_LEN)?.to_vec();
                ChannelMessage::Payload {
                    onward_route,
                    return_route,
                    payload,
                }
            }
            (1, 1) => {
                if r.array("refresh credentials", 2)? != 2 {
                    return Err(DecodeError::Malformed("refresh credentials"));
                }
                let change_history = ChangeHistory::read(&mut r)?;
                let credentials = CredentialAndPurposeKey::read_list(&mut r)?;
                ChannelMessage::RefreshCredentials {
                    change_history,
                    credentials,
                }
            }
            (2, extra) => {
                r.skip_items(extra)?;
                ChannelMessage::Close
            }
            (index, _) => {
                return Err(DecodeError::InvalidTag {
                    what: "channel message",
                    value: index,
                });
            }
        };
        r.bytes("padding", MAX_PADDING)?;
        r.finish()?;
        Ok(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    use crate::testing::unhex;

    #[test]
    fn matches_ockam_bytes() {
        let payload = ChannelMessage::Payload {
            onward_route: "echoer".parse().unwrap(),
            return_route: "app".parse().unwrap(),
            payload: unhex("0568656c6c6f"),
        };
        let expected =
            unhex("82 82 00 81 83 81 82 00 46 6563686f6572 81 82 00 43 617070 46 0568656c6c6f 40");
        assert_eq!(payload.encode(), expected);
        assert_eq!(ChannelMessage::decode(&expected).unwrap(), payload);
        assert_eq!(ChannelMessage::Close.encode(), unhex("82 82 02 80 40"));
        assert_eq!(
            ChannelMessage::decode(&unhex("82 82 02 80 40")).unwrap(),
            ChannelMessage::Close
        );
    }

    #[test]
    fn rejects_what_ockam_rejects() {
        // Missing padding; payload body not wrapped in a one-element array.
        assert!(ChannelMessage::decode(&unhex("81 82 02 80")).is_err());
        assert!(ChannelMessage::decode(&unhex("82 82 00 83 80 80 40 40")).is_err());
        assert!(ChannelMessage::decode(&unhex("82 82 07 80 40")).is_err());
    }

    proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = ChannelMessage::decode(&bytes);
        }

        #[test]
        fn payloads_round_trip(payload in proptest::collection::vec(any::<u8>(), 0..300), hops in 0usize..5) {
            let route = Route::from_hops((0..hops).map(|i| crate::routing::Address::local(format!("hop{i}"))));
            let message = ChannelMessage::Payload { onward_route: route.clone(), return_route: route, payload };
            prop_assert_eq!(ChannelMessage::decode(&message.encode())?, message);
        }
    }
}
