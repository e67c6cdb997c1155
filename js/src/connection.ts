/// <reference lib="esnext.disposable" />
// Connections: the ones a node dials (`node.connect`) and the ones your code attaches
// (`attachConnection`, `acceptWebSocket`), whose socket it owns.
import "./polyfills.js";
import type * as wasm from "../pkg/razor.js";
import { call, callSync } from "./errors.js";
import { type CloseInfo, closeInfo, type Stats } from "./values.js";

/**
 * Where an attached connection writes: `send` each frame (Razor waits if it returns a Promise,
 * so a slow link pushes back) and `close` when Razor ends the connection (a WebSocket close
 * code: 1000 done, 1007 malformed frame).
 */
export interface ConnectionSink {
  /** Writes one frame. */
  send(frame: Uint8Array): void | Promise<void>;
  /** Closes the socket. */
  close(code: number, reason: string): void;
}

/** What `acceptWebSocket` needs of a socket: the WHATWG `WebSocket` shape (browsers, Workers'
 * `WebSocketPair`, `Deno.upgradeWebSocket`, Node's `ws`). */
export interface WebSocketLike {
  /** Set to `"arraybuffer"`. */
  binaryType: string;
  /** Sends one binary message. */
  send(data: Uint8Array): void;
  /** Closes the socket. */
  close(code?: number, reason?: string): void;
  /** Each message that arrives. */
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  /** The socket closed or failed. */
  addEventListener(type: "close" | "error", listener: (event: unknown) => void): void;
}

/** Options of `attachConnection` and `acceptWebSocket`. */
export interface AttachOptions {
  /** The connection's hop (local address), to keep the one a previous node had; default: fresh. */
  address?: string;
  /** Names the far end in logs and events. */
  label?: string;
}

/** A connection to another node. Its string form is its hop, so `${connection} => echo` is a route. */
export class Connection implements AsyncDisposable {
  /** @internal */
  protected readonly inner: wasm.Connection;
  #closed?: Promise<CloseInfo>;

  /** Made by `connect`, `attachConnection` and `acceptWebSocket`. */
  protected constructor(inner: unknown) {
    this.inner = inner as wasm.Connection;
  }

  /** @internal */
  static wrap(inner: wasm.Connection): Connection {
    return new Connection(inner);
  }

  /** The hop to put first in routes over this connection. */
  get address(): string {
    return this.inner.address;
  }

  /** What it connects to: the URL or `host:port` it was dialled to, or its label. */
  get peer(): string {
    return this.inner.peer;
  }

  /** Whether the connection has ended. */
  get isClosed(): boolean {
    return this.inner.isClosed;
  }

  /** Frames and frame bytes each way so far. */
  get stats(): Stats {
    return this.inner.stats as Stats;
  }

  /** Settles once the connection has ended: closed here (`local`), by the peer, `failed`
   * (with the error), or `shutdown`. Never rejects. */
  get closed(): Promise<CloseInfo> {
    this.#closed ??= this.inner.closed().then(closeInfo);
    return this.#closed;
  }

  /** Ends the connection from this side; resolves once it has ended. Safe to call again. */
  close(): Promise<void> {
    return call(() => this.inner.close());
  }

  /** `await using connection = ...` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** The hop, so that a connection reads as its hop in a route string. */
  toString(): string {
    return this.address;
  }
}

/** A connection whose socket your code owns: hand it each frame that arrives. */
export class AttachedConnection extends Connection {
  /** @internal */
  static override wrap(inner: wasm.Connection): AttachedConnection {
    return new AttachedConnection(inner);
  }

  /** Hands in one frame now; `false` when the node is not keeping up (close the socket as overrun). */
  tryReceive(frame: Uint8Array): boolean {
    return callSync(() => this.inner.tryReceive(frame));
  }

  /** Hands in one frame, waiting while the node's inbox for this connection is full. */
  receive(frame: Uint8Array): Promise<void> {
    return call(() => this.inner.receive(frame));
  }

  /** Tells Razor the socket closed underneath (the peer closed it, or it broke): the
   * connection ends as closed by the peer. */
  peerClosed(): void {
    callSync(() => this.inner.peerClosed());
  }
}
