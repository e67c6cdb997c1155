//! The ABAC policy language (what `--policy`, JS `trust: { policy }` and relay policies take):
//! parsing any text never panics, and a parsed policy evaluates against a subject without
//! panicking (depth and size are bounded by the parser).
#![no_main]
use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use razor_core::abac::{Policy, Subject};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(policy) = Policy::parse(text) {
        let mut attributes = BTreeMap::new();
        attributes.insert("role".to_owned(), "member".to_owned());
        attributes.insert("n".to_owned(), "42".to_owned());
        let subject = Subject { identifier: None, attributes, has_credential: true };
        let _ = policy.allows(&subject);
    }
});
