//! The WebTransport framing (`u32` big-endian length + body, `LengthPrefixedDecoder`), fed in
//! chunks of arbitrary sizes: never panics, refuses a length over its limit, and the frames it
//! yields, prefixed again, are exactly the start of the stream.
#![no_main]
use libfuzzer_sys::fuzz_target;
use razor_core::transport::framing::{LengthPrefixedDecoder, length_prefixed};

/// A small limit, so that inputs reach it.
const MAX: usize = 4096;

fuzz_target!(|data: &[u8]| {
    // The first byte sets the chunk size (1..=256); the rest is the stream.
    let Some((&chunk, stream)) = data.split_first() else {
        return;
    };
    let chunk = usize::from(chunk) + 1;
    let mut decoder = LengthPrefixedDecoder::new(MAX);
    let mut rebuilt = Vec::new();
    let mut refused = false;
    'reading: for piece in stream.chunks(chunk) {
        decoder.push(piece);
        loop {
            match decoder.next_frame() {
                Ok(Some(frame)) => {
                    assert!(frame.len() <= MAX);
                    rebuilt.extend_from_slice(&length_prefixed(&frame));
                }
                Ok(None) => break,
                Err(_) => {
                    refused = true;
                    break 'reading;
                }
            }
        }
    }
    assert_eq!(&stream[..rebuilt.len()], &rebuilt[..], "frames are the stream's start");
    if !refused {
        assert_eq!(rebuilt.len() + decoder.buffered(), stream.len(), "nothing lost or made up");
    }
});
