//! Razor's wasm tests live in `tests/`; run them with `scripts/test-wasm` (Node and headless
//! Chromium). This library is empty.
