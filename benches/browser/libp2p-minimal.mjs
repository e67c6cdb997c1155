// Minimal browser bundle: only what a Noise-secured connection needs —
// Ed25519 identity, Noise encrypter, XX handshake with identity proof, encrypt/decrypt.
import { noise } from '@chainsafe/libp2p-noise'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { duplexPair } from 'it-pair/duplex'

function log () {}
log.enabled = false
log.error = log
log.trace = log
const components = (privateKey) => ({
  privateKey,
  peerId: peerIdFromPrivateKey(privateKey),
  logger: { forComponent: () => log },
  upgrader: { getStreamMuxers: () => new Map() }
})

export async function roundTrip (msg) {
  const ka = await generateKeyPair('Ed25519')
  const kb = await generateKeyPair('Ed25519')
  const a = noise()(components(ka))
  const b = noise()(components(kb))
  const [x, y] = duplexPair()
  const [out, inb] = await Promise.all([
    a.secureOutbound(x, { remotePeer: peerIdFromPrivateKey(kb) }),
    b.secureInbound(y)
  ])
  out.conn.sink([msg])
  for await (const chunk of inb.conn.source) return chunk.subarray()
}
window.noiseMinimal = { roundTrip }
