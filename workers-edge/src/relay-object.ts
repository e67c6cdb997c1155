// One Durable Object per relay name (and per connection that named none): it holds the
// registered peer's WebSocket with the hibernation API, so an idle peer costs no memory, and
// runs a Razor node while it has traffic. Frames are Razor's business alone (the npm package's
// wasm decodes them); this file only moves bytes, applies limits and keeps what must outlive
// the node (socket attachments, name owners in storage).
import { DurableObject } from "cloudflare:workers";
import { EdgeNode, newSocketAddress, type Attachment, type ObjectPort } from "./edge-node.js";
import type { PeerMetrics } from "@razor-sh/razor";
import type { Vars } from "./env.js";
import { limits, TokenBucket, type Limits } from "./limits.js";
import { isObjectName } from "./names.js";

/** The Worker's environment: its vars and the binding to the relay objects (wrangler.jsonc).
 * Declared here, beside the class the binding names, so that env.ts imports nothing. */
export interface Env extends Vars {
  RELAY: DurableObjectNamespace<RelayObject>;
}

/** WebSocket close codes the edge uses (documented in docs/ARCHITECTURE.md). */
export const CLOSE = {
  /** A text frame: Razor frames are binary. */
  notBinary: 1003,
  /** Too many frames per second, or the node could not keep up. */
  policy: 1008,
  /** A frame over the size limit. */
  tooLarge: 1009,
  /** The object failed (a bug): the peer should reconnect. */
  internal: 1011,
} as const;

/** A frame the debug tap kept. */
export interface TappedFrame {
  seq: number;
  at: number;
  direction: "in" | "out";
  via: string;
  hex: string;
}

const TAP_FRAMES = 500;

export class RelayObject extends DurableObject<Env> {
  #name: string | undefined;
  #limits: Limits;
  #edge: Promise<EdgeNode> | undefined;
  #idle: ReturnType<typeof setTimeout> | undefined;
  #buckets = new WeakMap<WebSocket, TokenBucket>();
  #tap: TappedFrame[] = [];
  #tapSeq = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#limits = limits(env);
    // Objects are addressed by name (`idFromName`): the id knows it, else storage does.
    this.#name = ctx.id.name;
    if (this.#name === undefined) {
      ctx.blockConcurrencyWhile(async () => {
        this.#name = await ctx.storage.get<string>("name");
      });
    }
  }

  /** A WebSocket upgrade the Worker routed here (`x-razor-object` names this object). */
  override async fetch(request: Request): Promise<Response> {
    const name = request.headers.get("x-razor-object") ?? "";
    if (!isObjectName(name)) return new Response("bad object name", { status: 400 });
    if (this.#name === undefined) {
      // Only for ids without a name (none today): storage writes cost per object.
      this.#name = name;
      if (this.ctx.id.name === undefined) await this.ctx.storage.put("name", name);
    }
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({ address: newSocketAddress(), relays: [] } satisfies Attachment);
    const edge = await this.edge();
    edge.adopt(server);
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(socket: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (typeof message === "string") return this.refuse(socket, CLOSE.notBinary, "binary frames only");
    if (message.byteLength > this.#limits.maxFrame) return this.refuse(socket, CLOSE.tooLarge, "frame too large");
    let bucket = this.#buckets.get(socket);
    if (!bucket) this.#buckets.set(socket, (bucket = new TokenBucket(this.#limits.rate, this.#limits.burst)));
    if (!bucket.take()) return this.refuse(socket, CLOSE.policy, "rate limit exceeded");
    try {
      const edge = await this.edge();
      const connection = edge.adopt(socket);
      const frame = new Uint8Array(message);
      this.tap("in", (socket.deserializeAttachment() as Attachment).address, frame);
      if (!connection.tryReceive(frame)) this.refuse(socket, CLOSE.policy, "overrun");
    } catch (error) {
      // A bug or a broken configuration (a bad identity secret): tell the peer, never hang it.
      console.error(`razor edge: object ${this.#name}: ${error}`);
      this.refuse(socket, CLOSE.internal, "edge failure");
    }
  }

  override async webSocketClose(socket: WebSocket): Promise<void> {
    await this.forget(socket, true);
  }

  override async webSocketError(socket: WebSocket): Promise<void> {
    await this.forget(socket, true);
  }

  /** RPC from another object: a frame over the link from object `from` to this one, `to`. */
  async deliver(from: string, to: string, frame: Uint8Array): Promise<void> {
    if (!isObjectName(from) || !isObjectName(to)) throw new Error("bad object name");
    this.#name ??= to;
    const edge = await this.edge();
    this.tap("in", `link ${from}`, frame);
    await edge.link(from).receive(frame);
  }

  /** RPC for the debug tap: frames after `since` (only with RAZOR_EDGE_DEBUG_TAP=1). */
  async frames(since = 0): Promise<TappedFrame[]> {
    return this.#tap.filter((f) => f.seq > since);
  }

  /** RPC for tests and the benchmark: how many sockets this object holds and whether its node is loaded. */
  async stats(): Promise<{ name?: string; sockets: number; loaded: boolean; peers?: PeerMetrics }> {
    return {
      name: this.#name,
      sockets: this.ctx.getWebSockets().length,
      loaded: this.#edge !== undefined,
      peers: this.#edge && (await this.#edge).node.peerMetrics,
    };
  }

  private refuse(socket: WebSocket, code: number, reason: string): void {
    try {
      socket.close(code, reason);
    } catch {
      // Already closed.
    }
    void this.forget(socket, false);
  }

  /** Ends the connection of `socket`: the peer closed it (or it failed), or this object did. */
  private async forget(socket: WebSocket, byPeer: boolean): Promise<void> {
    if (!this.#edge) return;
    const edge = await this.#edge;
    const connection = edge.sockets.get(socket);
    edge.sockets.delete(socket);
    if (!connection || connection.isClosed) return;
    if (byPeer) connection.peerClosed();
    else await connection.close();
  }

  /** The object's Razor node, built on first use after a wake; unloaded after idling. */
  private edge(): Promise<EdgeNode> {
    if (this.#idle !== undefined) clearTimeout(this.#idle);
    this.#idle = setTimeout(() => this.unload(), this.#limits.idleMs);
    this.#edge ??= EdgeNode.create(this.port()).catch((error) => {
      this.#edge = undefined;
      throw error;
    });
    return this.#edge;
  }

  private unload(): void {
    const edge = this.#edge;
    this.#edge = undefined;
    this.#idle = undefined;
    void edge?.then((e) => e.unload());
  }

  private port(): ObjectPort {
    const name = this.#name;
    if (name === undefined) throw new Error("object has no name yet");
    return {
      name,
      env: this.env,
      limits: this.#limits,
      storage: this.ctx.storage,
      sockets: () => this.ctx.getWebSockets(),
      deliver: (to, frame) => {
        this.tap("out", `link ${to}`, frame);
        return this.env.RELAY.get(this.env.RELAY.idFromName(to)).deliver(name, to, frame);
      },
      tap: (direction, via, frame) => this.tap(direction, via, frame),
    };
  }

  private tap(direction: "in" | "out", via: string, frame: Uint8Array): void {
    if (this.env.RAZOR_EDGE_DEBUG_TAP !== "1") return;
    const hex = Array.from(frame.subarray(0, 4096), (b) => b.toString(16).padStart(2, "0")).join("");
    this.#tap.push({ seq: ++this.#tapSeq, at: Date.now(), direction, via, hex });
    if (this.#tap.length > TAP_FRAMES) this.#tap.splice(0, this.#tap.length - TAP_FRAMES);
  }
}
