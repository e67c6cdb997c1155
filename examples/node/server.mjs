// A Node server: a Razor node that accepts WebSockets (with `ws`) and secure channels from
// anyone, and runs an echo service. Prints "listening <port> <identifier>".
import { WebSocketServer } from "ws";
import { RazorNode } from "@razor-sh/razor";

const server = await RazorNode.create({ name: "node-server" });
const identity = await server.createIdentity();
server.createSecureChannelListener(identity, "secure", { trust: "everyone" });
server.startEcho("echo");
server.addEventListener("channelopen", (event) => console.log(`channel from ${event.detail.peer}`));

const port = Number(process.env.PORT ?? 0);
const wss = new WebSocketServer({ host: "127.0.0.1", port });
wss.on("connection", (socket) => server.acceptWebSocket(socket));
wss.on("listening", () => console.log(`listening ${wss.address().port} ${identity.identifier}`));
process.on("SIGTERM", async () => {
  wss.close();
  await server.shutdown();
  process.exit(0);
});
