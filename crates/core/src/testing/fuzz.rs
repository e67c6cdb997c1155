//! Property checks of the decoders that run natively and in wasm alike.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use crate::routing::{Address, Route, TransportMessage, TransportType};

/// Any address: any transport type, up to 40 value bytes.
pub fn arb_address() -> impl Strategy<Value = Address> {
    (any::<u8>(), proptest::collection::vec(any::<u8>(), 0..40))
        .prop_map(|(t, v)| Address::new(TransportType::new(t), v))
}

/// Any route of up to 5 hops.
pub fn arb_route() -> impl Strategy<Value = Route> {
    proptest::collection::vec(arb_address(), 0..6).prop_map(Route::from_hops)
}

/// Any transport message with a payload of up to 300 bytes.
pub fn arb_message() -> impl Strategy<Value = TransportMessage> {
    (
        arb_route(),
        arb_route(),
        proptest::collection::vec(any::<u8>(), 0..300),
        proptest::option::of("[ -~]{0,60}"),
    )
        .prop_map(
            |(onward_route, return_route, payload, tracing_context)| TransportMessage {
                onward_route,
                return_route,
                payload,
                tracing_context,
            },
        )
}

/// A runner for `cases` cases that writes no failure files (there is no file system in wasm).
pub fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

/// Feeds `cases` random byte strings and `cases` mutated (bytes overwritten, then truncated)
/// valid encodings to `TransportMessage::decode`: each must return, Ok or Err, never panic.
/// Returns how many inputs were rejected, so callers can see the decoder was exercised.
pub fn transport_message_decoder_never_panics(cases: u32) -> usize {
    let rejected = core::cell::Cell::new(0usize);
    let count = |result: Result<TransportMessage, _>| {
        if result.is_err() {
            rejected.set(rejected.get() + 1);
        }
    };
    runner(cases)
        .run(&proptest::collection::vec(any::<u8>(), 0..512), |bytes| {
            count(TransportMessage::decode(&bytes));
            Ok(())
        })
        .unwrap_or_else(|failure| panic!("random input: {failure}"));
    let edits = proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8);
    runner(cases)
        .run(
            &(arb_message(), edits, any::<prop::sample::Index>()),
            |(message, edits, cut)| {
                let mut bytes = message.encode();
                for (index, value) in edits {
                    let at = index.index(bytes.len());
                    bytes[at] = value;
                }
                count(TransportMessage::decode(&bytes));
                count(TransportMessage::decode(
                    &bytes[..cut.index(bytes.len() + 1)],
                ));
                Ok(())
            },
        )
        .unwrap_or_else(|failure| panic!("mutated input: {failure}"));
    rejected.get()
}
