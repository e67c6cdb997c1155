// The minimal app `scripts/size` weighs (issue 22's yardstick): a page that opens one secure
// channel through a relay and sends a message, with the package's default entry. Bundled by
// esbuild (minified ESM); the wasm it loads is counted beside its JS.
import { RazorNode } from "@razor-sh/razor";

export async function hello(edge, peerName, peerIdentifier) {
  const node = await RazorNode.create();
  const identity = await node.createIdentity({ name: "me" });
  const channel = await node.createSecureChannel(identity, `ws#${edge} => forward_to_${peerName} => secure`, {
    trust: { identifier: peerIdentifier },
  });
  await channel.send("echo", new TextEncoder().encode("hello"));
  await channel.close();
  await node.shutdown();
}
globalThis.razorSizeApp = { hello };
