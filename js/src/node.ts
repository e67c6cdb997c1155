/// <reference lib="esnext.disposable" />
// The node: identities, workers, routes, transports, channels — and the events of what it runs.
import "./polyfills.js";
import { AttachedConnection, type AttachOptions, Connection, type ConnectionSink, type WebSocketLike } from "./connection.js";
import { SecureChannel, SecureChannelListener } from "./channel.js";
import { ArgumentError, call, callSync, type RazorError, typed } from "./errors.js";
import { Identity, type IdentitySecret, type IdentityStore } from "./identity.js";
import { isLoaded, ready, wasm } from "./loading.js";
import { initLogging, type LoggingOptions } from "./logging.js";
import { Relay, type RelayOptions, type RelayServiceOptions } from "./relay.js";
import {
  bytes, type ChannelOptions, type CloseReason, type Message, message, type Payload, type PeerMetrics, type RetrieveCredentialOptions, type WaitOptions,
} from "./values.js";

/** Options of `RazorNode.create`. */
export interface NodeOptions {
  /** For logs. */
  name?: string;
  /** `"auto"` (default): WebCrypto with non-extractable keys where available, else software. */
  vault?: "auto" | "webcrypto" | "software";
  /**
   * Keeps named identities (`createIdentity({ name })`) across runs. A string: an IndexedDB
   * database holding non-extractable WebCrypto keys (browsers; elsewhere `create` fails with
   * `INVALID_ARGUMENT`). `{ store, secret }`: any store of sealed identities (`fileStore(dir)`
   * in Node and Deno, a Durable Object's storage, KV), sealed with `secret`; keys are imported
   * into the vault on load (non-extractable in a WebCrypto vault), so the sealed bytes and the
   * secret are what must be kept safe.
   */
  persist?:
    | string
    | {
        /** Where the sealed identities are kept. */
        store: IdentityStore;
        /** What seals them. */
        secret: IdentitySecret;
      };
  /** Messages a worker's mailbox holds before senders wait (default 256). */
  mailboxCapacity?: number;
  /** Starts Razor's logging in this realm (see `initLogging`). */
  logging?: LoggingOptions;
}

/** A handler for `startWorker`: what it returns (or resolves to) is sent back as the answer.
 * If it throws or rejects, the sender gets a `WORKER_FAILED` error (the error stays here). */
export type WorkerHandler = (message: Message) => Payload | void | Promise<Payload | void>;

/** What `connectionopen` and `channelopen` events carry. */
export interface OpenDetail {
  /** The hop of the connection, or of the channel. */
  readonly address: string;
  /** What a connection connects to (URL, `host:port`, label); a channel's peer identifier. */
  readonly peer: string;
}

/** What `connectionclose` and `channelclose` events carry. */
export interface CloseDetail extends OpenDetail {
  /** Why it ended. */
  readonly reason: CloseReason;
  /** For `failed`: what failed. */
  readonly error?: RazorError;
}

/** What `reconnecting` events carry: a dialled connection dropped and is dialled again. */
export interface ReconnectingDetail {
  /** What is dialled again (a URL). */
  readonly peer: string;
  /** Which attempt comes next (1 is the first redial). */
  readonly attempt: number;
  /** How long until it. */
  readonly delayMs: number;
}

/** The events a node emits. */
export interface RazorNodeEventMap {
  /** A connection opened (dialled or attached). */
  connectionopen: CustomEvent<OpenDetail>;
  /** A connection ended. */
  connectionclose: CustomEvent<CloseDetail>;
  /** A secure channel was established; `peer` is the verified identifier. */
  channelopen: CustomEvent<OpenDetail>;
  /** A secure channel ended. */
  channelclose: CustomEvent<CloseDetail>;
  /** A dialled connection dropped and is dialled again. */
  reconnecting: CustomEvent<ReconnectingDetail>;
}

/** Routes messages through a set of nodes in this JS realm (`mem#<name>`), for tests and demos. */
export class MemoryNetwork {
  /** @internal */
  readonly inner: wasm.MemoryNetwork;

  private constructor(inner: wasm.MemoryNetwork) {
    this.inner = inner;
  }

  /** An empty network. */
  static async create(): Promise<MemoryNetwork> {
    await ready();
    return new MemoryNetwork(new wasm.MemoryNetwork());
  }
}

/**
 * A Razor node: workers, routes and transports (WebSocket, WebTransport, in-memory), identities
 * and secure channels. Emits `connectionopen`, `connectionclose`, `channelopen`,
 * `channelclose` and `reconnecting` (see `RazorNodeEventMap`). Also exported as `Node`.
 */
export class RazorNode extends EventTarget implements AsyncDisposable {
  /** @internal */
  readonly inner: wasm.Node;
  #store?: { store: IdentityStore; secret: IdentitySecret };
  #shutdown?: Promise<void>;

  private constructor(inner: wasm.Node, store?: { store: IdentityStore; secret: IdentitySecret }) {
    super();
    this.inner = inner;
    this.#store = store;
    inner.setObserver((event: { type: string; error?: unknown }) => {
      const { type, ...detail } = event;
      if (detail.error !== undefined) detail.error = typed(detail.error);
      this.dispatchEvent(new CustomEvent(type, { detail }));
    });
  }

  /**
   * Bytes of WebAssembly memory Razor holds in this JavaScript realm (all its nodes together;
   * it grows and never shrinks). 0 before the first node is created.
   */
  static get wasmMemoryBytes(): number {
    return isLoaded() ? wasm.Node.wasmMemoryBytes() : 0;
  }

  /** Creates a node; see `NodeOptions`. */
  static async create(options: NodeOptions = {}): Promise<RazorNode> {
    await ready();
    if (options.logging) await initLogging(options.logging);
    const { persist, logging: _, ...rest } = options;
    if (persist !== undefined && typeof persist !== "string" && !(persist.store && persist.secret)) {
      throw new ArgumentError("INVALID_ARGUMENT", "persist is a database name or { store, secret }");
    }
    const inner = await call(() =>
      wasm.Node.create({ ...rest, persist: typeof persist === "string" ? persist : undefined }),
    );
    return new RazorNode(inner, typeof persist === "object" ? persist : undefined);
  }

  /** Listens for the node's events (`RazorNodeEventMap`), or any other. */
  override addEventListener<K extends keyof RazorNodeEventMap>(
    type: K,
    listener: (event: RazorNodeEventMap[K]) => void,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null | ((event: never) => void),
    options?: boolean | AddEventListenerOptions,
  ): void {
    super.addEventListener(type, listener as EventListenerOrEventListenerObject | null, options);
  }

  /** The node's name, for logs. */
  get name(): string {
    return this.inner.name;
  }

  /** Where identity keys live: `"webcrypto"` (non-extractable) or `"software"`. */
  get vault(): "webcrypto" | "software" {
    return this.inner.vault as "webcrypto" | "software";
  }

  /** Workers running (channels count as one each). */
  get workerCount(): number {
    return this.inner.workerCount;
  }

  /**
   * What peers did to this node: responder handshakes in progress, refused (the listener had
   * as many in progress as it allows), expired and failed; first messages refused because the
   * listener held `maxChannels` channels; malformed frames (each closed its connection); echo
   * replies dropped for a peer that was not reading.
   */
  get peerMetrics(): PeerMetrics {
    return this.inner.peerMetrics as PeerMetrics;
  }

  /** Open connections: dialled and attached. */
  get connectionCount(): number {
    return this.inner.connectionCount;
  }

  /**
   * A new identity. With `name` on a node created with `persist`, the identity kept under that
   * name (created and kept the first time): the same one on later runs.
   */
  async createIdentity(options: { name?: string } = {}): Promise<Identity> {
    const kept = this.#store;
    if (options.name === undefined || !kept) {
      return Identity.wrap(await call(() => this.inner.createIdentity(options)));
    }
    const name = options.name;
    let sealed = await kept.store.get(name);
    if (!sealed) {
      sealed = await call(() => this.inner.createIdentityExport(kept.secret));
      await kept.store.set(name, sealed);
    }
    const opened = sealed;
    const inner = await call(() => this.inner.importIdentity(opened, kept.secret));
    return Identity.wrap(inner, { node: this.inner, store: kept.store, secret: kept.secret, name });
  }

  /**
   * The identity exported with `identity.export`, opened with the same secret; its key goes
   * into this node's vault (non-extractable in a WebCrypto vault). Rejects with `DECRYPT` for
   * a wrong secret or changed bytes.
   */
  async importIdentity(sealed: Uint8Array, secret: IdentitySecret): Promise<Identity> {
    return Identity.wrap(await call(() => this.inner.importIdentity(sealed, secret)));
  }

  /**
   * Connects now to `url` (`ws://`, `wss://`, or `https://` for WebTransport), or reuses the
   * open connection to it. `TIMEOUT` after `timeoutMs` (default: the platform's own), `ABORTED`
   * when `signal` aborts. The connection reads as its hop: `${connection} => secure`.
   */
  async connect(url: string, options: WaitOptions = {}): Promise<Connection> {
    return Connection.wrap(await call(() => this.inner.connect(url, options.timeoutMs, options.signal), options.signal));
  }

  /** The open connection whose hop is `hop`, if any. */
  connection(hop: string): Connection | undefined {
    const inner = callSync(() => this.inner.connection(hop));
    return inner ? Connection.wrap(inner) : undefined;
  }

  /**
   * Opens a secure channel as `identity` to the listener at the end of `route`. Rejects with a
   * typed error (`TIMEOUT` after `timeoutMs`, default 30 000; `IDENTITY_MISMATCH`,
   * `POLICY_DENIED`, ...; `ABORTED` when `signal` aborts). See `reconnect` to have it opened
   * again when its connection is lost.
   */
  async createSecureChannel(identity: Identity, route: string, options: ChannelOptions): Promise<SecureChannel> {
    const open = () => call(() => this.inner.createSecureChannel(identity.inner, route, options), options.signal);
    const inner = await open();
    if (!options.reconnect) return SecureChannel.wrap(inner);
    const policy = options.reconnect === true ? {} : options.reconnect;
    const { signal: _, ...again } = options;
    return SecureChannel.wrap(inner, {
      open: () => call(() => this.inner.createSecureChannel(identity.inner, route, again)),
      policy,
    });
  }

  /**
   * Gets `identity` a credential from an Ockam authority, as an enrolled Ockam project member
   * does: over a secure channel to `route` (the authority node's listener, e.g.
   * `ws#relay => tcp#authority:4000 => secure`) that trusts only `options.issuer`, it asks the
   * authority's `credential_issuer`, verifies the answer (about `identity`, signed by the
   * issuer), adds it to `identity` (presented in later handshakes) and resolves with its
   * bytes. `POLICY_DENIED` when the authority refuses (not a member); `TIMEOUT` after
   * `timeoutMs` (default 30 000); `ABORTED` when `signal` aborts.
   */
  async retrieveCredential(identity: Identity, route: string, options: RetrieveCredentialOptions): Promise<Uint8Array> {
    const credential = await call(
      () => this.inner.retrieveCredential(identity.inner, route, options.issuer, options.timeoutMs, options.signal),
      options.signal,
    );
    identity.addCredential(credential);
    return credential;
  }

  /** Accepts secure channels for `identity` at `address`. */
  createSecureChannelListener(identity: Identity, address: string, options: ChannelOptions): SecureChannelListener {
    return SecureChannelListener.wrap(callSync(() => this.inner.createSecureChannelListener(identity.inner, address, options)));
  }

  /** Sends `payload` along `route` and resolves with the first answer: `TIMEOUT` after
   * `timeoutMs` (default 30 000), `ABORTED` when `signal` aborts. */
  async request(route: string, payload: Payload, options: WaitOptions = {}): Promise<Message> {
    return message(
      await call(() => this.inner.request(route, bytes(payload), options.timeoutMs, options.signal), options.signal),
    );
  }

  /** Sends `payload` along `route`, waiting while the next hop cannot take more (until `signal` aborts). */
  send(route: string, payload: Payload, options: { signal?: AbortSignal } = {}): Promise<void> {
    return call(() => this.inner.send(route, bytes(payload), options.signal), options.signal);
  }

  /**
   * Runs `handler` for every message to `address`. With `policy` (an ABAC expression such as
   * `(= subject.role "admin")`), only messages from secure channel peers that satisfy it get
   * through; other senders are told `POLICY_DENIED`. A handler that throws answers the sender
   * with `WORKER_FAILED`.
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
    if (options.identity && !options.trust) throw new ArgumentError("INVALID_ARGUMENT", "createRelay with an identity needs trust");
    const { identity, ...rest } = options;
    return call(() =>
      Relay.start(
        url,
        (onEvent) => (identity ? this.inner.createRelayAs(identity.inner, url, rest, onEvent) : this.inner.createRelay(url, rest, onEvent)),
        typed,
      ),
    );
  }

  /**
   * Attaches a connection whose socket your code owns (`sink` writes to it); hand it each frame
   * that arrives, and call `peerClosed()` when the socket closes. For sockets Razor does not
   * open itself: server-side WebSockets, Durable Object links, custom transports.
   */
  attachConnection(sink: ConnectionSink, options: AttachOptions = {}): AttachedConnection {
    return AttachedConnection.wrap(callSync(() => this.inner.attachConnection(sink, options)));
  }

  /**
   * Serves a WebSocket a server accepted (a Worker's `WebSocketPair` after `accept()`,
   * `Deno.upgradeWebSocket`, Node's `ws`): binary frames are Razor frames, answers go back on it.
   * A text frame closes it with 1003; a peer that outruns the node is closed with 1008.
   */
  acceptWebSocket(socket: WebSocketLike, options: AttachOptions = {}): AttachedConnection {
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
        void connection.close();
        return;
      }
      const data = event.data instanceof ArrayBuffer ? new Uint8Array(event.data)
        : new Uint8Array(event.data.buffer, event.data.byteOffset, event.data.byteLength);
      if (!connection.tryReceive(data)) {
        socket.close(1008, "overrun");
        void connection.close();
      }
    });
    const gone = () => {
      if (!connection.isClosed) connection.peerClosed();
    };
    socket.addEventListener("close", gone);
    socket.addEventListener("error", gone);
    return connection;
  }

  /** Closes the connection whose hop is `hop` (from `connect` or `attachConnection`); resolves once closed. */
  async closeConnection(hop: string): Promise<void> {
    await this.connection(hop)?.close();
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

  /**
   * Opt-in reconnection with exponential backoff for WebSocket and WebTransport: a first dial
   * is retried, and a dialled connection that drops is dialled again (`reconnecting` events),
   * `attempts` times in all each (default delays 100 ms doubling to 5 000 ms). `null` turns it off.
   */
  setReconnect(options: { attempts: number; initialDelayMs?: number; maxDelayMs?: number } | null): void {
    callSync(() => this.inner.setReconnect(options));
  }

  /** Stops every worker, listener, channel and connection; resolves once all have ended (their
   * `closed` promises settled). Safe to call again. */
  shutdown(): Promise<void> {
    this.#shutdown ??= call(() => this.inner.shutdown());
    return this.#shutdown;
  }

  /** `await using node = await RazorNode.create()` shuts it down at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }
}
