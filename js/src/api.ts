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

/** Every code a Razor error can carry. */
export type ErrorCode =
  | "DECODE" | "ADDRESS_PARSE" | "UNKNOWN_ADDRESS" | "ADDRESS_IN_USE" | "MAILBOX_FULL" | "WORKER_STOPPED"
  | "EMPTY_ROUTE" | "NO_TRANSPORT" | "ACCESS_DENIED" | "TIMEOUT" | "MESSAGE_TOO_LARGE" | "NODE_SHUT_DOWN"
  | "INVALID_ARGUMENT" | "KEY_NOT_FOUND" | "CRYPTO" | "DECRYPT" | "HANDSHAKE" | "REPLAY" | "OUTSIDE_REPLAY_WINDOW"
  | "INVALID_IDENTITY" | "INVALID_PURPOSE_KEY" | "INVALID_CREDENTIAL" | "CREDENTIAL_EXPIRED" | "UNTRUSTED_ISSUER"
  | "IDENTITY_MISMATCH" | "POLICY_DENIED" | "CONNECT_FAILED" | "CONNECTION_CLOSED" | "FRAME_TOO_LARGE"
  | "MALFORMED_FRAME" | "UNSUPPORTED_VERSION" | "CERTIFICATE_MISMATCH" | "UNKNOWN_PEER" | "TRANSPORT";

/** Base class of Razor's errors; `code` says exactly what happened. */
export class RazorError extends Error {
  override name = "RazorError";
  constructor(readonly code: ErrorCode, message: string) {
    super(message);
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
/** Routing or node state (`UNKNOWN_ADDRESS`, `MAILBOX_FULL`, `NODE_SHUT_DOWN`, ...). */
export class RoutingError extends RazorError {
  override name = "RoutingError";
}

const trustCodes = new Set(["INVALID_IDENTITY", "INVALID_PURPOSE_KEY", "INVALID_CREDENTIAL", "CREDENTIAL_EXPIRED",
  "UNTRUSTED_ISSUER", "IDENTITY_MISMATCH", "POLICY_DENIED", "ACCESS_DENIED"]);
const transportCodes = new Set(["CONNECT_FAILED", "CONNECTION_CLOSED", "FRAME_TOO_LARGE", "MALFORMED_FRAME",
  "UNSUPPORTED_VERSION", "CERTIFICATE_MISMATCH", "UNKNOWN_PEER", "TRANSPORT", "NO_TRANSPORT"]);
const protocolCodes = new Set(["DECODE", "DECRYPT", "HANDSHAKE", "REPLAY", "OUTSIDE_REPLAY_WINDOW", "CRYPTO",
  "MESSAGE_TOO_LARGE", "KEY_NOT_FOUND"]);

function typed(error: unknown): unknown {
  const e = error as { name?: string; code?: ErrorCode; message?: string };
  if (e?.name !== "RazorError" || !e.code) return error;
  const message = e.message ?? e.code;
  if (e.code === "TIMEOUT") return new TimeoutError(e.code, message);
  if (trustCodes.has(e.code)) return new TrustError(e.code, message);
  if (transportCodes.has(e.code)) return new TransportError(e.code, message);
  if (protocolCodes.has(e.code)) return new ProtocolError(e.code, message);
  if (e.code === "INVALID_ARGUMENT" || e.code === "ADDRESS_PARSE") return new ArgumentError(e.code, message);
  return new RoutingError(e.code, message);
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

/** Options of `createSecureChannel` and `createSecureChannelListener`. */
export interface ChannelOptions {
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

  /** Runs `handler` for every message to `address`. */
  startWorker(address: string, handler: WorkerHandler): void {
    callSync(() =>
      this.inner.startWorker(address, async (inner: wasm.Message) => {
        const reply = await handler(message(inner));
        return reply === undefined ? undefined : bytes(reply);
      }),
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

  /** Ockam's relay service at `address` (default `forwarding_service`). */
  startRelayService(address?: string): void {
    callSync(() => this.inner.startRelayService(address));
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
