// A Cloudflare Worker with a Razor node:
//   GET /    opens a secure channel to RAZOR_PEER (which must be RAZOR_PEER_ID) as the identity
//            sealed in the RAZOR_IDENTITY secret, and answers with the echo;
//   GET /ws  accepts a WebSocket (a WebSocketPair) and secure channels from anyone, to an echo.
import { RazorNode } from "@razor-sh/razor";

const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** A node kept per isolate, serving what /ws accepts. */
let serving;
function server() {
  serving ??= (async () => {
    const node = await RazorNode.create({ name: "worker-server" });
    const identity = await node.createIdentity();
    node.createSecureChannelListener(identity, "secure", { trust: "everyone" });
    node.startEcho("echo");
    return { node, identity };
  })();
  return serving;
}

async function client(env) {
  const node = await RazorNode.create({ name: "worker-client" });
  try {
    const identity = env.RAZOR_IDENTITY
      ? await node.importIdentity(fromBase64(env.RAZOR_IDENTITY), { passphrase: env.RAZOR_SECRET })
      : await node.createIdentity();
    const channel = await node.createSecureChannel(identity, `ws#${env.RAZOR_PEER} => secure`, {
      trust: { identifier: env.RAZOR_PEER_ID },
      timeoutMs: 10_000,
    });
    const reply = await channel.request("echo", "hello through the channel", { timeoutMs: 10_000 });
    return `echo: ${reply.text} vault: ${node.vault} identity: ${identity.identifier}`;
  } finally {
    await node.shutdown();
  }
}

export default {
  async fetch(request, env) {
    if (new URL(request.url).pathname === "/ws") {
      const { node, identity } = await server();
      if (request.headers.get("upgrade") !== "websocket") return new Response(identity.identifier);
      const pair = new WebSocketPair();
      pair[1].accept();
      node.acceptWebSocket(pair[1]);
      return new Response(null, { status: 101, webSocket: pair[0] });
    }
    try {
      return new Response(await client(env));
    } catch (e) {
      return new Response(`${e.name} ${e.code} ${e.message}`, { status: 500 });
    }
  },
};
