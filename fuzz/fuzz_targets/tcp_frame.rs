//! Ockam's TCP frame body (CBOR `TcpTransportMessage`): decoding never panics, and what decodes
//! re-encodes (Razor's array(3) form) to bytes that decode to the same routes and payload.
#![no_main]
use libfuzzer_sys::fuzz_target;
use razor_core::transport::connection::FrameCodec;
use razor_core::transport::framing::OckamTcpFrames;

fuzz_target!(|data: &[u8]| {
    if let Ok(message) = OckamTcpFrames.decode(data) {
        let again = OckamTcpFrames.decode(&OckamTcpFrames.encode(&message)).expect("re-encoded frame decodes");
        assert_eq!(again.onward_route, message.onward_route);
        assert_eq!(again.return_route, message.return_route);
        assert_eq!(again.payload, message.payload);
    }
});
