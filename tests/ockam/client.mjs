// What a browser tab, a Worker and a Deno script each do in the Ockam interop suite: open an
// Ockam-suite secure channel over `route` to the Ockam node `ockamId`, end to end (the Razor
// node on the way forwards ciphertext), and ask Ockam's echoer (a worker of `String`) to echo
// `text`. Runtime-agnostic: takes the package's `RazorNode`. Returns what each side proved.

/** An Ockam `String` message: a BARE string (a LEB128 length, then UTF-8). */
export function ockamString(text) {
  const utf8 = new TextEncoder().encode(text);
  const length = [];
  for (let n = utf8.length; ; n >>>= 7) {
    if (n < 0x80) {
      length.push(n);
      break;
    }
    length.push((n & 0x7f) | 0x80);
  }
  return Uint8Array.of(...length, ...utf8);
}

/** The text of an Ockam `String` message. */
export function fromOckamString(bytes) {
  let length = 0;
  let shift = 0;
  let at = 0;
  for (;;) {
    const byte = bytes[at++];
    length |= (byte & 0x7f) << shift;
    shift += 7;
    if (byte < 0x80) break;
  }
  return new TextDecoder().decode(bytes.subarray(at, at + length));
}

/**
 * Runs `use(channel, identity)` over an Ockam-suite channel from a new node to the Ockam node
 * `ockamId` at `route` (presenting `credential` if given), then shuts the node down.
 */
async function withChannelToOckam(RazorNode, { route, ockamId, credential, timeoutMs }, use) {
  const node = await RazorNode.create({ name: "ockam-interop" });
  try {
    const identity = await node.createIdentity();
    if (credential) identity.addCredential(credential);
    const channel = await node.createSecureChannel(identity, route, {
      trust: { identifier: ockamId },
      suite: "ockam-aes-gcm",
      timeoutMs,
    });
    const outcome = await use(channel, identity);
    await channel.close();
    return outcome;
  } finally {
    await node.shutdown();
  }
}

/** `work()`'s value as `{ ok: true, ... }`, or its failure as `{ ok: false, code, message }`
 * (for runners that only pass JSON back). */
async function asOutcome(work) {
  try {
    return { ok: true, ...(await work()) };
  } catch (error) {
    return { ok: false, code: error.code ?? error.name, message: String(error.stack ?? error.message ?? error) };
  }
}

/**
 * Opens the channel, sends `text` to the echoer, closes. Resolves with this side's identifier,
 * the peer it verified and the echoed text; rejects with the Razor error (its `code`).
 */
export function echoThroughOckam(RazorNode, { text, timeoutMs = 15_000, ...options }) {
  return withChannelToOckam(RazorNode, { timeoutMs, ...options }, async (channel, identity) => {
    const reply = await channel.request("echoer", ockamString(text), { timeoutMs });
    return { identifier: identity.identifier, verified: channel.theirIdentifier, echoed: fromOckamString(reply.payload) };
  });
}

/** `echoThroughOckam` with failures as values. */
export const tryEchoThroughOckam = (RazorNode, options) => asOutcome(() => echoThroughOckam(RazorNode, options));

const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");

/**
 * Through an Ockam-suite channel to the Ockam node `ockamId` at `route`, reaches the HTTP
 * service behind its TCP portal outlet: GET /big (returns its SHA-256), POST 1 MiB to /echo
 * (whether it came back intact), and a portal stream opened and closed by this side.
 */
export function fetchThroughOckam(RazorNode, { timeoutMs = 15_000, ...options }) {
  return withChannelToOckam(RazorNode, { timeoutMs, ...options }, async (channel, identity) => {
    const big = await channel.fetch("http://service/big", undefined, { timeoutMs });
    const bigDigest = hex(await crypto.subtle.digest("SHA-256", await big.arrayBuffer()));
    const body = new Uint8Array(1024 * 1024);
    for (let at = 0; at < body.length; at += 65536) crypto.getRandomValues(body.subarray(at, at + 65536));
    const echo = await channel.fetch("http://service/echo", { method: "POST", body }, { timeoutMs });
    const echoed = new Uint8Array(await echo.arrayBuffer());
    const echoIntact = echo.status === 200 && echoed.length === body.length && echoed.every((b, i) => b === body[i]);
    // A raw stream: a request written by hand, the answer read from the readable side.
    const portal = await channel.openPortal({ timeoutMs });
    const writer = portal.writable.getWriter();
    await writer.write(new TextEncoder().encode("GET /big HTTP/1.1\r\nHost: service\r\nConnection: close\r\n\r\n"));
    writer.releaseLock();
    let streamed = 0;
    for await (const chunk of portal.readable) streamed += chunk.length;
    const end = await portal.closed;
    // Closed from this side: the service's connection closes too (checked by the test).
    const idle = await channel.openPortal({ timeoutMs });
    await idle.writable.close();
    const idleEnd = await idle.closed;
    return { identifier: identity.identifier, bigDigest, echoIntact, streamed, end, idleEnd, portalPeer: portal.peerIdentifier };
  });
}

/** `fetchThroughOckam` with failures as values. */
export const tryFetchThroughOckam = (RazorNode, options) => asOutcome(() => fetchThroughOckam(RazorNode, options));
