// Compiles against the published types: every public entry point, used as documented.
import {
  ArgumentError, type ChannelOptions, type ErrorCode, Identity, initLogging, MemoryNetwork, type Message, Node,
  type NodeOptions, ProtocolError, RazorError, RoutingError, SecureChannel, SecureChannelListener, type Suite,
  TimeoutError, TransportError, type Trust, TrustError, type ChannelEvent, Relay, type RelayNames,
  type RelayServiceOptions, type RelayServiceEvent, type ConnectionSink, Connection, type IdentitySecret,
  AbortError, AttachedConnection, type CloseInfo, type CloseReason, type IdentityStore, type LogRecord, RazorNode,
  type Stats, fileStore, memoryStore,
} from "@razor-sh/razor";

export async function everything(serverId: string): Promise<string> {
  await initLogging("info");
  await initLogging({ filter: "razor_core=debug,info", logger: (record: LogRecord) => console.log(record.level, record.message, record.fields) });
  const options: NodeOptions = { name: "app", vault: "auto", persist: "db", mailboxCapacity: 64 };
  const node: Node = await Node.create(options);
  const same: RazorNode = node;
  const store: IdentityStore = memoryStore();
  const files: IdentityStore = fileStore("/var/lib/app");
  await using kept = await RazorNode.create({ persist: { store, secret: { passphrase: "pw" } }, logging: { filter: "warn" } });
  console.log(same.name, files, (await kept.createIdentity({ name: "me" })).identifier);
  node.addEventListener("channelopen", (event) => console.log(event.detail.address, event.detail.peer));
  node.addEventListener("channelclose", (event) => console.log(event.detail.reason satisfies CloseReason, event.detail.error?.code));
  node.addEventListener("connectionclose", (event) => console.log(event.detail.peer));
  node.addEventListener("reconnecting", (event) => console.log(event.detail.attempt, event.detail.delayMs));
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
  const controller = new AbortController();
  const hop: Connection = await node.connect("ws://127.0.0.1:4000", { timeoutMs: 5000, signal: controller.signal });
  const hopStats: Stats = hop.stats;
  const hopClosed: CloseInfo = await hop.closed;
  console.log(hop.address, hop.peer, hop.isClosed, hopStats.bytesSent, hopClosed.reason, node.connection(hop.address)?.address);
  const channel: SecureChannel = await node.createSecureChannel(identity, `${hop} => secure`, {
    ...channelOptions,
    signal: controller.signal,
    reconnect: { attempts: 5, initialDelayMs: 100, maxDelayMs: 1000 },
  });
  await using disposable = await node.createSecureChannel(identity, `${hop} => secure`, { trust: "everyone", reconnect: true });
  channel.addEventListener("reconnected", () => console.log(disposable.stats.messagesSent));
  const info: CloseInfo = await channel.closed;
  console.log(info.reason, info.error?.code);
  await channel.send("echo", "text");
  await channel.send("echo", new Uint8Array([1, 2]));
  await channel.send("echo", "text", { signal: controller.signal });
  const received: Message = await channel.receive({ timeoutMs: 1000, signal: controller.signal });
  const reply: Message = await channel.request("echo", "hi", { timeoutMs: 1000, signal: AbortSignal.timeout(1000) });
  for await (const message of channel) {
    const peer: string | undefined = message.peerIdentifier;
    const attributes: Readonly<Record<string, string>> = message.peerAttributes;
    console.log(peer, attributes, message.returnRoute);
    break;
  }
  const accepted: SecureChannel = await listener.accept({ signal: controller.signal });
  for await (const next of listener) {
    await next.close();
    break;
  }
  await listener.stop();
  await listener.closed;
  await using scoped = node.createSecureChannelListener(identity, "scoped", { trust: "everyone" });
  console.log(scoped.address);
  const open: boolean = channel.isOpen;
  const theirs: string = channel.theirIdentifier + accepted.address;
  await channel.close();

  try {
    await node.request("nowhere", "?", { timeoutMs: 10 });
  } catch (error) {
    if (error instanceof TimeoutError || error instanceof TrustError || error instanceof TransportError) {
      const code: ErrorCode = error.code;
      console.log(code);
    } else if (error instanceof ProtocolError || error instanceof ArgumentError || error instanceof RoutingError) {
      console.log(error.code, error.message);
    } else if (error instanceof AbortError) {
      console.log(error.cause);
    } else if (error instanceof RazorError) {
      console.log(error.name, error.cause);
    }
  }
  // The edge's pieces: relays, attached connections, server-side sockets, identity export.
  const events: ChannelEvent[] = [];
  await node.createSecureChannel(identity, "ws#edge => forward_to_bob => secure", { trust: "everyone", onEvent: (e) => events.push(e) });
  const relay: Relay = await node.createRelay("ws://127.0.0.1:8787/alice", { name: "alice", identity, trust: { identifier: serverId } });
  relay.addEventListener("registered", () => console.log(relay.alias, relay.hop, relay.isRegistered));
  await relay.close();
  const alias: string = await node.registerRelay("ws#edge => forwarding_service", "register", { timeoutMs: 1000 });
  const names: RelayNames = { check: () => {}, random: () => "x", claim: async () => true };
  const serviceOptions: RelayServiceOptions = { prefix: "forward_to_", names, relaysPerConnection: 4, onEvent: (e: RelayServiceEvent) => console.log(e.alias) };
  node.startRelayService(undefined, serviceOptions);
  node.restoreRelay("forward_to_alice", "0#abc");
  const sink: ConnectionSink = { send: async () => {}, close: (code, reason) => console.log(code, reason) };
  const attached: AttachedConnection = node.attachConnection(sink, { address: "abc", label: "mine" });
  const accepted2: Connection = node.acceptWebSocket(new WebSocket("ws://127.0.0.1:1"));
  const ok: boolean = attached.tryReceive(new Uint8Array([2, 0, 0, 0, 0]));
  await attached.receive(new Uint8Array(0));
  attached.peerClosed();
  await attached.close();
  await accepted2.closed;
  await node.closeConnection(attached.address);
  node.registerTransport(253, async (value) => `0#${value}`);
  node.setRouteFallback((address) => (address.startsWith("0#far") ? "mem#far" : undefined));
  await node.whenStopped(attached.address);
  node.startWorker("admin", () => "hi", { policy: "(= subject.role \"admin\")" });
  const secret: IdentitySecret = { key: new Uint8Array(32) };
  const exported: Uint8Array = await identity.export(secret);
  const imported: Identity = await node.importIdentity(exported, { passphrase: "pw" });
  const remote: boolean = new RazorError("REMOTE", "x", { remote: true }).remote;
  console.log(events, alias, ok, imported.identifier, remote);

  const counts: number = node.workerCount + node.connectionCount;
  await node.shutdown();
  return `${vault} ${id} ${received.text} ${reply.text} ${open} ${theirs} ${counts}`;
}
