// A Deno server: a Razor node accepting WebSockets (Deno.upgradeWebSocket) and secure
// channels from anyone, with an echo service. Prints "listening <port> <identifier>".
import { RazorNode } from "@razor-sh/razor";

const server = await RazorNode.create({ name: "deno-server" });
const identity = await server.createIdentity();
server.createSecureChannelListener(identity, "secure", { trust: "everyone" });
server.startEcho("echo");

Deno.serve(
  {
    hostname: "127.0.0.1",
    port: Number(Deno.env.get("PORT") ?? 0),
    onListen: ({ port }) => console.log(`listening ${port} ${identity.identifier}`),
  },
  (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    server.acceptWebSocket(socket);
    return response;
  },
);
