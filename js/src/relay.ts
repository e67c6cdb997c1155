/// <reference lib="esnext.disposable" />
// Relays: the relay service a node can run (Ockam's `forwarding_service`), and relays a node
// registers on one so that others reach it through the service's node.
import "./polyfills.js";
import { ArgumentError } from "./errors.js";
import type { Identity } from "./identity.js";
import type { RazorNode } from "./node.js";
import type { SecureChannel } from "./channel.js";
import type { Trust } from "./values.js";

/** What a relay service reports (`startRelayService({ onEvent })`). */
export type RelayServiceEvent =
  | {
      /** A relay was registered (or registered again). */
      type: "registered";
      /** Its alias, e.g. `forward_to_alice`. */
      alias: string;
      /** Where it forwards to. */
      routeBack: string;
      /** The connection it came over, if any. */
      connection?: string;
    }
  | {
      /** A relay went (its connection closed). */
      type: "removed";
      /** Its alias. */
      alias: string;
    };

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
export class Relay extends EventTarget implements AsyncDisposable {
  #alias = "";
  #hop = "";
  #closed = false;
  private constructor(
    private readonly node: RazorNode,
    /** The URL of the relay service's node. */
    readonly url: string,
    private readonly options: RelayOptions,
  ) {
    super();
  }

  /** @internal */
  static start(node: RazorNode, url: string, options: RelayOptions): Relay {
    return new Relay(node, url, options);
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

  /** Stops re-registering and closes the connection (the relay goes with it); resolves once closed. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#hop) await this.node.closeConnection(this.#hop);
  }

  /** `await using relay = ...` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** @internal Connects and registers once. */
  async register(): Promise<void> {
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    const hop = (await this.node.connect(this.url)).address;
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
      await channel?.close();
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

