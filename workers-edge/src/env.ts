// The Worker's vars (wrangler.jsonc `vars`, `.dev.vars`, `wrangler secret put`): what every file
// of the edge may read. The Worker's whole environment, `Env` (these and the `RELAY` binding),
// is declared in relay-object.ts: its type names `RelayObject`, which imports the files that
// read these, so declaring it here would put this file in their circle.

/** The Worker's vars and secrets, each a string or unset. */
export interface Vars {
  /** The edge's identity, exported by `identity.export({ key })` (base64). */
  RAZOR_EDGE_IDENTITY?: string;
  /** The 32-byte key that opens it (hex). */
  RAZOR_EDGE_IDENTITY_KEY?: string;
  /** ABAC policy guarding the edge's `whoami` service (default `(exists? subject.identifier)`: any authenticated peer). */
  RAZOR_EDGE_POLICY?: string;
  RAZOR_EDGE_MAX_FRAME?: string;
  RAZOR_EDGE_RATE?: string;
  RAZOR_EDGE_BURST?: string;
  RAZOR_EDGE_RELAYS_PER_CONNECTION?: string;
  RAZOR_EDGE_IDLE_MS?: string;
  RAZOR_EDGE_MAX_HANDSHAKES?: string;
  RAZOR_EDGE_MAX_CHANNELS?: string;
  /** Razor's log filter for the console, like RUST_LOG (e.g. "info", "razor_core=debug"); default off. */
  RAZOR_EDGE_LOG?: string;
  /** "1": keep the last frames each object forwarded, for the demo's ciphertext panel and tests. */
  RAZOR_EDGE_DEBUG_TAP?: string;
}
