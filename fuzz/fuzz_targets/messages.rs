//! The smaller decoders of untrusted bytes: a secure channel's plaintext (`ChannelMessage`),
//! notices, portal messages, the credential issuer's answer and relay registrations (a BARE
//! name and its checks). The first byte picks the decoder. Nothing panics.
#![no_main]
use libfuzzer_sys::fuzz_target;
use razor_core::channel::message::ChannelMessage;
use razor_core::codec::read_bare_string;
use razor_core::routing::Notice;
use razor_core::services::check_name;
use razor_core::services::credential_retrieval::decode_issue_response;
use razor_core::services::portal::PortalMessage;

fuzz_target!(|data: &[u8]| {
    let Some((&kind, rest)) = data.split_first() else { return };
    match kind % 5 {
        0 => {
            let _ = ChannelMessage::decode(rest);
        }
        1 => {
            let _ = Notice::decode(rest);
        }
        2 => {
            if let Ok(message) = PortalMessage::decode(rest) {
                // What decodes re-encodes to a prefix-equivalent message.
                assert_eq!(PortalMessage::decode(&message.encode()).ok(), Some(message));
            }
        }
        3 => {
            let _ = decode_issue_response(rest);
        }
        _ => {
            if let Ok(name) = read_bare_string(rest) {
                let _ = check_name(name, 64);
            }
        }
    }
});
