// The demo's decoder of what the edge sees (src/wire-view.js): messages encoded here by hand,
// the Ockam-generated vectors the Rust codec is tested with, and input that is no message.
// Run: npm test (in demo-site/); scripts/test runs it.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { decodeNotice, decodeTransportMessage, formatAddress, formatRoute, fromHex, toHex } from "../src/wire-view.js";

const text = (s) => [...new TextEncoder().encode(s)];
/** An address on the wire: type, ULEB128 length (one byte here), bytes. */
const address = (type, value) => [type, value.length, ...value];
const local = (name) => address(0, text(name));

/** A sample frame as a tab sends it to the edge: onward through a relay to a secure channel
 * listener, return to the tab's handshake worker, 3 payload bytes, no tracing. */
const sample = Uint8Array.from([
  2, // version
  2, ...local("forward_to_bob"), ...local("secure"), // onward route: 2 addresses
  2, ...address(1, text("127.0.0.1:4000")), ...address(253, text("alice")), // return route
  3, 0xde, 0xad, 0xbe, // payload
  0, // no tracing context
]);

test("a message encoded by hand: its routes and payload length, in the clear", () => {
  const message = decodeTransportMessage(sample);
  assert.equal(message.ok, true, message.reason);
  assert.equal(message.version, 2);
  assert.deepEqual(message.onward, ["forward_to_bob", "secure"]);
  assert.deepEqual(message.returnRoute, ["1:127.0.0.1:4000", "253:alice"]);
  assert.equal(message.payloadLength, 3);
  assert.equal(toHex(message.payload), "deadbe");
  assert.equal(message.complete, true);
  assert.equal(message.tracing, undefined);
  assert.equal(formatRoute(message.onward), "forward_to_bob ⇒ secure");
  assert.equal(formatRoute([]), "(empty)");
});

test("a payload longer than 127 bytes (a two-byte ULEB128 length) and a tracing context", () => {
  const payload = new Array(300).fill(7);
  const frame = Uint8Array.from([2, 0, 0, 0xac, 0x02, ...payload, 1, 3, ...text("t-1")]);
  const message = decodeTransportMessage(frame);
  assert.equal(message.ok, true, message.reason);
  assert.equal(message.payloadLength, 300);
  assert.equal(message.tracing, "t-1");
});

test("version 1, with and without the tracing field", () => {
  assert.equal(decodeTransportMessage(Uint8Array.from([1, 0, 0, 0])).ok, true);
  assert.equal(decodeTransportMessage(Uint8Array.from([1, 0, 0, 0, 0])).ok, true);
});

test("the Ockam-generated vectors the Rust codec is tested with", () => {
  const vectors = JSON.parse(
    readFileSync(new URL("../../crates/core/tests/vectors/transport_messages.json", import.meta.url), "utf8"),
  );
  // Route strings there are `type#value`; the view writes local addresses as their name.
  const view = (a) => (a.startsWith("0#") ? a.slice(2) : a.replace("#", ":"));
  for (const vector of vectors) {
    const message = decodeTransportMessage(fromHex(vector.bytes_hex));
    assert.equal(message.ok, true, `${vector.name}: ${message.reason}`);
    assert.equal(message.version, vector.version, vector.name);
    assert.deepEqual(message.onward, vector.onward.map(view), vector.name);
    assert.deepEqual(message.returnRoute, vector.return.map(view), vector.name);
    assert.equal(toHex(message.payload), vector.payload_hex, vector.name);
    assert.equal(message.tracing ?? null, vector.tracing, vector.name);
  }
});

test("every truncation of the sample cannot be decoded, and says so without throwing", () => {
  for (let length = 0; length < sample.length; length++) {
    const message = decodeTransportMessage(sample.subarray(0, length));
    assert.equal(message.ok, false, `${length} bytes decoded`);
    assert.equal(typeof message.reason, "string");
  }
  assert.match(decodeTransportMessage(sample.subarray(0, 20)).reason, /onward route/);
});

test("a frame the debug tap cut: the header decodes, the payload is known to be partial", () => {
  const frame = Uint8Array.from([2, 1, ...local("secure"), 0, 0x90, 0x03, ...new Array(100).fill(1)]);
  assert.equal(decodeTransportMessage(frame).ok, false);
  const message = decodeTransportMessage(frame, { cut: true });
  assert.equal(message.ok, true, message.reason);
  assert.equal(message.payloadLength, 400);
  assert.equal(message.payload.length, 100);
  assert.equal(message.complete, false);
  // Cut right after the payload: the missing tracing flag is no error either.
  assert.equal(decodeTransportMessage(sample.subarray(0, sample.length - 1), { cut: true }).ok, true);
});

test("garbage: no throw, a reason", () => {
  const inputs = [
    Uint8Array.from([9, 0, 0, 0, 0]), // unknown version
    Uint8Array.from([2, 0xff, 0xff, 0xff, 0xff, 0x0f]), // a route of 4 billion addresses
    Uint8Array.from([2, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80]), // an endless ULEB128
    Uint8Array.from([...sample, 0]), // a byte after the message
    Uint8Array.from([...sample.subarray(0, sample.length - 1), 7]), // a bad tracing flag
    undefined,
    "020000000000",
    [2, 0, 0, 0, 0],
  ];
  for (const input of inputs) {
    const message = decodeTransportMessage(input);
    assert.equal(message.ok, false, `decoded ${input}`);
    assert.equal(typeof message.reason, "string");
  }
  // Random bytes: whatever they decode to, nothing throws.
  let seed = 1;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) & 0xff);
  for (let i = 0; i < 2000; i++) {
    const bytes = Uint8Array.from({ length: random() % 40 }, random);
    if (i % 2 === 0 && bytes.length > 0) bytes[0] = 2;
    const message = decodeTransportMessage(bytes, { cut: i % 3 === 0 });
    assert.equal(typeof message.ok, "boolean");
  }
});

test("addresses: local ones by name, others as type:value, unprintable bytes as hex", () => {
  assert.equal(formatAddress(0, Uint8Array.from(text("echo"))), "echo");
  assert.equal(formatAddress(3, Uint8Array.from(text("localhost:4000"))), "3:localhost:4000");
  assert.equal(formatAddress(0, Uint8Array.from([0xff, 0x00])), "0xff00");
  assert.equal(formatAddress(7, Uint8Array.from([1, 2])), "7:0x0102");
});

test("a Razor notice, in the clear in the payload", () => {
  const payload = Uint8Array.from([...text("razor/notice/1"), 15, ...text("UNKNOWN_ADDRESS"), 3, ...text("bob")]);
  assert.deepEqual(decodeNotice(payload), { code: "UNKNOWN_ADDRESS", detail: "bob" });
  assert.equal(decodeNotice(new Uint8Array()), undefined);
  assert.equal(decodeNotice(payload.subarray(0, payload.length - 1)), undefined);
  assert.equal(decodeNotice(Uint8Array.from([...text("razor/notice/1"), 2, ...text("no"), 0])), undefined);
});

test("hex", () => {
  assert.deepEqual(fromHex("00ff10"), Uint8Array.from([0, 255, 16]));
  assert.equal(fromHex("0"), undefined);
  assert.equal(fromHex("zz"), undefined);
  assert.equal(toHex(Uint8Array.from([0, 255, 16])), "00ff10");
});
