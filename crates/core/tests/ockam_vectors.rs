//! Golden bytes: `TransportMessage` encodings produced by the real `ockam_core` 0.125
//! (`interop/ockam-vectors`), compared byte for byte with Razor's encoder and decoder.

use razor_core::{Route, TransportMessage};
use serde_json::Value;

fn unhex(text: &str) -> Vec<u8> {
    razor_core::codec::hex::decode(text).unwrap()
}

fn route(value: &Value) -> Route {
    let hops: Vec<&str> = value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    hops.join(" => ").parse().unwrap()
}

#[test]
fn transport_messages_match_ockam_byte_for_byte() {
    let vectors: Vec<Value> =
        serde_json::from_str(include_str!("vectors/transport_messages.json")).unwrap();
    assert!(vectors.len() >= 5);
    for vector in &vectors {
        let name = vector["name"].as_str().unwrap();
        let expected = TransportMessage {
            onward_route: route(&vector["onward"]),
            return_route: route(&vector["return"]),
            payload: unhex(vector["payload_hex"].as_str().unwrap()),
            tracing_context: vector["tracing"].as_str().map(str::to_owned),
        };
        let bytes = unhex(vector["bytes_hex"].as_str().unwrap());
        let decoded = TransportMessage::decode(&bytes)
            .unwrap_or_else(|error| panic!("{name}: Razor cannot decode Ockam's bytes: {error}"));
        assert_eq!(decoded, expected, "{name}: decoded fields differ");
        if vector["version"] == 2 {
            assert_eq!(
                expected.encode(),
                bytes,
                "{name}: Razor's encoding differs from Ockam's"
            );
        }
    }
}
