// Compiles against the published types: every public entry point, used as documented.
import {
  ArgumentError, type ChannelOptions, type ErrorCode, Identity, initLogging, MemoryNetwork, type Message, Node,
  type NodeOptions, ProtocolError, RazorError, RoutingError, SecureChannel, SecureChannelListener, type Suite,
  TimeoutError, TransportError, type Trust, TrustError,
} from "@razor-sh/razor";

export async function everything(serverId: string): Promise<string> {
  await initLogging("info");
  const options: NodeOptions = { name: "app", vault: "auto", persist: "db", mailboxCapacity: 64 };
  const node: Node = await Node.create(options);
  const vault: "webcrypto" | "software" = node.vault;
  const identity: Identity = await node.createIdentity({ name: "me" });
  const id: string = identity.identifier;
  const history: Uint8Array = identity.changeHistory();
  const credential: Uint8Array = await identity.issueCredential(identity, { role: "admin" }, 3600);
  identity.addCredential(credential);
  await identity.rotate("p256");

  const network = await MemoryNetwork.create();
  node.attachMemory(network, "app");
  node.startEcho("echo");
  node.startHop("hop", ({ node, onward, returnRoute }) => console.log(node, onward, returnRoute));
  node.startWorker("upper", (message: Message) => message.text.toUpperCase());
  node.startWorker("async", async (message) => message.payload);
  node.startWorker("silent", () => {});
  node.stopWorker("silent");
  node.startRelayService();
  node.pinWebTransportCertificate("127.0.0.1:4433", "00".repeat(32));
  node.setReconnect({ attempts: 5, initialDelayMs: 100 });
  node.setReconnect(null);

  const suite: Suite = "noise-chachapoly";
  const trust: Trust[] = ["everyone", { identifier: serverId }, { identifiers: [serverId] }, { issuer: history }, { policy: "(= subject.role \"admin\")" }];
  const channelOptions: ChannelOptions = { trust: trust[1], suite, timeoutMs: 5000, authorities: [history] };
  const listener: SecureChannelListener = node.createSecureChannelListener(identity, "secure", { trust: "everyone" });
  const hop: string = await node.connect("ws://127.0.0.1:4000");
  const channel: SecureChannel = await node.createSecureChannel(identity, `${hop} => secure`, channelOptions);
  await channel.send("echo", "text");
  await channel.send("echo", new Uint8Array([1, 2]));
  const received: Message = await channel.receive({ timeoutMs: 1000 });
  const reply: Message = await channel.request("echo", "hi", { timeoutMs: 1000 });
  for await (const message of channel) {
    const peer: string | undefined = message.peerIdentifier;
    const attributes: Readonly<Record<string, string>> = message.peerAttributes;
    console.log(peer, attributes, message.returnRoute);
    break;
  }
  const accepted: SecureChannel = await listener.accept();
  for await (const next of listener) {
    next.close();
    break;
  }
  listener.stop();
  const open: boolean = channel.isOpen;
  const theirs: string = channel.theirIdentifier + accepted.address;
  channel.close();

  try {
    await node.request("nowhere", "?", { timeoutMs: 10 });
  } catch (error) {
    if (error instanceof TimeoutError || error instanceof TrustError || error instanceof TransportError) {
      const code: ErrorCode = error.code;
      console.log(code);
    } else if (error instanceof ProtocolError || error instanceof ArgumentError || error instanceof RoutingError) {
      console.log(error.code, error.message);
    } else if (error instanceof RazorError) {
      console.log(error.name);
    }
  }
  const counts: number = node.workerCount + node.connectionCount;
  node.shutdown();
  return `${vault} ${id} ${received.text} ${reply.text} ${open} ${theirs} ${counts}`;
}
