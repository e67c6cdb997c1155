// What the edge can read in a frame: the routing header of the Ockam TransportMessage it
// carries. On the edge's WebSocket connections and on its links between objects, one frame is
// one BARE TransportMessage, with no framing of its own (crates/core/src/transport/framing.rs):
//
//   version u8 (2, or 1) | onward Route | return Route | payload (ULEB128 length + bytes)
//                        | tracing flag u8 (0 | 1) [+ ULEB128 length + UTF-8 string]
//   Route = ULEB128 count, then per address: transport type u8 | ULEB128 length | bytes
//
// (crates/core/src/routing/transport_message.rs; ../shared/docs/OCKAM-WIRE.md, "Routing".)
// The routes are in the clear, for the relay to forward by; the payload is a secure channel's
// handshake or ciphertext, which the relay cannot open (or a Razor notice, in the clear: see
// decodeNotice). Pure functions: no DOM, and no input makes them throw.

/** Transport type of local addresses (a worker's name, UTF-8). */
const LOCAL = 0;

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Lowercase hex of `bytes`. */
export function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The bytes `hex` spells, or `undefined` if it is not an even run of hex digits. */
export function fromHex(hex) {
  if (typeof hex !== "string" || !/^([0-9a-f]{2})*$/i.test(hex)) return undefined;
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

/** An address as text: a local one as its UTF-8 name, any other as `type:value`. */
export function formatAddress(type, value) {
  let text;
  try {
    text = utf8.decode(value);
  } catch {
    text = undefined;
  }
  // Text with control characters would garble the view: those print as hex.
  if (text === undefined || /[\u0000-\u001f\u007f]/.test(text)) text = `0x${toHex(value)}`;
  return type === LOCAL ? text : `${type}:${text}`;
}

/** Thrown inside the decoder only, and caught there: input that is not a TransportMessage. */
class Malformed extends Error {}

/** A bounds-checked reader over `bytes`. */
function reader(bytes) {
  let at = 0;
  const need = (n, what) => {
    if (bytes.length - at < n) throw new Malformed(`${what}: ${n} B needed at byte ${at}, ${bytes.length - at} left`);
  };
  return {
    get at() {
      return at;
    },
    get left() {
      return bytes.length - at;
    },
    u8(what) {
      need(1, what);
      return bytes[at++];
    },
    /** A ULEB128 integer (at most 7 bytes: 49 bits, far above any length here). */
    uleb(what) {
      let value = 0;
      for (let shift = 0; shift < 49; shift += 7) {
        const byte = this.u8(what);
        value += (byte & 0x7f) * 2 ** shift;
        if ((byte & 0x80) === 0) return value;
      }
      throw new Malformed(`${what}: length too long`);
    },
    take(n, what) {
      need(n, what);
      at += n;
      return bytes.subarray(at - n, at);
    },
  };
}

/** Reads a Route: its addresses as text. */
function readRoute(r, what) {
  const count = r.uleb(`${what} route length`);
  // Each address takes at least 2 bytes: a longer count cannot be true (and is not looped on).
  if (count > r.left / 2) throw new Malformed(`${what} route: ${count} addresses in ${r.left} B`);
  const route = [];
  for (let i = 0; i < count; i++) {
    const type = r.u8(`${what} route, address ${i + 1} type`);
    const length = r.uleb(`${what} route, address ${i + 1} length`);
    route.push(formatAddress(type, r.take(length, `${what} route, address ${i + 1}`)));
  }
  return route;
}

/** Reads the tracing field: always there in version 2; in version 1 only if bytes follow
 * (ockam_core writes it there too). The context, or `undefined` if none. */
function readTracing(r, version) {
  if (version === 1 && r.left === 0) return undefined;
  const flag = r.u8("tracing flag");
  if (flag === 0) return undefined;
  if (flag !== 1) throw new Malformed(`tracing flag ${flag} (0 or 1 expected)`);
  const bytes = r.take(r.uleb("tracing context length"), "tracing context");
  try {
    return utf8.decode(bytes);
  } catch {
    throw new Malformed("tracing context: not UTF-8");
  }
}

/**
 * Decodes the routing header of the TransportMessage in `frame` (a Uint8Array). `cut`: the
 * frame may be only its first bytes (the debug tap keeps at most 4 KiB of each), so a payload
 * that runs past the end is not an error. Never throws.
 *
 * Returns `{ ok: true, version, onward, returnRoute, payloadLength, payload, complete,
 * tracing }` — routes as arrays of address texts, `payload` the payload's bytes present,
 * `complete` false when the frame was cut before the payload's end, `tracing` the tracing
 * context (`undefined` if none or cut off) — or `{ ok: false, reason }`.
 */
export function decodeTransportMessage(frame, { cut = false } = {}) {
  if (!(frame instanceof Uint8Array)) return { ok: false, reason: "not bytes" };
  try {
    const r = reader(frame);
    const version = r.u8("version");
    if (version !== 1 && version !== 2) return { ok: false, reason: `version ${version} (1 or 2 expected)` };
    const onward = readRoute(r, "onward");
    const returnRoute = readRoute(r, "return");
    const payloadLength = r.uleb("payload length");
    const base = { ok: true, version, onward, returnRoute, payloadLength };
    if (payloadLength > r.left) {
      if (!cut) throw new Malformed(`payload: ${payloadLength} B declared, ${r.left} B present`);
      return { ...base, payload: r.take(r.left, "payload"), complete: false, tracing: undefined };
    }
    const payload = r.take(payloadLength, "payload");
    let tracing;
    try {
      tracing = readTracing(r, version);
      if (r.left > 0) throw new Malformed(`${r.left} B after the message`);
    } catch (error) {
      // A frame cut just after its payload has lost its tail, not its header.
      if (!(cut && error instanceof Malformed)) throw error;
    }
    return { ...base, payload, complete: true, tracing };
  } catch (error) {
    if (error instanceof Malformed) return { ok: false, reason: error.message };
    return { ok: false, reason: `cannot decode (${error})` };
  }
}

/** The first bytes of a Razor notice's payload (crates/core/src/routing/notice.rs). */
const NOTICE_MAGIC = "razor/notice/1";

/**
 * The Razor notice (a "could not deliver" answer, sent in the clear with an empty onward
 * route) that `payload` holds: `{ code, detail }`, or `undefined` if it holds none (an Ockam
 * heartbeat, or anything else). Never throws.
 */
export function decodeNotice(payload) {
  if (!(payload instanceof Uint8Array) || payload.length < NOTICE_MAGIC.length) return undefined;
  for (let i = 0; i < NOTICE_MAGIC.length; i++) {
    if (payload[i] !== NOTICE_MAGIC.charCodeAt(i)) return undefined;
  }
  try {
    const r = reader(payload.subarray(NOTICE_MAGIC.length));
    const code = utf8.decode(r.take(r.uleb("code length"), "code"));
    const detail = utf8.decode(r.take(r.uleb("detail length"), "detail"));
    if (r.left > 0 || !/^[A-Z0-9_]{1,32}$/.test(code)) return undefined;
    return { code, detail };
  } catch {
    return undefined;
  }
}

/** A route as one line of text: its addresses joined by `⇒`, or `(empty)`. */
export function formatRoute(route) {
  return route.length === 0 ? "(empty)" : route.join(" ⇒ ");
}
