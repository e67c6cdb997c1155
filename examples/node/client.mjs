// A Node client: opens a secure channel to the Razor node at RAZOR_PEER (host:port) that must
// be RAZOR_PEER_ID, and asks its echo service. Its own identity is kept in ./.razor, sealed
// with RAZOR_SECRET: run it twice and it is the same identity.
import { RazorNode, fileStore } from "@razor-sh/razor";

const peer = process.env.RAZOR_PEER ?? "127.0.0.1:4000";
const peerId = process.env.RAZOR_PEER_ID;
if (!peerId) throw new Error("set RAZOR_PEER_ID to the identifier the node printed");
const secret = { passphrase: process.env.RAZOR_SECRET ?? "change me" };

const node = await RazorNode.create({ name: "node-client", persist: { store: fileStore(".razor"), secret } });
try {
  const identity = await node.createIdentity({ name: "me" });
  console.log(`identity: ${identity.identifier}`);
  const channel = await node.createSecureChannel(identity, `ws#${peer} => secure`, {
    trust: { identifier: peerId },
    timeoutMs: 10_000,
  });
  const reply = await channel.request("echo", "hello through the channel", { timeoutMs: 10_000 });
  console.log(`echo: ${reply.text} from ${channel.theirIdentifier}`);
  await channel.close();
} finally {
  await node.shutdown();
}
