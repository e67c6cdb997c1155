// Razor's protocol alone, for the size comparison with libp2p-minimal.mjs: identity keys, an XX
// handshake with identity proof both ways and the transport cipher, and nothing else (no actor
// runtime, transports, routing, credentials or JS API). Built from benches/minimal by
// `scripts/build-wasm` (RAZOR_WASM_CRATE=razor-minimal); its wasm is counted beside the JS.
import init, { MinimalChannel } from "./dist/minimal/razor_minimal.js";

export { init };

/** A handshake in `suite` (0: Ockam's, 1: Noise ChaChaPoly), then `message` through it. */
export function roundTrip(message, suite = 0) {
  const channel = MinimalChannel.handshake(suite, Date.now() / 1000);
  try {
    return { plaintext: channel.decrypt(channel.encrypt(message)), initiator: channel.initiator, responder: channel.responder };
  } finally {
    channel.free();
  }
}
