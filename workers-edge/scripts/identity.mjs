// Creates the edge's identity and prints the two secrets that carry it:
//   RAZOR_EDGE_IDENTITY      the identity, exported with identity.export({ key }), base64
//   RAZOR_EDGE_IDENTITY_KEY  the 32-byte key that seals it, hex
// Usage: node scripts/identity.mjs [--dev-vars FILE]
//   --dev-vars FILE  write them to FILE (wrangler dev's .dev.vars) unless it already has them;
//                    an identity is never replaced silently.
// In production: pipe each into `npx wrangler secret put <NAME>`.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { Node } from "@razor-sh/razor";

const args = process.argv.slice(2);
const devVars = args[0] === "--dev-vars" ? args[1] : undefined;
if (devVars && existsSync(devVars) && /^RAZOR_EDGE_IDENTITY=/m.test(readFileSync(devVars, "utf8"))) {
  console.error(`${devVars} already holds an edge identity; keeping it`);
  process.exit(0);
}
const node = await Node.create({ name: "edge-identity", vault: "software" });
const identity = await node.createIdentity();
const key = crypto.getRandomValues(new Uint8Array(32));
const exported = await identity.export({ key });
const lines = [
  `RAZOR_EDGE_IDENTITY=${Buffer.from(exported).toString("base64")}`,
  `RAZOR_EDGE_IDENTITY_KEY=${Buffer.from(key).toString("hex")}`,
];
node.shutdown();
if (devVars) {
  const before = existsSync(devVars) ? readFileSync(devVars, "utf8") : "";
  writeFileSync(devVars, `${before}${before && !before.endsWith("\n") ? "\n" : ""}${lines.join("\n")}\n`, { mode: 0o600 });
  console.error(`edge identity ${identity.identifier} written to ${devVars}`);
} else {
  console.log(lines.join("\n"));
  console.error(`edge identity ${identity.identifier}`);
}
