// The Razor node inside one Durable Object: the object's sockets as connections, links to other
// objects, the relay service, and the edge's own services (a secure channel listener with
// `whoami` behind a policy, and `echo`). It is rebuilt from the sockets' attachments and the
// object's storage whenever the object wakes, and unloaded when the object is idle.
import { type AttachedConnection, initLogging, Node, type Identity, type RelayServiceEvent } from "@razor-sh/razor";
import type { Vars } from "./env.js";
import type { Limits } from "./limits.js";
import { LINK_PREFIX, objectOfAlias, objectOfLink, randomHex, RELAY_PREFIX, refusal } from "./names.js";
import { loadIdentity } from "./identity.js";

/** Transport type of the hops between objects (`253#<object>`), Razor-internal. */
export const LINK_TRANSPORT = 253;

/** What a socket carries across hibernation (`serializeAttachment`, at most 2 KiB). */
export interface Attachment {
  /** The socket's connection hop on this object's node: peers' routes name it. */
  address: string;
  /** Relays registered over this socket: restored when the node is rebuilt. */
  relays: { alias: string; routeBack: string }[];
}

/** How an edge node reaches the rest of its object. */
export interface ObjectPort {
  name: string;
  env: Vars;
  limits: Limits;
  storage: DurableObjectStorage;
  sockets(): WebSocket[];
  /** Sends `frame` to object `to` (Durable Object RPC); resolves once it was handed over. */
  deliver(to: string, frame: Uint8Array): Promise<void>;
  /** Records a frame this object forwarded (debug tap). */
  tap(direction: "in" | "out", via: string, frame: Uint8Array): void;
}

export class EdgeNode {
  readonly node: Node;
  readonly identity?: Identity;
  /** Connections of this object's sockets. */
  readonly sockets = new Map<WebSocket, AttachedConnection>();
  /** Links to other objects, by object name. */
  readonly links = new Map<string, AttachedConnection>();
  #unloading = false;

  private constructor(
    private readonly port: ObjectPort,
    node: Node,
    identity: Identity | undefined,
  ) {
    this.node = node;
    this.identity = identity;
  }

  static async create(port: ObjectPort): Promise<EdgeNode> {
    if (port.env.RAZOR_EDGE_LOG && !logging) {
      logging = true;
      await initLogging(port.env.RAZOR_EDGE_LOG);
    }
    const node = await Node.create({ name: `edge/${port.name}`, vault: "auto" });
    const identity = await loadIdentity(node, port.env);
    const edge = new EdgeNode(port, node, identity);
    edge.startServices();
    for (const socket of port.sockets()) edge.adopt(socket);
    return edge;
  }

  private startServices(): void {
    const { node, port } = this;
    // Where messages to relays held by other objects go: a hop to that object first.
    node.registerTransport(LINK_TRANSPORT, (object) => this.link(object).address);
    node.setRouteFallback((address) => {
      // A link named in a route made before this node was (re)built: attach it again.
      const linked = objectOfLink(address);
      if (linked !== undefined && linked !== port.name) {
        this.link(linked);
        return "";
      }
      const object = objectOfAlias(address);
      return object !== undefined && object !== port.name ? `${LINK_TRANSPORT}#${object}` : undefined;
    });
    node.startRelayService(undefined, {
      prefix: RELAY_PREFIX,
      relaysPerConnection: port.limits.relaysPerConnection,
      names: {
        check: (name) => {
          const why = refusal(name, port.name);
          if (why) throw new Error(why);
        },
        random: () => `${port.name}.${randomHex(4)}`,
        claim: async (name, identifier) => {
          const key = `owner:${name}`;
          const owner = await port.storage.get<string>(key);
          if (owner === undefined) await port.storage.put(key, identifier);
          return owner === undefined || owner === identifier;
        },
      },
      onEvent: (event) => this.remember(event),
    });
    node.startEcho("echo");
    if (this.identity) {
      const caps = { maxHandshakes: port.limits.maxHandshakes, maxChannels: port.limits.maxChannels };
      node.createSecureChannelListener(this.identity, "secure", { trust: "everyone", ...caps });
      node.createSecureChannelListener(this.identity, "secure-noise", { trust: "everyone", suite: "noise-chachapoly", ...caps });
      node.startWorker(
        "whoami",
        (message) =>
          JSON.stringify({ identifier: message.peerIdentifier, attributes: message.peerAttributes, edge: port.name }),
        { policy: port.env.RAZOR_EDGE_POLICY ?? "(exists? subject.identifier)" },
      );
    }
  }

  /** The connection of `socket`, attached at the address its attachment keeps. */
  adopt(socket: WebSocket): AttachedConnection {
    const existing = this.sockets.get(socket);
    if (existing && !existing.isClosed) return existing;
    const attachment = socket.deserializeAttachment() as Attachment;
    const connection = this.node.attachConnection(
      {
        send: (frame) => {
          this.port.tap("out", attachment.address, frame);
          socket.send(frame);
        },
        close: (code, reason) => {
          if (this.#unloading) return; // the node goes, the socket stays
          try {
            socket.close(code, reason);
          } catch {
            // Already closed.
          }
        },
      },
      { address: attachment.address, label: `socket ${attachment.address}` },
    );
    this.sockets.set(socket, connection);
    for (const relay of attachment.relays) {
      try {
        this.node.restoreRelay(relay.alias, relay.routeBack);
      } catch (error) {
        console.warn(`razor edge: could not restore relay ${relay.alias}: ${error}`);
      }
    }
    return connection;
  }

  /**
   * The link to object `object`, attached on first use (from either side). Its hop is named
   * after the object (`link.<object>`), not random: routes that cross objects (a channel's
   * route, a reply's return route) keep working when either object unloads and rebuilds its node.
   */
  link(object: string): AttachedConnection {
    const existing = this.links.get(object);
    if (existing && !existing.isClosed) return existing;
    const connection = this.node.attachConnection(
      {
        send: (frame) => this.port.deliver(object, frame),
        close: () => this.links.delete(object),
      },
      { address: `${LINK_PREFIX}${object}`, label: `link to ${object}` },
    );
    this.links.set(object, connection);
    return connection;
  }

  /** Keeps relay registrations in the attachment of the socket they depend on. */
  private remember(event: RelayServiceEvent): void {
    // Unloading stops every relay worker; the relays themselves stay (with their sockets).
    if (this.#unloading) return;
    for (const socket of this.port.sockets()) {
      const attachment = socket.deserializeAttachment() as Attachment | null;
      if (!attachment) continue;
      const relays = attachment.relays.filter((r) => r.alias !== event.alias);
      let changed = relays.length !== attachment.relays.length;
      if (event.type === "registered" && event.connection === `0#${attachment.address}`) {
        relays.push({ alias: event.alias, routeBack: event.routeBack });
        changed = true;
      }
      if (changed) socket.serializeAttachment({ ...attachment, relays } satisfies Attachment);
    }
  }

  /** Shuts the node down without closing the object's sockets. */
  unload(): void {
    this.#unloading = true;
    this.node.shutdown();
  }
}

let logging = false;

/** A fresh connection address for a new socket. */
export function newSocketAddress(): string {
  return randomHex(16);
}
