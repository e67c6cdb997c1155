// A Deno client: a secure channel to the Razor node at RAZOR_PEER that must be RAZOR_PEER_ID,
// asking its echo service; its identity is kept in ./.razor, sealed with RAZOR_SECRET.
import { fileStore, RazorNode } from "@razor-sh/razor";

const peer = Deno.env.get("RAZOR_PEER") ?? "127.0.0.1:4000";
const peerId = Deno.env.get("RAZOR_PEER_ID");
if (!peerId) throw new Error("set RAZOR_PEER_ID to the identifier the node printed");
const secret = { passphrase: Deno.env.get("RAZOR_SECRET") ?? "change me" };

await using node = await RazorNode.create({ name: "deno-client", persist: { store: fileStore(".razor"), secret } });
const identity = await node.createIdentity({ name: "me" });
console.log(`identity: ${identity.identifier}`);
await using channel = await node.createSecureChannel(identity, `ws#${peer} => secure`, {
  trust: { identifier: peerId },
  timeoutMs: 10_000,
});
const reply = await channel.request("echo", "hello through the channel", { timeoutMs: 10_000 });
console.log(`echo: ${reply.text} from ${channel.theirIdentifier}`);
