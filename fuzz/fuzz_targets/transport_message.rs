//! Ockam's routing envelope (BARE `TransportMessage`, what WebSocket and WebTransport frames
//! carry): decoding never panics, and what decodes re-encodes to bytes that decode the same.
#![no_main]
use libfuzzer_sys::fuzz_target;
use razor_core::routing::TransportMessage;

fuzz_target!(|data: &[u8]| {
    if let Ok(message) = TransportMessage::decode(data) {
        let again = TransportMessage::decode(&message.encode()).expect("a re-encoded message decodes");
        assert_eq!(again, message);
    }
});
