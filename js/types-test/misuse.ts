// Must NOT compile: each line misuses the API (checked by scripts/test: tsc must fail, and on
// these lines).
import { Connection, Identity, Node, RazorNode, SecureChannel, SecureChannelListener } from "@razor-sh/razor";

export async function misuse(node: Node): Promise<void> {
  const identity = await node.createIdentity();
  await node.createSecureChannel(identity, "ws#x => secure", {}); // MISUSE: trust is required
  await node.createSecureChannel(identity, "ws#x => secure", { trust: "nobody" }); // MISUSE: not a Trust
  await node.createSecureChannel("not an identity", "ws#x => secure", { trust: "everyone" }); // MISUSE: identity
  await node.request("echo", 42); // MISUSE: payload is bytes or text
  await Node.create({ vault: "hsm" }); // MISUSE: unknown vault
  await identity.export({ key: "not bytes" }); // MISUSE: a key is bytes
  await node.createRelay("ws://edge/x", { name: 42 }); // MISUSE: a name is a string
  new Node(); // MISUSE: nodes come from Node.create
  new RazorNode(); // MISUSE: nodes come from RazorNode.create
  new SecureChannel(); // MISUSE: channels come from createSecureChannel
  new SecureChannelListener(); // MISUSE: listeners come from createSecureChannelListener
  new Identity(); // MISUSE: identities come from createIdentity
  new Connection(); // MISUSE: connections come from connect
  await node.connect("ws://x", { signal: "stop" }); // MISUSE: a signal is an AbortSignal
  await node.request("echo", "x", { timeoutMs: "soon" }); // MISUSE: a timeout is a number
  node.addEventListener("channelclose", (event) => event.detail.nope); // MISUSE: no such detail
}
