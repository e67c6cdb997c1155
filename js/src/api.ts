// Razor's JavaScript API: an idiomatic layer over the wasm-bindgen classes in ../pkg.
//
//   const node = await Node.create();
//   const identity = await node.createIdentity();
//   const channel = await node.createSecureChannel(identity, "ws#127.0.0.1:4000 => secure",
//                                                  { trust: { identifier: serverId } });
//   const reply = await channel.request("echo", "hello");
//
// The wasm is loaded on first use by the entry point for the runtime (see ./entries).

import * as wasm from "../pkg/razor.js";

// ---------------------------------------------------------------------------------------------
// Loading

let loader: (() => Promise<void>) | undefined;
let loaded: Promise<void> | undefined;

/** @internal Set by the runtime's entry point: how to instantiate the wasm. */
export function setWasmLoader(load: () => Promise<void>): void {
  loader = load;
}

async function ready(): Promise<void> {
  if (!loader) throw new ArgumentError("INVALID_ARGUMENT", "import the package through its entry point");
  loaded ??= loader();
  return loaded;
}

// ---------------------------------------------------------------------------------------------
// Errors

export type { ErrorCode, ErrorKind } from "./error-codes.js";
import { ERROR_KINDS, type ErrorCode } from "./error-codes.js";

/** Base class of Razor's errors; `code` says exactly what happened. */
export class RazorError extends Error {
  override name = "RazorError";
  /** Whether another node reported the error (it could not deliver what this node sent). */
  readonly remote: boolean;
  constructor(readonly code: ErrorCode, message: string, options: { remote?: boolean } = {}) {
    super(message);
    this.remote = options.remote ?? false;
  }
}
/** Nothing arrived in time (`TIMEOUT`). */
export class TimeoutError extends RazorError {
  override name = "TimeoutError";
}
/** A connection could not be made or broke (`CONNECT_FAILED`, `CONNECTION_CLOSED`, ...). */
export class TransportError extends RazorError {
  override name = "TransportError";
}
/** The peer was not accepted (`IDENTITY_MISMATCH`, `POLICY_DENIED`, `CREDENTIAL_EXPIRED`, ...). */
export class TrustError extends RazorError {
  override name = "TrustError";
}
/** The peer broke the protocol (`HANDSHAKE`, `DECRYPT`, `REPLAY`, `DECODE`, ...). */
export class ProtocolError extends RazorError {
  override name = "ProtocolError";
}
/** A bad argument from the caller (`INVALID_ARGUMENT`, `ADDRESS_PARSE`). */
export class ArgumentError extends RazorError {
  override name = "ArgumentError";
}
/** Routing or node state (`UNKNOWN_ADDRESS`, `MAILBOX_FULL`, `NODE_SHUT_DOWN`, `LIMIT_EXCEEDED`, ...). */
export class RoutingError extends RazorError {
  override name = "RoutingError";
}

function typed(error: unknown): unknown {
  const e = error as { name?: string; code?: ErrorCode; message?: string; remote?: boolean };
  if (e?.name !== "RazorError" || !e.code) return error;
  const message = e.message ?? e.code;
  const options = { remote: e.remote === true };
  switch (ERROR_KINDS[e.code] ?? "routing") {
    case "timeout":
      return new TimeoutError(e.code, message, options);
    case "trust":
      return new TrustError(e.code, message, options);
    case "transport":
      return new TransportError(e.code, message, options);
    case "protocol":
      return new ProtocolError(e.code, message, options);
    case "argument":
      return new ArgumentError(e.code, message, options);
    default:
      return new RoutingError(e.code, message, options);
  }
}

async function call<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw typed(error);
  }
}

function callSync<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw typed(error);
  }
}

// ---------------------------------------------------------------------------------------------
// Values

/** Bytes, or text sent as UTF-8. */
export type Payload = Uint8Array | string;

function bytes(payload: Payload): Uint8Array {
  return typeof payload === "string" ? new TextEncoder().encode(payload) : payload;
}

/** A message delivered to this node. */
export interface Message {
  /** The payload bytes. */
  readonly payload: Uint8Array;
  /** The payload as UTF-8 text. */
  readonly text: string;
  /** The route back to the sender, `a => b` form. */
  readonly returnRoute: string;
  /** The sender's identifier, if the message came through a secure channel. */
  readonly peerIdentifier?: string;
  /** The sender's verified credential attributes (empty without a channel). */
  readonly peerAttributes: Readonly<Record<string, string>>;
}

function message(inner: wasm.Message): Message {
  const payload = inner.payload;
  return {
    payload,
    text: new TextDecoder().decode(payload),
    returnRoute: inner.returnRoute,
    peerIdentifier: inner.peerIdentifier,
    peerAttributes: { ...(inner.peerAttributes as Record<string, string>) },
  };
}

/** Whom a secure channel accepts as its peer. There is no default. */
export type Trust =
  | "everyone"
  | { identifier: string }
  | { identifiers: string[] }
  | { issuer: Uint8Array }
  | { policy: string };

/** The channel's cipher suite: Ockam's (default) or standard Noise with ChaCha20-Poly1305. */
export type Suite = "ockam-aes-gcm" | "noise-chachapoly";

/** A step of a secure channel's handshake (`ChannelOptions.onEvent`). */
export type ChannelEvent =
  | { type: "sent" | "received"; number: 1 | 2 | 3; bytes: number }
  | { type: "verified"; identifier: string }
  | { type: "failed"; code: ErrorCode };

/** Options of `createSecureChannel` and `createSecureChannelListener`. */
export interface ChannelOptions {
  /** Called with each handshake step: messages sent and received, the peer verified, a failure. */
  onEvent?: (event: ChannelEvent) => void;
  /** Required: whom to accept. */
  trust: Trust;
  /** Default `"ockam-aes-gcm"`. */
  suite?: Suite;
  /** Handshake timeout; default 30 000. */
  timeoutMs?: number;
  /** Change histories of authorities whose credentials to verify. */
  authorities?: Uint8Array[];
}

/** Options of `Node.create`. */
export interface NodeOptions {
  /** For logs. */
  name?: string;
  /** `"auto"` (default): WebCrypto with non-extractable keys where available, else software. */
  vault?: "auto" | "webcrypto" | "software";
  /** IndexedDB database keeping keys and named identities across reloads (browsers). */
  persist?: string;
  /** Messages a worker's mailbox holds before senders wait (default 256). */
  mailboxCapacity?: number;
}

/** A handler for `startWorker`: what it returns (or resolves to) is sent back as the answer. */
export type WorkerHandler = (message: Message) => Payload | void | Promise<Payload | void>;

// ---------------------------------------------------------------------------------------------
// Classes

/** Routes messages through a set of nodes in this JS realm (`mem#<name>`), for tests and demos. */
export class MemoryNetwork {
  /** @internal */
  readonly inner: wasm.MemoryNetwork;
  /** @internal */
  private constructor(inner: wasm.MemoryNetwork) {
    this.inner = inner;
  }

  static async create(): Promise<MemoryNetwork> {
    await ready();
    return new MemoryNetwork(new wasm.MemoryNetwork());
  }
}

/** An identity: an identifier and keys in the node's vault. */
export class Identity {
  /** @internal */
  readonly inner: wasm.Identity;
  /** @internal */
  constructor(inner: wasm.Identity) {
    this.inner = inner;
  }

  /** `I` + 64 hex digits, stable across rotations. */
  get identifier(): string {
    return this.inner.identifier;
  }

  /** Ockam's binary change history: give it to peers that trust this identity as an authority. */
  changeHistory(): Uint8Array {
    return this.inner.changeHistory();
  }

  /**
   * The identity and its current key, sealed with `{ key }` (32 random bytes you keep apart) or
   * `{ passphrase }`: keep the bytes where the identity must survive (a Worker secret, a file)
   * and open them with `node.importIdentity`. Whoever has both holds the identity. Keys a
   * WebCrypto vault keeps non-extractable cannot be exported: create identities to export on a
   * node with `vault: "software"`.
   */
  export(protection: IdentitySecret): Promise<Uint8Array> {
    return call(() => this.inner.export(protection));
  }

  /** Rotates to a fresh key; the identifier stays. */
  rotate(kind: "ed25519" | "p256" = "ed25519"): Promise<void> {
    return call(() => this.inner.rotate(kind));
  }

  /** Issues a credential about `subject` with `attributes`, valid for `ttlSeconds`. */
  issueCredential(subject: Identity | Uint8Array, attributes: Record<string, string>, ttlSeconds: number): Promise<Uint8Array> {
    const history = subject instanceof Identity ? subject.changeHistory() : subject;
    return call(() => this.inner.issueCredential(history, attributes, ttlSeconds));
  }

  /** Presents `credential` (from `issueCredential`) in future handshakes. */
  addCredential(credential: Uint8Array): void {
    callSync(() => this.inner.addCredential(credential));
  }
}

/** An established, mutually authenticated, end-to-end encrypted channel. */
export class SecureChannel implements AsyncIterable<Message> {
  /** @internal */
  readonly inner: wasm.SecureChannel;
  /** @internal */
  constructor(inner: wasm.SecureChannel) {
    this.inner = inner;
  }

  /** The local hop to route through: `${channel.address} => service`. */
  get address(): string {
    return this.inner.address;
  }

  /** The authenticated peer's identifier. */
  get theirIdentifier(): string {
    return this.inner.theirIdentifier;
  }

  /** The peer's verified credential attributes. */
  get attributes(): Readonly<Record<string, string>> {
    return { ...(this.inner.attributes as Record<string, string>) };
  }

  /** Whether the channel is open on this side. */
  get isOpen(): boolean {
    return this.inner.isOpen;
  }

  /** Sends `payload` to `route` on the peer's node; answers arrive in `receive()`. */
  send(route: string, payload: Payload): Promise<void> {
    return call(() => this.inner.send(route, bytes(payload)));
  }

  /** The next message for this channel's inbox. */
  async receive(options: { timeoutMs?: number } = {}): Promise<Message> {
    return message(await call(() => this.inner.receive(options.timeoutMs)));
  }

  /** Sends `payload` to `route` on the peer's node and resolves with the first answer. */
  async request(route: string, payload: Payload, options: { timeoutMs?: number } = {}): Promise<Message> {
    return message(await call(() => this.inner.request(route, bytes(payload), options.timeoutMs)));
  }

  /** Messages as they arrive, until the channel or node closes. */
  async *[Symbol.asyncIterator](): AsyncIterator<Message> {
    while (this.isOpen) {
      try {
        yield await this.receive();
      } catch (error) {
        if (error instanceof RoutingError && error.code === "NODE_SHUT_DOWN") return;
        throw error;
      }
    }
  }

  /** Closes the channel on both sides. */
  close(): void {
    callSync(() => this.inner.close());
  }
}

/** Accepts secure channels at an address. */
export class SecureChannelListener implements AsyncIterable<SecureChannel> {
  /** @internal */
  readonly inner: wasm.SecureChannelListener;
  /** @internal */
  constructor(inner: wasm.SecureChannelListener) {
    this.inner = inner;
  }

  get address(): string {
    return this.inner.address;
  }

  /** The next channel established through this listener. */
  async accept(): Promise<SecureChannel> {
    return new SecureChannel(await call(() => this.inner.accept()));
  }

  async *[Symbol.asyncIterator](): AsyncIterator<SecureChannel> {
    for (;;) yield await this.accept();
  }

  /** Stops accepting channels (established ones stay open). */
  stop(): void {
    callSync(() => this.inner.stop());
  }
}

/**
 * Where an attached connection writes: `send` each frame (Razor waits if it returns a Promise,
 * so a slow link pushes back) and `close` when Razor ends the connection (a WebSocket close
 * code: 1000 done, 1007 malformed frame).
 */
export interface ConnectionSink {
  send(frame: Uint8Array): void | Promise<void>;
  close(code: number, reason: string): void;
}

/** What `acceptWebSocket` needs of a socket: the WHATWG `WebSocket` shape (browsers, Workers'
 * `WebSocketPair`, `Deno.upgradeWebSocket`, Node's `ws`). */
export interface WebSocketLike {
  binaryType: string;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  addEventListener(type: "close" | "error", listener: (event: unknown) => void): void;
}

/** Options of `attachConnection` and `acceptWebSocket`. */
export interface AttachOptions {
  /** The connection's hop (local address), to keep the one a previous node had; default: fresh. */
  address?: string;
  /** Names the far end in logs. */
  label?: string;
}

/** A connection whose socket your code owns: hand it each frame that arrives. */
export class Connection {
  /** @internal */
  readonly inner: wasm.Connection;
  /** Resolves when the connection has ended, from either side. */
  readonly closed: Promise<void>;
  /** @internal */
  constructor(inner: wasm.Connection, closed: Promise<void>) {
    this.inner = inner;
    this.closed = closed;
  }

  /** The hop to put first in routes over this connection. */
  get address(): string {
    return this.inner.address;
  }

  /** Whether the connection has ended. */
  get isClosed(): boolean {
    return this.inner.isClosed;
  }

  /** Hands in one frame now; `false` when the node is not keeping up (close the socket as overrun). */
  tryReceive(frame: Uint8Array): boolean {
    return callSync(() => this.inner.tryReceive(frame));
  }

  /** Hands in one frame, waiting while the node's inbox for this connection is full. */
  receive(frame: Uint8Array): Promise<void> {
    return call(() => this.inner.receive(frame));
  }

  /** Ends the connection; Razor calls the sink's `close`. Safe to call again. */
  close(): void {
    this.inner.close();
  }
}

/** What a relay service reports (`startRelayService({ onEvent })`). */
export type RelayServiceEvent =
  | { type: "registered"; alias: string; routeBack: string; connection?: string }
  | { type: "removed"; alias: string };

/** How an owned-names relay service decides names (see `startRelayService`). */
export interface RelayNames {
  /** Throws (with a message for the client) to refuse `name`. */
  check(name: string): void;
  /** A fresh, unguessable name. */
  random(): string;
  /** Records that `identifier` owns `name` unless another identity does; resolves to whether it owns it now. */
  claim(name: string, identifier: string): boolean | Promise<boolean>;
}

/** Options of `startRelayService`. */
export interface RelayServiceOptions {
  /** Put in front of every alias; Ockam's is `"forward_to_"`. Default none. */
  prefix?: string;
  /** Owned names: chosen names only through a secure channel, kept by the first identity that
   * claims them; random names otherwise. Without it, every client gets what it asks for. */
  names?: RelayNames;
  /** Relays one connection may hold (default 16). */
  relaysPerConnection?: number;
  /** Called when a relay registers or goes. */
  onEvent?: (event: RelayServiceEvent) => void;
}

/** Options of `createRelay`. */
export interface RelayOptions {
  /** The name to ask for; default a random one the service picks. A chosen name needs `identity`. */
  name?: string;
  /** Register through a secure channel to the service's node as this identity (owned names). */
  identity?: Identity;
  /** Whom to accept as the service's node (with `identity`); required then. */
  trust?: Trust;
  /** Where the service's node listens for channels; default `"secure"`. */
  listener?: string;
  /** Timeout of each step, default 10 000 ms. */
  timeoutMs?: number;
  /** Re-register after the connection drops (default true), retrying with backoff. */
  reconnect?: boolean;
}

/**
 * A relay this node registered on a relay service (`Node.createRelay`): others reach this node
 * at `route`. Emits `registered` (after every successful registration, including re-registration
 * after a reconnect; `detail.alias`) and `lost` (the connection dropped; `detail.error` when a
 * re-registration attempt failed).
 */
export class Relay extends EventTarget {
  #alias = "";
  #hop = "";
  #closed = false;
  /** @internal */
  constructor(
    private readonly node: Node,
    /** The URL of the relay service's node. */
    readonly url: string,
    private readonly options: RelayOptions,
  ) {
    super();
  }

  /** The alias others route to, e.g. `forward_to_bob` (a random name can change on re-registration). */
  get alias(): string {
    return this.#alias;
  }

  /** This node's connection to the relay service's node. */
  get hop(): string {
    return this.#hop;
  }

  /** Whether the relay is registered now. */
  get isRegistered(): boolean {
    return !this.#closed && this.#alias !== "";
  }

  /** Stops re-registering and closes the connection (the relay goes with it). */
  close(): void {
    this.#closed = true;
    if (this.#hop) this.node.closeConnection(this.#hop);
  }

  /** @internal Connects and registers once. */
  async register(): Promise<void> {
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    const hop = await this.node.connect(this.url);
    let route = `${hop} => forwarding_service`;
    let channel: SecureChannel | undefined;
    if (this.options.identity) {
      if (!this.options.trust) throw new ArgumentError("INVALID_ARGUMENT", "createRelay with an identity needs trust");
      channel = await this.node.createSecureChannel(this.options.identity, `${hop} => ${this.options.listener ?? "secure"}`, {
        trust: this.options.trust,
        timeoutMs,
      });
      route = `${channel.address} => forwarding_service`;
    }
    try {
      this.#alias = await this.node.registerRelay(route, this.options.name ?? "register", { timeoutMs });
    } finally {
      // The relay forwards over the connection, not through the channel: the channel can go.
      channel?.close();
    }
    this.#hop = hop;
    this.dispatchEvent(new CustomEvent("registered", { detail: { alias: this.#alias } }));
    void this.watch(hop);
  }

  private async watch(hop: string): Promise<void> {
    try {
      await this.node.whenStopped(hop);
    } catch {
      // Already gone.
    }
    if (this.#closed) return;
    this.#alias = "";
    this.dispatchEvent(new CustomEvent("lost", { detail: {} }));
    if (this.options.reconnect === false) return;
    for (let delay = 250; !this.#closed; delay = Math.min(delay * 2, 5_000)) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (this.#closed) return;
      try {
        await this.register();
        return;
      } catch (error) {
        this.dispatchEvent(new CustomEvent("lost", { detail: { error } }));
      }
    }
  }
}

/** What seals an exported identity: a 32-byte key (fast; keep it apart) or a passphrase (PBKDF2, 600 000 rounds). */
export type IdentitySecret = { key: Uint8Array } | { passphrase: string };

/** A Razor node: workers, routes and transports (WebSocket, WebTransport, in-memory). */
export class Node {
  /** @internal */
  readonly inner: wasm.Node;
  /** @internal */
  private constructor(inner: wasm.Node) {
    this.inner = inner;
  }

  /** Creates a node; see `NodeOptions`. */
  static async create(options: NodeOptions = {}): Promise<Node> {
    await ready();
    return new Node(await call(() => wasm.Node.create(options)));
  }

  get name(): string {
    return this.inner.name;
  }

  /** Where identity keys live: `"webcrypto"` (non-extractable) or `"software"`. */
  get vault(): "webcrypto" | "software" {
    return this.inner.vault as "webcrypto" | "software";
  }

  get workerCount(): number {
    return this.inner.workerCount;
  }

  get connectionCount(): number {
    return this.inner.connectionCount;
  }

  /** A new identity; with `name` on a node created with `persist`, the same one on later calls. */
  async createIdentity(options: { name?: string } = {}): Promise<Identity> {
    return new Identity(await call(() => this.inner.createIdentity(options)));
  }

  /**
   * The identity exported with `identity.export`, opened with the same secret; its key goes
   * into this node's vault (non-extractable in a WebCrypto vault). Rejects with `DECRYPT` for
   * a wrong secret or changed bytes.
   */
  async importIdentity(bytes: Uint8Array, secret: IdentitySecret): Promise<Identity> {
    return new Identity(await call(() => this.inner.importIdentity(bytes, secret)));
  }

  /** Connects now to `url` (`ws://`, `wss://`, or `https://` for WebTransport); resolves with the hop. */
  connect(url: string): Promise<string> {
    return call(() => this.inner.connect(url));
  }

  /** Opens a secure channel as `identity` to the listener at the end of `route`. */
  async createSecureChannel(identity: Identity, route: string, options: ChannelOptions): Promise<SecureChannel> {
    return new SecureChannel(await call(() => this.inner.createSecureChannel(identity.inner, route, options)));
  }

  /** Accepts secure channels for `identity` at `address`. */
  createSecureChannelListener(identity: Identity, address: string, options: ChannelOptions): SecureChannelListener {
    return new SecureChannelListener(callSync(() => this.inner.createSecureChannelListener(identity.inner, address, options)));
  }

  /** Sends `payload` along `route` and resolves with the first answer. */
  async request(route: string, payload: Payload, options: { timeoutMs?: number } = {}): Promise<Message> {
    return message(await call(() => this.inner.request(route, bytes(payload), options.timeoutMs)));
  }

  /** Sends `payload` along `route`. */
  send(route: string, payload: Payload): Promise<void> {
    return call(() => this.inner.send(route, bytes(payload)));
  }

  /**
   * Runs `handler` for every message to `address`. With `policy` (an ABAC expression such as
   * `(= subject.role "admin")`), only messages from secure channel peers that satisfy it get
   * through; other senders are told `POLICY_DENIED`.
   */
  startWorker(address: string, handler: WorkerHandler, options: { policy?: string } = {}): void {
    callSync(() =>
      this.inner.startWorker(
        address,
        async (inner: wasm.Message) => {
          const reply = await handler(message(inner));
          return reply === undefined ? undefined : bytes(reply);
        },
        options,
      ),
    );
  }

  /** Stops the worker at `address`. */
  stopWorker(address: string): void {
    callSync(() => this.inner.stopWorker(address));
  }

  /** A routing hop at `address`; `onHop` sees each message it passes on (to trace routes). */
  startHop(address: string, onHop?: (hop: { node: string; onward: string; returnRoute: string }) => void): void {
    callSync(() => this.inner.startHop(address, onHop));
  }

  /** An echo worker at `address`. */
  startEcho(address: string): void {
    callSync(() => this.inner.startEcho(address));
  }

  /**
   * Ockam's relay service at `address` (default `forwarding_service` and
   * `static_forwarding_service`, where Ockam's clients look). See `RelayServiceOptions`.
   */
  startRelayService(address?: string, options: RelayServiceOptions = {}): void {
    callSync(() => this.inner.startRelayService(address, options));
  }

  /** Restarts a relay from an earlier `registered` event (a re-created node restoring its relays). */
  restoreRelay(alias: string, routeBack: string): void {
    callSync(() => this.inner.restoreRelay(alias, routeBack));
  }

  /** Registers a relay through `route` (to a relay service) and resolves with the granted alias. */
  registerRelay(route: string, name = "register", options: { timeoutMs?: number } = {}): Promise<string> {
    return call(() => this.inner.registerRelay(route, name, options.timeoutMs));
  }

  /**
   * Connects to the relay service's node at `url`, registers a relay (through a secure channel
   * when `identity` is given, which chosen names need on a Razor edge) and keeps it registered
   * across reconnects. Others reach this node at `<their hop to the service> => <relay.alias>`.
   */
  async createRelay(url: string, options: RelayOptions = {}): Promise<Relay> {
    const relay = new Relay(this, url, options);
    await relay.register();
    return relay;
  }

  /**
   * Attaches a connection whose socket your code owns (`sink` writes to it); hand it each frame
   * that arrives. For sockets Razor does not open itself: server-side WebSockets, Durable Object
   * links, custom transports.
   */
  attachConnection(sink: ConnectionSink, options: AttachOptions = {}): Connection {
    const inner = callSync(() => this.inner.attachConnection(sink, options));
    const closed = this.whenStopped(inner.address).catch(() => undefined);
    return new Connection(inner, closed);
  }

  /**
   * Serves a WebSocket a server accepted (a Worker's `WebSocketPair` after `accept()`,
   * `Deno.upgradeWebSocket`, Node's `ws`): binary frames are Razor frames, answers go back on it.
   * A text frame closes it with 1003; a peer that outruns the node is closed with 1008.
   */
  acceptWebSocket(socket: WebSocketLike, options: AttachOptions = {}): Connection {
    socket.binaryType = "arraybuffer";
    const connection = this.attachConnection(
      {
        send: (frame) => socket.send(frame),
        close: (code, reason) => {
          try {
            socket.close(code, reason);
          } catch {
            // Already closed.
          }
        },
      },
      { label: "accepted websocket", ...options },
    );
    socket.addEventListener("message", (event) => {
      if (!(event.data instanceof ArrayBuffer) && !ArrayBuffer.isView(event.data)) {
        socket.close(1003, "binary frames only");
        connection.close();
        return;
      }
      const data = event.data instanceof ArrayBuffer ? new Uint8Array(event.data)
        : new Uint8Array(event.data.buffer, event.data.byteOffset, event.data.byteLength);
      if (!connection.tryReceive(data)) {
        socket.close(1008, "overrun");
        connection.close();
      }
    });
    socket.addEventListener("close", () => connection.close());
    socket.addEventListener("error", () => connection.close());
    return connection;
  }

  /** Closes the connection whose hop is `hop` (from `connect` or `attachConnection`). */
  closeConnection(hop: string): void {
    try {
      this.inner.stopWorker(hop);
    } catch {
      // Already closed.
    }
  }

  /**
   * Handles hops of transport type `type` with `resolve(value)`, which returns the hop of an
   * attached connection for that value (reusing one or attaching a new one). The node asks
   * once per value and sends later messages straight to that connection until it closes.
   */
  registerTransport(type: number, resolve: (value: string) => string | Promise<string>): void {
    callSync(() => this.inner.registerTransport(type, resolve));
  }

  /**
   * For a local address with no worker here, `fallback` may return a route to put in front of it
   * (a hop to where it is), or `""` after attaching something at that address itself (looked up
   * again); `undefined` leaves it unknown.
   */
  setRouteFallback(fallback: (address: string) => string | undefined): void {
    this.inner.setRouteFallback(fallback);
  }

  /** Resolves when the worker or connection at `address` stops — at once if nothing runs there. */
  whenStopped(address: string): Promise<void> {
    return call(() => this.inner.whenStopped(address));
  }

  /** Joins `network` as `mem#<name>`. */
  attachMemory(network: MemoryNetwork, name: string): void {
    callSync(() => this.inner.attachMemory(network.inner, name));
  }

  /** Trusts the WebTransport server at `hostPort` by its certificate's SHA-256 (64 hex digits). */
  pinWebTransportCertificate(hostPort: string, sha256Hex: string): void {
    callSync(() => this.inner.pinWebTransportCertificate(hostPort, sha256Hex));
  }

  /** Opt-in reconnection with exponential backoff; `null` turns it off. */
  setReconnect(options: { attempts: number; initialDelayMs?: number; maxDelayMs?: number } | null): void {
    callSync(() => this.inner.setReconnect(options));
  }

  /** Stops every worker and connection. */
  shutdown(): void {
    this.inner.shutdown();
  }
}

/** Sends Razor's logs to the console, filtered like `RUST_LOG` (e.g. `"info"`, `"razor_core=debug"`). */
export async function initLogging(filter = "info"): Promise<void> {
  await ready();
  wasm.initLogging(filter);
}
