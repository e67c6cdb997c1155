/// <reference lib="esnext.disposable" />
// Secure channels and their listeners, as JavaScript expects them: promises that settle when
// they end, iterators that end with them, idempotent close, `await using`, abort signals.
import "./polyfills.js";
import type * as wasm from "../pkg/razor.js";
import { call, hasCode } from "./errors.js";
import { fetchThroughPortal, type PortalOptions, PortalStream } from "./portal.js";
import {
  bytes, type CloseInfo, closeInfo, type Message, message, type Payload, type ReconnectOptions, type Stats,
  type WaitOptions,
} from "./values.js";

/** @internal How a channel is opened again after its connection was lost. */
export interface Reopen {
  open: () => Promise<wasm.SecureChannel>;
  policy: ReconnectOptions;
}

/**
 * An established, mutually authenticated, end-to-end encrypted channel. Events: `close`
 * (`detail`: the `CloseInfo`); with `reconnect`, `reconnecting` (`detail.attempt`) and
 * `reconnected` after the channel was opened again over its route.
 */
export class SecureChannel extends EventTarget implements AsyncIterable<Message>, AsyncDisposable {
  #inner: wasm.SecureChannel;
  #reopen?: Reopen;
  #closing = false;
  /** Settles when a reconnection ends: whether the channel is open again. */
  #reconnecting?: Promise<boolean>;
  #closed: Promise<CloseInfo>;

  private constructor(inner: wasm.SecureChannel, reopen?: Reopen) {
    super();
    this.#inner = inner;
    this.#reopen = reopen;
    this.#closed = this.#watch();
  }

  /** @internal */
  static wrap(inner: wasm.SecureChannel, reopen?: Reopen): SecureChannel {
    return new SecureChannel(inner, reopen);
  }

  /** The local hop to route through: `${channel.address} => service`. */
  get address(): string {
    return this.#inner.address;
  }

  /** The authenticated peer's identifier. */
  get theirIdentifier(): string {
    return this.#inner.theirIdentifier;
  }

  /** The peer's verified credential attributes. */
  get attributes(): Readonly<Record<string, string>> {
    return { ...(this.#inner.attributes as Record<string, string>) };
  }

  /** Whether the channel is open on this side now. */
  get isOpen(): boolean {
    return this.#inner.isOpen;
  }

  /** Messages and payload bytes each way so far (since the last reconnection, if any). */
  get stats(): Stats {
    return this.#inner.stats as Stats;
  }

  /**
   * Settles once the channel has closed for good: closed here (`local`), by the peer, because
   * its connection was lost (and, with `reconnect`, could not be opened again), or because the
   * node shut down. Never rejects.
   */
  get closed(): Promise<CloseInfo> {
    return this.#closed;
  }

  /** Sends `payload` to `route` on the peer's node; answers arrive in `receive()`. Waits while
   * the channel cannot take more (until `signal` aborts); `CHANNEL_CLOSED` once closed. */
  send(route: string, payload: Payload, options: { signal?: AbortSignal } = {}): Promise<void> {
    return call(() => this.#inner.send(route, bytes(payload), options.signal), options.signal);
  }

  /**
   * The next message for this channel's inbox. Rejects with `CHANNEL_CLOSED` once the channel
   * has closed and everything that arrived before was received; `TIMEOUT` after `timeoutMs`
   * (default: no limit); `ABORTED` when `signal` aborts.
   */
  async receive(options: WaitOptions = {}): Promise<Message> {
    for (;;) {
      try {
        return message(await call(() => this.#inner.receive(options.timeoutMs, options.signal), options.signal));
      } catch (error) {
        if (hasCode(error, "CHANNEL_CLOSED") && this.#reconnecting && (await this.#reconnecting)) continue;
        throw error;
      }
    }
  }

  /** Sends `payload` to `route` on the peer's node and resolves with the first answer;
   * `TIMEOUT` after `timeoutMs` (default 30 000), `ABORTED`, or `CHANNEL_CLOSED`. */
  async request(route: string, payload: Payload, options: WaitOptions = {}): Promise<Message> {
    return message(
      await call(() => this.#inner.request(route, bytes(payload), options.timeoutMs, options.signal), options.signal),
    );
  }

  /**
   * Opens a connection through the TCP portal outlet on the peer's node (an Ockam outlet or a
   * Razor node's `--outlet`) to the service behind it, as a `ReadableStream`/`WritableStream`
   * pair. `TIMEOUT` if the outlet does not answer (default 30 000 ms: an outlet that cannot
   * reach its service never answers), `ABORTED` when `signal` aborts.
   */
  async openPortal(options: PortalOptions = {}): Promise<PortalStream> {
    const inner = await call(
      () => this.#inner.openPortal(options.outlet ?? "outlet", options.timeoutMs, options.signal),
      options.signal,
    );
    return PortalStream.wrap(inner);
  }

  /**
   * `fetch` to the HTTP service behind the peer's TCP portal outlet: sends one HTTP/1.1
   * request over a new portal connection and resolves with the `Response` (its body read in
   * full first). The URL's host is only the `Host` header; where it goes is the outlet's.
   */
  fetch(input: RequestInfo | URL, init?: RequestInit, options: PortalOptions = {}): Promise<Response> {
    return fetchThroughPortal(() => this.openPortal({ signal: init?.signal ?? undefined, ...options }), input, init);
  }

  /** Messages as they arrive; ends when the channel closes (after what arrived before). */
  async *[Symbol.asyncIterator](): AsyncIterator<Message> {
    for (;;) {
      try {
        yield await this.receive();
      } catch (error) {
        if (hasCode(error, "CHANNEL_CLOSED", "NODE_SHUT_DOWN")) return;
        throw error;
      }
    }
  }

  /** Closes the channel on both sides; resolves once closed. Safe to call again. */
  async close(): Promise<void> {
    this.#closing = true;
    await call(() => this.#inner.close());
    await this.#closed;
  }

  /** `await using channel = ...` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Follows the inner channel(s) to the end, opening it again where that is asked for. */
  async #watch(): Promise<CloseInfo> {
    for (;;) {
      const info = closeInfo(await this.#inner.closed());
      if (!this.#reopen || this.#closing || info.reason !== "connection-lost") {
        this.dispatchEvent(new CustomEvent("close", { detail: info }));
        return info;
      }
      let reopened!: (ok: boolean) => void;
      this.#reconnecting = new Promise((resolve) => (reopened = resolve));
      const ok = await this.#reopenChannel(this.#reopen);
      reopened(ok);
      this.#reconnecting = undefined;
      if (!ok) {
        this.dispatchEvent(new CustomEvent("close", { detail: info }));
        return info;
      }
    }
  }

  async #reopenChannel(reopen: Reopen): Promise<boolean> {
    const { attempts = 10, initialDelayMs = 250, maxDelayMs = 5_000 } = reopen.policy;
    let delay = initialDelayMs;
    for (let attempt = 1; attempt <= attempts && !this.#closing; attempt++) {
      this.dispatchEvent(new CustomEvent("reconnecting", { detail: { attempt } }));
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (this.#closing) return false;
      try {
        this.#inner = await reopen.open();
        this.dispatchEvent(new CustomEvent("reconnected", { detail: { attempt } }));
        return true;
      } catch {
        delay = Math.min(delay * 2, maxDelayMs);
      }
    }
    return false;
  }
}

/** Accepts secure channels at an address. */
export class SecureChannelListener implements AsyncIterable<SecureChannel>, AsyncDisposable {
  #inner: wasm.SecureChannelListener;
  #closed?: Promise<void>;

  private constructor(inner: wasm.SecureChannelListener) {
    this.#inner = inner;
  }

  /** @internal */
  static wrap(inner: wasm.SecureChannelListener): SecureChannelListener {
    return new SecureChannelListener(inner);
  }

  /** Where initiators address their first handshake message. */
  get address(): string {
    return this.#inner.address;
  }

  /** Resolves once the listener has stopped (`stop`, or the node shut down). */
  get closed(): Promise<void> {
    this.#closed ??= call(() => this.#inner.closed());
    return this.#closed;
  }

  /** The next channel established through this listener; rejects with `WORKER_STOPPED` once
   * the listener has stopped (after handing out what it had), `ABORTED` when `signal` aborts. */
  async accept(options: { signal?: AbortSignal } = {}): Promise<SecureChannel> {
    return SecureChannel.wrap(await call(() => this.#inner.accept(options.signal), options.signal));
  }

  /** Channels as they are established; ends when the listener stops. */
  async *[Symbol.asyncIterator](): AsyncIterator<SecureChannel> {
    for (;;) {
      try {
        yield await this.accept();
      } catch (error) {
        if (hasCode(error, "WORKER_STOPPED", "NODE_SHUT_DOWN")) return;
        throw error;
      }
    }
  }

  /** Stops accepting channels (established ones stay open); resolves once stopped. Safe to call again. */
  stop(): Promise<void> {
    return call(() => this.#inner.stop());
  }

  /** `await using listener = ...` stops it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}
