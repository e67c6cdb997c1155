// js-libp2p's Noise (@chainsafe/libp2p-noise 16.1.5, XX handshake with libp2p identity proof),
// measured the way benches/browser/razor.mjs measures Razor (scripts/bench libp2p).
// Works unchanged in Node 20 (ESM) and in a browser page (after bundling with esbuild,
// platform=browser, which selects the packages' "browser" builds).
//
// Exports:
//   handshakes(n, opts?)            -> { n, medianMs, meanMs, minMs, maxMs, ... }
//   throughput(size, count, opts?)  -> { size, count, msgsPerSec, MBps, ... }
//   info()                          -> { versions, cryptoImpl, ... }
//
// opts.crypto: 'default' (default: in Node = node:crypto + AssemblyScript mix, in the
//              browser = pure JS @noble) or 'purejs' (force @noble everywhere; lets Node
//              run the exact code path a browser runs).
import { noise, pureJsCrypto } from '@chainsafe/libp2p-noise'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { duplexPair } from 'it-pair/duplex'

export const VERSIONS = {
  '@chainsafe/libp2p-noise': '16.1.5',
  '@libp2p/crypto': '5.1.8',
  '@libp2p/peer-id': '5.1.9',
  '@libp2p/interface': '2.11.0',
  'it-pair': '2.0.6'
}

const now = (globalThis.performance != null) ? () => globalThis.performance.now() : () => Date.now()

// Minimal no-op ComponentLogger (what libp2p's defaultLogger() does when logging is disabled).
function noopLog () {}
noopLog.enabled = false
noopLog.error = noopLog
noopLog.trace = noopLog
noopLog.newScope = () => noopLog
const logger = { forComponent: () => noopLog }
// Noise asks the upgrader for stream muxers to advertise as an early-muxer-negotiation
// extension; an empty map = no extension (same as skipStreamMuxerNegotiation).
const upgrader = { getStreamMuxers: () => new Map() }

/** One libp2p "node": Ed25519 identity + a Noise ConnectionEncrypter bound to it. */
export async function createPeer (opts = {}) {
  const privateKey = await generateKeyPair('Ed25519')
  const peerId = peerIdFromPrivateKey(privateKey)
  const init = opts.crypto === 'purejs' ? { crypto: pureJsCrypto } : {}
  // noise(init) returns a factory taking libp2p components
  const encrypter = noise(init)({ peerId, privateKey, logger, upgrader })
  return { privateKey, peerId, encrypter }
}

/**
 * Run one XX handshake with identity proof over a fresh in-memory duplex pair.
 * The initiator passes `remotePeer` (as a libp2p dialer does), so the responder's
 * identity is checked against the expected PeerId; the responder learns and verifies
 * the initiator's identity from the signed handshake payload.
 */
export async function connect (initiator, responder) {
  const [a, b] = duplexPair()
  const [out, inb] = await Promise.all([
    initiator.encrypter.secureOutbound(a, { remotePeer: responder.peerId }),
    responder.encrypter.secureInbound(b)
  ])
  if (!out.remotePeer.equals(responder.peerId) || !inb.remotePeer.equals(initiator.peerId)) {
    throw new Error('peer identity mismatch after handshake')
  }
  return { outbound: out.conn, inbound: inb.conn }
}

function stats (samples) {
  const s = [...samples].sort((x, y) => x - y)
  const n = s.length
  const median = n % 2 === 1 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
  const mean = s.reduce((acc, v) => acc + v, 0) / n
  return { medianMs: median, meanMs: mean, minMs: s[0], maxMs: s[n - 1] }
}

/**
 * n XX handshakes between two peers whose identities (and static Noise keys) are
 * created once up front, like two long-lived libp2p nodes opening n connections.
 * Each sample = wall time of secureOutbound + secureInbound running concurrently
 * on one thread (i.e. both sides' CPU work). Key generation is not timed.
 */
export async function handshakes (n, opts = {}) {
  const warmup = opts.warmup ?? 0
  const initiator = await createPeer(opts)
  const responder = await createPeer(opts)
  for (let i = 0; i < warmup; i++) await connect(initiator, responder)
  const samples = []
  const t0 = now()
  for (let i = 0; i < n; i++) {
    const t = now()
    await connect(initiator, responder)
    samples.push(now() - t)
  }
  const totalMs = now() - t0
  return { n, ...stats(samples), totalMs, handshakesPerSec: n / (totalMs / 1000), crypto: opts.crypto ?? 'default' }
}

/**
 * After one handshake (not timed), send `count` messages of `size` bytes from the
 * initiator to the responder through the encrypted connection and read them all
 * on the responder. Timed from the first write to the last plaintext byte read.
 * MB/s counts payload bytes only, MB = 1e6 bytes.
 */
export async function throughput (size, count, opts = {}) {
  const initiator = await createPeer(opts)
  const responder = await createPeer(opts)
  const { outbound, inbound } = await connect(initiator, responder)

  const payload = new Uint8Array(size)
  for (let i = 0; i < size; i++) payload[i] = (i * 31 + 7) & 0xff
  const total = size * count

  const t0 = now()
  const sending = outbound.sink((async function * () {
    for (let i = 0; i < count; i++) yield payload
  })())
  let received = 0
  let chunks = 0
  let first = null
  for await (const chunk of inbound.source) {
    received += chunk.byteLength // chunk: Uint8Array or Uint8ArrayList
    if (chunks++ === 0) first = chunk.subarray().slice()
    if (received >= total) break
  }
  const elapsedMs = now() - t0
  await sending
  if (received !== total) throw new Error(`received ${received} bytes, expected ${total}`)
  // sanity: the first decrypted message must equal the plaintext that was sent
  const n0 = Math.min(size, first.length)
  for (let i = 0; i < n0; i++) if (first[i] !== payload[i]) throw new Error('decrypted payload mismatch')
  const secs = elapsedMs / 1000
  return {
    size,
    count,
    elapsedMs,
    msgsPerSec: count / secs,
    MBps: total / 1e6 / secs,
    chunksReceived: chunks,
    crypto: opts.crypto ?? 'default'
  }
}

export function info () {
  return {
    versions: VERSIONS,
    runtime: typeof process !== 'undefined' && process.versions?.node != null
      ? `node ${process.versions.node}`
      : (globalThis.navigator?.userAgent ?? 'unknown')
  }
}
