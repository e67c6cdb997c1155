// The edge's identity: loaded from Worker secrets, never created here. Without them the edge
// still relays, but terminates no secure channels (so no chosen relay names, no `whoami`).
//
//   RAZOR_EDGE_IDENTITY      the identity, exported with `identity.export({ key })`, base64
//   RAZOR_EDGE_IDENTITY_KEY  the 32-byte key that seals it, hex
//
// `npm run identity` (scripts/identity.mjs) makes both; `wrangler secret put` stores them.
import { Node, type Identity } from "@razor-sh/razor";
import type { Vars } from "./env.js";

let warned = false;

function base64(text: string): Uint8Array {
  return Uint8Array.from(atob(text.trim()), (c) => c.charCodeAt(0));
}

function hex(text: string): Uint8Array {
  const clean = text.trim();
  if (!/^([0-9a-f]{2})+$/i.test(clean)) throw new Error("RAZOR_EDGE_IDENTITY_KEY must be hex");
  return Uint8Array.from(clean.match(/../g)!.map((b) => parseInt(b, 16)));
}

/** The edge's identity in `node`'s vault, or `undefined` when the secrets are not set. */
export async function loadIdentity(node: Node, env: Vars): Promise<Identity | undefined> {
  if (!env.RAZOR_EDGE_IDENTITY) {
    if (!warned) console.warn("razor edge: RAZOR_EDGE_IDENTITY is not set: relaying only, no secure channels");
    warned = true;
    return undefined;
  }
  if (!env.RAZOR_EDGE_IDENTITY_KEY) throw new Error("RAZOR_EDGE_IDENTITY is set but RAZOR_EDGE_IDENTITY_KEY is not");
  return node.importIdentity(base64(env.RAZOR_EDGE_IDENTITY), { key: hex(env.RAZOR_EDGE_IDENTITY_KEY) });
}

let identifier: Promise<string | undefined> | undefined;

/** The edge's identifier (for `GET /identity`), computed once per isolate. */
export function edgeIdentifier(env: Vars): Promise<string | undefined> {
  identifier ??= (async () => {
    const node = await Node.create({ name: "edge-identity", vault: "software" });
    try {
      return (await loadIdentity(node, env))?.identifier;
    } finally {
      node.shutdown();
    }
  })();
  return identifier;
}
