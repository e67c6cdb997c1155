// A dedicated Web Worker with its own Razor node: same API, off the page's main thread.
import { RazorNode } from "@razor-sh/razor";

onmessage = async ({ data: { peer, peerId } }) => {
  try {
    const node = await RazorNode.create({ name: "worker" });
    const identity = await node.createIdentity();
    const channel = await node.createSecureChannel(identity, `ws#${peer} => secure`, { trust: { identifier: peerId } });
    const reply = await channel.request("echo", "hello from a worker");
    postMessage({ echo: reply.text });
    await node.shutdown();
  } catch (e) {
    postMessage({ error: `worker: ${e.name} ${e.code} ${e.message}` });
  }
};
